"""Whom to call about a practice or strength of another force.

In order: the practice's own contact; else the lead of that force for that inspection area or for a unit
the text names (a lead whose subject is the area, whose statement names the area, or whose post names
it, such as "Head of Public Protection"; a lead of a named unit); else the force's chief-officer lead for
the area or its broader area. Never a lead of another area or of another force. A post is resolved to
the person of that force who holds it when the report names them, and a person's telephone and e-mail
come from the report's contact details for them; when no person is named the answer says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api.snapshot import Snapshot, last_segment
from graph.lexical import stems
from graph.topics import TopicScheme

NO_PERSON = "the report names no person"


@dataclass(frozen=True)
class LeadFacts:
    """One lead statement of a force: whom (IRI, label), for which areas and units, chief officer or not."""

    leader: str
    label: str
    areas: frozenset[str]
    unit: str | None  # unit type id the lead heads, when its subject is a unit
    chief: bool


class Contacts:
    """Leads and people of every force, indexed once per store generation."""

    def __init__(self, cat: Snapshot, scheme: TopicScheme) -> None:
        self.cat, self.scheme = cat, scheme
        unit_ids = {u["label"].casefold(): key for key, u in cat.unit_types.items()}
        unit_ids.update({key.casefold(): key for key in cat.unit_types})
        self.leads: dict[str | None, list[LeadFacts]] = {}
        for lead in cat.leads:
            subject = lead["subject"] or ""
            kind = self._kind(subject)
            if kind == "practice":
                continue  # a practice contact, used for that practice only
            areas = set()
            if kind == "area":
                areas.add(last_segment(subject))
            areas |= scheme.areas_named(stems(" ".join(filter(None, (lead["subject_text"], lead["text"])))))
            unit = unit_ids.get((lead["subject_text"] or "").casefold())
            post_kind, post = self._post(lead["leader"])
            chief = post_kind == "role" and scheme.is_chief_officer(post)
            facts = LeadFacts(lead["leader"], lead["name"], frozenset(areas), unit, chief)
            self.leads.setdefault(lead["force"], []).append(facts)
        self.people_by_force: dict[str | None, list[dict[str, Any]]] = {}
        for person in sorted(cat.people.values(), key=lambda p: p["id"]):
            for force in person.get("forces", ()):
                self.people_by_force.setdefault(force["id"], []).append(person)
        self._answers: dict[str, dict[str, Any]] = {}
        self.phones: dict[str, dict[str, Any]] = {}
        for practice in cat.practices.values():
            contact = practice["contact"]
            if contact and contact.get("person"):
                self.phones.setdefault(contact["person"], contact)

    def _kind(self, iri: str) -> str | None:
        try:
            return self.cat.iris.parse(iri)[0]
        except ValueError:
            return None

    def _post(self, iri: str) -> tuple[str | None, str]:
        try:
            kind, parts = self.cat.iris.parse(iri)
        except ValueError:
            return None, ""
        return kind, parts[-1]

    def person(self, person_iri: str, basis: str) -> dict[str, Any]:
        person = self.cat.people.get(last_segment(person_iri), {})
        known = self.phones.get(person_iri, {})
        roles = [r for r in person.get("roles", ()) if r.casefold() != (person.get("rank") or "").casefold()]
        return {
            "name": person.get("name") or known.get("name"),
            "rank": person.get("rank") or known.get("rank"),
            "role": known.get("role") or (roles[0] if roles else None),
            "phone": known.get("phone"),
            "email": known.get("email"),
            "person": person_iri,
            "basis": basis,
            "note": None,
        }

    def holder(self, force_id: str | None, lead: LeadFacts, basis: str) -> dict[str, Any]:
        """The person of ``force_id`` who holds the lead's post, else the post with "names no person"."""
        kind, post = self._post(lead.leader)
        if kind == "person":
            return self.person(lead.leader, basis)
        wanted = {lead.label.casefold(), post.replace("-", " ")}
        for person in self.people_by_force.get(force_id, ()):
            if wanted & {r.casefold() for r in person.get("roles", ())}:
                return {**self.person(person["iri"], basis), "role": lead.label}
        return {"name": None, "rank": None, "role": lead.label, "phone": None, "email": None,
                "person": None, "basis": basis, "note": NO_PERSON}  # fmt: skip

    def post_holders(self, force_id: str | None, area_id: str) -> dict[str, Any] | None:
        """A person of the force whose post names the area ("Head of Public Protection")."""
        for person in self.people_by_force.get(force_id, ()):
            for role in person.get("roles", ()):
                if area_id in self.scheme.areas_named(stems(role)):
                    return self.person(person["iri"], f"{role} ({force_id})")
        return None

    def whom_to_call(self, row: dict[str, Any], units: set[str]) -> dict[str, Any]:
        """Whom to call about candidate ``row`` (practice or strength); ``units``: unit types it names.
        The same for every query, so kept per candidate (a copy is returned)."""
        if row["iri"] not in self._answers:
            self._answers[row["iri"]] = self._whom_to_call(row, units)
        return dict(self._answers[row["iri"]])

    def _whom_to_call(self, row: dict[str, Any], units: set[str]) -> dict[str, Any]:
        force_id = (row["force"] or {}).get("id")
        area = row["area"] or {}
        area_id, label = area.get("id"), (area.get("label") or "").lower()
        if row.get("contact"):
            return {**row["contact"], "basis": "practice contact", "note": None}
        leads = self.leads.get(force_id, [])
        broader = self.cat.areas.get(area_id or "", {}).get("broader")
        for lead in leads:
            if lead.unit and lead.unit in units and not lead.chief:
                unit = self.cat.unit_types.get(lead.unit, {}).get("label", lead.unit)
                return self.holder(force_id, lead, f"lead of the {unit}")
        for lead in leads:
            if area_id in lead.areas and not lead.chief:
                return self.holder(force_id, lead, f"lead for {label}")
        if area_id:
            named = self.post_holders(force_id, area_id)
            if named:
                return {**named, "basis": f"lead for {label} (by post)"}
        for wanted in (area_id, broader):
            for lead in leads:
                if wanted and wanted in lead.areas and lead.chief:
                    wanted_label = self.cat.areas.get(wanted, {}).get("label", wanted).lower()
                    return self.holder(force_id, lead, f"chief officer lead for {wanted_label}")
        return {"name": None, "rank": None, "role": None, "phone": None, "email": None, "person": None,
                "basis": None, "note": NO_PERSON}  # fmt: skip
