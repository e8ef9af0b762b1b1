"""Helpers of the resilience suite: report variants, the real CLI in a subprocess, store counts, figures.

Every hostile or generated file is written under pytest's ``tmp_path``; nothing here touches the
checkout. The figures the tests record (inputs tried, faults injected, requests served, errors) are
printed at the end of the run under "hmic-kg resilience figures" (see docs/reliability.md).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path

import httpx
import pytest

from graph.iris import Iris
from graph.loading import load_paths
from graph.store_oxigraph import OxigraphStore
from tests.conftest import NORTHANTS, NOTTS

ROOT = Path(__file__).resolve().parents[2]
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
    """``hmic-kg serve`` on a free loopback port, started as a subprocess."""

    def __init__(self, data_dir: Path, *extra: str, env: dict[str, str] | None = None) -> None:
        from tests.conftest_api import free_port

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [
            str(HMIC_KG),
            "serve",
            "--data-dir",
            str(data_dir),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            *extra,
        ]
        self.log = data_dir.parent / f"serve-{self.port}.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env or cli_env(), stdout=log, stderr=log)
        self._wait()

    def _wait(self, timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"hmic-kg serve exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/forces", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"hmic-kg serve did not answer in time: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


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
