"""``hmic-kg load | query | queries | export | validate | bridges``: the knowledge graph from the shell."""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer
from rdflib import Dataset
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from api.cli.app import app, fail
from graph.config import BACKENDS, ConfigError, GraphConfig
from graph.store import PREFIXES, QueryError, QueryResult, Store, StoreError
from graph.store_open import open_store

DataDir = Annotated[Path | None, typer.Option("--data-dir", help="Where the store lives (default .hmic-kg).")]
BackendOpt = Annotated[str | None, typer.Option("--backend", help=f"Store backend: {', '.join(BACKENDS)}.")]
BaseIri = Annotated[str | None, typer.Option("--base-iri", help="Base of the data IRIs (default …/id/).")]
QueryUrl = Annotated[str | None, typer.Option("--query-url", help="SPARQL query endpoint (remote backend).")]
UpdateUrl = Annotated[
    str | None, typer.Option("--update-url", help="SPARQL update endpoint (remote backend).")
]
UpdateToken = Annotated[
    str | None,
    typer.Option(
        "--update-token",
        help="Bearer token sent with updates to the remote endpoint (env HMIC_KG_UPDATE_TOKEN).",
        show_default=False,
    ),
]

QUERY_FORMATS = ("table", "csv", "tsv", "json", "xml", "turtle", "ntriples", "jsonld")
EXPORT_CHOICES = ("turtle", "trig", "nquads", "ntriples", "jsonld", "graphml")


def graph_config(
    data_dir: Path | None,
    backend: str | None,
    base_iri: str | None,
    query_url: str | None = None,
    update_url: str | None = None,
    update_token: str | None = None,
) -> GraphConfig:
    """Settings from the options, falling back on ``HMIC_KG_*`` variables; bad values exit with code 2."""
    try:
        return GraphConfig.from_env(
            data_dir=data_dir, backend=backend, base_iri=base_iri, query_url=query_url, update_url=update_url,
            update_token=update_token,
        )  # fmt: skip
    except ConfigError as exc:
        raise fail(str(exc), code=2) from None


_STORE_OPTIONS = [
    inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation)
    for name, annotation in (
        ("data_dir", DataDir), ("backend", BackendOpt), ("base_iri", BaseIri), ("query_url", QueryUrl)
    )
]  # fmt: skip


def with_store_options(command: Callable[..., None]) -> Callable[..., None]:
    """``command`` with the store options (``--data-dir``, ``--backend``, ``--base-iri``, ``--query-url``)
    added to what typer reads of its signature; it receives them as one ``config: GraphConfig``."""
    signature = inspect.signature(command, eval_str=True)
    own = [p for name, p in signature.parameters.items() if name != "config"]

    @functools.wraps(command)
    def run(
        *args: Any,
        data_dir: Path | None = None,
        backend: str | None = None,
        base_iri: str | None = None,
        query_url: str | None = None,
        **kwargs: Any,
    ) -> None:
        command(*args, config=graph_config(data_dir, backend, base_iri, query_url), **kwargs)

    run.__signature__ = signature.replace(parameters=[*own, *_STORE_OPTIONS])  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in [*own, *_STORE_OPTIONS]} | {"return": None}
    return run


@contextmanager
def opened(config: GraphConfig, command: str | None = None, writes: bool = False) -> Iterator[Store]:
    """The configured store, closed afterwards; store errors become one-line failures naming ``command``.

    A command that does not write (``writes=False``) opens an embedded store read-only, which works while
    ``hmic-kg serve`` holds it.
    """
    if command and not writes and config.backend == "oxigraph":
        config = replace(config, read_only=True)
    prefix = f"{command}: " if command else ""
    try:
        store = open_store(config)
    except StoreError as exc:
        raise fail(f"{prefix}{exc}") from None
    try:
        yield store
    except StoreError as exc:  # QueryError included
        raise fail(f"{prefix}{exc}") from None
    finally:
        with suppress(StoreError):
            store.close()


def store_dataset(store: Store) -> Dataset:
    """The whole store as an rdflib Dataset (for SHACL and the networkx projection)."""
    dataset = Dataset()
    dataset.parse(data=store.export("nquads"), format="nquads")
    return dataset


def shown(value: object) -> str:
    """``value`` as one safe line: newlines, terminal escapes and other invisible characters are written as
    ``\\n``, ``\\x1b``… so a file name cannot forge an output line or drive the terminal."""
    return "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape", "backslashreplace").decode("ascii")
        for ch in str(value)
    )


