"""A force's help computed in one batch (:mod:`api.matching_batch`) is the help computed one area for
improvement at a time: the same candidates, in the same order, with the same scores and features."""

from __future__ import annotations

import numpy as np
import pytest

from api.matching import build_matcher, finding_query, shortlist, shortlist_many
from api.snapshot_build import build_snapshot
from graph.iris import Iris
from graph.store_oxigraph import OxigraphStore

pytest_plugins = ["tests.conftest_api"]
BASE = "http://127.0.0.1:8000/id/"


def test_batch_scores_are_the_per_afi_scores_on_the_samples(sample_store: OxigraphStore) -> None:
    matcher = build_matcher(build_snapshot(sample_store, Iris(BASE)))
    afis = [f for f in matcher.cat.findings.values() if f["kind"] == "area_for_improvement"]
    assert len({f["force"]["id"] for f in afis}) == 2
    for limit in (1, 5, 50):
        for force in {f["force"]["id"] for f in afis}:
            queries = [finding_query(f) for f in afis if f["force"]["id"] == force]
            batch = shortlist_many(matcher, queries, limit)
            listed = 0
            for query, together in zip(queries, batch, strict=True):
                alone = shortlist(matcher, query, limit)
                assert together.order == alone.order, query.subject
                for i in alone.order:
                    assert together.scores[i] == float(alone.scores[i]), (query.subject, i)
                    assert np.array_equal(together.features[i], alone.features[i]), (query.subject, i)
                listed += len(alone.order)
            assert listed, force


def test_batch_of_nothing_is_nothing(sample_store: OxigraphStore) -> None:
    matcher = build_matcher(build_snapshot(sample_store, Iris(BASE)))
    assert shortlist_many(matcher, [], 5) == []
    query = finding_query(next(iter(matcher.cat.findings.values())))
    assert [r.order for r in shortlist_many(matcher, [query], 0)] == [()]


def test_every_forces_help_is_built_in_the_background(sample_store: OxigraphStore) -> None:
    """With ``warm`` the matcher builds each force's help in a background thread: afterwards a request
    finds it in the memo (no build), and it equals what a request would have built."""
    from api.matching import cached_help, help_for
    from api.matching_warm import WARM_PER_FINDING

    matcher = build_matcher(build_snapshot(sample_store, Iris(BASE)), warm=True)
    assert matcher.warmed.wait(120)
    for force in ("nottinghamshire", "northamptonshire"):
        built = matcher.memo(("help", force, WARM_PER_FINDING), lambda: pytest.fail("built on request"))
        assert built and built == help_for(matcher, force, WARM_PER_FINDING)
        assert cached_help(matcher, force, WARM_PER_FINDING) is built


def test_warm_up_stops_when_the_matcher_is_dropped(sample_store: OxigraphStore) -> None:
    import gc

    matcher = build_matcher(build_snapshot(sample_store, Iris(BASE)), warm=True)
    done = matcher.warmed
    del matcher
    gc.collect()
    assert done.wait(120)
