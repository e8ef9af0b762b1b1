"""``hmic-kg serve``: the HTTP API and SPARQL endpoint on one host and port."""

from __future__ import annotations

from pathlib import Path

import typer

from api.cli.app import app, fail
from api.settings import Settings, SettingsError
from graph.config import BACKENDS, ConfigError, GraphConfig


@app.command()
def serve(
    data_dir: Path = typer.Option(Path(".hmic-kg"), "--data-dir", help="Where the store lives."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on (loopback by default)."),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="TCP port."),
    backend: str = typer.Option("oxigraph", "--backend", help=f"Store backend: {', '.join(BACKENDS)}."),
    base_iri: str | None = typer.Option(None, "--base-iri", help="Base of the data IRIs (default …/id/)."),
    query_timeout: float = typer.Option(10.0, "--query-timeout", help="SPARQL time limit in seconds."),
    max_rows: int = typer.Option(10_000, "--max-rows", help="SPARQL row limit."),
    allow_updates_token: str | None = typer.Option(
        None,
        "--allow-updates-token",
        envvar="HMIC_KG_UPDATE_TOKEN",
        help="Accept SPARQL UPDATE from requests with 'Authorization: Bearer TOKEN' (off by default).",
    ),
) -> None:
    """Serve the knowledge graph over HTTP: REST lookups, /sparql, linked-data IRIs and pages.

    Examples:

      hmic-kg serve --data-dir .hmic-kg

      hmic-kg serve --port 8080 --query-timeout 5
    """
    import uvicorn

    from api.app import create_app

    try:
        graph = GraphConfig.from_env(data_dir=data_dir, backend=backend, base_iri=base_iri)
        settings = Settings(
            graph=graph,
            update_token=allow_updates_token,
            query_timeout_s=query_timeout,
            max_rows=max_rows,
        )
    except (ConfigError, SettingsError) as exc:
        raise fail(str(exc), code=2) from None
    typer.echo(f"hmic-kg: serving {graph.backend} store {graph.data_dir} on http://{host}:{port}/", err=True)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
