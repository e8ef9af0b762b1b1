"""Cross-force matching: who else solved this problem, and what do forces have in common.

Ranks practices and strengths of *other* forces for a force's areas for improvement (``/help``, the
force page), for one finding, and for a practice (``/similar``), all through :func:`rank`: a weighted sum
of the evidence of :mod:`api.matching_evidence` (area family, topic, shared systems and units with their
SKOS equivalents, BM25, embeddings), with weights tuned on the judged set (``tests/matching_tuning.py``).
Below :data:`FLOOR` nothing is offered: the answer says :data:`NO_MATCH` instead of padding the list.
Each match says why in words (:mod:`api.matching_why`) and whom to call (:mod:`api.matching_contact`).
``/shared`` (themes two forces share) keeps the TF-IDF index of :mod:`graph.similarity`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from api.matching_batch import shortlists
from api.matching_contact import Contacts
from api.matching_evidence import FEATURES, Evidence, Query, entity_keys, practice_text, weighted
from api.matching_saved import evidence_for
from api.matching_why import explain
from api.snapshot import Snapshot
from graph.similarity import SimilarityIndex

# Tuned by ``python -m tests.matching_tuning`` (pairwise logistic regression on the judged set, the mean
# of the cross-validation folds' fits), normalised to sum to 1, so a score is a weighted mean of features
# that are each 0-1.
WEIGHTS: dict[str, float] = {
    "same_area": 0.306,
    "near_area": 0.213,
    "named_area": 0.009,
    "topic": 0.147,
    "entities": 0.066,
    "bm25": 0.095,
    "embedding": 0.094,
    "practice": 0.005,
    "main_topics": 0.064,
}
FLOOR = 0.3  # below this a candidate is not offered
NO_MATCH = "no close match in the loaded reports"
SIMILAR_CACHE = 512  # practices whose similar list is kept per store generation
T = TypeVar("T")

__all__ = [
    "FLOOR",
    "NO_MATCH",
    "WEIGHTS",
    "Matcher",
    "build_matcher",
    "practice_text",
    "rank",
    "similar_page",
]


@dataclass(eq=False)
class Matcher:
    """The ranking over a snapshot: its evidence tables, contacts and a TF-IDF index for ``/shared``,
    each built on first use and kept in the snapshot's memo (so once per store generation, like the
    matcher itself: :attr:`api.snapshot.Snapshot.matcher`)."""

    cat: Snapshot
    warmed: threading.Event = field(default_factory=threading.Event, init=False, repr=False)

    @property
    def index(self) -> SimilarityIndex:
        """TF-IDF over every practice and finding, for ``/shared`` only (built on first use)."""
        return self.memo(("index",), lambda: _tfidf(self.cat))

    @property
    def evidence(self) -> Evidence:
        """The evidence tables: loaded from the saved index when the runtime recorded one that fits
        (:mod:`api.matching_saved`), else built (and then saved there)."""
        return self.memo(("evidence",), lambda: evidence_for(self.cat))

    @property
    def contacts(self) -> Contacts:
        return self.memo(("contacts",), lambda: Contacts(self.cat, self.evidence.scheme))

    def memo(self, key: tuple[Any, ...], build: Callable[[], T], bound: int | None = None) -> T:
        """``build()`` once per snapshot, so once per store generation (the snapshot's memo)."""
        return self.cat.derived(key, build, bound)


def build_matcher(cat: Snapshot, warm: bool = False) -> Matcher:
    """The matcher of a snapshot; its tables are built on first use, or with ``warm`` at once in the
    background with every force's help (:mod:`api.matching_warm`)."""
    matcher = cat.matcher
    if warm:
        from api.matching_warm import start_warming

        start_warming(matcher)
    return matcher


def _tfidf(cat: Snapshot) -> SimilarityIndex:
    keys = [p["iri"] for p in cat.practices.values()] + list(cat.findings)
    texts = [practice_text(p) for p in cat.practices.values()] + [f["text"] for f in cat.findings.values()]
    return SimilarityIndex(keys, texts)


def weight_vector(weights: dict[str, float] | None = None) -> Any:
    import numpy as np

    chosen = weights or WEIGHTS
    return np.array([chosen.get(name, 0.0) for name in FEATURES], dtype=np.float32)


@dataclass(frozen=True)
class Ranked:
    """The shortlist of one query: candidate positions best first, with their scores and features
    (indexed by candidate position: arrays over every candidate, or for a batch those listed only)."""

    query: Query
    order: tuple[int, ...]
    scores: Any
    features: Any

    def __len__(self) -> int:
        return len(self.order)


def one_blas_thread() -> Any:
    """A context in which numpy's BLAS uses one thread: the ranking's products are small, and BLAS
    threads that spin between them slowed a ranking 6-fold on a busy two-core machine (a web server
    already works on several requests at once)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


def shortlist(matcher: Matcher, query: Query, limit: int) -> Ranked:
    """Candidates of forces other than the query's, best first, at most ``limit``, none scoring under
    :data:`FLOOR`; ties broken by IRI. Cheap: no text is explained yet (see :func:`describe`)."""
    with one_blas_thread():
        return _shortlist(matcher, query, limit)


def _shortlist(matcher: Matcher, query: Query, limit: int) -> Ranked:
    import numpy as np

    ev = matcher.evidence
    if not ev.rows or limit <= 0:
        return Ranked(query, (), np.zeros(0), np.zeros((0, len(FEATURES))))
    weights = weight_vector()
    features = ev.cheap_features(query)
    # The embedding adds at most its weight: only candidates within that of the limit-th best (and of
    # the floor) without it can make the list, so only those are embedded (the same list, far cheaper).
    partial = features @ weights
    most = float(weights[FEATURES.index("embedding")])
    eligible = np.flatnonzero(ev.other_forces(query.force_id) & (partial + most >= FLOOR - 1e-4))
    if eligible.size > limit:
        bar = np.partition(partial[eligible], eligible.size - limit)[eligible.size - limit]
        eligible = eligible[partial[eligible] >= bar - most - 1e-4]
    ev.add_embedding(query, features, eligible)
    scores = np.zeros(len(ev.rows), dtype=np.float32)  # only the eligible can be listed or described
    scores[eligible] = weighted(features[eligible], weights)
    pick = eligible[scores[eligible] >= FLOOR]
    if pick.size > limit:
        cut = np.partition(scores[pick], pick.size - limit)[pick.size - limit]
        pick = pick[scores[pick] >= cut]
    order = sorted(pick.tolist(), key=lambda i: (-scores[i], ev.rows[i]["iri"]))[:limit]
    return Ranked(query, tuple(order), scores, features)


def shortlist_many(matcher: Matcher, queries: list[Query], limit: int) -> list[Ranked]:
    """:func:`shortlist` of every query, computed together (:mod:`api.matching_batch`): the same lists."""
    with one_blas_thread():
        found = shortlists(matcher.evidence, queries, limit, weight_vector(), FLOOR)
    return [
        Ranked(q, order, scores, features)
        for q, (order, scores, features) in zip(queries, found, strict=True)
    ]


def describe(
    matcher: Matcher, ranked: Ranked, start: int = 0, stop: int | None = None
) -> list[dict[str, Any]]:
    """Matches ``start:stop`` of a shortlist as answers: the candidate, whom to call, score and why."""
    ev, query = matcher.evidence, ranked.query
    chosen = ranked.order[start:stop]
    if not chosen:
        return []
    side = ev.text_side(query.text)
    topics, q_tokens = side.topics, side.words()
    q_entities = {
        k: v for k, v in entity_keys(matcher.cat, ev.scheme, query.subject).items() if k in ev.entity_idf
    }
    weights = weight_vector()
    out = []
    for i in chosen:
        row = ev.rows[i]
        units = {key for kind, key in ev.entities[i] if kind == "unit"}
        why = explain(ev, query.text, q_tokens, topics, q_entities, i, ranked.features[i], weights)
        out.append(
            {
                **{k: row[k] for k in ("kind", "id", "iri", "title", "text", "force", "area")},
                "lead": matcher.contacts.whom_to_call(row, units),
                "score": round(float(ranked.scores[i]), 4),
                "why": why,
            }
        )
    return out


def rank(
    matcher: Matcher, subject: str, text: str, area_id: str | None, exclude_force: str | None, limit: int
) -> list[dict[str, Any]]:
    """Practices and strengths of forces other than ``exclude_force`` for the finding or practice
    ``subject`` (its ``text`` and area), best first, at most ``limit``, explained (see :func:`shortlist`)."""
    return describe(matcher, shortlist(matcher, Query(subject, text, area_id, exclude_force), limit))


def finding_query(finding: dict[str, Any]) -> Query:
    area_id = (finding["area"] or {}).get("id")
    force_id = (finding["force"] or {}).get("id")
    return Query(finding["iri"], finding["text"], area_id, force_id)


def finding_help(matcher: Matcher, finding: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    """Practices and strengths of other forces for one finding of the snapshot, ranked."""
    return describe(matcher, shortlist(matcher, finding_query(finding), limit))


def help_for(matcher: Matcher, force_id: str, per_finding: int) -> list[dict[str, Any]]:
    """For each area for improvement of ``force_id``: ranked help from other forces (or :data:`NO_MATCH`),
    each match listing the force's other AFIs it also helps."""
    findings = [
        f
        for f in matcher.cat.findings.values()
        if f["kind"] == "area_for_improvement" and (f["force"] or {}).get("id") == force_id
    ]
    out = []
    ranked = shortlist_many(matcher, [finding_query(f) for f in findings], per_finding)
    for finding, shortlisted in zip(findings, ranked, strict=True):
        matches = describe(matcher, shortlisted)
        out.append(
            {
                "finding": {"iri": finding["iri"], "text": finding["text"], "area": finding["area"]},
                "matches": matches,
                "no_match": None if matches else NO_MATCH,
            }
        )
    helps: dict[str, list[str]] = {}
    for entry in out:
        for match in entry["matches"]:
            helps.setdefault(match["iri"], []).append(entry["finding"]["iri"])
    for entry in out:
        for match in entry["matches"]:
            match["also_helps"] = [f for f in helps[match["iri"]] if f != entry["finding"]["iri"]]
    return out


def help_by_item(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same help once per item: each practice or strength with every AFI it helps (its score and why
    for each), items helping more AFIs first, then by best score."""
    items: dict[str, dict[str, Any]] = {}
    for entry in entries:
        for match in entry["matches"]:
            item = items.setdefault(
                match["iri"],
                {**{k: v for k, v in match.items() if k not in ("score", "why", "also_helps")}, "helps": []},
            )
            item["helps"].append({"finding": entry["finding"], "score": match["score"], "why": match["why"]})
    for item in items.values():
        item["best_score"] = max(h["score"] for h in item["helps"])
    return sorted(items.values(), key=lambda i: (-len(i["helps"]), -i["best_score"], i["iri"]))


def cached_help(matcher: Matcher, force_id: str, per_finding: int) -> list[dict[str, Any]]:
    """:func:`help_for`, computed once per store generation for ``/forces/{id}/help`` and the force page
    (kept in the snapshot's memo)."""
    return matcher.memo(("help", force_id, per_finding), lambda: help_for(matcher, force_id, per_finding))


def practice_query(practice: dict[str, Any]) -> Query:
    return Query(
        practice["iri"],
        practice_text(practice),
        (practice["area"] or {}).get("id"),
        (practice["force"] or {}).get("id"),
    )


def similar_to(matcher: Matcher, practice: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    return describe(matcher, shortlist(matcher, practice_query(practice), limit))


def similar_page(
    matcher: Matcher, practice: dict[str, Any], limit: int, offset: int, most: int = 200
) -> dict[str, Any]:
    """One page of :func:`similar_to` (at most ``most`` matches in all): the shortlist is kept on the
    matcher for the last :data:`SIMILAR_CACHE` practices, and only the page's matches are explained."""
    ranked = matcher.memo(
        ("similar", practice["id"], most),
        lambda: shortlist(matcher, practice_query(practice), most),
        SIMILAR_CACHE,
    )
    items = describe(matcher, ranked, offset, offset + limit)
    return {"total": len(ranked), "limit": limit, "offset": offset, "items": items}


def shared(matcher: Matcher) -> dict[str, Any]:
    """IT systems, unit types and practice themes that two or more forces have in common."""
    cat = matcher.cat
    systems = [s for s in cat.systems.values() if len(s["forces"]) >= 2]
    unit_types = [u for u in cat.unit_types.values() if len(u["forces"]) >= 2]
    practices = list(cat.practices.values())
    texts = [" ".join(filter(None, (p["title"], p["problem"]))) for p in practices]
    groups = [(p["force"] or {}).get("id") or "" for p in practices]
    themes = []
    for theme in matcher.index.themes(texts, groups):
        members = [practices[i] for i in theme.members]
        forces = {m["force"]["id"]: m["force"] for m in members if m["force"]}
        themes.append(
            {
                "label": ", ".join(theme.terms),
                "terms": list(theme.terms),
                "cohesion": round(theme.cohesion, 4),
                "forces": list(forces.values()),
                "practices": [
                    {
                        "id": m["id"],
                        "iri": m["iri"],
                        "title": m["title"],
                        "force": m["force"],
                        "contact": m["contact"],
                    }
                    for m in members
                ],
            }
        )
    return {"systems": systems, "unit_types": unit_types, "themes": themes}
