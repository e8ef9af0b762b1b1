"""The vectorised ranking of :mod:`api.matching` against a frozen copy of the original per-candidate loop.

``/forces/{id}/help`` and ``/practices/{id}/similar`` must return exactly what the original returned:
every field, the order and the rounding. The reference below is the original code, kept as it was.
Set ``HMIC_KG_EQUIVALENCE_DATA_DIR`` to a loaded data directory to compare on a larger store too.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from api.catalogue import Catalogue, build_catalogue, last_segment
from api.matching import (
    AREA_WEIGHT,
    ENTITY_WEIGHT,
    MIN_SCORE,
    RELATED_AREA_WEIGHT,
    Matcher,
    build_matcher,
    cached_help,
    cached_similar,
    help_for,
    practice_text,
    rank,
    similar_to,
)
from graph.iris import Iris
from graph.store_oxigraph import OxigraphStore

pytest_plugins = ["tests.conftest_api"]
BASE = "http://127.0.0.1:8000/id/"  # as in tests.conftest_api


# --- the reference: the original implementation, frozen ----------------------------------------------


def ref_entities(cat: Catalogue, subject: str) -> tuple[dict[str, str], dict[str, str]]:
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


def ref_broader(cat: Catalogue, area_id: str | None) -> str | None:
    return cat.areas.get(area_id or "", {}).get("broader")


def ref_related_areas(cat: Catalogue, area_id: str | None) -> list[str]:
    if not area_id:
        return []
    broader = ref_broader(cat, area_id)
    family = [a for a, v in cat.areas.items() if a != area_id and broader and v.get("broader") == broader]
    narrower = [a for a, v in cat.areas.items() if v.get("broader") == area_id]
    return [area_id, *([broader] if broader else []), *family, *narrower]


def ref_area_lead(cat: Catalogue, force_id: str | None, area_id: str) -> dict | None:
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


def ref_lead_for(
    cat: Catalogue, force_id: str | None, area_id: str | None, contact: dict | None
) -> dict | None:
    if contact:
        return contact
    areas = ref_related_areas(cat, area_id)
    for area in areas:
        lead = ref_area_lead(cat, force_id, area)
        if lead:
            return lead
    for area in areas:
        for practice in cat.practices.values():
            same_force = (practice["force"] or {}).get("id") == force_id
            if same_force and (practice["area"] or {}).get("id") == area and practice["contact"]:
                return practice["contact"]
    return None


def ref_candidates(cat: Catalogue, exclude_force: str | None) -> list[dict[str, Any]]:
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


def ref_rank(
    matcher: Matcher, subject: str, text: str, area_id: str | None, exclude_force: str | None, limit: int
) -> list[dict[str, Any]]:
    cat = matcher.cat
    systems, units = ref_entities(cat, subject)
    candidates = ref_candidates(cat, exclude_force)
    sims = matcher.index.scores(text, [c["iri"] for c in candidates])
    ranked = []
    for cand, sim in zip(candidates, sims, strict=True):
        c_area = (cand["area"] or {}).get("id")
        c_systems, c_units = ref_entities(cat, cand["iri"])
        same_area = area_id is not None and c_area == area_id
        related = (
            not same_area
            and ref_broader(cat, area_id) is not None
            and ref_broader(cat, area_id) == ref_broader(cat, c_area)
        )
        shared_systems = sorted(systems[k] for k in systems.keys() & c_systems.keys())
        shared_units = sorted(units[k] for k in units.keys() & c_units.keys())
        score = sim + AREA_WEIGHT * same_area + RELATED_AREA_WEIGHT * related
        score += ENTITY_WEIGHT * (len(shared_systems) + len(shared_units))
        if score < MIN_SCORE:
            continue
        contact = cand.pop("_contact")
        cand["lead"] = ref_lead_for(cat, (cand["force"] or {}).get("id"), c_area, contact)
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


def ref_finding_help(matcher: Matcher, finding: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    area_id = (finding["area"] or {}).get("id")
    force_id = (finding["force"] or {}).get("id")
    return ref_rank(matcher, finding["iri"], finding["text"], area_id, force_id, limit)


def ref_help_for(matcher: Matcher, force_id: str, per_finding: int) -> list[dict[str, Any]]:
    return [
        {
            "finding": {"iri": finding["iri"], "text": finding["text"], "area": finding["area"]},
            "matches": ref_finding_help(matcher, finding, per_finding),
        }
        for finding in matcher.cat.findings.values()
        if finding["kind"] == "area_for_improvement" and (finding["force"] or {}).get("id") == force_id
    ]


def ref_similar_to(matcher: Matcher, practice: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    force_id = (practice["force"] or {}).get("id")
    area_id = (practice["area"] or {}).get("id")
    return ref_rank(matcher, practice["iri"], practice_text(practice), area_id, force_id, limit)


# --- the comparison -----------------------------------------------------------------------------------


def same(new: Any, reference: Any) -> bool:
    """Equal values, and equal JSON (so the same key order and the same float representations too)."""
    return new == reference and json.dumps(new) == json.dumps(reference)


def assert_equivalent(matcher: Matcher, limits: tuple[int, ...] = (5, 200)) -> None:
    cat = matcher.cat
    for force_id in cat.forces:
        for limit in limits:
            assert same(help_for(matcher, force_id, limit), ref_help_for(matcher, force_id, limit)), force_id
    for practice in cat.practices.values():
        for limit in limits:
            new, reference = similar_to(matcher, practice, limit), ref_similar_to(matcher, practice, limit)
            assert same(new, reference), practice["id"]


@pytest.fixture(scope="module")
def sample_matcher(sample_store: OxigraphStore) -> Matcher:
    return build_matcher(build_catalogue(sample_store, Iris(BASE)))


def test_sample_reports_rank_as_before(sample_matcher: Matcher) -> None:
    cat = sample_matcher.cat
    assert any(f["kind"] == "area_for_improvement" for f in cat.findings.values()) and cat.practices
    assert any(help_for(sample_matcher, f, 5) for f in cat.forces)
    assert_equivalent(sample_matcher, limits=(1, 5, 10, 200))


def test_fixture_reports_rank_as_before(fixture_store: OxigraphStore) -> None:
    assert_equivalent(build_matcher(build_catalogue(fixture_store, Iris(BASE))))


def test_every_finding_of_the_samples_gets_the_same_help(sample_matcher: Matcher) -> None:
    for finding in sample_matcher.cat.findings.values():
        force_id = (finding["force"] or {}).get("id")
        area_id = (finding["area"] or {}).get("id")
        new = rank(sample_matcher, finding["iri"], finding["text"], area_id, force_id, 10)
        reference = ref_rank(sample_matcher, finding["iri"], finding["text"], area_id, force_id, 10)
        assert same(new, reference), finding["iri"]


def test_cached_lookups_are_the_computed_ones(sample_matcher: Matcher) -> None:
    force_id = next(iter(sample_matcher.cat.forces))
    first = cached_help(None, None, sample_matcher, force_id, 5)  # type: ignore[arg-type]
    assert cached_help(None, None, sample_matcher, force_id, 5) is first  # type: ignore[arg-type]
    assert same(first, ref_help_for(sample_matcher, force_id, 5))
    practice = next(iter(sample_matcher.cat.practices.values()))
    similar = cached_similar(sample_matcher, practice, 200)
    assert cached_similar(sample_matcher, practice, 200) is similar
    assert same(similar, ref_similar_to(sample_matcher, practice, 200))


def hand_built_catalogue() -> Catalogue:
    """Ties, missing forces and areas, leads by area text, shared systems and units, contact fallbacks."""
    iris = Iris(BASE)
    cat = Catalogue(iris)
    for force in ("alpha", "beta", "gamma"):
        cat.forces[force] = {"id": force, "iri": str(iris.force(force)), "label": force.title()}
    areas = {"top": None, "child-a": "top", "child-b": "top", "lonely": None, "kid": "child-a"}
    for area, broader in areas.items():
        cat.areas[area] = {"id": area, "iri": str(iris.area(area)), "label": area, "broader": broader}
    cat.systems["visor"] = {"id": "visor", "iri": str(iris.system("visor")), "label": "ViSOR", "forces": []}
    cat.unit_types["dpmu"] = {"id": "dpmu", "iri": str(iris.unit_type("dpmu")), "label": "DPMU", "forces": []}
    texts = [
        "domestic violence risk assessment training",
        "domestic violence risk assessment training",  # a tie with the one above
        "sex offender management with ViSOR",
        "call handling and missing persons",
        "",
    ]
    plan = [("alpha", "child-a"), ("beta", "child-a"), ("gamma", "child-b"), (None, None), ("beta", "lonely")]
    for n, ((force, area), text) in enumerate(zip(plan, texts, strict=True)):
        iri = str(iris.practice(f"{force or 'none'}-2007", n))
        pid = f"{force or 'none'}-2007-{n}"
        contact = {"name": "C", "rank": None, "role": None, "phone": "1", "email": None, "person": None}
        cat.practices[pid] = {
            "id": pid,
            "iri": iri,
            "title": text[:20] or pid,
            "force": cat.force_ref(str(iris.force(force))) if force else None,
            "area": cat.area_ref(str(iris.area(area))) if area else None,
            "problem": text,
            "solution": None,
            "outcomes": None,
            "contact": contact if n == 4 else None,
        }
        cat.mentions[iri].add(str(iris.system("visor")))
        if n % 2:
            cat.mentions[iri].add(str(iris.unit("beta", "dpmu")))
    findings = [
        ("alpha", "child-a", "area_for_improvement", "domestic violence risk assessment needs training"),
        ("alpha", "kid", "area_for_improvement", "missing persons call handling"),
        ("alpha", None, "area_for_improvement", "ViSOR use is patchy"),
        ("beta", "child-b", "strength", "domestic violence training is strong"),
        ("gamma", "top", "strength", "domestic violence training is strong"),
        (None, "lonely", "strength", "missing persons handled well"),
        ("gamma", "lonely", "strength", "sex offender management"),
    ]
    for n, (force, area, kind, text) in enumerate(findings):
        iri = str(iris.finding(f"{force or 'none'}-2007", area or "none", n))
        cat.findings[iri] = {
            "iri": iri,
            "kind": kind,
            "text": text,
            "area": cat.area_ref(str(iris.area(area))) if area else None,
            "force": cat.force_ref(str(iris.force(force))) if force else None,
        }
        if n in (0, 2, 6):
            cat.mentions[iri].update({str(iris.system("visor")), str(iris.unit("alpha", "dpmu"))})
        cat.mentions[iri].add("http://example.org/not-ours")
    cat.people["p1"] = {"id": "p1", "iri": str(iris.person("p1")), "name": "P One", "rank": "Supt"}
    cat.leads += [
        {"force": "beta", "leader": str(iris.person("p1")), "name": "P One", "subject": None,
         "subject_text": "child-a", "text": None},
        {"force": "gamma", "leader": str(iris.person("p2")), "name": "P Two",
         "subject": str(iris.area("top")), "subject_text": "Top", "text": None},
    ]  # fmt: skip
    return cat


def test_hand_built_edge_cases_rank_as_before() -> None:
    matcher = build_matcher(hand_built_catalogue())
    assert_equivalent(matcher, limits=(1, 2, 5, 200))
    for finding in matcher.cat.findings.values():
        for exclude in (None, "alpha", "beta", "nowhere"):
            for area in (None, "child-a", "kid", "top", "lonely", "unknown-area"):
                args = (finding["iri"], finding["text"], area, exclude)
                assert same(rank(matcher, *args, 3), ref_rank(matcher, *args, 3)), args
    assert any(m["why"]["shared_systems"] for m in help_for(matcher, "alpha", 5)[2]["matches"])
