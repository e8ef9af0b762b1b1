"""The saved matching index (:mod:`api.matching_saved`): ``hmic-kg load`` saves it, a start loads it
instead of building the evidence tables (and without parsing the topic scheme), the rankings are
identical, a bad or mismatched file is rebuilt with one warning, and a read-only store writes nothing."""

from __future__ import annotations

import dataclasses
import io
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from api import matching
from api.matching_saved import LazyStems, index_key, index_path, load_evidence, save_evidence
from api.memo import Memo
from api.runtime import Runtime
from api.snapshot import Snapshot, plain
from graph.config import GraphConfig
from graph.lexical import both_stems
from tests.conftest_api import settings

pytest_plugins = ["tests.conftest_api"]


@pytest.fixture(autouse=True)
def _no_warming(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr("api.snapshot_warm.start_warming", lambda snap: None)
    yield


def snapshot_of(data_dir: Path, **graph: object) -> Snapshot:
    runtime = Runtime(settings(graph=GraphConfig(data_dir=data_dir, **graph)))  # type: ignore[arg-type]
    try:
        return runtime.snapshot(runtime.store())
    finally:
        runtime.close()


def answers(snap: Snapshot) -> list[object]:
    """Every force's help and the similar list of every practice, as JSON-ready values."""
    m = snap.matcher
    helps = [plain(matching.help_for(m, force_id, 5)) for force_id in sorted(snap.forces)]
    similar = [plain(matching.similar_page(m, p, 20, 0)) for p in snap.practices.values()]
    return [helps, similar]


def test_load_saves_the_index_and_a_start_ranks_the_same_from_it(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert index_path(data_dir).exists(), "hmic-kg load saved the matching index"
    built = snapshot_of(data_dir)
    fresh = dataclasses.replace(built, memo=Memo())  # the same records, no saved index: built

    def no_parse(*_: object) -> None:
        raise AssertionError("the topic scheme was parsed although the index was saved")

    monkeypatch.setattr("api.matching_saved.load_scheme", no_parse)
    loaded = built.matcher.evidence
    assert isinstance(loaded.stems, LazyStems)
    monkeypatch.undo()
    reference = fresh.matcher.evidence
    assert not isinstance(reference.stems, LazyStems)
    assert [loaded.stems[i] for i in range(len(loaded.rows))] == reference.stems
    assert list(loaded.entities) == reference.entities
    assert answers(built) == answers(fresh)
    query = both_stems("risk assessment of missing persons by the public protection unit")[0]
    assert np.array_equal(loaded.bm25.scores(query), reference.bm25.scores(query))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _binary(path: Path) -> None:
    path.write_bytes(b"\xff\xfe\0")


def _pickled(path: Path) -> None:
    """An archive holding a pickled object array: never unpickled (``allow_pickle=False``)."""
    out = io.BytesIO()
    np.savez(out, meta=np.array([{"key": "x"}], dtype=object))
    path.write_bytes(out.getvalue())


def _other_key(path: Path) -> None:
    fresh = dataclasses.replace(snapshot_of(path.parent), memo=Memo())
    save_evidence(fresh.matcher.evidence, index_key("0" * 64), path.parent)


@pytest.mark.parametrize("spoil", [_truncate, _binary, _pickled, _other_key])
def test_a_bad_or_mismatched_index_is_rebuilt_with_one_warning(
    data_dir: Path, spoil: object, caplog: pytest.LogCaptureFixture
) -> None:
    path = index_path(data_dir)
    good = path.read_bytes()
    spoil(path)  # type: ignore[operator]
    snap = snapshot_of(data_dir)
    with caplog.at_level(logging.WARNING, logger="api.matching_saved"):
        ev = snap.matcher.evidence
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "rebuilding" in warnings[0].getMessage()
    assert ev.rows and not isinstance(ev.stems, LazyStems)
    assert path.read_bytes() == good, "rebuilt and saved again"
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="api.matching_saved"):
        assert isinstance(snapshot_of(data_dir).matcher.evidence.stems, LazyStems), "saved again"
    assert not caplog.records


def test_a_read_only_store_writes_no_index(data_dir: Path) -> None:
    path = index_path(data_dir)
    path.unlink()
    assert snapshot_of(data_dir, read_only=True).matcher.evidence.rows
    assert not path.exists()


def test_only_an_unsure_update_discards_the_saved_index(data_dir: Path) -> None:
    """An update's change stamps change the key the index is saved under (issue 13); one that may have
    half-applied drops it."""
    runtime = Runtime(settings(graph=GraphConfig(data_dir=data_dir)))
    try:
        runtime.note_update()
        assert index_path(data_dir).exists()
        runtime.note_update(unsure=True)
        assert not index_path(data_dir).exists()
    finally:
        runtime.close()


def test_stop_words_are_sklearns_without_importing_sklearn() -> None:
    """Regression: the first ``/help`` after a start spent about a second importing scikit-learn for its
    stop-word list alone (the saved index no longer imports it while building)."""
    code = (
        "import sys; from graph.lexical import stop_words; words = stop_words();"
        "assert 'sklearn' not in sys.modules, 'sklearn imported';"
        "from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS as s; assert words == frozenset(s)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_serve_workers_without_a_saved_index_build_it_once(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression (issue 13): each ``serve --workers`` process built the matching index itself. The
    first takes the data dir's index lock; one arriving meanwhile waits and loads what it saved."""
    import threading

    from api import matching_saved

    snap = snapshot_of(data_dir)
    place = snap.derived(("index_place",), lambda: None)
    assert place is not None and place.save_dir == data_dir
    index_path(data_dir).unlink()
    builds: list[int] = []
    second_built = threading.Event()
    threads: list[threading.Thread] = []
    found: dict[str, object] = {}
    real_scheme = matching_saved.load_scheme

    def counting_scheme() -> object:  # read only when the index is built
        builds.append(1)
        if len(builds) == 1:  # the first build, lock held: the second worker asks now
            threads.append(threading.Thread(target=lambda: found.update(second=load_evidence(snap, place))))
            threads[0].start()
            second_built.wait(2.0)  # without the lock it would build meanwhile
        else:
            second_built.set()
        return real_scheme()

    monkeypatch.setattr(matching_saved, "load_scheme", counting_scheme)
    found["first"] = load_evidence(snap, place)
    threads[0].join(60)
    assert len(builds) == 1
    first, second = found["first"], found["second"]
    assert np.array_equal(first.entities, second.entities)  # type: ignore[attr-defined]
