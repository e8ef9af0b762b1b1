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

import httpx
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
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def hmic_kg_command(*args: str) -> list[str]:
    """The ``hmic-kg`` CLI with ``args`` (the installed script, else the module)."""
    launcher = [str(HMIC_KG_BIN)] if HMIC_KG_BIN.exists() else [sys.executable, "-m", "api.cli"]
    return [*launcher, *args]


@contextmanager
def served(data_dir: Path, *options: str, port: int | None = None, timeout_s: float = 60.0) -> Iterator[str]:
    """``hmic-kg serve --data-dir DATA_DIR OPTIONS…`` on ``port`` (default: a free one) of loopback;
    yields its base URL once it answers, and stops it afterwards."""
    port = port or free_port()
    command = hmic_kg_command(
        "serve", "--data-dir", str(data_dir), "--host", "127.0.0.1", "--port", str(port)
    )
    process = subprocess.Popen(
        [*command, *options], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                if httpx.get(f"{base}/openapi.json", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                stderr = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(f"hmic-kg serve did not start: {stderr[-2000:]}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class OxigraphServer:
    """``oxigraph serve`` on a free loopback port, with its endpoints."""

    def __init__(self, location: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.query_url = f"{self.base}/query"
        self.update_url = f"{self.base}/update"
        self.store_url = f"{self.base}/store"
        self.process = subprocess.Popen(
            [
                str(OXIGRAPH_BIN),
                "serve",
                "--location",
                str(location),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--union-default-graph",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self._wait()

    def _wait(self, timeout_s: float = 30.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"oxigraph serve exited: {self.process.stderr.read().decode()[:500]}")
            try:
                response = httpx.post(
                    self.query_url,
                    content=b"ASK { }",
                    headers={"Content-Type": "application/sparql-query"},
                    timeout=1.0,
                )
                if response.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("oxigraph serve did not answer in time")

    def clear(self) -> None:
        httpx.post(
            self.update_url, content=b"DROP ALL", headers={"Content-Type": "application/sparql-update"}
        ).raise_for_status()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


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
