"""``hmic-kg view KIND [ID]``: write a network view as one standalone HTML file (everything inlined)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli.app import app, fail
from api.cli.store_options import opened, with_store_options
from graph.config import GraphConfig
from graph.view_data import VIEW_KINDS, ViewNotFound, build_view
from graph.views import DEFAULT_BUDGET, render_view_html


@app.command()
@with_store_options
def view(
    kind: Annotated[str, typer.Argument(help=f"One of {', '.join(VIEW_KINDS)}.")],
    ident: Annotated[
        str | None,
        typer.Argument(
            metavar="[ID]",
            help="force: a force id; system / unit-type: its slug; ego: an IRI path such as force/x.",
        ),
    ] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="The HTML file to write.")] = Path(
        "view.html"
    ),
    depth: Annotated[
        int, typer.Option("--depth", min=1, max=2, help="Links from the centre (ego view).")
    ] = 1,
    budget: Annotated[
        int, typer.Option("--budget", min=10, help="Most nodes to draw; above it the view is trimmed.")
    ] = DEFAULT_BUDGET,
    server: Annotated[
        str | None,
        typer.Option(
            "--server", help="Link nodes to this server's pages (e.g. http://127.0.0.1:8101), not their IRIs."
        ),
    ] = None,
    *,
    config: GraphConfig,
) -> None:
    """Write the network view KIND [ID] to a standalone HTML file that works offline, from file://.

    Examples:

      hmic-kg view force nottinghamshire -o notts.html

      hmic-kg view ego person/jackie-alexander --depth 2 -o jackie.html

      hmic-kg view shared -o shared.html
    """
    from graph.network import project_store

    with opened(config, "view") as store:
        graph = project_store(store)
    try:
        built = build_view(graph, kind, ident, base_iri=config.base_iri, depth=depth, budget=budget)
    except ViewNotFound as exc:
        raise fail(f"view: {exc}{_did_you_mean(graph, kind, ident, config.base_iri)}") from None
    if server is not None and not server.startswith(("http://", "https://")):
        raise fail(f"--server must be an http(s) address, got {server!r}", code=2)
    html = render_view_html(built, assets="inline", base_iri=config.base_iri, page_base=server)
    output.write_text(html, encoding="utf-8")
    note = f" ({built.note})" if built.note else ""
    typer.echo(
        f"wrote {output}: {built.graph.number_of_nodes()} nodes, {built.graph.number_of_edges()} links{note}"
    )


def _did_you_mean(graph: object, kind: str, ident: str | None, base: str) -> str:
    """``; did you mean 'x'?`` for an unknown force, system or unit type id."""
    from api.errors import did_you_mean
    from graph.view_data import nodes_of_type

    if kind not in ("force", "system", "unit-type") or not ident:
        return ""
    prefix = f"{base}{kind}/"
    known = [n[len(prefix) :] for n in nodes_of_type(graph, kind) if n.startswith(prefix)]  # type: ignore[arg-type]
    close = did_you_mean(ident, known)
    return f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
