"""A read-only store's ``serve --workers`` processes build the read model and the matching index once:
nothing may be written in its data dir, so they share a scratch dir (:class:`api.serve_workers.Supervisor`)
where the first builds and saves both under the build lock and the others load them. Without a scratch
dir (one process, tests) a read-only store builds and saves nothing, as before."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from api import matching_saved
from api.matching_saved import index_path
from api.runtime import Runtime
from api.snapshot import Snapshot
from api.snapshot_build import build_snapshot
from api.snapshot_store import TABLES, snapshot_path
from graph.config import GraphConfig
from tests.conftest_api import settings

pytest_plugins = ["tests.conftest_api"]


@pytest.fixture(autouse=True)
def _no_warming(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The warm-up thread is not what these tests check (and would outlive the store they close)."""
    monkeypatch.setattr("api.snapshot_warm.start_warming", lambda snap: None)
    yield


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What was built: ``"snapshot"`` per read-model build, ``"index"`` per matching-index build (the
    topic scheme is parsed only when the index is built)."""
    built: list[str] = []
    real_scheme = matching_saved.load_scheme

    def counting_build(*args: object, **kwargs: object) -> Snapshot:
        built.append("snapshot")
        return build_snapshot(*args, **kwargs)  # type: ignore[arg-type]

    def counting_scheme() -> object:
        built.append("index")
        return real_scheme()

    monkeypatch.setattr("api.snapshot_build.build_snapshot", counting_build)
    monkeypatch.setattr(matching_saved, "load_scheme", counting_scheme)
    return built


def files(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` with its size and modification time."""
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


def a_worker(data_dir: Path, scratch: Path | None) -> Snapshot:
    """What one ``serve --workers`` process of a read-only store gets: its read model, matching index
    loaded (or built)."""
    config = GraphConfig(data_dir=data_dir, read_only=True)
    runtime = Runtime(settings(graph=config), scratch_dir=scratch)
    try:
        snap = runtime.snapshot(runtime.store())
        assert snap.matcher.evidence.rows
        return snap
    finally:
        runtime.close()


def unsaved(data_dir: Path) -> Path:
    """``data_dir`` without its saved read model and matching index (as a store loaded with
    ``--no-snapshot``, or saved by another version)."""
    snapshot_path(data_dir).unlink()
    index_path(data_dir).unlink()
    return data_dir


def test_read_only_serve_workers_build_once_in_their_scratch_dir(
    data_dir: Path, tmp_path: Path, builds: list[str]
) -> None:
    """Regression: with the store read-only nothing was saved, so every ``serve --workers`` process
    built the read model and the matching index itself (N builds with N report readers each)."""
    unsaved(data_dir)
    scratch = tmp_path / "scratch"
    scratch.mkdir(mode=0o700)
    before = files(data_dir)
    first = a_worker(data_dir, scratch)
    assert builds == ["snapshot", "index"]
    assert snapshot_path(scratch).exists() and index_path(scratch).exists(), "saved in the scratch dir"
    second = a_worker(data_dir, scratch)
    assert builds == ["snapshot", "index"], "the second worker loaded what the first saved"
    assert all(getattr(first, name) == getattr(second, name) for name in TABLES)
    assert files(data_dir) == before, "nothing written in the data dir"


def test_read_only_workers_load_what_the_data_dir_holds(
    data_dir: Path, tmp_path: Path, builds: list[str]
) -> None:
    """A read model and matching index saved in the data dir by an earlier writable run are loaded
    first; the scratch dir stays empty."""
    scratch = tmp_path / "scratch"
    scratch.mkdir(mode=0o700)
    before = files(data_dir)
    assert a_worker(data_dir, scratch).forces
    assert builds == [] and files(scratch) == {} and files(data_dir) == before


def test_a_read_only_store_without_a_scratch_dir_builds_and_saves_nothing(
    data_dir: Path, builds: list[str]
) -> None:
    unsaved(data_dir)
    before = files(data_dir)
    a_worker(data_dir, None)
    a_worker(data_dir, None)
    assert builds == ["snapshot", "index"] * 2, "each builds: there is nowhere to share a build"
    assert files(data_dir) == before
