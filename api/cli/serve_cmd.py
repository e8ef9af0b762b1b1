"""``hmic-kg serve``: the HTTP API and SPARQL endpoint on one host and port."""

from __future__ import annotations

import os
import socket
import stat
from collections.abc import Mapping
from pathlib import Path

import typer

from api.cli.app import app, fail
from api.settings import SERVER_TOKEN_VARIABLE, Settings, SettingsError
from graph.config import BACKENDS, ConfigError, GraphConfig
from graph.store import StoreError

#: how long a kept-alive connection may stay idle between requests (uvicorn's ``timeout_keep_alive``)
KEEP_ALIVE_S = 5


def read_token_file(path: Path) -> str:
    """The update token in ``path`` (first line, stripped); a one-line error when it cannot be used."""
    try:
        mode = path.stat().st_mode
        token = path.read_text(encoding="utf-8").splitlines()[0].strip() if path.stat().st_size else ""
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise fail(f"{path}: cannot read the update token file: {reason}", code=2) from None
    if not token:
        raise fail(f"{path}: the update token file is empty", code=2)
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        typer.echo(f"hmic-kg: warning: {path} is readable by other users (chmod 600 it)", err=True)
    return token


def server_update_token(token_file: Path | None, environ: Mapping[str, str]) -> str | None:
    """The token that opens the server to updates: the file's, else ``HMIC_KG_SERVER_UPDATE_TOKEN``'s —
    never ``HMIC_KG_UPDATE_TOKEN``, the client's outbound token (:class:`graph.config.GraphConfig`)."""
    if token_file is not None:
        return read_token_file(token_file)
    return environ.get(SERVER_TOKEN_VARIABLE) or None


@app.command()
def serve(
    data_dir: Path = typer.Option(Path(".hmic-kg"), "--data-dir", help="Where the store lives."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on (loopback by default)."),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="TCP port."),
    backend: str = typer.Option("oxigraph", "--backend", help=f"Store backend: {', '.join(BACKENDS)}."),
    base_iri: str | None = typer.Option(None, "--base-iri", help="Base of the data IRIs (default …/id/)."),
    query_timeout: float = typer.Option(10.0, "--query-timeout", help="SPARQL time limit in seconds."),
    max_rows: int = typer.Option(10_000, "--max-rows", help="SPARQL row limit."),
    max_answer_bytes: int = typer.Option(64_000_000, "--max-answer-bytes", help="SPARQL answer size limit."),
    query_memory: int = typer.Option(
        2048, "--query-memory", min=0, help="Address-space cap of each query worker in MB (0: none)."
    ),
    allow_updates_token_file: Path | None = typer.Option(
        None,
        "--allow-updates-token-file",
        help="Accept SPARQL UPDATE from requests with 'Authorization: Bearer TOKEN', TOKEN being the first "
        f"line of this file (or set {SERVER_TOKEN_VARIABLE}). Off by default.",
    ),
    allow_updates_token: str | None = typer.Option(
        None, "--allow-updates-token", hidden=True, help="Refused: a token on the command line is public."
    ),
    limit_concurrency: int = typer.Option(
        256, "--limit-concurrency", min=1, help="Connections served at once; more are answered 503."
    ),
    request_timeout: float = typer.Option(
        20.0, "--request-timeout", min=1.0, help="Seconds a client has to send a whole request."
    ),
    workers: str | None = typer.Option(
        None,
        "--workers",
        help="HTTP worker processes sharing the port (default: the CPUs available; 1 with --backend memory).",
    ),
    query_workers: str | None = typer.Option(
        None,
        "--query-workers",
        help="SPARQL query worker processes in all (default: the CPUs available), shared among the workers.",
    ),
) -> None:
    """Serve the knowledge graph over HTTP: REST lookups, /sparql, linked-data IRIs and pages.

    Examples:

      hmic-kg serve --data-dir .hmic-kg

      hmic-kg serve --port 8080 --query-timeout 5

      hmic-kg serve --workers 4
    """
    import uvicorn

    from api.app import create_app
    from api.query_pool import remove_stale_dirs
    from api.sandbox import block_outbound_sockets
    from api.serve_workers import Supervisor, available_cpus, uvicorn_config

    if allow_updates_token is not None:
        raise fail(
            "--allow-updates-token: a token on the command line is visible to every local user; "
            f"use --allow-updates-token-file FILE or the {SERVER_TOKEN_VARIABLE} variable",
            code=2,
        )
    token = server_update_token(allow_updates_token_file, os.environ)
    try:
        graph = GraphConfig.from_env(data_dir=data_dir, backend=backend, base_iri=base_iri)
        settings = Settings(
            graph=graph,
            update_token=token,
            query_timeout_s=query_timeout,
            max_rows=max_rows,
            max_answer_bytes=max_answer_bytes,
            query_memory_mb=query_memory,
            query_workers=_count("--query-workers", query_workers, available_cpus()),
        )
    except (ConfigError, SettingsError) as exc:
        raise fail(str(exc), code=2) from None
    processes = _count("--workers", workers, 1 if graph.backend == "memory" else available_cpus())
    if processes > 1 and graph.backend == "memory":
        raise fail(
            "--workers: the memory backend lives in one process; use 1, or the oxigraph backend", code=2
        )
    for stale in remove_stale_dirs():  # left by a server that was killed
        typer.echo(f"hmic-kg: removed the stale query snapshots {stale}", err=True)
    typer.echo(f"hmic-kg: serving {graph.backend} store {graph.data_dir} on http://{host}:{port}/", err=True)
    options = {
        "host": host,
        "port": port,
        "request_timeout": request_timeout,
        "keep_alive": KEEP_ALIVE_S,
        "limit_concurrency": limit_concurrency,
    }
    if processes > 1:
        supervisor = Supervisor(settings, processes, options)
        try:
            supervisor.open_store()  # before the fence: nothing else to open
        except StoreError as exc:
            raise fail(str(exc), code=1) from None
    listening = _listen(host, port, processes)
    if graph.backend != "remote" and block_outbound_sockets():
        # an embedded store needs no outbound connection: an authorised update's LOAD or SERVICE cannot
        # open one either (the guard's fence, doubled by the OS's)
        typer.echo("hmic-kg: outbound network connections are blocked in this process", err=True)
    if processes > 1:
        typer.echo(f"hmic-kg: {processes} HTTP workers", err=True)
        raise typer.Exit(supervisor.run(listening))
    app = create_app(settings)
    app.state.runtime.preload(queries=True)  # the read model and the SPARQL workers, while uvicorn starts
    uvicorn.Server(uvicorn_config(app, options)).run(sockets=listening)


def _count(option: str, value: str | None, default: int) -> int:
    """A process count option: a positive integer (``value`` None: ``default``); exit 2 otherwise."""
    if value is None:
        return default
    try:
        count = int(value)
    except ValueError:
        raise fail(f"{option}: expected a whole number of processes, got {value!r}", code=2) from None
    if count < 1:
        raise fail(f"{option}: must be at least 1, got {count}", code=2)
    return count


def _listen(host: str, port: int, processes: int) -> list[socket.socket]:
    """The listening sockets (:func:`api.serve_workers.listening_sockets`), opened before the process
    fences itself off the network."""
    from api.serve_workers import listening_sockets

    try:
        return listening_sockets(host, port, processes)
    except OSError as exc:
        raise fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}", code=1) from None
