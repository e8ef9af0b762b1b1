"""An in-process, read-only digest of the graph that the list, filter, search and matching routes use.

Built from the named queries in ``graph/queries/api`` once per store generation (see
:meth:`api.runtime.Runtime.cached`); REST filters then work on Python values, so no request text ever
reaches a SPARQL string.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from api.lookup import last_segment, select
from api.memo import Memo
from graph.iris import Iris
from graph.sharing import force_facts, forces_by_entity
from graph.store import Store

T = TypeVar("T")


def practice_id(iri: str, iris: Iris) -> str:
    """``…/practice/nottinghamshire-2007/3`` -> ``nottinghamshire-2007-3`` (URL-safe, no slash)."""
    kind, parts = iris.parse(iri)
    return "-".join(parts) if kind == "practice" else iri


@dataclass
class Catalogue:
    """Forces, practices, findings, systems, unit types, people and areas of the whole store."""

    iris: Iris
    forces: dict[str, dict[str, Any]] = field(default_factory=dict)  # force id -> force
    practices: dict[str, dict[str, Any]] = field(default_factory=dict)  # practice id -> practice
    findings: dict[str, dict[str, Any]] = field(default_factory=dict)  # finding IRI -> finding
    systems: dict[str, dict[str, Any]] = field(default_factory=dict)  # system id -> system
    unit_types: dict[str, dict[str, Any]] = field(default_factory=dict)  # unit type id -> type
    people: dict[str, dict[str, Any]] = field(default_factory=dict)  # person id -> person
    areas: dict[str, dict[str, Any]] = field(default_factory=dict)  # area id -> area
    mentions: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # subject IRI -> entities
    leads: list[dict[str, Any]] = field(default_factory=list)
    _derived: Memo = field(default_factory=Memo, init=False, repr=False, compare=False)

    def derived(self, key: tuple[Any, ...], build: Callable[[], T], bound: int | None = None) -> T:
        """``build()`` once per catalogue, so once per store generation (see :class:`api.memo.Memo`)."""
        return self._derived.get(key, build, bound)

    def force_id(self, iri: str | None) -> str | None:
        return None if iri is None else last_segment(iri)

    def area_id(self, iri: str | None) -> str | None:
        return None if iri is None else last_segment(iri)

    def force_ref(self, iri: str | None) -> dict[str, Any] | None:
        force_id = self.force_id(iri)
        if force_id is None:
            return None
        force = self.forces.get(force_id)
        return {"id": force_id, "label": force["label"] if force else force_id, "iri": iri}

    def area_ref(self, iri: str | None) -> dict[str, Any] | None:
        area_id = self.area_id(iri)
        if area_id is None:
            return None
        area = self.areas.get(area_id)
        return {"id": area_id, "label": area["label"] if area else area_id, "iri": iri}


def _forces(cat: Catalogue, store: Store) -> None:
    for row in select(store, "forces"):
        force_id = last_segment(row["force"])
        cat.forces[force_id] = {
            "id": force_id,
            "iri": row["force"],
            "label": row["label"] or force_id,
            "police_uk_id": row["ukid"],
            "ons_code": row["ons"],
            "reports": int(row["reports"] or 0),
        }


def _areas(cat: Catalogue, store: Store) -> None:
    for row in select(store, "areas"):
        area_id = row["notation"] or last_segment(row["area"])
        cat.areas.setdefault(
            area_id,
            {"id": area_id, "iri": row["area"], "label": row["label"] or area_id, "broader": None},
        )
        if row["broader"]:
            cat.areas[area_id]["broader"] = last_segment(row["broader"])


def _practices(cat: Catalogue, store: Store) -> None:
    for row in select(store, "practices"):
        pid = practice_id(row["practice"], cat.iris)
        if pid in cat.practices:
            continue
        contact = None
        if row["contactName"] or row["leadName"]:
            contact = {
                "name": row["contactName"] or row["leadName"],
                "rank": row["rank"],
                "role": row["role"],
                "phone": row["phone"],
                "email": row["email"],
                "person": row["lead"],
            }
        cat.practices[pid] = {
            "id": pid,
            "iri": row["practice"],
            "title": row["title"] or pid,
            "force": cat.force_ref(row["force"]),
            "area": cat.area_ref(row["area"]),
            "inspection_area": row["inspectionArea"],
            "problem": row["problem"],
            "solution": row["solution"],
            "outcomes": row["outcomes"],
            "contact": contact,
        }


def _findings(cat: Catalogue, store: Store) -> None:
    for row in select(store, "findings"):
        cat.findings.setdefault(
            row["finding"],
            {
                "iri": row["finding"],
                "kind": (row["kind"] or "finding").replace("-", "_"),
                "text": row["text"] or "",
                "area": cat.area_ref(row["area"]),
                "force": cat.force_ref(row["force"]),
            },
        )


def _systems_units_people(cat: Catalogue, store: Store) -> None:
    """Systems and unit types with the forces that use or have them, by :mod:`graph.sharing` (the one
    definition of "shared"); then people."""
    facts = force_facts(store)
    users = forces_by_entity(facts, "IT system")
    for row in select(store, "systems"):
        system_id = last_segment(row["system"])
        cat.systems.setdefault(
            system_id,
            {
                "id": system_id,
                "iri": row["system"],
                "label": row["label"] or system_id,
                "expansion": row["expansion"],
                "forces": [cat.force_ref(f.force) for f in users.get(row["system"], ())],
            },
        )
    types = list({row["type"]: row for row in reversed(select(store, "unit_types"))}.values())[::-1]
    labels = {row["type"]: row["label"] or last_segment(row["type"]) for row in types}
    having = forces_by_entity(facts, "unit type")
    first_of = {f.member: f.entity for f in facts if f.kind == "unit type"}
    members: dict[str, set[str]] = defaultdict(set)  # first of equivalent types -> the forces' own types
    for fact in facts:
        if fact.kind == "unit type":
            members[fact.entity].add(fact.member)
    for row in types:
        type_id = last_segment(row["type"])
        first = first_of.get(row["type"], row["type"])
        own = having.get(row["type"], []) if first == row["type"] else []
        cat.unit_types[type_id] = {
            "id": type_id,
            "iri": row["type"],
            "label": labels[row["type"]],
            "expansion": row["expansion"],
            "forces": [{**cat.force_ref(f.force), "unit": f.unit} for f in own],  # type: ignore[dict-item]
            "generic": bool(row["generic"]),
            "same_as": None if first == row["type"] else last_segment(first),
            "equivalents": sorted({labels.get(m, last_segment(m)) for m in members.get(row["type"], ())}),
        }
    for row in select(store, "people"):
        person_id = last_segment(row["person"])
        person = cat.people.setdefault(
            person_id,
            {
                "id": person_id,
                "iri": row["person"],
                "name": row["name"] or person_id,
                "rank": row["rank"],
                "forces": [],
                "roles": [],
            },
        )
        ref = cat.force_ref(row["force"])
        if ref and ref not in person["forces"]:
            person["forces"].append(ref)
        if row["role"] and row["roleLabel"] not in person["roles"]:
            person["roles"].append(row["roleLabel"] or last_segment(row["role"]))


def build_catalogue(store: Store, iris: Iris) -> Catalogue:
    """Read the whole digest from the store (a handful of queries)."""
    cat = Catalogue(iris)
    _forces(cat, store)
    _areas(cat, store)
    _practices(cat, store)
    _findings(cat, store)
    _systems_units_people(cat, store)
    for row in select(store, "mentions"):
        cat.mentions[row["subject"]].add(row["entity"])
    for row in select(store, "force_leads"):
        cat.leads.append(
            {
                "force": cat.force_id(row["force"]),
                "leader": row["leader"],
                "name": row["leaderLabel"] or last_segment(row["leader"]),
                "subject": row["subject"],
                "subject_text": row["subjectText"] or row["subjectLabel"],
                "text": row["text"],
            }
        )
    return cat
