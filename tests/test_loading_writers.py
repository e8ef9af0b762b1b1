"""Reports written by several threads at once: still one transaction each, in order, the later file wins."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from rdflib import Graph

import graph.loading
from graph.iris import Iris
from graph.loading import PreparedReport, _stored, load_paths
from graph.store_oxigraph import OxigraphStore
from tests.conftest import NORTHANTS, NOTTS

IRIS = Iris("http://127.0.0.1:8000/id/")


class _SlowStore:
    """Records how many writes overlap, and whether two writes of one graph ever did."""

    def __init__(self) -> None:
        self.active: list[str] = []
        self.most = 0
        self.same_graph_overlap = False
        self.order: list[str] = []
        self._lock = threading.Lock()

    def replace_graph(self, graph_iri: str, triples, metadata=None, *, meta_graph_iri=None) -> None:  # type: ignore[no-untyped-def]
        with self._lock:
            self.same_graph_overlap |= graph_iri in self.active
            self.active.append(graph_iri)
            self.most = max(self.most, len(self.active))
        time.sleep(0.05)
        with self._lock:
            self.active.remove(graph_iri)
            self.order.append(graph_iri)


def test_writes_overlap_but_never_two_of_one_report(tmp_path: Path) -> None:
    ids = ["a", "b", "c", "a", "d", "e", "a", "f"]
    prepared = [PreparedReport(tmp_path / f"{rid}-{n}.txt", rid, [], Graph(), 0) for n, rid in enumerate(ids)]
    store = _SlowStore()
    results = [(result.path.name, pending) for result, pending in _stored(store, prepared, IRIS, 3)]  # type: ignore[arg-type]
    assert [name for name, _ in results] == [p.path.name for p in prepared]  # results in file order
    assert store.most > 1 and not store.same_graph_overlap
    a = str(IRIS.report_graph("a"))
    assert [g for g in store.order if g == a] == [a, a, a]
    assert all(isinstance(pending, set) for _, pending in results)


def test_one_writer_writes_one_at_a_time(tmp_path: Path) -> None:
    prepared = [PreparedReport(tmp_path / f"{n}.txt", str(n), [], Graph(), 0) for n in range(4)]
    store = _SlowStore()
    assert len(list(_stored(store, prepared, IRIS, 1))) == 4  # type: ignore[arg-type]
    assert store.most == 1


def test_concurrent_writers_later_file_of_a_report_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(graph.loading, "PARALLEL_MIN_FILES", 2)
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    for copy in (first, second):
        copy.write_bytes(NOTTS.read_bytes())
    store = OxigraphStore(None, meta_graph_iri=str(IRIS.meta_graph()))
    summary = load_paths(store, [first, NORTHANTS, second], IRIS, jobs=3)
    assert summary.files_ok == 3
    assert any("second.txt replaced" in w for w in summary.warnings)
    assert not any("was removed" in w for w in summary.warnings)  # the same report, not a stale one
    query = "SELECT ?name WHERE { GRAPH ?m { ?g <https://w3id.org/hmic-kg/ontology#sourceFile> ?name } }"
    names = {str(row[0]) for row in store.query(query).rows}
    assert names == {"second.txt", NORTHANTS.name}
