"""The read model's per-report rows read by several threads (:func:`graph.report_tables.graph_tables`):
the same tables, rows in the same order, and the same snapshot as one thread, however the graphs are
chunked; an error in a thread is the error a serial read raises; the other backends stay serial."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import orjson
import pytest

from api.report_rows import TABLES, DiskRows, read_tables
from api.snapshot_build import build_snapshot
from graph import report_tables
from graph.iris import Iris
from graph.loading import load_paths
from graph.report_tables import chunks, graph_tables
from graph.store import QueryError, Store
from graph.store_memory import MemoryStore
from graph.store_oxigraph import OxigraphStore
from tests.conftest_api import BASE, REPORTS
from tests.test_snapshot_rows import encoded

pytest_plugins = ["tests.conftest_api"]
IRIS = Iris(BASE)


def record(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, tuple[str, ...] | None]]:
    """Records each per-graph read: (thread name, query, graphs; None for the whole store)."""
    calls: list[tuple[str, str, tuple[str, ...] | None]] = []
    original = report_tables.graph_table

    def recording(store: Store, name: str, graphs: Sequence[str] | None = None) -> object:
        calls.append((threading.current_thread().name, name, None if graphs is None else tuple(graphs)))
        return original(store, name, graphs)

    monkeypatch.setattr(report_tables, "graph_table", recording)
    return calls


def test_chunks_keep_the_order_and_split_evenly() -> None:
    graphs = [f"g{i}" for i in range(10)]
    parts = chunks(graphs, 4)
    assert [len(p) for p in parts] == [3, 3, 2, 2]
    assert [g for p in parts for g in p] == graphs
    assert chunks(graphs[:2], 8) == [["g0"], ["g1"]], "no empty chunk"
    assert chunks([], 4) == [[]]


def test_threads_and_one_graph_chunks_read_the_same_tables_as_one_thread(
    sample_store: OxigraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = read_tables(sample_store, threads=1)
    monkeypatch.setattr(report_tables, "CHUNKS_PER_THREAD", 1000)  # a chunk per graph
    calls = record(monkeypatch)
    threaded = read_tables(sample_store, threads=3)
    assert orjson.dumps(threaded) == orjson.dumps(serial), "same rows, same order"
    graphs = report_tables.named_graphs(sample_store)
    assert len(graphs) >= 3
    assert all(len(c[2] or ()) == 1 for c in calls) and len(calls) == len(graphs) * len(TABLES)
    assert {c[0] for c in calls} <= {f"report-tables_{i}" for i in range(3)}, "read in the pool"
    assert not any(t.name.startswith("report-tables") for t in threading.enumerate()), "pool shut down"


def test_the_snapshot_and_kept_rows_are_the_same_with_two_threads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = OxigraphStore(tmp_path / "data" / "oxigraph")
    try:
        assert load_paths(store, [REPORTS], IRIS).files_failed == 0
        one = build_snapshot(store, IRIS, threads=1, rows_cache=DiskRows(tmp_path / "one"))
        monkeypatch.setattr(report_tables, "CHUNKS_PER_THREAD", 1)  # two chunks of graphs per query
        two = build_snapshot(store, IRIS, threads=2, rows_cache=DiskRows(tmp_path / "two"))
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        assert encoded(one, tmp_path / "a") == encoded(two, tmp_path / "b")
        files = sorted(p.name for p in (tmp_path / "one" / "snapshot-rows").iterdir())
        assert files and files == sorted(p.name for p in (tmp_path / "two" / "snapshot-rows").iterdir())
        for name in files:
            kept = (tmp_path / "one" / "snapshot-rows" / name).read_bytes()
            assert kept == (tmp_path / "two" / "snapshot-rows" / name).read_bytes()
    finally:
        store.close()


def test_a_query_error_in_a_thread_is_the_serial_error(
    sample_store: OxigraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = report_tables.query_text

    def broken(name: str) -> str:
        return "SELECT ?g WHERE { GRAPH ?g {" if name == "mentions" else text(name)

    monkeypatch.setattr(report_tables, "query_text", broken)
    with pytest.raises(QueryError) as serial:
        read_tables(sample_store, threads=1)
    monkeypatch.setattr(report_tables, "CHUNKS_PER_THREAD", 1000)
    calls = record(monkeypatch)
    with pytest.raises(QueryError) as threaded:
        read_tables(sample_store, threads=2)
    assert str(threaded.value) == str(serial.value)
    assert not any(t.name.startswith("report-tables") for t in threading.enumerate()), "no thread left"
    assert any(c[1] == "mentions" and c[0].startswith("report-tables") for c in calls), "failed in a thread"


def test_a_memory_store_is_read_in_the_calling_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """The in-memory rdflib store holds the GIL: threads would gain nothing (a remote store is read
    the same way: its endpoint's concurrency is not ours to assume)."""
    store = MemoryStore()
    assert load_paths(store, [REPORTS], IRIS).files_failed == 0
    serial = read_tables(store, threads=1)
    calls = record(monkeypatch)
    assert orjson.dumps(read_tables(store, threads=4)) == orjson.dumps(serial)
    assert {c[0] for c in calls} == {threading.current_thread().name}
    assert graph_tables(store, ["people"], threads=4) == {
        "people": report_tables.graph_table(store, "people")
    }


def test_results_orjson_refuses_are_parsed_as_json_parses_them() -> None:
    """A remote endpoint may escape a lone surrogate, which orjson refuses: the rows are json's."""
    answer = (
        '{"head":{"vars":["a","b"]},"results":{"bindings":[{"a":{"type":"literal","value":"x\\ud800"}}]}}'
    )
    assert report_tables.positional(answer) == (["a", "b"], [["x\ud800", None]])
    assert report_tables.positional(answer.replace("\\ud800", "é").encode()) == (["a", "b"], [["xé", None]])
