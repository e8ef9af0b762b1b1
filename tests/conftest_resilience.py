"""Helpers of the resilience suite (tests/resilience/): report variants, the real CLI in a subprocess, store
counts, a real server, figures. A plugin of tests/conftest.py, so its fixtures and its figures section
are there for every test module; test modules import the helpers from here.

Every hostile or generated file is written under pytest's ``tmp_path``; nothing here touches the
checkout. The figures the tests record (inputs tried, faults injected, requests served, errors) are
printed at the end of the run under "hmic-kg resilience figures" (see docs/reliability.md).
"""

from __future__ import annotations

import itertools
import os
import socket
import subprocess
import sys
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from graph.iris import Iris
from graph.loading import load_paths
from graph.store_oxigraph import OxigraphStore
from tests.conftest import NORTHANTS, NOTTS
from tests.conftest_servers import ServerDidNotStart, start_server, stop_process

ROOT = Path(__file__).resolve().parents[1]
HMIC_KG = Path(sys.executable).parent / "hmic-kg"
BASE = "http://127.0.0.1:8000/id/"
IRIS = Iris(BASE)
META_GRAPH = str(IRIS.meta_graph())
VOCABULARY_GRAPH = str(IRIS.vocabulary_graph())
HMIC = "https://w3id.org/hmic-kg/ontology#"

#: sample report -> the printed force name that variants replace
SAMPLE_FORCES: dict[Path, str] = {NOTTS: "Nottinghamshire", NORTHANTS: "Northamptonshire"}
#: register forces used for variants: (printed name, data.police.uk id)
VARIANT_FORCES: tuple[tuple[str, str], ...] = (
    ("Cheshire", "cheshire"),
    ("Cumbria", "cumbria"),
    ("Derbyshire", "derbyshire"),
    ("Dorset", "dorset"),
    ("Durham", "durham"),
    ("Essex", "essex"),
    ("Gloucestershire", "gloucestershire"),
    ("Hampshire", "hampshire"),
    ("Hertfordshire", "hertfordshire"),
    ("Humberside", "humberside"),
    ("Kent", "kent"),
    ("Lancashire", "lancashire"),
    ("Leicestershire", "leicestershire"),
    ("Lincolnshire", "lincolnshire"),
    ("Norfolk", "norfolk"),
    ("Northumbria", "northumbria"),
    ("Staffordshire", "staffordshire"),
    ("Suffolk", "suffolk"),
    ("Surrey", "surrey"),
    ("Wiltshire", "wiltshire"),
)

_FIGURES: dict[str, str] = {}
_SERVER_NUMBERS = itertools.count(1)


def record_figure(name: str, value: object) -> None:
    """Keep one figure of this run (printed in the terminal summary, quoted in docs/reliability.md)."""
    _FIGURES[name] = str(value)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _FIGURES:
        terminalreporter.section("hmic-kg resilience figures")
        for name in sorted(_FIGURES):
            terminalreporter.write_line(f"{name}: {_FIGURES[name]}")


# --- report variants --------------------------------------------------------------------------------


def force_variant(sample: Path, force_name: str) -> str:
    """The text of ``sample`` with its force's printed name replaced by ``force_name``."""
    return sample.read_text(encoding="utf-8").replace(SAMPLE_FORCES[sample], force_name)


def write_variants(folder: Path, count: int, *, without_glossary: bool = False) -> dict[str, Path]:
    """``count`` reports of different forces (alternating the two samples) in ``folder``.

    ``without_glossary``: cut each report before its glossary appendix, a smaller "new edition" of the
    same report (same report id, fewer triples). Returns report id -> file.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for n, (name, force_id) in enumerate(VARIANT_FORCES[:count]):
        sample = NOTTS if n % 2 == 0 else NORTHANTS
        text = force_variant(sample, name)
        if without_glossary:
            text = text[: text.index("Appendix")]
        path = folder / f"{force_id}-2007.txt"
        path.write_text(text, encoding="utf-8")
        written[f"{force_id}-2007"] = path
    return written


# --- the real CLI and the store it leaves --------------------------------------------------------------


def cli_env() -> dict[str, str]:
    """Environment of a CLI subprocess: no HMIC_KG_* settings leak in, output is unbuffered."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HMIC_KG_")}
    env["PYTHONUNBUFFERED"] = "1"
    env["COLUMNS"] = "400"  # keep rich from wrapping one result over several lines
    return env


def load_command(paths: Sequence[Path], data_dir: Path) -> list[str]:
    return [str(HMIC_KG), "load", *map(str, paths), "--data-dir", str(data_dir)]


def run_load(
    paths: Sequence[Path], data_dir: Path, timeout_s: float = 180.0
) -> subprocess.CompletedProcess[str]:
    """``hmic-kg load PATHS --data-dir DATA_DIR``, run to completion."""
    return subprocess.run(
        load_command(paths, data_dir),
        cwd=ROOT,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )


def report_graph(report_id: str) -> str:
    return str(IRIS.report_graph(report_id))


def graph_counts(store: OxigraphStore) -> dict[str, int]:
    """Triples per named graph (report graphs, metadata and vocabulary)."""
    rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g").rows
    return {str(g): int(n) for g, n in rows}  # type: ignore[arg-type]


def metadata_hashes(store: OxigraphStore) -> dict[str, list[str]]:
    """Report graph -> the sha256 values the metadata graph records for it."""
    query = f"""SELECT ?g ?sha WHERE {{ GRAPH <{META_GRAPH}> {{
        ?g <{HMIC}graphOf> ?report . OPTIONAL {{ ?g <{HMIC}sha256> ?sha }} }} }}"""
    hashes: dict[str, list[str]] = {}
    for g, sha in store.query(query).rows:
        hashes.setdefault(str(g), []).append(str(sha))
    return hashes