@app.command()
def load(
    paths: Annotated[list[Path], typer.Argument(help="Report files (.txt, .pdf) or folders of them.")],
    data_dir: DataDir = None,
    backend: BackendOpt = None,
    base_iri: BaseIri = None,
    query_url: QueryUrl = None,
    update_url: UpdateUrl = None,
    update_token: UpdateToken = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="Processes reading reports in parallel, and threads writing them into the embedded store "
            "(default: the CPUs available).",
        ),
    ] = None,
    force: Annotated[
        str | None, typer.Option("--force", help="The reports' force id, overriding what their text says.")
    ] = None,
    no_snapshot: Annotated[bool, typer.Option("--no-snapshot", help="Do not save the read model.")] = False,
) -> None:
    """Load reports into the graph store, one named graph per report (reloading replaces it atomically).

    Exits 1 if any file failed; the good files are loaded all the same.

    Examples:

      hmic-kg load data/reports

      hmic-kg load report.pdf other.txt --data-dir /tmp/kg --backend oxigraph

      hmic-kg load data/reports --backend remote --query-url http://127.0.0.1:8000/sparql
      --update-url http://127.0.0.1:8000/sparql --update-token T
    """
    from api.snapshot_store import build_and_save  # saved read model: the next `serve` answers at once
    from api.sources import keep_source
    from graph.iris import Iris
    from graph.loading import FileResult, load_paths
    from loaders.options import LoadOptions

    try:
        options = LoadOptions(force_id=force)
    except ValueError as error:
        raise fail(f"--force: {error}", code=2) from None
    config = graph_config(data_dir, backend, base_iri, query_url, update_url, update_token)
    out = Console(highlight=False, soft_wrap=True)
    progress = Progress(
        TextColumn("loading"), BarColumn(), MofNCompleteColumn(), console=Console(stderr=True), transient=True
    )
    task = progress.add_task("load", total=None)

    def on_result(result: FileResult) -> None:
        if result.ok:
            out.print(
                f"ok    {shown(result.path)}  {result.report_id}  {result.triples} triples", markup=False
            )
            if config.backend != "remote":  # the server shows the text from this copy (/reports/{id})
                keep_source(config.data_dir, Path(result.path))
        else:
            out.print(f"FAIL  {shown(result.path)}: {shown(result.error)}", markup=False)
        progress.advance(task)

    with opened(config, "load", writes=True) as store, progress:
        summary = load_paths(
            store,
            paths,
            Iris(config.base_iri),
            options,
            on_start=lambda total: progress.update(task, total=total),
            on_result=on_result,
            jobs=jobs,
        )
        if summary.files_ok and not no_snapshot and config.backend != "remote":
            build_and_save(store, config.data_dir, config.base_iri)
    for warning in summary.warnings:
        typer.echo(f"warning: {shown(warning)}", err=True)
    out.print(
        f"{summary.files_ok} loaded, {summary.files_failed} failed; store: {summary.triples} triples, "
        f"{summary.forces} forces, {summary.entities} entities"
    )
    if summary.files_failed:
        raise typer.Exit(1)


@app.command()
@with_store_options
def query(
    sparql: Annotated[
        str | None, typer.Argument(help="A SPARQL query, or '-' to read it from stdin.")
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", "-n", help="Run a named query (see `queries`).")
    ] = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="NAME=VALUE for a named query.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help=f"One of {', '.join(QUERY_FORMATS)}.")] = "table",
    *,
    config: GraphConfig,
) -> None:
    """Query the graph with SPARQL (the default graph is the union of all report graphs).

    Examples:

      hmic-kg query 'SELECT ?force WHERE { ?force a <https://w3id.org/hmic-kg/ontology#PoliceForce> }'

      hmic-kg query --name forces-using-system --param system=ViSOR --format csv
    """
    from graph import queries

    if fmt not in QUERY_FORMATS:
        raise fail(f"unknown format {fmt!r}; use one of {', '.join(QUERY_FORMATS)}", code=2)
    if (sparql is None) == (name is None):
        raise fail("give either a SPARQL query or --name NAME", code=2)
    try:
        if name is not None:
            named = queries.get(name)
            text, bindings = named.text, queries.bind_params(named, queries.parse_param_options(param or []))
        else:
            if param:
                raise queries.NamedQueryError("--param only applies to --name queries")
            text, bindings = (sys.stdin.read() if sparql == "-" else sparql or ""), {}
    except queries.NamedQueryError as exc:
        raise fail(str(exc), code=2) from None
    with opened(config, "query") as store:
        if fmt == "table":
            print_result(store.query(text, bindings), Console(highlight=False))
            return
        try:
            data = store.query_serialized(text, fmt, bindings)
        except QueryError as exc:
            raise fail(str(exc)) from None
    typer.echo(data.decode("utf-8"), nl=not data.endswith(b"\n"))


