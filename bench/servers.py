"""Servers started for the API benchmark: ``hmic-kg serve`` on a loaded store, and a stock
``oxigraph serve-read-only`` on a bulk load of the same store's N-Quads export. Each runs in its own
session (so it can be stopped with its workers) under a resident-memory watchdog.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from bench import MEMORY_LIMIT_MB, PYTHON, ROOT, memory_watchdog


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A server process we started, and the URL it answers on."""

    name: str
    process: subprocess.Popen[bytes]
    base: str
    log: Path
    over_memory: list[float] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)  # when the process was started

    def watch_memory(self, limit_mb: float = MEMORY_LIMIT_MB) -> None:
        """Kill the server if it (with its workers) goes over ``limit_mb`` resident."""
        memory_watchdog(
            self.process.pid, lambda: os.killpg(self.process.pid, signal.SIGKILL), limit_mb, self.over_memory
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def _start(name: str, args: Sequence[str], base: str, probe: str, log: Path, timeout_s: float = 90) -> Server:
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with log.open("wb") as out:
        process = subprocess.Popen(
            list(args), cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(name, process, base, log, started=started)
    server.watch_memory()
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"{name} exited with {process.returncode}: {log.read_text(errors='replace')[-1500:]}"
            )
        try:
            with urllib.request.urlopen(base + probe, timeout=30) as response:
                if response.status < 500:
                    return server
        except (urllib.error.URLError, OSError, TimeoutError):
            time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"{name} did not answer {probe} within {timeout_s:.0f} s")


def hmic_kg_command() -> list[str]:
    """``hmic-kg`` next to this interpreter (the project's console script)."""
    script = Path(PYTHON).parent / "hmic-kg"
    return [str(script)] if script.exists() else [PYTHON, "-c", "from api.cli import main; main()"]


def start_ours(
    data_dir: Path,
    log: Path,
    probe: str = "/openapi.json",
    *,
    workers: int | None = None,
    prefix: Sequence[str] = (),
) -> Server:
    """``hmic-kg serve`` (``--workers`` when given, else its default: one per CPU it may use), behind
    ``prefix`` (``taskset -c 0``)."""
    port = free_port()
    args = [
        *prefix,
        *hmic_kg_command(),
        "serve",
        "--data-dir",
        str(data_dir),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *(["--workers", str(workers)] if workers else []),
    ]
    return _start("hmic-kg serve", args, f"http://127.0.0.1:{port}", probe, log)


def oxigraph_binary() -> str:
    local = Path(PYTHON).parent / "oxigraph"
    return str(local) if local.exists() else (shutil.which("oxigraph") or "oxigraph")


def start_stock(nquads: Path, location: Path, log: Path) -> tuple[Server, float]:
    """Bulk-load ``nquads`` (our store's dump, with its default graph: the duplicate-free union of the report
    graphs our store queries) into a fresh Oxigraph directory and serve it read-only; returns the server
    and the bulk-load time."""
    if location.exists():
        shutil.rmtree(location)
    started = time.perf_counter()
    subprocess.run(
        [oxigraph_binary(), "load", "--location", str(location), "--file", str(nquads)],
        check=True,
        capture_output=True,
    )
    return serve_stock(location, log), time.perf_counter() - started


def serve_stock(location: Path, log: Path) -> Server:
    port = free_port()
    args = [
        oxigraph_binary(),
        "serve-read-only",
        "--location",
        str(location),
        "--bind",
        f"127.0.0.1:{port}",
    ]
    probe = "/query?" + urlencode({"query": "ASK { ?s ?p ?o }"})
    return _start("oxigraph serve-read-only", args, f"http://127.0.0.1:{port}", probe, log)
