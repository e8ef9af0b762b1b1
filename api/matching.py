"""Cross-force matching: who else solved this problem, and what do forces have in common.

Ranks practices and strengths of *other* forces for a force's areas for improvement (``/help``), for a
practice (``/similar``), and finds the themes two or more forces share (``/shared``). Every match says
why it was made: same area, shared IT systems or unit types, and the TF-IDF text similarity.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from api.catalogue import Catalogue, last_segment
from api.memo import Memo
from graph.similarity import SimilarityIndex

if TYPE_CHECKING:
    from api.runtime import Runtime
    from graph.store import Store

AREA_WEIGHT = 0.25  # same inspection area
RELATED_AREA_WEIGHT = 0.1  # areas under the same broader area
ENTITY_WEIGHT = 0.1  # per shared IT system or unit type
MIN_SCORE = 0.08
HELP_BATCH = 64  # findings scored per sparse product in help_for
SIMILAR_CACHE = 512  # practices whose similar list is kept per store generation
ROUNDING_SLACK = 1e-4  # rounding the similarity, then the score, to 4 places moves it at most this much
T = TypeVar("T")


@dataclass
class Matcher:
    """The catalogue plus a similarity index over every practice and finding, and the candidate tables
    and memos of :func:`rank` (all built once per store generation, like the matcher itself)."""

    cat: Catalogue
    index: SimilarityIndex
    _memo: Memo = field(default_factory=Memo, init=False, repr=False)

    @property
    def tables(self) -> _Candidates:
        """The candidate tables of :func:`rank` (built on first use)."""
        return self._memo.get(("tables",), lambda: _Candidates(self.cat, self.index))

    def memo(self, key: tuple[Any, ...], build: Callable[[], T], bound: int | None = None) -> T:
        """``build()`` once per matcher, so once per store generation (see :class:`api.memo.Memo`)."""
        return self._memo.get(key, build, bound)


def practice_text(practice: dict[str, Any]) -> str:
    return " ".join(
        filter(None, (practice["title"], practice["problem"], practice["solution"], practice["outcomes"]))
    )


def build_matcher(cat: Catalogue) -> Matcher:
    keys = [p["iri"] for p in cat.practices.values()] + list(cat.findings)
    texts = [practice_text(p) for p in cat.practices.values()] + [f["text"] for f in cat.findings.values()]
    return Matcher(cat, SimilarityIndex(keys, texts))


def _entities(cat: Catalogue, subject: str) -> tuple[dict[str, str], dict[str, str]]:
    """IT systems and unit types a finding/practice mentions: id -> label."""
    systems: dict[str, str] = {}
    units: dict[str, str] = {}
    for entity in cat.mentions.get(subject, ()):
        try:
            kind, parts = cat.iris.parse(entity)
        except ValueError:
            continue
        if kind == "system":
            systems[parts[0]] = cat.systems.get(parts[0], {}).get("label", parts[0])
        elif kind in ("unit", "unit-type"):
            units[parts[-1]] = cat.unit_types.get(parts[-1], {}).get("label", parts[-1])
    return systems, units


def _broader(cat: Catalogue, area_id: str | None) -> str | None:
    return cat.areas.get(area_id or "", {}).get("broader")


def _related_areas(cat: Catalogue, area_id: str | None) -> list[str]:
    """The area itself, then its broader area, then its siblings and narrower areas."""
    if not area_id:
        return []
    broader = _broader(cat, area_id)
    family = [a for a, v in cat.areas.items() if a != area_id and broader and v.get("broader") == broader]
    narrower = [a for a, v in cat.areas.items() if v.get("broader") == area_id]
    return [area_id, *([broader] if broader else []), *family, *narrower]


class _Candidates:
    """Every practice and strength as arrays (one position per candidate, practices first, each in
    catalogue order: the order of the original per-candidate loop), with an inverted index from IT
    system / unit type to candidates and the area leads indexed by (force, subject)."""

    def __init__(self, cat: Catalogue, index: SimilarityIndex) -> None:
        import numpy as np

        self.cat = cat
        self.index = index
        rows: list[dict[str, Any]] = []
        contacts: list[dict | None] = []
        for p in cat.practices.values():
            rows.append(
                {
                    "kind": "practice",
                    "id": p["id"],
                    "iri": p["iri"],
                    "title": p["title"],
                    "text": p["problem"] or "",
                    "force": p["force"],
                    "area": p["area"],
                }
            )
            contacts.append(p["contact"])
        for f in cat.findings.values():
            if f["kind"] == "strength":
                rows.append(
                    {
                        "kind": "strength",
                        "id": None,
                        "iri": f["iri"],
                        "title": f["text"][:120],
                        "text": f["text"],
                        "force": f["force"],
                        "area": f["area"],
                    }
                )
                contacts.append(None)
        self.rows = rows
        self.contacts = contacts
        self.force_ids = [(r["force"] or {}).get("id") for r in rows]
        self.area_ids = [(r["area"] or {}).get("id") for r in rows]
        self.force_codes: dict[str | None, int] = {}
        self.area_codes: dict[str, int] = {}
        self.broader_codes: dict[str, int] = {}
        self.force = np.array([self.force_codes.setdefault(f, len(self.force_codes)) for f in self.force_ids])
        self.area = np.array(
            [-1 if a is None else self.area_codes.setdefault(a, len(self.area_codes)) for a in self.area_ids]
        )
        broaders = [_broader(cat, a) for a in self.area_ids]
        self.broader = np.array(
            [-1 if b is None else self.broader_codes.setdefault(b, len(self.broader_codes)) for b in broaders]
        )
        normalized = index.normalized_rows([r["iri"] for r in rows])
        # candidates as columns: query_vectors(texts) @ columns = unrounded similarity with each candidate
        self.columns = None if normalized is None else normalized.T.tocsr()
        order = sorted(range(len(rows)), key=lambda i: rows[i]["iri"])  # stable: ties keep list order
        self.iri_rank = np.empty(len(rows), dtype=np.intp)
        self.iri_rank[order] = np.arange(len(rows))
        self.entities = [_entities(cat, r["iri"]) for r in rows]
        postings: dict[tuple[str, str], list[int]] = {}
        for i, (systems, units) in enumerate(self.entities):
            for key in systems:
                postings.setdefault(("system", key), []).append(i)
            for key in units:
                postings.setdefault(("unit", key), []).append(i)
        self.postings = {k: np.array(v, dtype=np.intp) for k, v in postings.items()}
        self.leads_by_subject: dict[tuple[str | None, Any], int] = {}
        self.leads_by_text: dict[tuple[str | None, Any], int] = {}
        for n, lead in enumerate(cat.leads):
            self.leads_by_subject.setdefault((lead["force"], lead["subject"]), n)
            self.leads_by_text.setdefault((lead["force"], lead["subject_text"]), n)
        self.contact_by_area: dict[tuple[str | None, str | None], dict] = {}
        for practice in cat.practices.values():
            if practice["contact"]:
                key = ((practice["force"] or {}).get("id"), (practice["area"] or {}).get("id"))
                self.contact_by_area.setdefault(key, practice["contact"])
        self._leads: dict[tuple[str | None, str | None], dict | None] = {}
        self._area_bonus: dict[str | None, tuple[Any, Any, Any]] = {}
        self._other_forces: dict[str | None, Any] = {}

    def area_bonus(self, area_id: str | None) -> tuple[Any, Any, Any]:
        """Per candidate: same area as ``area_id``, under the same broader area (and not the same), and
        the bonus of both (memoised per area)."""
        import numpy as np

        if area_id not in self._area_bonus:
            n = len(self.rows)
            same = (
                self.area == self.area_codes.get(area_id, -2)
                if area_id is not None
                else np.zeros(n, dtype=bool)
            )
            broader = _broader(self.cat, area_id)
            related = (
                ~same & (self.broader == self.broader_codes.get(broader, -2))
                if broader is not None
                else np.zeros(n, dtype=bool)
            )
            self._area_bonus[area_id] = (same, related, AREA_WEIGHT * same + RELATED_AREA_WEIGHT * related)
        return self._area_bonus[area_id]

    def other_forces(self, force_id: str | None) -> Any:
        """Per candidate: of a force other than ``force_id`` (memoised per force)."""
        if force_id not in self._other_forces:
            self._other_forces[force_id] = self.force != self.force_codes.get(force_id, -2)
        return self._other_forces[force_id]

    def similarities(self, texts: list[str]) -> Any:
        """Unrounded TF-IDF cosine similarity of each text (rows) with each candidate (columns)."""
        import numpy as np

        if self.columns is None or not texts:
            return np.zeros((len(texts), len(self.rows)))
        return np.asarray((self.index.query_vectors(texts) @ self.columns).toarray())

    def area_lead(self, force_id: str | None, area_id: str) -> dict | None:
        """The first lead of the force whose subject is the area (by IRI, or by id as printed)."""
        area_iri = self.cat.areas.get(area_id, {}).get("iri")
        found = [
            n
            for n in (
                self.leads_by_subject.get((force_id, area_iri)),
                self.leads_by_text.get((force_id, area_id)),
            )
            if n is not None
        ]
        if not found:
            return None
        lead = self.cat.leads[min(found)]
        person = self.cat.people.get(last_segment(lead["leader"]), {})
        return {
            "name": lead["name"],
            "rank": person.get("rank"),
            "role": lead["subject_text"],
            "phone": None,
            "email": None,
            "person": lead["leader"],
        }

    def lead(self, force_id: str | None, area_id: str | None) -> dict | None:
        """Who to call when a match has no practice contact: who leads that area (or the nearest related
        area) in that force, else the contact of a practice of that force in that (or a related) area;
        memoised per (force, area)."""
        key = (force_id, area_id)
        if key not in self._leads:
            areas = _related_areas(self.cat, area_id)
            lead = next((x for x in (self.area_lead(force_id, a) for a in areas) if x), None)
            if lead is None:
                lead = next(
                    (
                        self.contact_by_area[(force_id, a)]
                        for a in areas
                        if (force_id, a) in self.contact_by_area
                    ),
                    None,
                )
            self._leads[key] = lead
        return self._leads[key]


def _round4(values: Any) -> Any:
    """``round(float(v), 4)`` of every value, vectorised: numpy's multiply-rint-divide gives Python's
    correctly rounded result except when ``v * 1e4`` is within rounding error of a half, so those few
    values are rounded by Python."""
    import numpy as np

    scaled = values * 1e4
    out = np.rint(scaled) / 1e4
    for i in np.flatnonzero(np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6):
        out[i] = round(float(values[i]), 4)
    return out


def _rank_scored(
    matcher: Matcher, subject: str, sims: Any, area_id: str | None, exclude_force: str | None, limit: int
) -> list[dict[str, Any]]:
    """:func:`rank` given the unrounded similarity of the subject's text with every candidate."""
    import numpy as np

    cat, t = matcher.cat, matcher.tables
    n = len(t.rows)
    if n == 0 or limit <= 0:
        return []
    systems, units = _entities(cat, subject)
    same, related, bonus = t.area_bonus(area_id)
    shared_count = np.zeros(n)
    for key in systems:
        shared_count[t.postings.get(("system", key), [])] += 1
    for key in units:
        shared_count[t.postings.get(("unit", key), [])] += 1
    # The exact score adds the similarity rounded to 4 places and is itself rounded for ordering, so it
    # is within ROUNDING_SLACK of this estimate: pick the few candidates that can make the cut with the
    # estimate, then score only those exactly.
    estimate = sims + bonus
    if systems or units:
        estimate += ENTITY_WEIGHT * shared_count
    pick = np.flatnonzero(t.other_forces(exclude_force) & (estimate >= MIN_SCORE - ROUNDING_SLACK))
    if pick.size > limit:
        cut = np.partition(estimate[pick], pick.size - limit)[pick.size - limit]
        pick = pick[estimate[pick] >= cut - 3 * ROUNDING_SLACK]
    sim = _round4(sims[pick])
    score = sim + AREA_WEIGHT * same[pick] + RELATED_AREA_WEIGHT * related[pick]
    score = score + ENTITY_WEIGHT * shared_count[pick]  # the same operations, in the same order, as before
    kept = score >= MIN_SCORE
    pick, sim, score = pick[kept], sim[kept], score[kept]
    rounded = _round4(score)
    order = np.lexsort((t.iri_rank[pick], -rounded))[:limit]
    ranked = []
    for j in order.tolist():
        i = int(pick[j])
        c_systems, c_units = t.entities[i]
        contact = t.contacts[i]
        ranked.append(
            {
                **t.rows[i],
                "lead": contact if contact else t.lead(t.force_ids[i], t.area_ids[i]),
                "score": float(rounded[j]),
                "why": {
                    "same_area": bool(same[i]),
                    "related_area": bool(related[i]),
                    "shared_systems": sorted(systems[k] for k in systems.keys() & c_systems.keys()),
                    "shared_units": sorted(units[k] for k in units.keys() & c_units.keys()),
                    "text_similarity": float(sim[j]),
                },
            }
        )
    return ranked


