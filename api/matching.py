"""Cross-force matching: who else solved this problem, and what do forces have in common.

Ranks practices and strengths of *other* forces for a force's areas for improvement (``/help``), for a
practice (``/similar``), and finds the themes two or more forces share (``/shared``). Every match says
why it was made: same area, shared IT systems or unit types, and the TF-IDF text similarity.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from api.catalogue import Catalogue, last_segment
from graph.similarity import SimilarityIndex

if TYPE_CHECKING:
    from api.runtime import Runtime
    from graph.store import Store

AREA_WEIGHT = 0.25  # same inspection area
RELATED_AREA_WEIGHT = 0.1  # areas under the same broader area
ENTITY_WEIGHT = 0.1  # per shared IT system or unit type
MIN_SCORE = 0.08


@dataclass
class Matcher:
    """The catalogue plus a similarity index over every practice and finding."""

    cat: Catalogue
    index: SimilarityIndex


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


def _area_lead(cat: Catalogue, force_id: str | None, area_id: str) -> dict | None:
    area_iri = cat.areas.get(area_id, {}).get("iri")
    for lead in cat.leads:
        if lead["force"] == force_id and (lead["subject"] == area_iri or lead["subject_text"] == area_id):
            person = cat.people.get(last_segment(lead["leader"]), {})
            return {
                "name": lead["name"],
                "rank": person.get("rank"),
                "role": lead["subject_text"],
                "phone": None,
                "email": None,
                "person": lead["leader"],
            }
    return None


def lead_for(cat: Catalogue, force_id: str | None, area_id: str | None, contact: dict | None) -> dict | None:
    """Who to call: the practice contact; else who leads that area (or the nearest related area) in that
    force; else the contact of a practice of that force in that (or a related) area."""
    if contact:
        return contact
    areas = _related_areas(cat, area_id)
    for area in areas:
        lead = _area_lead(cat, force_id, area)
        if lead:
            return lead
    for area in areas:
        for practice in cat.practices.values():
            same_force = (practice["force"] or {}).get("id") == force_id
            if same_force and (practice["area"] or {}).get("id") == area and practice["contact"]:
                return practice["contact"]
    return None


def _candidates(cat: Catalogue, exclude_force: str | None) -> list[dict[str, Any]]:
    """Practices and strengths of every force but ``exclude_force``."""
    out: list[dict[str, Any]] = []
    for p in cat.practices.values():
        if (p["force"] or {}).get("id") != exclude_force:
            out.append(
                {
                    "kind": "practice",
                    "id": p["id"],
                    "iri": p["iri"],
                    "title": p["title"],
                    "text": p["problem"] or "",
                    "force": p["force"],
                    "area": p["area"],
                    "_contact": p["contact"],
                }
            )
    for f in cat.findings.values():
        if f["kind"] == "strength" and (f["force"] or {}).get("id") != exclude_force:
            out.append(
                {
                    "kind": "strength",
                    "id": None,
                    "iri": f["iri"],
                    "title": f["text"][:120],
                    "text": f["text"],
                    "force": f["force"],
                    "area": f["area"],
                    "_contact": None,
                }
            )
    return out


def rank(
    matcher: Matcher, subject: str, text: str, area_id: str | None, exclude_force: str | None, limit: int
) -> list[dict[str, Any]]:
    """Candidates of other forces ranked for one finding or practice (IRI ``subject``)."""
    cat = matcher.cat
    systems, units = _entities(cat, subject)
    candidates = _candidates(cat, exclude_force)
    sims = matcher.index.scores(text, [c["iri"] for c in candidates])
    ranked = []
    for cand, sim in zip(candidates, sims, strict=True):
        c_area = (cand["area"] or {}).get("id")
        c_systems, c_units = _entities(cat, cand["iri"])
        same_area = area_id is not None and c_area == area_id
        related = (
            not same_area
            and _broader(cat, area_id) is not None
            and _broader(cat, area_id) == _broader(cat, c_area)
        )
        shared_systems = sorted(systems[k] for k in systems.keys() & c_systems.keys())
        shared_units = sorted(units[k] for k in units.keys() & c_units.keys())
        score = sim + AREA_WEIGHT * same_area + RELATED_AREA_WEIGHT * related
        score += ENTITY_WEIGHT * (len(shared_systems) + len(shared_units))
        if score < MIN_SCORE:
            continue
        contact = cand.pop("_contact")
        cand["lead"] = lead_for(cat, (cand["force"] or {}).get("id"), c_area, contact)
        cand["score"] = round(score, 4)
        cand["why"] = {
            "same_area": same_area,
            "related_area": related,
            "shared_systems": shared_systems,
            "shared_units": shared_units,
            "text_similarity": sim,
        }
        ranked.append(cand)
    ranked.sort(key=lambda c: (-c["score"], c["iri"]))
    return ranked[:limit]


def finding_help(matcher: Matcher, finding: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    """Practices and strengths of other forces for one finding of the catalogue, ranked."""
    area_id = (finding["area"] or {}).get("id")
    force_id = (finding["force"] or {}).get("id")
    return rank(matcher, finding["iri"], finding["text"], area_id, force_id, limit)


def help_for(matcher: Matcher, force_id: str, per_finding: int) -> list[dict[str, Any]]:
    """For each area for improvement of ``force_id``: ranked help from other forces."""
    return [
        {
            "finding": {"iri": finding["iri"], "text": finding["text"], "area": finding["area"]},
            "matches": finding_help(matcher, finding, per_finding),
        }
        for finding in matcher.cat.findings.values()
        if finding["kind"] == "area_for_improvement" and (finding["force"] or {}).get("id") == force_id
    ]


def cached_help(
    runtime: Runtime, store: Store, matcher: Matcher, force_id: str, per_finding: int
) -> list[dict[str, Any]]:
    """:func:`help_for`, computed once per store generation for ``/forces/{id}/help`` and the force page."""
    return runtime.cached(
        f"help:{force_id}:{per_finding}", store, lambda: help_for(matcher, force_id, per_finding)
    )


def similar_to(matcher: Matcher, practice: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    force_id = (practice["force"] or {}).get("id")
    area_id = (practice["area"] or {}).get("id")
    return rank(matcher, practice["iri"], practice_text(practice), area_id, force_id, limit)


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
