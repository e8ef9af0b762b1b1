"""The saved read model (:mod:`api.snapshot_store`): every record round-trips, the key follows the store's
content (not the process), a bad file is rebuilt with one warning, and nothing is written where it must
not be (a read-only store, outside the data dir, a store handed in)."""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.build_lock import LOCK_NAME
from api.cli import app
from api.runtime import Runtime
from api.snapshot import Snapshot
from api.snapshot_build import build_snapshot
from api.snapshot_store import TABLES, content_key, read_snapshot, save_snapshot, snapshot_path
from graph.config import GraphConfig
from graph.iris import Iris
from graph.store_oxigraph import OxigraphStore
from tests.conftest_api import BASE, REPORTS, settings

pytest_plugins = ["tests.conftest_api"]


def same_records(a: Snapshot, b: Snapshot) -> bool:
    return all(getattr(a, name) == getattr(b, name) for name in TABLES)


def a_runtime(data_dir: Path, **graph: object) -> Runtime:
    return Runtime(settings(graph=GraphConfig(data_dir=data_dir, **graph)))  # type: ignore[arg-type]


def snapshot_of(runtime: Runtime) -> Snapshot:
    try:
        store = runtime.store()
        return runtime.snapshot(store)
    finally:
        runtime.close()


def test_every_record_round_trips(sample_store: OxigraphStore, tmp_path: Path) -> None:
    built = build_snapshot(sample_store, Iris(BASE), "g1")
    key = content_key(sample_store, BASE)
    save_snapshot(built, key, tmp_path)
    read = read_snapshot(snapshot_path(tmp_path), key, Iris(BASE), "g2")
    assert built.practices and built.findings and built.mentions and built.facts, "samples fill them"
    for name in TABLES:
        assert getattr(read, name) == getattr(built, name), name
        assert list(getattr(read, name)) == list(getattr(built, name)), f"{name}: order kept"
    assert read.generation == "g2" and read.iris == Iris(BASE)
    forces = [f.force for f in read.findings.values() if f.force is not None]
    assert len({id(ref) for ref in forces}) == len(set(forces)), "one link object per distinct link"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["snapshot.json"], "no temporary file left"


