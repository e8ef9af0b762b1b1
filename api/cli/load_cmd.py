"""``hmic-kg load``: report files into the store, one named graph per report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from api.cli.app import app, fail
from api.cli.store_options import (
    BackendOpt,
    BaseIri,
    DataDir,
    QueryUrl,
    UpdateToken,
    UpdateUrl,
    graph_config,
    opened,
    shown,
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
