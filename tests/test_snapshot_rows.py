"""The per-report rows kept between builds (:mod:`api.report_rows`): a snapshot built from kept rows is
the same as one built from scratch (cold, warm, after a report is reloaded with other content, after one
is dropped), a rebuild reads only the graphs that changed, and a bad row file is a miss, never a crash."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from api import report_rows
from api.report_rows import FOLDER, DiskRows, MemoryRows, RowCache, read_tables
from api.runtime import Runtime
from api.snapshot import Snapshot
from api.snapshot_build import build_snapshot
from api.snapshot_store import code_digest, save_snapshot
from graph import report_tables
from graph.config import GraphConfig
from graph.iris import Iris
from graph.loading import load_paths
from graph.store import Store
from graph.store_memory import MemoryStore
from graph.store_oxigraph import OxigraphStore
from tests.conftest_api import BASE, REPORTS, settings

pytest_plugins = ["tests.conftest_api"]
IRIS = Iris(BASE)
NOTTS = "nottinghamshire-2007"


def encoded(snap: Snapshot, folder: Path) -> bytes:
    """The snapshot's saved encoding (every table, in order): equal bytes, equal snapshots."""
    return save_snapshot(snap, "key", folder).read_bytes()


def same(a: Snapshot, b: Snapshot, tmp_path: Path) -> bool:
    (tmp_path / "a").mkdir(exist_ok=True)
    (tmp_path / "b").mkdir(exist_ok=True)
    return encoded(a, tmp_path / "a") == encoded(b, tmp_path / "b")


def reread(monkeypatch: pytest.MonkeyPatch) -> list[list[str] | None]:
    """Records the graphs each per-graph query reads (None: the whole store), chunk by chunk."""
    calls: list[list[str] | None] = []
    original = report_tables.graph_table

    def counting(store: Store, name: str, graphs: Sequence[str] | None = None) -> object:
        calls.append(None if graphs is None else sorted(graphs))
        return original(store, name, graphs)

    monkeypatch.setattr(report_tables, "graph_table", counting)
    return calls


def whole(calls: list[list[str] | None], store: Store) -> bool:
    """Whether each table was read over the whole store: by one query, or by chunks covering every named
    graph once (several threads)."""
    if all(c is None for c in calls):
        return len(calls) == len(report_rows.TABLES)
    graphs = report_tables.named_graphs(store)
    read = sorted(g for c in calls for g in c or ())
    return None not in calls and read == sorted(graphs * len(report_rows.TABLES))