def rank(
    matcher: Matcher, subject: str, text: str, area_id: str | None, exclude_force: str | None, limit: int
) -> list[dict[str, Any]]:
    """Candidates of other forces ranked for one finding or practice (IRI ``subject``).

    Every practice and strength of a force other than ``exclude_force`` scores its TF-IDF similarity
    with ``text`` (rounded to 4 places), plus :data:`AREA_WEIGHT` in the same area or
    :data:`RELATED_AREA_WEIGHT` under the same broader area, plus :data:`ENTITY_WEIGHT` per IT system or
    unit type both mention; those scoring at least :data:`MIN_SCORE` are ordered by score (rounded to 4
    places, highest first), then IRI. All candidates are scored at once with numpy; only the best
    ``limit`` become dicts."""
    return _rank_scored(
        matcher, subject, matcher.tables.similarities([text])[0], area_id, exclude_force, limit
    )


def finding_help(matcher: Matcher, finding: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    """Practices and strengths of other forces for one finding of the catalogue, ranked."""
    area_id = (finding["area"] or {}).get("id")
    force_id = (finding["force"] or {}).get("id")
    return rank(matcher, finding["iri"], finding["text"], area_id, force_id, limit)


def help_for(matcher: Matcher, force_id: str, per_finding: int) -> list[dict[str, Any]]:
    """For each area for improvement of ``force_id``: ranked help from other forces."""
    findings = [
        finding
        for finding in matcher.cat.findings.values()
        if finding["kind"] == "area_for_improvement" and (finding["force"] or {}).get("id") == force_id
    ]
    out = []
    for start in range(0, len(findings), HELP_BATCH):  # one sparse product per batch of findings
        batch = findings[start : start + HELP_BATCH]
        sims = matcher.tables.similarities([f["text"] for f in batch])
        for finding, row in zip(batch, sims, strict=True):
            area_id = (finding["area"] or {}).get("id")
            out.append(
                {
                    "finding": {"iri": finding["iri"], "text": finding["text"], "area": finding["area"]},
                    "matches": _rank_scored(matcher, finding["iri"], row, area_id, force_id, per_finding),
                }
            )
    return out


def cached_help(
    runtime: Runtime, store: Store, matcher: Matcher, force_id: str, per_finding: int
) -> list[dict[str, Any]]:
    """:func:`help_for`, computed once per store generation for ``/forces/{id}/help`` and the force page
    (kept on the matcher, which is itself rebuilt per generation; ``runtime`` and ``store`` are unused
    and kept for the callers)."""
    del runtime, store
    return matcher.memo(("help", force_id, per_finding), lambda: help_for(matcher, force_id, per_finding))


def similar_to(matcher: Matcher, practice: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    force_id = (practice["force"] or {}).get("id")
    area_id = (practice["area"] or {}).get("id")
    return rank(matcher, practice["iri"], practice_text(practice), area_id, force_id, limit)


def cached_similar(matcher: Matcher, practice: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    """:func:`similar_to`, kept on the matcher (so per store generation) for the last
    :data:`SIMILAR_CACHE` practices asked about."""
    return matcher.memo(
        ("similar", practice["id"], limit), lambda: similar_to(matcher, practice, limit), SIMILAR_CACHE
    )


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
