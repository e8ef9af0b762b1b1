"""Real servers on loopback: ``oxigraph serve`` for the remote-store tests and ``hmic-kg serve``
(:func:`served`), and a per-backend store factory.

Import the fixtures into a test module with ``from tests.conftest_servers import *``-style explicit names.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from graph.store import Store
from graph.store_memory import MemoryStore
from graph.store_oxigraph import OxigraphStore
from graph.store_remote import RemoteStore

OXIGRAPH_BIN = Path(sys.executable).parent / "oxigraph"
HMIC_KG_BIN = Path(sys.executable).parent / "hmic-kg"
ROOT = Path(__file__).resolve().parent.parent
BACKENDS = ("oxigraph", "memory", "remote")
META = "http://127.0.0.1:8000/id/graph/meta"


def free_port() -> int:
    """A port that was free a moment ago. Racy (another process may take it before the caller binds
    it): prefer :func:`start_server`, which lets the server bind port 0 and reads the port it got. Only
    for a server whose configuration must name its port before it starts (Virtuoso's ini, the browser
    tests' base IRI); those callers retry a start that lost the race."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def hmic_kg_command(*args: str) -> list[str]:
    """The ``hmic-kg`` CLI with ``args`` (the installed script, else the module)."""
    launcher = [str(HMIC_KG_BIN)] if HMIC_KG_BIN.exists() else [sys.executable, "-m", "api.cli"]
    return [*launcher, *args]


class ServerDidNotStart(RuntimeError):
    """A server process exited, or did not listen and answer, before its deadline."""


def _listening_port(process: subprocess.Popen[bytes], deadline: float) -> int:
    """The loopback TCP port ``process`` listens on, read from the kernel (psutil), polled."""
    watched = psutil.Process(process.pid)
    while time.monotonic() < deadline and process.poll() is None:
        try:
            ports = [c.laddr.port for c in watched.net_connections("tcp") if c.status == psutil.CONN_LISTEN]
        except psutil.Error:
            ports = []
        if ports:
            return ports[0]
        time.sleep(0.05)
    raise ServerDidNotStart("the server never listened")


def stop_process(process: subprocess.Popen[bytes], timeout_s: float = 10.0) -> None:
    """Terminate ``process`` (kill it if it lingers) and reap it."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start_server(
    command: Callable[[int], list[str]],
    ready: Callable[[str], bool],
    *,
    port: int = 0,
    timeout_s: float = 60.0,
    **popen: Any,
) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``command(port)`` and wait, polling, until ``ready(base_url)``; the one way the tests start
    a server. With ``port`` 0 (the default) the server binds a port the kernel picks and the port is
    read back from its listening socket, so two starts can never race for one port. Returns the
    process and ``http://127.0.0.1:PORT``; raises :class:`ServerDidNotStart` with the server's stderr
    (when it is a pipe) after stopping it."""
    popen.setdefault("stdout", subprocess.DEVNULL)
    popen.setdefault("stderr", subprocess.PIPE)
    process = subprocess.Popen(command(port), **popen)
    deadline = time.monotonic() + timeout_s
    try:
        bound = port or _listening_port(process, deadline)
        base = f"http://127.0.0.1:{bound}"
        while not _answers(ready, base):
            if process.poll() is not None or time.monotonic() > deadline:
                raise ServerDidNotStart("the server did not answer")
            time.sleep(0.05)
    except ServerDidNotStart as exc:
        stop_process(process)
        stderr = process.stderr.read().decode(errors="replace") if popen["stderr"] == subprocess.PIPE else ""
        raise ServerDidNotStart(f"{exc} (exit {process.returncode}): {stderr[-2000:]}") from None
    return process, base


def _answers(ready: Callable[[str], bool], base: str) -> bool:
    try:
        return ready(base)
    except httpx.HTTPError:
        return False


@contextmanager
def served(data_dir: Path, *options: str, port: int = 0, timeout_s: float = 60.0) -> Iterator[str]:
    """``hmic-kg serve --data-dir DATA_DIR OPTIONS…`` on loopback (``port`` 0: one the kernel picks);
    yields its base URL once it answers, and stops it afterwards."""

    def command(bound: int) -> list[str]:
        serve = ("serve", "--data-dir", str(data_dir), "--host", "127.0.0.1", "--port", str(bound))
        return [*hmic_kg_command(*serve), *options]

    def ready(base: str) -> bool:
        return httpx.get(f"{base}/openapi.json", timeout=1).status_code == 200

    process, base = start_server(command, ready, port=port, timeout_s=timeout_s, cwd=ROOT)
    try:
        yield base
    finally:
        stop_process(process)


class OxigraphServer:
    """``oxigraph serve`` on a loopback port the kernel picks, with its endpoints."""

    def __init__(self, location: Path) -> None:
        def command(port: int) -> list[str]:
            bind = f"127.0.0.1:{port}"
            return [
                str(OXIGRAPH_BIN),
                "serve",
                "--location",
                str(location),
                "--bind",
                bind,
                "--union-default-graph",
            ]

        def ready(base: str) -> bool:
            headers = {"Content-Type": "application/sparql-query"}
            return (
                httpx.post(f"{base}/query", content=b"ASK { }", headers=headers, timeout=1.0).status_code
                == 200
            )

        self.process, self.base = start_server(command, ready, timeout_s=30.0)
        self.port = int(self.base.rsplit(":", 1)[1])
        self.query_url = f"{self.base}/query"
        self.update_url = f"{self.base}/update"
        self.store_url = f"{self.base}/store"

    def clear(self) -> None:
        httpx.post(
            self.update_url, content=b"DROP ALL", headers={"Content-Type": "application/sparql-update"}
        ).raise_for_status()

    def stop(self) -> None:
        stop_process(self.process)


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """One Oxigraph server for the whole session (tests clear it through :func:`store_factory`)."""
    if not OXIGRAPH_BIN.exists():
        pytest.skip(f"the oxigraph server CLI is not installed at {OXIGRAPH_BIN}")
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph-server"))
    try:
        yield server
    finally:
        server.stop()


StoreFactory = Callable[[str], Store]


@pytest.fixture
def store_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """``make(backend)`` -> a fresh, empty store of that backend, closed at the end of the test."""
    opened: list[Store] = []

    def make(backend: str) -> Store:
        if backend == "oxigraph":
            store: Store = OxigraphStore(tmp_path / f"oxigraph-{len(opened)}", meta_graph_iri=META)
        elif backend == "memory":
            store = MemoryStore(None, meta_graph_iri=META)
        elif backend == "remote":
            server: OxigraphServer = request.getfixturevalue("oxigraph_server")
            server.clear()
            store = RemoteStore(
                server.query_url, server.update_url, store_url=server.store_url, meta_graph_iri=META
            )
        else:
            raise ValueError(backend)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()
