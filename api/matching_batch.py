"""Help for all the areas for improvement of a force at once: the same shortlists as
:func:`api.matching.shortlist` gives one query at a time, for a fraction of the cost.

Per query the one-at-a-time ranking fills a column per feature over every candidate (49,000 at 430 reports)
and multiplies them by the weights. Here the queries' topic profiles meet every candidate in one matrix
product, and each query's score without its embedding is summed straight into one column (area terms
kept per area); only the candidates that could still make the list (the pruning of
:func:`api.matching.shortlist`, with a little slack, so never fewer) get every feature computed
exactly as one-at-a-time, their embedding, and the final score. The lists are therefore the same:
``tests/test_matching_batch.py`` compares them on the samples.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from api.matching_evidence import FEATURES, Evidence, Query, weighted

SLACK = 1e-3  # summing in another order moves a float32 score by ~1e-7: prune a little less, never more

__all__ = ["shortlists"]


def _area_base(ev: Evidence, area_id: str | None, w: dict[str, float]) -> Any:
    """Same area, nearby area and "is a practice" terms of the score, per candidate (kept per area)."""
    key = (area_id, tuple(sorted(w.items())))
    hit = ev._area_base.get(key)
    if hit is None:
        same, near, _ = ev._area_columns(area_id)
        hit = w["same_area"] * same + w["near_area"] * near + w["practice"] * ev.is_practice
        ev._area_base[key] = hit.astype("float32")
    return hit


def shortlists(
    ev: Evidence, queries: Sequence[Query], limit: int, weights: Any, floor: float
) -> list[tuple[tuple[int, ...], dict[int, float], dict[int, Any]]]:
    """For each query: candidate positions best first (at most ``limit``, none under ``floor``, ties by
    IRI), with the scores and feature rows of those listed."""
    import numpy as np

    n = len(ev.rows)
    if not queries or not n or limit <= 0:
        return [((), {}, {}) for _ in queries]
    w = {name: float(weights[j]) for j, name in enumerate(FEATURES)}
    most = w["embedding"]
    sides = [ev.text_side(q.text) for q in queries]
    profiles = np.stack([s.topic_vector for s in sides]).astype(np.float32)
    partial = (profiles @ ev.topics.T) * np.float32(w["topic"])  # queries x candidates: rows contiguous
    out = []
    for j, (query, side) in enumerate(zip(queries, sides, strict=True)):
        column = partial[j]
        column += _area_base(ev, query.area_id, w)
        same, _, names_it = ev._area_columns(query.area_id)
        named = ev._in_areas(side.named_areas) | names_it if side.named_areas else names_it
        named = named & ~same
        column += np.float32(w["named_area"]) * named
        entity = ev.entity_column(query.subject)
        main = ev.main_topic_column(side)
        column += np.float32(w["main_topics"]) * main
        column += np.float32(w["entities"]) * entity
        lexical = ev.bm25_column(side, query.force_id)  # relative to the best that can be offered
        column += np.float32(w["bm25"]) * lexical
        eligible = np.flatnonzero(ev.other_forces(query.force_id) & (column + most >= floor - SLACK))
        if eligible.size > limit:
            bar = np.partition(column[eligible], eligible.size - limit)[eligible.size - limit]
            eligible = eligible[column[eligible] >= bar - most - SLACK]
        if not eligible.size:
            out.append(((), {}, {}))
            continue
        rows = np.zeros((eligible.size, len(FEATURES)), dtype=np.float32)  # as one-at-a-time, exactly
        rows[:, 0] = same[eligible]
        rows[:, 1] = ev._area_columns(query.area_id)[1][eligible]
        rows[:, 2] = named[eligible]
        if side.topics:
            rows[:, 3] = (ev.topics @ side.topic_vector)[eligible]
        rows[:, 4] = entity[eligible]
        rows[:, 5] = lexical[eligible]
        q_vecs = side.vectors() if ev.vectors is not None and len(ev.vectors) else None
        if q_vecs is not None:
            rows[:, 6] = ev.embedding_of(q_vecs, eligible, side.sentence_weights())
        rows[:, 7] = ev.is_practice[eligible]
        rows[:, 8] = main[eligible]
        scores = weighted(rows, weights)
        keep = np.flatnonzero(scores >= floor)
        if keep.size > limit:  # ties with the limit-th best kept: the IRI decides among them
            cut = np.partition(scores[keep], keep.size - limit)[keep.size - limit]
            keep = keep[scores[keep] >= cut]
        order = sorted(keep.tolist(), key=lambda k: (-scores[k], ev.rows[eligible[k]]["iri"]))[:limit]
        out.append(
            (
                tuple(int(eligible[k]) for k in order),
                {int(eligible[k]): float(scores[k]) for k in order},
                {int(eligible[k]): rows[k] for k in order},
            )
        )
    return out