def short_term(term: object) -> str:
    """A term for a table cell: IRIs as prefixed names where a known prefix fits, literals as text."""
    if term is None:
        return ""
    text = str(term)
    if type(term).__name__ == "URIRef":
        for prefix, namespace in PREFIXES.items():
            if text.startswith(namespace) and len(text) > len(namespace):
                return f"{prefix}:{text[len(namespace) :]}"
    return text


def print_result(result: QueryResult, console: Console) -> None:
    """Render a query result for a terminal: a table, a boolean, or Turtle."""
    if result.kind == "ask":
        console.print("true" if result.boolean else "false")
    elif result.kind == "graph":
        assert result.graph is not None
        for prefix, namespace in PREFIXES.items():
            result.graph.bind(prefix, namespace)
        console.print(result.graph.serialize(format="turtle"), markup=False)
    else:
        table = Table(*result.vars, show_lines=False)
        for row in result.rows:
            table.add_row(*(short_term(term) for term in row))
        console.print(table)
        console.print(f"{len(result.rows)} row{'s' if len(result.rows) != 1 else ''}")


@app.command("queries")
def list_queries() -> None:
    """List the named queries with their parameters.

    Example:

      hmic-kg queries
    """
    from graph.queries import catalogue

    table = Table("name", "parameters", "what it answers")
    for item in catalogue():
        params = ", ".join(f"{p.name}{'?' if p.optional else ''} ({p.type})" for p in item.params) or "-"
        table.add_row(item.name, params, f"[bold]{item.title}[/bold]\n{item.description}")
    Console().print(table)


@app.command()
@with_store_options
def export(
    fmt: Annotated[str, typer.Option("--format", "-f", help=f"One of {', '.join(EXPORT_CHOICES)}.")] = "trig",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to FILE instead of stdout.")
    ] = None,
    *,
    config: GraphConfig,
) -> None:
    """Export the whole graph: TriG / N-Quads / JSON-LD keep the report graphs; Turtle / N-Triples are
    their union; GraphML is the network projection (for Gephi).

    Examples:

      hmic-kg export --format trig -o hmic.trig

      hmic-kg export --format graphml -o hmic.graphml
    """
    if fmt not in EXPORT_CHOICES:
        raise fail(f"unknown format {fmt!r}; use one of {', '.join(EXPORT_CHOICES)}", code=2)
    with opened(config, "export") as store:
        data = graphml_bytes(store_dataset(store)) if fmt == "graphml" else store.export(fmt)
    if output is None:
        sys.stdout.flush()
        typer.echo(data.decode("utf-8"), nl=False)
        return
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc.strerror or exc}") from None
    typer.echo(f"wrote {len(data)} bytes to {output}", err=True)


def graphml_bytes(dataset: Dataset) -> bytes:
    """The networkx projection of the graph as GraphML (written by graph.analytics)."""
    import tempfile

    from graph.analytics import to_graphml
    from graph.network import to_networkx

    with tempfile.TemporaryDirectory() as tmp:
        return to_graphml(to_networkx(dataset), Path(tmp) / "graph.graphml").read_bytes()


@app.command()
@with_store_options
def validate(
    *,
    config: GraphConfig,
) -> None:
    """Validate the graph against the SHACL shapes (ontology/shapes.ttl); exit 1 when it does not conform.

    Example:

      hmic-kg validate --data-dir .hmic-kg
    """
    from graph.validate import validate as run_validation

    with opened(config, "validate") as store:
        dataset = store_dataset(store)
    report = run_validation(dataset)
    typer.echo(report.text)
    if not report.conforms:
        raise typer.Exit(1)


@app.command()
@with_store_options
def bridges(
    top: Annotated[int, typer.Option("--top", min=1, help="Show at most this many per kind.")] = 10,
    *,
    config: GraphConfig,
) -> None:
    """Which IT systems, unit types and people bridge forces (degree and betweenness in the network).

    Example:

      hmic-kg bridges --top 5
    """
    from graph.analytics import bridges as find_bridges
    from graph.network import to_networkx

    with opened(config, "bridges") as store:
        dataset = store_dataset(store)
    rows = find_bridges(to_networkx(dataset))
    table = Table("kind", "name", "forces", "degree", "betweenness")
    shown: dict[str, int] = {}
    for row in rows:
        shown[row.type] = shown.get(row.type, 0) + 1
        if shown[row.type] <= top:
            table.add_row(
                row.type, row.label, str(row.force_count), str(row.degree), f"{row.betweenness:.3f}"
            )
    console = Console(highlight=False)
    console.print(table)
    console.print(f"{len(rows)} nodes connect two or more forces")