def edited_notts(folder: Path) -> Path:
    """The Nottinghamshire sample with one more sentence (same report id, other content)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = (REPORTS / f"{NOTTS}.txt").read_text(encoding="utf-8")
    path = folder / f"{NOTTS}.txt"
    path.write_text(text + "\nThe force uses ViSOR and works with the Probation Service.\n", encoding="utf-8")
    return path


@pytest.fixture()
def disk_store(tmp_path: Path) -> Iterator[OxigraphStore]:
    store = OxigraphStore(tmp_path / "data" / "oxigraph")
    summary = load_paths(store, [REPORTS], IRIS)
    assert summary.files_failed == 0
    yield store
    store.close()


def test_kept_rows_give_the_snapshot_built_from_scratch(
    disk_store: OxigraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = DiskRows(tmp_path / "data")
    scratch = build_snapshot(disk_store, IRIS)
    calls = reread(monkeypatch)
    cold = build_snapshot(disk_store, IRIS, rows_cache=cache)
    assert same(cold, scratch, tmp_path)
    assert whole(calls, disk_store), "nothing kept yet: the whole store is read"
    graphs = {key[0] for key in report_rows.report_graphs(disk_store)}
    assert {p.name for p in cache.folder.iterdir()} == {cache.path(g).name for g in graphs}

    calls.clear()
    warm = build_snapshot(disk_store, IRIS, rows_cache=cache)
    assert same(warm, scratch, tmp_path)
    reports = set().union(*[set(c or ()) for c in calls]) & graphs
    assert not reports, "every report graph's rows were kept"


def test_a_reloaded_report_is_the_only_graph_read_again(
    disk_store: OxigraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = DiskRows(tmp_path / "data")
    before = build_snapshot(disk_store, IRIS, rows_cache=cache)
    monkeypatch.setattr(report_rows, "WHOLE_SHARE", 1.0)  # two reports: one changed is half the store
    assert load_paths(disk_store, [edited_notts(tmp_path / "edited")], IRIS).files_failed == 0
    calls = reread(monkeypatch)
    rebuilt = build_snapshot(disk_store, IRIS, rows_cache=cache)
    notts = str(IRIS.report_graph(NOTTS))
    assert None not in calls and sum(notts in (c or ()) for c in calls) == len(report_rows.TABLES)
    assert not any(g.endswith("northamptonshire-2007") for c in calls for g in c or ())
    scratch = build_snapshot(disk_store, IRIS)
    assert same(rebuilt, scratch, tmp_path)
    assert not same(rebuilt, before, tmp_path), "the new sentence changed the read model"


def test_a_dropped_report_leaves_the_snapshot_and_its_row_file(
    disk_store: OxigraphStore, tmp_path: Path
) -> None:
    cache = DiskRows(tmp_path / "data")
    build_snapshot(disk_store, IRIS, rows_cache=cache)
    notts = str(IRIS.report_graph(NOTTS))
    assert cache.path(notts).exists()
    disk_store.drop_graph(notts, meta_graph_iri=str(IRIS.meta_graph()))
    rebuilt = build_snapshot(disk_store, IRIS, rows_cache=cache)
    assert same(rebuilt, build_snapshot(disk_store, IRIS), tmp_path)
    assert not any(f.force and f.force.id == "nottinghamshire" for f in rebuilt.findings.values())
    assert not cache.path(notts).exists(), "the dropped graph's rows are pruned"


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _wrong_shape(path: Path) -> None:
    header = path.read_bytes().split(b"\n", 1)[0]
    path.write_bytes(header + b'\n{"tables": {"mentions": [[1, 2]]}}\n')


def _numbers(path: Path) -> None:
    import orjson

    header, body = path.read_bytes().split(b"\n", 1)
    tables = orjson.loads(body)["tables"]
    tables["mentions"] = [[1, 2]]
    path.write_bytes(header + b"\n" + orjson.dumps({"tables": tables}) + b"\n")


def _binary(path: Path) -> None:
    path.write_bytes(b"\xff\xfe\0")


@pytest.mark.parametrize("spoil", [_truncate, _wrong_shape, _numbers, _binary])
def test_a_bad_row_file_is_a_miss_with_one_warning(
    disk_store: OxigraphStore, tmp_path: Path, spoil: object, caplog: pytest.LogCaptureFixture
) -> None:
    cache = DiskRows(tmp_path / "data")
    first = build_snapshot(disk_store, IRIS, rows_cache=cache)
    path = cache.path(str(IRIS.report_graph(NOTTS)))
    good = path.read_bytes()
    spoil(path)  # type: ignore[operator]
    with caplog.at_level(logging.WARNING, logger="api.report_rows"):
        again = build_snapshot(disk_store, IRIS, rows_cache=cache)
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "reading the graph again" in warnings[0].getMessage()
    assert same(again, first, tmp_path)
    assert path.read_bytes() == good, "read again and kept again"


def test_rows_of_other_code_or_another_load_are_not_used(disk_store: OxigraphStore, tmp_path: Path) -> None:
    cache = DiskRows(tmp_path / "data")
    read_tables(disk_store, cache, "code-1")
    (key,) = [k for k in report_rows.report_graphs(disk_store) if k[0].endswith(NOTTS)]
    assert cache.get(key, "code-1") is not None
    assert cache.get(key, "code-2") is None, "a code change invalidates"
    assert cache.get((key[0], key[1], "2000-01-01T00:00:00Z"), "code-1") is None, "another load"


def test_a_memory_store_keeps_rows_in_the_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = MemoryStore()
    load_paths(store, [REPORTS], IRIS)
    cache = MemoryRows()
    cold = build_snapshot(store, IRIS, rows_cache=cache)
    assert set(cache.entries) == {key[0] for key in report_rows.report_graphs(store)}
    assert load_paths(store, [edited_notts(tmp_path / "edited")], IRIS).files_failed == 0
    monkeypatch.setattr(report_rows, "WHOLE_SHARE", 1.0)
    calls = reread(monkeypatch)
    rebuilt = build_snapshot(store, IRIS, rows_cache=cache)
    assert calls and all(c is not None for c in calls)
    assert not any(g.endswith("northamptonshire-2007") for c in calls for g in c or ())
    assert same(rebuilt, build_snapshot(store, IRIS), tmp_path)
    assert not same(rebuilt, cold, tmp_path)


def test_the_runtime_keeps_rows_across_an_update_and_drops_them_after_an_unsure_one(
    sample_store: OxigraphStore,
) -> None:
    """A store handed in (no data dir): rows kept in the process. An update's change stamps keep their
    keys true (issue 13), so it keeps them; one that failed half-way on a store applying operations one
    by one may have changed a graph behind its key, so it drops them."""
    runtime = Runtime(settings(), store=sample_store)
    runtime.snapshot(sample_store)
    kept: RowCache | None = runtime._rows
    assert isinstance(kept, MemoryRows) and kept.entries
    runtime.note_update()
    assert runtime._rows is kept
    runtime.note_update(unsure=True)
    assert runtime._rows is None


def test_only_an_unsure_update_on_a_data_dir_discards_the_row_files(data_dir: Path) -> None:
    folder = data_dir / FOLDER
    assert any(folder.iterdir()), "hmic-kg load kept the rows"
    runtime = Runtime(settings(graph=GraphConfig(data_dir=data_dir)))
    try:
        runtime.note_update()
        assert any(folder.iterdir())
        runtime.note_update(unsure=True)
        assert not any(folder.iterdir())
    finally:
        runtime.close()


def test_the_code_digest_covers_the_row_modules() -> None:
    assert len(code_digest()) == 64
    from api import snapshot_store

    assert "report_rows.py" in snapshot_store._BUILDER_MODULES
    assert "../graph/report_tables.py" in snapshot_store._BUILDER_MODULES
    assert "../graph/report_workers.py" in snapshot_store._BUILDER_MODULES


def test_a_read_only_store_writes_no_row_file(data_dir: Path) -> None:
    shutil.rmtree(data_dir / FOLDER)
    (data_dir / "snapshot.json").unlink()
    runtime = Runtime(settings(graph=GraphConfig(data_dir=data_dir, read_only=True)))
    try:
        assert runtime.snapshot(runtime.store()).forces
    finally:
        runtime.close()
    assert not (data_dir / FOLDER).exists()


def test_rows_are_kept_in_the_process_while_updates_are_enabled(sample_store: OxigraphStore) -> None:
    """Every update (another serve worker's too) stamps the graphs it changes in the store, so a kept row's
    key read from the store is true whoever changed it (issue 13)."""
    runtime = Runtime(settings(update_token="a-long-update-token"), store=sample_store)
    assert runtime.snapshot(sample_store).forces
    assert isinstance(runtime._rows, MemoryRows) and runtime._rows.entries


def test_a_failed_write_warns_once_and_the_build_goes_on(
    disk_store: OxigraphStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def failing(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("api.report_rows.os.replace", failing)
    with caplog.at_level(logging.WARNING, logger="api.report_rows"):
        snap = build_snapshot(disk_store, IRIS, rows_cache=DiskRows(tmp_path / "data"))
    assert snap.forces and len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1
    assert not list((tmp_path / "data" / FOLDER).iterdir()), "no temporary file left"


def test_a_server_rebuild_reads_the_kept_rows_and_keeps_the_missing_ones(data_dir: Path) -> None:
    """A runtime on a data dir (``hmic-kg serve``) builds with the rows ``hmic-kg load`` kept."""
    (data_dir / "snapshot.json").unlink()
    rows = DiskRows(data_dir)
    files = sorted(rows.folder.iterdir())
    files[0].unlink()
    runtime = Runtime(settings(graph=GraphConfig(data_dir=data_dir)))
    try:
        assert runtime.snapshot(runtime.store()).forces
    finally:
        runtime.close()
    assert sorted(rows.folder.iterdir()) == files, "the missing graph's rows kept again, no other file"


def test_an_unreadable_folder_of_rows_is_one_warning(
    disk_store: OxigraphStore, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = DiskRows(tmp_path / "data")
    build_snapshot(disk_store, IRIS, rows_cache=cache)
    for path in cache.folder.iterdir():
        path.write_bytes(b"{not json")
    with caplog.at_level(logging.WARNING, logger="api.report_rows"):
        assert build_snapshot(disk_store, IRIS, rows_cache=DiskRows(tmp_path / "data")).forces
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1
