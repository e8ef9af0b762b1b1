"""``hmic-kg serve --workers N``: N HTTP worker processes, each with its own listening socket on one port.

The serve process opens the listening socket and, for the embedded Oxigraph store, the read-write store
(:class:`api.worker_store.StoreOwner`); then it starts N workers (``python -m api.serve_workers``), each
running the whole app (uvicorn, lookups, pages, ``/sparql`` with its own query pool) on read-only
checkpoints of the store (:class:`api.worker_store.WorkerStore`), so lookups run on every core. Each
worker is fenced like the one-process server (outbound sockets blocked once it has its sockets), dies
with the serve process (``PR_SET_PDEATHSIG``: a ``kill -9`` leaves no worker, and a worker's query
workers die with it), and gets its settings (update token included) over its socket pair, never on its
command line or in its environment. A worker that exits is replaced; if they keep exiting at once, the
server stops with exit status 1. With a ``remote`` backend every worker is a client of that server. A
store opened read-only (``HMIC_KG_READ_ONLY``) is opened by each worker; as nothing may be written in its
data dir, the workers share a scratch dir in the serve process's private folder (removed at stop), where
one builds the read model and matching index and the others load them (:meth:`api.runtime.Runtime.snapshot`).

On Linux each worker accepts from a socket of its own, all bound to the port with ``SO_REUSEPORT``, so the
kernel spreads new connections over the workers. One shared socket would not: a worker woken by a burst
of connections accepts every one queued, and a client's keep-alive connections then all stay on it while
the other workers idle. The serve process keeps each worker's socket open, so connections that arrive
while a worker is being replaced wait in its queue for the replacement. Elsewhere the workers share one.
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from api.query_pool import DIR_PREFIX, PROJECT_ROOT
from api.settings import SERVER_TOKEN_VARIABLE, Settings, available_cpus

__all__ = ["Supervisor", "available_cpus", "listening_sockets", "uvicorn_config", "worker_main"]

EARLY_EXIT_S = 5.0  # a worker that ends sooner than this after its start counts as failing to start
MAX_EARLY_EXITS = 3
STOP_TIMEOUT_S = 10.0
BACKLOG = 2048  # connections a listening socket queues before the kernel refuses more


def listening_sockets(host: str, port: int, count: int) -> list[socket.socket]:
    """The listening sockets of ``count`` workers on ``host``:``port`` (port 0: one free port for all):
    one per worker where the kernel balances ``SO_REUSEPORT`` sockets (Linux), else one shared.
    ``OSError`` when the port cannot be bound.

    The port is first bound without ``SO_REUSEPORT``, so a port another server holds is refused as
    taken (with it, a second server of the same user would silently share the first one's port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    probe = socket.create_server((host, port), family=family, backlog=BACKLOG)
    if count == 1 or not (sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")):
        return [probe]
    port = probe.getsockname()[1]
    probe.close()
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sockets.append(
                socket.create_server((host, port), family=family, backlog=BACKLOG, reuse_port=True)
            )
    except OSError:
        for opened in sockets:
            opened.close()
        raise
    return sockets


def uvicorn_config(app: Any, options: dict[str, Any]) -> Any:
    """The uvicorn configuration of the server (one process or a worker): ``options`` from the CLI."""
    import uvicorn

    from api.http_protocol import DeadlineH11Protocol

    protocol = type(
        "ServeProtocol", (DeadlineH11Protocol,), {"request_timeout_s": options["request_timeout"]}
    )
    return uvicorn.Config(
        app,
        host=options["host"],
        port=options["port"],
        log_level="info",
        http=protocol,
        timeout_keep_alive=options["keep_alive"],
        limit_concurrency=options["limit_concurrency"],
        h11_max_incomplete_event_size=64 * 1024,
    )


class _Worker:
    """One HTTP worker process, its socket pair to the serve process, and when it started."""

    def __init__(self, listening: socket.socket, config: dict[str, Any]) -> None:
        parent, child = socket.socketpair()
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, (PROJECT_ROOT, os.environ.get("PYTHONPATH")))),
        }
        env.pop(SERVER_TOKEN_VARIABLE, None)  # the token reaches a worker in its settings, and no further
        try:
            fds = (listening.fileno(), child.fileno())
            command = [sys.executable, "-m", "api.serve_workers", *map(str, fds), str(os.getpid())]
            self.process = subprocess.Popen(command, pass_fds=fds, stdin=subprocess.DEVNULL, env=env)
        finally:
            child.close()
        self.conn = Connection(parent.detach())
        self.conn.send(config)
        self.started = time.monotonic()


