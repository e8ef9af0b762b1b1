"""The per-report rows read by worker processes (:mod:`graph.report_workers`): the same tables, rows in the
same order, and the same snapshot and kept row files as one thread, from a store opened read-only or from
a checkpoint of a writable one (removed afterwards); a failed query is the error a serial read raises; a
worker that cannot start leaves the read to the threads."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import orjson
import pytest

from api.report_rows import TABLES, DiskRows, read_tables
from api.snapshot_build import build_snapshot
from graph import report_tables, report_workers
from graph.iris import Iris
from graph.loading import load_paths
from graph.report_workers import per_graph_text, readable_copy, worker_count
from graph.store import QueryError, Store
from graph.store_oxigraph import OxigraphStore
from tests.conftest_api import BASE, REPORTS
from tests.test_snapshot_rows import encoded

IRIS = Iris(BASE)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir whose on-disk store holds the samples (closed: each test opens it as it needs)."""
    folder = tmp_path_factory.mktemp("workers") / "data"
    store = OxigraphStore(folder / "oxigraph")
    assert load_paths(store, [REPORTS], IRIS).files_failed == 0
    store.close()
    return folder


@pytest.fixture()
def writable(loaded: Path) -> Iterator[OxigraphStore]:
    store = OxigraphStore(loaded / "oxigraph")
    yield store
    store.close()


