"""Queries while a load runs: readers in several threads, and in several processes, never see a
half-loaded report and never fail.

What the backends allow: the embedded Oxigraph store is one read-write handle per machine (RocksDB
lock), and pyoxigraph 0.5 documents ``Store.read_only`` while another process writes as undefined
behaviour (0.5 dropped secondary instances). So threads share the loader's own store, and processes
read through a SPARQL server (``oxigraph serve``) that ``hmic-kg load --backend remote`` loads through,
the documented way to load while others read.

Each observation is one query returning, per report graph, its triple count and the checksum its
metadata entry records; every observation must be the complete old edition or the complete new one.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from graph.loading import load_paths
from graph.store_oxigraph import OxigraphStore
from tests.conftest_servers import OxigraphServer, oxigraph_server  # noqa: F401
from tests.resilience.conftest import (
    HMIC,
    HMIC_KG,
    IRIS,
    META_GRAPH,
    ROOT,
    cli_env,
    record_figure,
    reference,
    report_graph,
    write_variants,
)

REPORTS = 4
READER_THREADS = 4
READER_PROCESSES = 3
#: one snapshot: every report graph's size and the checksum in its metadata entry
OBSERVE = f"""SELECT ?g ?n ?sha WHERE {{
  {{ SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g }}
  FILTER(STRSTARTS(STR(?g), "{IRIS.base}graph/") && ?g != <{META_GRAPH}> && ?g != <{IRIS.vocabulary_graph()}>)
  OPTIONAL {{ GRAPH <{META_GRAPH}> {{ ?g <{HMIC}sha256> ?sha }} }}
}}"""
Observation = dict[str, tuple[int, str]]


def editions(tmp_path: Path) -> tuple[dict[str, Path], dict[str, Path], dict[str, set[tuple[int, str]]]]:
    """Old and new editions of ``REPORTS`` reports, and per report graph its two allowed states."""
    old = write_variants(tmp_path / "old", REPORTS)
    new = write_variants(tmp_path / "new", REPORTS, without_glossary=True)
    allowed = {report_graph(r): {reference(old[r]), reference(new[r])} for r in old}
    assert all(len(states) == 2 for states in allowed.values())
    return old, new, allowed


def check(observations: list[Observation], allowed: dict[str, set[tuple[int, str]]]) -> Counter[str]:
    """Assert every observation is old-or-new per graph; count the states seen."""
    seen: Counter[str] = Counter()
    for observation in observations:
        assert set(observation) == set(allowed), observation
        for graph, state in observation.items():
            assert state in allowed[graph], (graph, state, allowed[graph])
            seen[f"{graph} {state[0]}"] += 1
    return seen


def _observe(store: OxigraphStore) -> Observation:
    return {str(g): (int(n), str(sha)) for g, n, sha in store.query(OBSERVE).rows}  # type: ignore[arg-type]


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_reader_threads_during_a_load_see_whole_reports(tmp_path: Path) -> None:
    old, new, allowed = editions(tmp_path)
    store = OxigraphStore(tmp_path / "kg" / "oxigraph", meta_graph_iri=META_GRAPH)
    try:
        assert load_paths(store, list(old.values()), IRIS).files_failed == 0
        observations: list[Observation] = []
        errors: list[BaseException] = []
        loading = threading.Event()
        loading.set()

        def reader() -> None:
            while loading.is_set():
                try:
                    observations.append(_observe(store))
                except BaseException as error:  # any failure of a reader is a test failure
                    errors.append(error)
                    return

        threads = [threading.Thread(target=reader, name=f"reader-{n}") for n in range(READER_THREADS)]
        for thread in threads:
            thread.start()
        try:
            for edition in (new, old, new):  # three passes: every graph swaps three times
                assert load_paths(store, list(edition.values()), IRIS).files_failed == 0
        finally:
            loading.clear()
            for thread in threads:
                thread.join(30)
        assert errors == []
        seen = check(observations, allowed)
        assert len({key for key in seen if key.startswith(report_graph(next(iter(old))))}) == 2
        record_figure(
            "concurrency (threads)",
            f"{len(observations)} snapshot queries from {READER_THREADS} threads during 3 loads of "
            f"{REPORTS} reports: 0 errors, 0 half-loaded reports",
        )
    finally:
        store.close()


READER = r"""
import json, sys, time, pathlib, httpx
url, query, stop = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
observations, errors = [], []
with httpx.Client(timeout=30) as client:
    while not stop.exists():
        try:
            response = client.post(url, content=query.encode(), headers={
                "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
            response.raise_for_status()
            rows = response.json()["results"]["bindings"]
            observations.append({r["g"]["value"]: [int(r["n"]["value"]), r.get("sha", {}).get("value", "None")]
                                 for r in rows})
        except Exception as error:
            errors.append(f"{type(error).__name__}: {error}")
json.dump({"observations": observations, "errors": errors}, sys.stdout)
"""


def _remote_load(
    server: OxigraphServer, paths: list[Path], data_dir: Path
) -> subprocess.CompletedProcess[str]:
    command = [
        str(HMIC_KG),
        "load",
        *map(str, paths),
        "--data-dir",
        str(data_dir),
        "--backend",
        "remote",
        "--query-url",
        server.query_url,
        "--update-url",
        server.update_url,
    ]
    return subprocess.run(command, cwd=ROOT, env=cli_env(), capture_output=True, text=True, timeout=240)


@pytest.mark.slow
@pytest.mark.server
@pytest.mark.timeout(300)
def test_reader_processes_during_a_remote_load_see_whole_reports(
    tmp_path: Path,
    oxigraph_server: OxigraphServer,  # noqa: F811
) -> None:
    old, new, allowed = editions(tmp_path)
    oxigraph_server.clear()
    first = _remote_load(oxigraph_server, list(old.values()), tmp_path / "unused")
    assert first.returncode == 0, first.stdout + first.stderr
    stop = tmp_path / "stop"
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", READER, oxigraph_server.query_url, OBSERVE, str(stop)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(READER_PROCESSES)
    ]
    try:
        time.sleep(0.5)
        for edition in (new, old):
            result = _remote_load(oxigraph_server, list(edition.values()), tmp_path / "unused")
            assert result.returncode == 0, result.stdout + result.stderr
    finally:
        stop.touch()
        outputs = [reader.communicate(timeout=60) for reader in readers]
    observations: list[Observation] = []
    for stdout, stderr in outputs:
        answer = json.loads(stdout or "{}")
        assert answer and answer["errors"] == [], (answer.get("errors", [])[:3], stderr[-1000:])
        observations += [{g: (n, sha) for g, (n, sha) in o.items()} for o in answer["observations"]]
    seen = check(observations, allowed)
    assert len(observations) >= READER_PROCESSES and len(seen) > len(allowed)
    oxigraph_server.clear()
    record_figure(
        "concurrency (processes)",
        f"{len(observations)} snapshot queries from {READER_PROCESSES} processes during 2 remote loads "
        f"of {REPORTS} reports through oxigraph serve: 0 errors, 0 half-loaded reports",
    )
