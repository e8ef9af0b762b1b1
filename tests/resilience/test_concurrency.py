"""Queries while a load runs: readers in several threads, and in several processes, never see a
half-loaded report and never fail.

What the backends allow: the embedded Oxigraph store is one read-write handle per machine (RocksDB
lock), and pyoxigraph 0.5 documents ``Store.read_only`` while another process writes as undefined
behaviour (0.5 dropped secondary instances). So threads share the loader's own store, and processes
read through a SPARQL server that ``hmic-kg load --backend remote`` loads through, the documented way to
load while others read: ``oxigraph serve``, and ``hmic-kg serve --allow-updates-token-file`` itself (its
``/sparql`` answers from per-generation snapshots in worker processes).

Each observation is one query returning, per report graph, its triple count and the checksum its
metadata entry records; every observation must be the complete old edition or the complete new one.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from graph.loading import load_paths
from graph.store import Store
from graph.store_oxigraph import OxigraphStore
from graph.store_remote import RemoteStore
from tests.conftest import eventually
from tests.conftest_resilience import (
    HMIC,
    HMIC_KG,
    IRIS,
    META_GRAPH,
    ROOT,
    Server,
    cli_env,
    record_figure,
    report_graph,
    write_variants,
)
from tests.conftest_servers import OxigraphServer, oxigraph_server  # noqa: F401

REPORTS = 3
READER_THREADS = 4
READER_PROCESSES = 3
TOKEN = "concurrency-update-token"
PAUSE_S = 0.05  # between a reader's queries, so that 2 cores are not starved for the loader
#: one snapshot of one report graph: its size and the checksum its metadata entry records
OBSERVE = (
    "SELECT ?g ?n ?sha WHERE {{ BIND(<{graph}> AS ?g) "
    "{{ SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} }} "
    f"OPTIONAL {{{{ GRAPH <{META_GRAPH}> {{{{ ?g <{HMIC}sha256> ?sha }}}} }}}} }}}}"
)
Observation = dict[str, tuple[int, str]]


def editions(tmp_path: Path) -> tuple[dict[str, Path], dict[str, Path]]:
    """Old and new editions (the new without its glossary) of ``REPORTS`` reports."""
    old = write_variants(tmp_path / "old", REPORTS)
    return old, write_variants(tmp_path / "new", REPORTS, without_glossary=True)


def allowed_states(old: Observation, new: Observation) -> dict[str, set[tuple[int, str]]]:
    """Per report graph, its two complete states (taken after each uninterrupted load)."""
    assert set(old) == set(new) and all(old[g] != new[g] for g in old), (old, new)
    return {graph: {old[graph], new[graph]} for graph in old}


def check(observations: list[Observation], allowed: dict[str, set[tuple[int, str]]]) -> Counter[str]:
    """Assert every observation is old-or-new per graph; count the states seen."""
    seen: Counter[str] = Counter()
    for observation in observations:
        assert observation and set(observation) <= set(allowed), observation
        for graph, state in observation.items():
            assert state in allowed[graph], (graph, state, allowed[graph])
            seen[f"{graph} {state[0]}"] += 1
    return seen


def _observe(store: Store, graph: str) -> Observation:
    rows = store.query(OBSERVE.format(graph=graph)).rows
    return {str(g): (int(n), str(sha)) for g, n, sha in rows}  # type: ignore[arg-type]


def _observe_all(store: Store, graphs: list[str]) -> Observation:
    return {g: state for graph in graphs for g, state in _observe(store, graph).items()}


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_reader_threads_during_a_load_see_whole_reports(tmp_path: Path) -> None:
    old, new = editions(tmp_path)
    store = OxigraphStore(tmp_path / "kg" / "oxigraph", meta_graph_iri=META_GRAPH)
    try:
        assert load_paths(store, list(old.values()), IRIS).files_failed == 0
        graphs = [report_graph(r) for r in old]
        complete = [_observe_all(store, graphs)]
        observations: list[Observation] = []
        errors: list[BaseException] = []
        loading = threading.Event()
        loading.set()

        def reader() -> None:
            rng = random.Random()
            while loading.is_set():
                try:
                    observations.append(_observe(store, rng.choice(graphs)))
                except BaseException as error:  # any failure of a reader is a test failure
                    errors.append(error)
                    return
                time.sleep(PAUSE_S)

        threads = [threading.Thread(target=reader, name=f"reader-{n}") for n in range(READER_THREADS)]
        for thread in threads:
            thread.start()
        try:
            for edition in (new, old):  # two passes: every graph swaps twice
                assert load_paths(store, list(edition.values()), IRIS).files_failed == 0
                complete.append(_observe_all(store, graphs))
        finally:
            loading.clear()
            for thread in threads:
                thread.join(30)
        assert errors == []
        assert complete[2] == complete[0]
        seen = check(observations, allowed_states(complete[0], complete[1]))
        assert len(seen) > len(graphs)  # some graph was seen in both states
        record_figure(
            "concurrency (threads)",
            f"{len(observations)} snapshot queries from {READER_THREADS} threads during 2 loads of "
            f"{REPORTS} reports: 0 errors, 0 half-loaded reports",
        )
    finally:
        store.close()


READER = r"""
import json, os, sys, time, pathlib, httpx
import random
url, template, stop, pause = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3]), float(sys.argv[4])
graphs = sys.argv[5:]
observations, errors = [], []
with httpx.Client(timeout=30) as client:
    while not stop.exists():
        stop.with_name(f"started-{os.getpid()}").touch()  # the test waits for every reader to start
        try:
            query = template.format(graph=random.choice(graphs))
            response = client.post(url, content=query.encode(), headers={
                "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
            response.raise_for_status()
            rows = response.json()["results"]["bindings"]
            observations.append(
                {r["g"]["value"]: [int(r["n"]["value"]), r.get("sha", {}).get("value")] for r in rows})
        except Exception as error:
            errors.append(f"{type(error).__name__}: {error}")
        time.sleep(pause)
json.dump({"observations": observations, "errors": errors}, sys.stdout)
"""


@dataclass(frozen=True)
class Endpoint:
    """A SPARQL server that reader processes query and ``hmic-kg load --backend remote`` loads through."""

    name: str
    query_url: str
    update_url: str
    token: str | None = None
    passes: int = 2  # loads while the readers run: new editions, then old again


@pytest.fixture(params=["oxigraph serve", "hmic-kg serve"])
def endpoint(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Endpoint]:
    """``oxigraph serve`` (shared, cleared), or ``hmic-kg serve`` accepting updates, on an empty store."""
    if request.param == "oxigraph serve":
        server: OxigraphServer = request.getfixturevalue("oxigraph_server")
        server.clear()
        yield Endpoint(request.param, server.query_url, server.update_url)
        server.clear()
        return
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN, encoding="utf-8")
    token_file.chmod(0o600)
    api = Server(tmp_path / "served", "--allow-updates-token-file", str(token_file))
    try:
        # one pass: its update guard parses each ~1.5 MB report update with rdflib (~2-4 s of CPU)
        yield Endpoint(request.param, f"{api.url}/sparql", f"{api.url}/sparql", TOKEN, passes=1)
    finally:
        api.stop()


def _remote_observe(endpoint: Endpoint, graphs: list[str]) -> Observation:
    remote = RemoteStore(endpoint.query_url, meta_graph_iri=META_GRAPH)
    try:
        return _observe_all(remote, graphs)
    finally:
        remote.close()


def _remote_load(endpoint: Endpoint, paths: list[Path], data_dir: Path) -> subprocess.CompletedProcess[str]:
    command = [str(HMIC_KG), "load", *map(str, paths), "--data-dir", str(data_dir), "--backend", "remote",
               "--query-url", endpoint.query_url, "--update-url", endpoint.update_url]  # fmt: skip
    if endpoint.token:
        command += ["--update-token", endpoint.token]
    return subprocess.run(command, cwd=ROOT, env=cli_env(), capture_output=True, text=True, timeout=240)


@pytest.mark.slow
@pytest.mark.server
@pytest.mark.timeout(300)
def test_reader_processes_during_a_remote_load_see_whole_reports(tmp_path: Path, endpoint: Endpoint) -> None:
    old, new = editions(tmp_path)
    first = _remote_load(endpoint, list(old.values()), tmp_path / "unused")
    assert first.returncode == 0, first.stdout + first.stderr
    graphs = [report_graph(r) for r in old]
    complete = [_remote_observe(endpoint, graphs)]
    stop = tmp_path / "stop"
    reader = [sys.executable, "-c", READER, endpoint.query_url, OBSERVE, str(stop), str(PAUSE_S), *graphs]
    readers = [
        subprocess.Popen(reader, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(READER_PROCESSES)
    ]
    try:
        eventually(
            lambda: len(list(tmp_path.glob("started-*"))) == READER_PROCESSES,
            "every reader process started",
            timeout_s=60,
        )
        for edition in (new, old)[: endpoint.passes]:
            result = _remote_load(endpoint, list(edition.values()), tmp_path / "unused")
            assert result.returncode == 0, result.stdout + result.stderr
            complete.append(_remote_observe(endpoint, graphs))
    finally:
        stop.touch()
        outputs = [process.communicate(timeout=60) for process in readers]
    observations: list[Observation] = []
    for stdout, stderr in outputs:
        answer = json.loads(stdout or "{}")
        assert answer and answer["errors"] == [], (answer.get("errors", [])[:3], stderr[-1000:])
        observations += [{g: (n, sha) for g, (n, sha) in o.items()} for o in answer["observations"]]
    assert complete[2:] in ([], [complete[0]])
    allowed = allowed_states(complete[0], complete[1])
    seen = check(observations, allowed)
    assert len(observations) >= READER_PROCESSES and len(seen) > len(allowed)
    record_figure(
        f"concurrency (processes, {endpoint.name})",
        f"{len(observations)} snapshot queries from {READER_PROCESSES} processes during {endpoint.passes} "
        "remote load(s) "
        f"of {REPORTS} reports through {endpoint.name}: 0 errors, 0 half-loaded reports",
    )