@pytest.fixture()
def every_graph_a_worker(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    """Workers for any number of graphs; the per-graph reads in this process recorded (none expected)."""
    monkeypatch.setattr(report_workers, "MIN_GRAPHS_PER_WORKER", 1)
    calls: list[tuple[str, ...]] = []
    original = report_tables.graph_table

    def recording(store: Store, name: str, graphs: Sequence[str] | None = None) -> object:
        calls.append((name, *(graphs or ())))
        return original(store, name, graphs)

    monkeypatch.setattr(report_tables, "graph_table", recording)
    return calls


def test_the_per_graph_text_drops_the_graph_from_the_projection() -> None:
    assert per_graph_text("SELECT ?g ?a WHERE { GRAPH ?g { ?a ?b ?c } }") == (
        "SELECT ?a WHERE { GRAPH ?g { ?a ?b ?c } }"
    )
    assert per_graph_text("PREFIX x: <y>\nSELECT DISTINCT ?g ?s WHERE {}").endswith(
        "SELECT DISTINCT ?s WHERE {}"
    )
    with pytest.raises(ValueError):
        per_graph_text("SELECT ?graph ?s WHERE { GRAPH ?graph {} }")
    for name in TABLES:  # every per-graph query of the read model has that shape
        per_graph_text(report_tables.query_text(name))


def test_few_graphs_are_read_by_threads() -> None:
    per = report_workers.MIN_GRAPHS_PER_WORKER
    assert worker_count(2 * per - 1, 8) == 0
    assert worker_count(2 * per, 8) == 2
    assert worker_count(100 * per, 3) == 3
    assert worker_count(100 * per, 1) == 0


def test_workers_read_the_same_tables_from_a_read_only_store(
    loaded: Path, every_graph_a_worker: list[tuple[str, ...]]
) -> None:
    store = OxigraphStore(loaded / "oxigraph", read_only=True)
    try:
        serial = read_tables(store, threads=1)
        assert every_graph_a_worker, "the serial read is in this process"
        every_graph_a_worker.clear()
        assert orjson.dumps(read_tables(store, threads=2)) == orjson.dumps(serial), "same rows, same order"
        assert every_graph_a_worker == [], "read by the worker processes"
        some = report_tables.named_graphs(store)[:2]
        assert report_tables.graph_tables(store, list(TABLES), some, threads=2) == {
            name: report_tables.graph_table(store, name, some) for name in TABLES
        }
    finally:
        store.close()


def test_a_worker_sends_a_repeated_value_once(loaded: Path) -> None:
    """The rows came back as one string per cell through the pipe (127 MB at 430 reports): a value
    repeated on many rows (a finding's force) is now one object, which marshal writes once."""
    store = OxigraphStore(loaded / "oxigraph", read_only=True)
    try:
        graphs = report_tables.named_graphs(store)
    finally:
        store.close()
    texts = {"snapshot_findings": report_tables.query_text("snapshot_findings")}
    found = report_workers.read_graphs(loaded / "oxigraph", texts, graphs, 2)["snapshot_findings"]
    forces = [row[-1] for rows in found.values() for row in rows]
    assert len(forces) > len(set(forces)) > 0
    assert len({id(force) for force in forces}) == len(set(forces)), "one object per distinct value"


@pytest.mark.parametrize("few", [0, 10**9], ids=["graph by graph", "in chunks"])
def test_a_worker_reads_small_tables_over_chunks_of_graphs_with_the_same_rows(
    loaded: Path, monkeypatch: pytest.MonkeyPatch, few: int
) -> None:
    """Small tables (few rows a graph) are read over datasets of several graphs, ?g kept, then split:
    the same rows by graph, in the same order, as graph by graph."""
    monkeypatch.setattr(report_workers, "PROBE_GRAPHS", 1)
    monkeypatch.setattr(report_workers, "FEW_ROWS", few)
    monkeypatch.setattr(report_workers, "CHUNK_GRAPHS", 2)
    store = OxigraphStore(loaded / "oxigraph", read_only=True)
    try:
        graphs = report_tables.named_graphs(store)
        serial = {name: report_tables.graph_table(store, name, graphs) for name in TABLES}
    finally:
        store.close()
    assert len(graphs) >= 4, "a probed graph and more than one chunk"
    texts = {name: report_tables.query_text(name) for name in TABLES}
    found = report_workers.read_graphs(loaded / "oxigraph", texts, graphs, 1)
    assert found == serial, "the same rows by graph, in the same order"


def test_workers_read_a_checkpoint_of_a_writable_store_and_remove_it(
    writable: OxigraphStore, loaded: Path, every_graph_a_worker: list[tuple[str, ...]]
) -> None:
    serial = orjson.dumps(read_tables(writable, threads=1))
    every_graph_a_worker.clear()
    assert orjson.dumps(read_tables(writable, threads=2)) == serial
    assert every_graph_a_worker == []
    assert not list(loaded.glob(report_workers.CHECKPOINT_PREFIX + "*")), "checkpoint removed"


def test_a_stale_checkpoint_is_removed_a_fresh_one_kept(writable: OxigraphStore, loaded: Path) -> None:
    stale, fresh = (
        loaded / f"{report_workers.CHECKPOINT_PREFIX}old",
        loaded / f"{report_workers.CHECKPOINT_PREFIX}new",
    )
    for folder in (stale, fresh):
        (folder / "store").mkdir(parents=True)
    old = time.time() - report_workers.STALE_S - 60
    os.utime(stale, (old, old))
    with readable_copy(writable) as path:
        assert path is not None and path.parent.name.startswith(report_workers.CHECKPOINT_PREFIX)
    assert not stale.exists() and fresh.exists()
    fresh.joinpath("store").rmdir()
    fresh.rmdir()


def test_an_in_memory_store_has_no_readable_copy() -> None:
    store = OxigraphStore(None)
    try:
        with readable_copy(store) as path:
            assert path is None
    finally:
        store.close()


def test_the_snapshot_and_kept_rows_are_the_same_with_workers(
    writable: OxigraphStore, tmp_path: Path, every_graph_a_worker: list[tuple[str, ...]]
) -> None:
    one = build_snapshot(writable, IRIS, threads=1, rows_cache=DiskRows(tmp_path / "one"))
    every_graph_a_worker.clear()
    two = build_snapshot(writable, IRIS, threads=2, rows_cache=DiskRows(tmp_path / "two"))
    assert every_graph_a_worker == []
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert encoded(one, tmp_path / "a") == encoded(two, tmp_path / "b")
    files = sorted(p.name for p in (tmp_path / "one" / "snapshot-rows").iterdir())
    assert files and files == sorted(p.name for p in (tmp_path / "two" / "snapshot-rows").iterdir())
    for name in files:
        assert (tmp_path / "one" / "snapshot-rows" / name).read_bytes() == (
            tmp_path / "two" / "snapshot-rows" / name
        ).read_bytes()


def test_a_query_error_in_a_worker_is_a_query_error(
    writable: OxigraphStore, monkeypatch: pytest.MonkeyPatch, every_graph_a_worker: list[tuple[str, ...]]
) -> None:
    text = report_tables.query_text

    def broken(name: str) -> str:
        return "SELECT ?g ?x WHERE { GRAPH ?g {" if name == "mentions" else text(name)

    monkeypatch.setattr(report_tables, "query_text", broken)
    with pytest.raises(QueryError) as serial:
        read_tables(writable, threads=1)
    every_graph_a_worker.clear()
    with pytest.raises(QueryError) as workers:
        read_tables(writable, threads=2)
    assert every_graph_a_worker == [], "failed in a worker"
    assert str(workers.value).startswith("invalid SPARQL: ") and str(serial.value).startswith(
        "invalid SPARQL: "
    )


def test_a_worker_that_cannot_start_leaves_the_read_to_threads(
    writable: OxigraphStore, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    serial = orjson.dumps(read_tables(writable, threads=1))
    monkeypatch.setattr(report_workers, "MIN_GRAPHS_PER_WORKER", 1)
    monkeypatch.setattr(report_workers.sys, "executable", "/nonexistent/python")
    with caplog.at_level(logging.WARNING):
        assert orjson.dumps(read_tables(writable, threads=2)) == serial
    assert "using threads" in caplog.text


def test_a_worker_ends_when_the_process_that_started_it_is_gone() -> None:
    """A worker whose parent died (here: told a pid that is not its parent's) exits, even while it waits
    for its job, so a killed server leaves no worker behind."""
    import subprocess
    import sys

    child = subprocess.Popen(
        [sys.executable, "-m", "graph.report_workers", "1"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert child.wait(timeout=30) == 1
    finally:
        child.kill()
        child.communicate()