class Supervisor:
    """Starts, replaces and stops the workers; applies their forwarded writes through ``owner``."""

    def __init__(self, settings: Settings, workers: int, options: dict[str, Any]) -> None:
        self.settings = settings
        self.count = workers
        self.options = options
        self.root = Path(tempfile.mkdtemp(prefix=f"{DIR_PREFIX}serve-"))
        (self.root / "owner").write_text(str(os.getpid()), encoding="ascii")
        self.scratch: Path | None = None  # where the workers of a read-only store share their read model
        if settings.graph.read_only and settings.graph.backend != "remote":
            self.scratch = self.root / "read-model"
            self.scratch.mkdir(mode=0o700)
        self.owner: Any = None
        self.workers: list[_Worker] = []
        self._stop = threading.Event()

    def open_store(self) -> None:
        """Open the read-write store and publish its first checkpoint (embedded Oxigraph, unless opened
        read-only: ``HMIC_KG_READ_ONLY``)."""
        if self.settings.graph.backend != "oxigraph" or self.settings.graph.read_only:
            return  # each worker opens its own: a remote store's client, or the store read-only
        from api.worker_store import StoreOwner
        from graph.store_open import open_store

        self.owner = StoreOwner(open_store(self.settings.graph), self.root)  # type: ignore[arg-type]

    def _config(self) -> dict[str, Any]:
        per_worker = max(1, math.ceil(self.settings.query_workers / self.count))
        return {
            "settings": replace(self.settings, query_workers=per_worker),
            "options": self.options,
            "root": str(self.root) if self.owner is not None else None,
            "scratch": str(self.scratch) if self.scratch is not None else None,
            "block": self.settings.graph.backend != "remote",
        }

    def _start(self, listening: socket.socket) -> _Worker:
        worker = _Worker(listening, self._config())
        if self.owner is not None:
            threading.Thread(target=self.owner.serve, args=(worker.conn,), daemon=True).start()
        return worker

    def run(self, listening: list[socket.socket]) -> int:
        """Serve until SIGTERM/SIGINT (exit status 0) or until workers keep failing to start (1).
        Worker ``i`` accepts from ``listening[i]`` (one shared socket when the list has one), and so does
        its replacement."""
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self._stop.set())
        self.workers = [self._start(listening[i % len(listening)]) for i in range(self.count)]
        early = 0
        status = 0
        while not self._stop.wait(0.2):
            for i, worker in enumerate(self.workers):
                code = worker.process.poll()
                if code is None:
                    continue
                early = early + 1 if time.monotonic() - worker.started < EARLY_EXIT_S else 0
                if early >= MAX_EARLY_EXITS:
                    print("hmic-kg: the HTTP workers keep exiting at start; stopping", file=sys.stderr)
                    self._stop.set()
                    status = 1
                    break
                print(
                    f"hmic-kg: HTTP worker {worker.process.pid} exited ({code}); replacing it",
                    file=sys.stderr,
                )
                with contextlib.suppress(OSError):
                    worker.conn.close()
                self.workers[i] = self._start(listening[i % len(listening)])
        self.stop()
        return status

    def stop(self) -> None:
        """Stop the workers (SIGTERM, then SIGKILL), close the store, remove the checkpoints (and the
        scratch dir)."""
        for worker in self.workers:
            with contextlib.suppress(OSError):
                worker.process.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for worker in self.workers:
            try:
                worker.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()
            with contextlib.suppress(OSError):
                worker.conn.close()
        if self.owner is not None:
            self.owner.store.close()
        import shutil

        shutil.rmtree(self.root, ignore_errors=True)


def worker_main(listen_fd: int, channel_fd: int, parent_pid: int) -> None:
    """One HTTP worker: settings from the serve process, then uvicorn on the shared socket."""
    from api.sandbox import block_outbound_sockets, die_with_parent

    die_with_parent(parent_pid)
    channel = Connection(channel_fd)
    config = channel.recv()
    settings: Settings = config["settings"]
    listening = socket.socket(fileno=listen_fd)
    import uvicorn

    from api.app import create_app
    from api.worker_store import WorkerStore

    store = None
    if config["root"] is not None:
        meta = f"{settings.graph.base_iri}graph/meta"  # as graph.store_open.open_store
        store = WorkerStore(Path(config["root"]), channel, meta_graph_iri=meta)
    if config["block"]:
        block_outbound_sockets()
    try:
        app = create_app(
            settings,
            store,
            snapshot_dir=settings.graph.data_dir if store is not None else None,
            scratch_dir=Path(config["scratch"]) if config["scratch"] is not None else None,
        )
        app.state.runtime.preload(queries=True)  # the saved read model and the SPARQL workers load meanwhile
        uvicorn.Server(uvicorn_config(app, config["options"])).run(sockets=[listening])
    finally:
        if store is not None:
            store.close()


if __name__ == "__main__":
    worker_main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