def test_the_key_is_stable_across_opens_and_changes_with_a_reload(loaded_dir: Path, tmp_path: Path) -> None:
    first = OxigraphStore(loaded_dir / "oxigraph", read_only=True)
    key = content_key(first, BASE)
    assert content_key(first, BASE) == key
    first.close()
    again = OxigraphStore(loaded_dir / "oxigraph", read_only=True)
    assert content_key(again, BASE) == key, "the same content, another open: the same key"
    assert content_key(again, "http://example.org/id/") != key, "another base IRI: another key"
    again.close()

    data = tmp_path / "data"
    shutil.copytree(loaded_dir, data)
    report = tmp_path / "nottinghamshire-2007.txt"
    text = (REPORTS / "nottinghamshire-2007.txt").read_text(encoding="utf-8")
    report.write_text(text + "\nThe force has introduced a new call handling review.\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["load", str(report), "--data-dir", str(data), "--no-snapshot"])
    assert result.exit_code == 0, result.output
    changed = OxigraphStore(data / "oxigraph", read_only=True)
    try:
        assert content_key(changed, BASE) != key, "a report reloaded with other content: another key"
    finally:
        changed.close()


def test_load_saves_it_and_a_start_loads_it(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = snapshot_path(data_dir)
    assert path.exists(), "hmic-kg load saved the snapshot"

    def no_build(*_: object, **__: object) -> Snapshot:
        raise AssertionError("built although a matching snapshot was saved")

    monkeypatch.setattr("api.snapshot_build.build_snapshot", no_build)
    loaded = snapshot_of(a_runtime(data_dir))
    store = OxigraphStore(data_dir / "oxigraph", read_only=True)
    try:
        monkeypatch.undo()
        assert same_records(loaded, build_snapshot(store, Iris(GraphConfig().base_iri)))
    finally:
        store.close()


def test_a_worker_on_a_checkpoint_loads_the_stores_saved_snapshot(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker reading a read-only checkpoint elsewhere finds the snapshot by the store's data dir (the
    content, hence the key, is the same) and never writes."""
    checkpoint = tmp_path / "checkpoint"
    shutil.copytree(data_dir / "oxigraph", checkpoint / "oxigraph")
    saved = snapshot_path(data_dir).read_bytes()

    def no_build(*_: object, **__: object) -> Snapshot:
        raise AssertionError("built although a matching snapshot was saved")

    monkeypatch.setattr("api.snapshot_build.build_snapshot", no_build)
    worker = Runtime(settings(graph=GraphConfig(data_dir=checkpoint, read_only=True)), snapshot_dir=data_dir)
    assert snapshot_of(worker).forces
    assert snapshot_path(data_dir).read_bytes() == saved and not snapshot_path(checkpoint).exists()


@pytest.mark.parametrize("token", [None, "a-long-update-token"])
def test_a_serve_worker_loads_the_saved_snapshot_with_updates_on_or_off(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, token: str | None
) -> None:
    """A ``serve --workers`` process is handed its store (a checkpoint) and the data dir: it loads the
    saved snapshot, updates enabled or not (every update stamps the store, so the content key read from
    the checkpoint is true whichever worker made it: issue 13)."""
    checkpoint = tmp_path / "checkpoint"
    shutil.copytree(data_dir / "oxigraph", checkpoint / "oxigraph")
    builds: list[int] = []

    def counting_build(*args: object, **kwargs: object) -> Snapshot:
        builds.append(1)
        return build_snapshot(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("api.snapshot_build.build_snapshot", counting_build)
    store = OxigraphStore(checkpoint / "oxigraph", read_only=True)
    try:
        worker = Runtime(settings(update_token=token), store=store, snapshot_dir=data_dir)
        assert worker.snapshot(store).forces
    finally:
        store.close()
    assert not builds


def test_load_no_snapshot_writes_none(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = CliRunner().invoke(app, ["load", str(REPORTS), "--data-dir", str(data), "--no-snapshot"])
    assert result.exit_code == 0, result.output
    assert not snapshot_path(data).exists()


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _corrupt(path: Path) -> None:
    header, body = path.read_text(encoding="utf-8").split("\n", 1)
    saved = json.loads(body)
    forces = saved["tables"]["forces"]
    first = next(iter(forces))
    forces[first] = forces[first][:2]  # a record with fields missing
    path.write_text(header + "\n" + json.dumps(saved) + "\n", encoding="utf-8")


def _bad_link(path: Path) -> None:
    header, body = path.read_text(encoding="utf-8").split("\n", 1)
    saved = json.loads(body)
    saved["refs"] = saved["refs"][:1]  # links numbered past the end of the table
    path.write_text(header + "\n" + json.dumps(saved) + "\n", encoding="utf-8")


def _mismatch(path: Path) -> None:
    header, body = path.read_text(encoding="utf-8").split("\n", 1)
    path.write_text(json.dumps({**json.loads(header), "key": "0" * 64}) + "\n" + body, encoding="utf-8")


def _binary(path: Path) -> None:
    path.write_bytes(b"\xff\xfe\0")


@pytest.mark.parametrize("spoil", [_truncate, _corrupt, _bad_link, _mismatch, _binary])
def test_a_bad_file_is_rebuilt_with_one_warning(
    data_dir: Path, spoil: object, caplog: pytest.LogCaptureFixture
) -> None:
    path = snapshot_path(data_dir)
    good = path.read_bytes()
    spoil(path)  # type: ignore[operator]
    with caplog.at_level(logging.WARNING, logger="api.snapshot_store"):
        snap = snapshot_of(a_runtime(data_dir))
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "rebuilding" in warnings[0].getMessage()
    assert snap.forces and path.read_bytes() == good, "rebuilt and saved again"


def test_a_read_only_store_writes_no_file(data_dir: Path) -> None:
    path = snapshot_path(data_dir)
    path.unlink()
    snap = snapshot_of(a_runtime(data_dir, read_only=True))
    assert snap.forces and not path.exists()


def test_a_store_handed_in_writes_nothing(sample_store: OxigraphStore, tmp_path: Path) -> None:
    runtime = Runtime(settings(graph=GraphConfig(data_dir=tmp_path)), store=sample_store)
    assert runtime.snapshot(sample_store).forces
    assert list(tmp_path.iterdir()) == []


def test_saving_writes_only_its_file_in_the_data_dir(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshot_path(data_dir).unlink()
    before = {p for p in tmp_path.rglob("*") if p.is_file() and "oxigraph" not in p.parts}
    snapshot_of(a_runtime(data_dir))
    after = {p for p in tmp_path.rglob("*") if p.is_file() and "oxigraph" not in p.parts}
    assert after - before == {snapshot_path(data_dir), data_dir / LOCK_NAME}  # the lock: api.build_lock

    def failing(*_: object) -> None:
        raise OSError("disk full")

    snapshot_path(data_dir).unlink()
    monkeypatch.setattr("api.snapshot_store.os.replace", failing)
    assert snapshot_of(a_runtime(data_dir)).forces, "a failed save does not fail the request"
    assert {p for p in tmp_path.rglob("*") if p.is_file() and "oxigraph" not in p.parts} == before | {
        data_dir / LOCK_NAME
    }


def test_only_an_unsure_update_discards_the_saved_file(data_dir: Path) -> None:
    """An update's change stamps change the content key (the file stays, under a key that is no longer
    the store's); one that failed half-way on a store applying operations one by one may have changed what
    no key sees: the file is dropped at once."""
    runtime = a_runtime(data_dir)
    try:
        runtime.note_update()
        assert snapshot_path(data_dir).exists()
        runtime.note_update(unsure=True)
        assert not snapshot_path(data_dir).exists()
    finally:
        runtime.close()


@pytest.fixture(autouse=True)
def _no_warming(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The warm-up thread is not what these tests check (and would outlive the store they close)."""
    monkeypatch.setattr("api.snapshot_warm.start_warming", lambda snap: None)
    yield


def test_serve_workers_without_a_saved_snapshot_build_it_once(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression (issue 13): every ``serve --workers`` process built the read model itself, at once,
    each with one report reader per CPU (N × N processes). The first takes the data dir's build lock
    (:mod:`api.build_lock`); one arriving meanwhile waits and loads what the first saved."""
    import threading

    checkpoint = tmp_path / "checkpoint"
    shutil.copytree(data_dir / "oxigraph", checkpoint / "oxigraph")
    snapshot_path(data_dir).unlink()
    builds: list[int] = []
    second_built = threading.Event()
    results: dict[str, Snapshot] = {}
    store = OxigraphStore(checkpoint / "oxigraph", read_only=True)
    first, second = (Runtime(settings(), store=store, snapshot_dir=data_dir) for _ in range(2))

    def start_second() -> threading.Thread:
        thread = threading.Thread(target=lambda: results.update(second=second.snapshot(store)))
        thread.start()
        return thread

    def counting_build(*args: object, **kwargs: object) -> Snapshot:
        builds.append(1)
        if len(builds) == 1:  # the first build, lock held: the second worker asks now
            threads.append(start_second())
            second_built.wait(2.0)  # without the lock it would build meanwhile
        else:
            second_built.set()
        return build_snapshot(*args, **kwargs)  # type: ignore[arg-type]

    threads: list[threading.Thread] = []
    monkeypatch.setattr("api.snapshot_build.build_snapshot", counting_build)
    try:
        results["first"] = first.snapshot(store)
        for thread in threads:
            thread.join(60)
    finally:
        store.close()
    assert len(builds) == 1
    assert same_records(results["first"], results["second"])
