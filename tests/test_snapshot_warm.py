"""The warm-up of a snapshot (:mod:`api.snapshot_warm`)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from api.pages.search_page import page_index
from api.routes.search import search_index
from api.snapshot_build import build_snapshot
from api.snapshot_warm import settle_heap, start_warming
from graph.iris import Iris
from graph.store_oxigraph import OxigraphStore
from tests.conftest_api import BASE

pytest_plugins = ["tests.conftest_api"]


@pytest.fixture
def unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()


def tracked_ids() -> set[int]:
    return {id(o) for o in gc.get_objects()}


def test_a_warmed_snapshot_is_out_of_the_garbage_collectors_reach(
    sample_store: OxigraphStore, unfrozen: None
) -> None:
    """Regression: at 430 reports a warmed snapshot is 1.5 million objects and every full collection
    walked them (0.5 s with every request waiting: p99 0.5–0.9 s on cheap lookups). The warm-up freezes
    them, so collections skip them."""
    gc.unfreeze()
    snap = build_snapshot(sample_store, Iris(BASE), "g")
    assert id(snap.findings) in tracked_ids()
    start_warming(snap).join(timeout=300)
    assert snap.matcher.warmed.is_set()
    assert gc.get_freeze_count() > 0
    assert id(snap.findings) not in tracked_ids()
    assert id(search_index(snap)) not in tracked_ids()  # built by the warm-up, before the freeze


def test_the_search_page_index_and_the_systems_mentions_are_built_before_the_freeze(
    sample_store: OxigraphStore, unfrozen: None
) -> None:
    """Regression (issue 13): the search page built a Doc per finding (400,000 objects at 430 reports,
    a full collection 208 ms) and ``/systems/{id}`` its mentions table (20,000) on their first request,
    after the warm-up had frozen the heap. The warm-up builds both before freezing."""
    gc.unfreeze()
    snap = build_snapshot(sample_store, Iris(BASE), "g")
    start_warming(snap).join(timeout=300)
    assert snap.matcher.warmed.is_set()
    index = page_index(snap)
    assert len(index.records) > 300
    assert not {id(index), id(index.columns), id(index.records)} & tracked_ids()
    mentions = snap.derived(("mentioning",), dict)  # the table system_detail built in the warm-up
    assert mentions and id(mentions) not in tracked_ids()


def test_settling_again_reclaims_what_the_previous_generation_left_in_cycles(unfrozen: None) -> None:
    class Node:
        other: Node

    a, b = Node(), Node()
    a.other, b.other = b, a  # a reference cycle, as a matcher and its snapshot make
    settle_heap()
    assert id(a) not in tracked_ids()
    gone = weakref.ref(a)
    del a, b
    gc.collect()
    assert gone() is not None  # frozen: a plain collection leaves the cycle alone
    settle_heap()
    assert gone() is None
