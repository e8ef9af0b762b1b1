"""``hmic-kg query | queries | export | validate | bridges``: the knowledge graph from the shell."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rdflib import Dataset
from rich.console import Console
from rich.table import Table

from api.cli.app import app, fail
from api.cli.store_options import opened, store_dataset, with_store_options
from graph.config import GraphConfig
from graph.store import PREFIXES, QueryError, QueryResult

QUERY_FORMATS = ("table", "csv", "tsv", "json", "xml", "turtle", "ntriples", "jsonld")
EXPORT_CHOICES = ("turtle", "trig", "nquads", "ntriples", "jsonld", "graphml")


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
