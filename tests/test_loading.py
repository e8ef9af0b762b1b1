"""Loading report files into a store: per-file results, bad files, idempotence, and kill -9 mid-load."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graph.iris import Iris
from graph.loading import load_paths
from graph.store import Store
from graph.store_oxigraph import OxigraphStore
from tests.conftest import NORTHANTS, NOTTS, REPORTS
from tests.conftest_servers import BACKENDS, StoreFactory, oxigraph_server, store_factory  # noqa: F401

IRIS = Iris("http://127.0.0.1:8000/id/")


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, store_factory: StoreFactory) -> Store:  # noqa: F811
    return store_factory(request.param)


def test_folder_loads_both_reports_and_reload_changes_nothing(store: Store) -> None:
    summary = load_paths(store, [REPORTS], IRIS)
    assert [(r.path.name, r.ok, r.report_id) for r in summary.results] == [
        ("northamptonshire-2007.txt", True, "northamptonshire-2007"),
        ("nottinghamshire-2007.txt", True, "nottinghamshire-2007"),
    ]
    assert summary.files_failed == 0 and summary.forces == 2 and summary.entities > 0
    assert summary.vocabulary_triples > 0
    graphs = store.graphs()
    assert str(IRIS.report_graph("nottinghamshire-2007")) in graphs
    assert {str(IRIS.meta_graph()), str(IRIS.vocabulary_graph())} <= set(graphs)
    counts = {g: store.triple_count(g) for g in graphs}
    again = load_paths(store, [NOTTS, NORTHANTS], IRIS)
    assert again.triples == summary.triples
    assert {g: store.triple_count(g) for g in store.graphs()} == counts


def test_bad_files_never_stop_the_good_ones(store: Store, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    binary = tmp_path / "binary.pdf"
    binary.write_bytes(b"\x00\x01 not a pdf")
    summary = load_paths(store, [empty, tmp_path / "missing.txt", NOTTS, binary], IRIS)
    assert [r.ok for r in summary.results] == [False, False, True, False]
    assert all(r.error for r in summary.results if not r.ok)
    assert summary.results[1].error == "no such file or directory"
    assert store.graphs() == sorted(
        [str(IRIS.report_graph("nottinghamshire-2007")), str(IRIS.meta_graph()), str(IRIS.vocabulary_graph())]
    )


def test_empty_folder_is_a_failed_result(store: Store, tmp_path: Path) -> None:
    summary = load_paths(store, [tmp_path], IRIS)
    assert summary.files_failed == 1 and "no .txt or .pdf" in (summary.results[0].error or "")


LOAD_FOREVER = """
import sys
from pathlib import Path
from graph.iris import Iris
from graph.loading import load_paths
from graph.store_oxigraph import OxigraphStore
store = OxigraphStore(Path(sys.argv[1]))
print("ready", flush=True)
while True:
    load_paths(store, [Path(p) for p in sys.argv[2:]], Iris("http://127.0.0.1:8000/id/"))
"""


@pytest.mark.slow
def test_kill_9_mid_load_leaves_every_graph_complete(tmp_path: Path) -> None:
    clean = OxigraphStore(tmp_path / "clean")
    load_paths(clean, [REPORTS], IRIS)
    expected = {g: clean.triple_count(g) for g in clean.graphs()}
    clean.close()
    location = tmp_path / "killed"
    rng = random.Random(7)
    root = Path(__file__).resolve().parent.parent
    for _ in range(4):
        process = subprocess.Popen(
            [sys.executable, "-c", LOAD_FOREVER, str(location), str(NOTTS), str(NORTHANTS)],
            cwd=root,
            stdout=subprocess.PIPE,
        )
        assert process.stdout is not None and process.stdout.readline().strip() == b"ready"
        time.sleep(rng.uniform(0.5, 6.0))
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        store = OxigraphStore(location)
        try:
            meta = str(IRIS.meta_graph())
            for graph in store.graphs():
                if graph != meta:  # the metadata graph grows report by report; checked below
                    assert store.triple_count(graph) == expected[graph], graph
            reports = [g for g in store.graphs() if g not in (meta, str(IRIS.vocabulary_graph()))]
            described = {
                str(row[0])
                for row in store.query(
                    "SELECT ?g WHERE { ?g <https://w3id.org/hmic-kg/ontology#graphOf> ?r }"
                ).rows
            }
            assert described == set(reports)  # each report graph and its metadata entry swap together
        finally:
            store.close()


def _named_quads(store: OxigraphStore) -> set[str]:
    """The named graphs' statements, load times aside (they differ between two loads)."""
    lines = store.export("nquads").decode().splitlines()
    return {line for line in lines if "generatedAtTime" not in line}


def test_a_parallel_load_stores_what_a_serial_load_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import graph.loading

    monkeypatch.setattr(graph.loading, "PARALLEL_MIN_FILES", 2)
    broken = tmp_path / "broken.txt"
    broken.write_bytes(b"\x00\x01binary")
    files = [NOTTS, broken, NORTHANTS, tmp_path / "missing.txt"]
    stores = []
    for jobs in (1, 2):
        store = OxigraphStore(None, meta_graph_iri=str(IRIS.meta_graph()))
        seen: list[tuple[str, bool]] = []
        summary = load_paths(
            store, files, IRIS, jobs=jobs, on_result=lambda r, seen=seen: seen.append((r.path.name, r.ok))
        )
        assert seen == [
            (NOTTS.name, True),
            ("broken.txt", False),
            (NORTHANTS.name, True),
            ("missing.txt", False),
        ]
        assert summary.files_ok == 2
        stores.append(store)
    serial, parallel = (_named_quads(s) for s in stores)
    assert serial == parallel and len(serial) > 10_000
    assert (
        stores[0].query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows
        == stores[1].query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows
    )