def open_data_dir(data_dir: Path) -> OxigraphStore:
    """The Oxigraph store ``hmic-kg`` keeps under ``data_dir`` (as ``graph.store.open_store`` opens it)."""
    return OxigraphStore(data_dir / "oxigraph", meta_graph_iri=META_GRAPH)


@cache
def reference(path: Path) -> tuple[int, str]:
    """(triples in its report graph, sha256 in the metadata) of one report file loaded alone."""
    store = OxigraphStore(None, meta_graph_iri=META_GRAPH)
    try:
        (result,) = load_paths(store, [path], IRIS).results
        assert result.ok and result.report_id, result.error
        graph = report_graph(result.report_id)
        (sha,) = metadata_hashes(store)[graph]
        return graph_counts(store)[graph], sha
    finally:
        store.close()


def store_snapshot(data_dir: Path) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Open the store left in ``data_dir``; its per-graph counts and metadata hashes; close it."""
    store = open_data_dir(data_dir)
    try:
        return graph_counts(store), metadata_hashes(store)
    finally:
        store.close()


# --- a real server ----------------------------------------------------------------------------------


class Server:
    """``hmic-kg serve`` on a loopback port the kernel picks, started as a subprocess with
    :func:`tests.conftest_servers.start_server` (the suite's one way to start a server); its output
    goes to ``log``."""

    def __init__(self, data_dir: Path, *extra: str, env: dict[str, str] | None = None) -> None:
        def command(port: int) -> list[str]:
            serve = ("serve", "--data-dir", str(data_dir), "--host", "127.0.0.1", "--port", str(port))
            return [str(HMIC_KG), *serve, *extra]

        def ready(base: str) -> bool:
            return httpx.get(f"{base}/forces", timeout=2).status_code == 200

        self.log = data_dir.parent / f"serve-{next(_SERVER_NUMBERS)}.log"
        with self.log.open("wb") as log:
            try:
                self.process, self.url = start_server(
                    command, ready, cwd=ROOT, env=env or cli_env(), stdout=log, stderr=log
                )
            except ServerDidNotStart as exc:
                raise ServerDidNotStart(f"hmic-kg serve: {exc}: {self.log.read_text()[-2000:]}") from None
        self.port = int(self.url.rsplit(":", 1)[1])

    def stop(self) -> None:
        stop_process(self.process, timeout_s=15.0)


@pytest.fixture(scope="session")
def loaded_samples_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir holding the two sample reports, loaded with the real ``hmic-kg load``."""
    data_dir = tmp_path_factory.mktemp("samples") / "kg"
    result = run_load([NOTTS, NORTHANTS], data_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    return data_dir


@pytest.fixture(scope="session")
def samples_server(loaded_samples_dir: Path) -> Iterator[Server]:
    """``hmic-kg serve`` over the two sample reports, with a 3 s SPARQL time limit."""
    server = Server(loaded_samples_dir, "--query-timeout", "3")
    try:
        yield server
    finally:
        server.stop()


# --- hostile requests (tests/resilience/test_hostile_*.py): the samples plus a report carrying script ---

SCRIPT = "<script>alert(1)</script>"
TAG = "'\"><img src=x onerror=alert(2)>"
#: what must never appear in a page: the payloads as live markup
LIVE_MARKUP = ("<script>alert(", "<img src=x", "onerror=alert(2)>")
HOSTILE_TOKEN = "hostile-requests-token"


def xss_report(folder: Path) -> Path:
    """Nottinghamshire's report as "Cheshire", with script in a finding, a practice title and a contact."""
    text = force_variant(NOTTS, "Cheshire")
    replacements = {
        "TITLE: Specific activity-based costing": f"TITLE: {SCRIPT} Specific activity-based costing",
        "• Performance management is led by": f"• Performance {TAG} management {SCRIPT} is led by",
        "FORCE CONTACT: Inspector Chris Mclean": f"FORCE CONTACT: Inspector Chris {SCRIPT}Mclean",
    }
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    path = folder / "cheshire-2007.txt"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphStore]:
    """An in-memory store with the two samples and the script-carrying Cheshire variant (shared by the
    hostile-request modules, which check that no request changes it)."""
    folder = tmp_path_factory.mktemp("hostile-reports")
    oxigraph = OxigraphStore(None, meta_graph_iri=META_GRAPH)
    summary = load_paths(oxigraph, [NOTTS, NORTHANTS, xss_report(folder)], IRIS)
    assert summary.files_failed == 0, [r.error for r in summary.results]
    yield oxigraph
    oxigraph.close()


@pytest.fixture(scope="session")
def hostile_client(hostile_store: OxigraphStore) -> Iterator[TestClient]:
    """An in-process client of the API over :func:`hostile_store` (updates with ``HOSTILE_TOKEN``)."""
    from api.app import create_app
    from tests.conftest_api import settings

    app = create_app(settings(query_timeout_s=5.0, update_token=HOSTILE_TOKEN), store=hostile_store)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def raw_get(port: int, target: str) -> tuple[int, str]:
    """GET ``target`` exactly as written (no client normalises the dots away).

    Returns (status, raw response), or (0, "") when the server closed the connection without answering.
    """
    chunks: list[bytes] = []
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
            while chunk := sock.recv(65536):
                chunks.append(chunk)
    except (ConnectionResetError, BrokenPipeError):
        if not chunks:
            return 0, ""
    raw = b"".join(chunks).decode("latin-1")
    return (int(raw.split(" ", 2)[1]), raw) if raw else (0, "")
