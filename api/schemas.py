"""Response models of the lookup routes (they document the OpenAPI schema, with examples)."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")
BASE = "http://127.0.0.1:8000/id/"


def _example(example: dict) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [example]})


class Ref(BaseModel):
    """A link to another resource."""

    id: str
    label: str
    iri: str
    model_config = _example(
        {"id": "nottinghamshire", "label": "Nottinghamshire Police", "iri": f"{BASE}force/nottinghamshire"}
    )


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    total: int = Field(description="Items matching, before pagination")
    limit: int
    offset: int
    items: list[T]


class Contact(BaseModel):
    """Who to call about a practice or strength."""

    name: str
    rank: str | None = None
    role: str | None = None
    phone: str | None = None
    email: str | None = None
    person: str | None = Field(None, description="IRI of the person, when known")
    model_config = _example(
        {"name": "Chris Mclean", "rank": "Inspector", "role": None, "phone": "0115 9672623"}
    )


class Labelled(BaseModel):
    """A resource with an id (the last part of its IRI) and a label."""

    id: str
    iri: str
    label: str


class Expanded(Labelled):
    """An abbreviated name (an IT system's, a unit type's) with its expansion when the reports give one."""

    expansion: str | None = None


class ForceSummary(Labelled):
    police_uk_id: str | None = None
    ons_code: str | None = None
    reports: int = 0
    model_config = _example(
        {
            "id": "nottinghamshire",
            "iri": f"{BASE}force/nottinghamshire",
            "label": "Nottinghamshire Police",
            "police_uk_id": "nottinghamshire",
            "ons_code": "E23000019",
            "reports": 1,
        }
    )


class Distribution(BaseModel):
    excellent: int | None = None
    good: int | None = None
    fair: int | None = None
    poor: int | None = None


class Grade(BaseModel):
    """A force's grade in one area beside the national distribution of grades."""

    area: Ref
    grade: str | None = None
    assessment_period: str | None = None
    national: Distribution


class Unit(BaseModel):
    iri: str
    label: str
    type: Ref | None = None


class System(Expanded):
    """An IT system."""


class LeadOut(BaseModel):
    leader: str
    name: str
    subject: str | None = None
    text: str | None = None


class ForceDetail(ForceSummary):
    """A force: grades per area (with the national distribution), units, IT systems, leads, findings."""

    grades: list[Grade]
    units: list[Unit]
    systems: list[System]
    leads: list[LeadOut]
    finding_counts: dict[str, int] = Field(description="Findings by kind")


class SystemSummary(System):
    forces: list[Ref]


class Titled(BaseModel):
    """A practice (or strength) by its id, IRI and title, with the force it belongs to."""

    id: str
    iri: str
    title: str
    force: Ref | None = None


class FindingOut(BaseModel):
    iri: str
    kind: str
    text: str
    force: Ref | None = None
    area: Ref | None = None


class PracticeOut(Titled):
    """A developing practice; ``id`` is ``{report-id}-{n}`` (the IRI is ``practice/{report-id}/{n}``)."""

    area: Ref | None = None
    inspection_area: str | None = None
    problem: str | None = None
    solution: str | None = None
    outcomes: str | None = None
    contact: Contact | None = None
    model_config = _example(
        {
            "id": "nottinghamshire-2007-1",
            "iri": f"{BASE}practice/nottinghamshire-2007/1",
            "title": "Specific activity-based costing (ABC) analysis for Safer Neighbourhood teams",
            "problem": "It is difficult for all to understand the role …",
        }
    )


class SystemDetail(SystemSummary):
    findings: list[FindingOut]
    practices: list[PracticeOut]


class UnitForce(Ref):
    unit: str | None = None


class UnitType(Expanded):
    """A unit type (DPMU, CAIU…) and the forces with a unit of that type."""

    forces: list[UnitForce] = Field(
        description="Forces with a unit of this type or an equivalent one (listed under the first of the "
        "equivalent types); none for a generic kind"
    )
    generic: bool = Field(False, description="A generic head noun (team, unit): it never makes forces share")
    same_as: str | None = Field(None, description="The id of the equivalent type this one is listed under")
    equivalents: list[str] = Field(
        default_factory=list, description="Labels of the forces' own equivalent types"
    )
    model_config = _example(
        {
            "id": "dpmu",
            "iri": f"{BASE}unit-type/dpmu",
            "label": "DPMU",
            "expansion": "dangerous persons management unit",
            "forces": [],
        }
    )


class Person(BaseModel):
    id: str
    iri: str
    name: str
    rank: str | None = None
    forces: list[Ref]
    roles: list[str]


class Area(Labelled):
    broader: str | None = None


class WhomToCall(Contact):
    """Whom to call about a match: the practice's contact, else that force's lead for the area or unit,
    else its chief-officer lead for the area; ``name`` is null (and ``note`` says so) when the report names
    no person."""

    name: str | None = None  # type: ignore[assignment]  # a lead may be a post the report names no one in
    role: str | None = Field(None, description="Post, e.g. 'Head of Public Protection' or 'ACC (crime)'")
    basis: str | None = Field(None, description="Why this person: 'practice contact', 'lead for …'")
    note: str | None = Field(None, description="'the report names no person' when it does not")
    model_config = _example(
        {"name": "Chris Mclean", "rank": "Inspector", "role": None, "phone": "0115 9672623",
         "basis": "practice contact"}
    )  # fmt: skip


class ScorePart(BaseModel):
    value: float = Field(description="The evidence, 0–1")
    weight: float
    contribution: float = Field(description="value × weight; the parts add up to the score")


class Highlights(BaseModel):
    """Character offsets ``[start, end]`` of the shared words in the finding's and the match's text."""

    finding: list[list[int]] = Field(default_factory=list)
    match: list[list[int]] = Field(default_factory=list)


class Why(BaseModel):
    """Why a practice or strength was matched."""

    same_area: bool
    related_area: bool = Field(description="A neighbouring area, or one the texts name")
    shared_systems: list[str]
    shared_units: list[str]
    text_similarity: float = Field(description="BM25 over word stems, relative to the best candidate, 0–1")
    summary: str = Field("", description="In words: the topics, entities and words both texts share")
    topics: list[str] = Field(default_factory=list, description="Topics both texts are about")
    shared_entities: list[str] = Field(default_factory=list)
    shared_terms: list[str] = Field(default_factory=list, description="Phrases of the finding both use")
    highlights: Highlights = Field(default_factory=Highlights)
    parts: dict[str, ScorePart] | None = Field(None, description="The score's parts (with ?explain=true)")


class Candidate(BaseModel):
    """A practice or strength of another force that may help, with whom to call about it."""

    kind: str = Field(description="practice or strength")
    id: str | None = Field(None, description="practice id (practices only)")
    iri: str
    title: str
    text: str
    force: Ref | None = None
    area: Ref | None = None
    lead: WhomToCall | None = None


class Match(Candidate):
    """A practice or strength of another force, ranked by ``score``."""

    score: float
    why: Why
    also_helps: list[str] = Field(
        default_factory=list, description="IRIs of the force's other areas for improvement it helps"
    )


class FindingRef(BaseModel):
    iri: str
    text: str
    area: Ref | None = None


class HelpItem(BaseModel):
    finding: FindingRef
    matches: list[Match]
    no_match: str | None = Field(None, description="'no close match in the loaded reports' when empty")


class HelpFor(BaseModel):
    """One area for improvement a grouped item helps, with the score and why for it."""

    finding: FindingRef
    score: float
    why: Why


class HelpGroup(Candidate):
    """A practice or strength once, with every area for improvement of the force it helps."""

    best_score: float
    helps: list[HelpFor]


class SharedPractice(Titled):
    contact: Contact | None = None


class Theme(BaseModel):
    """Practices of 2+ forces on the same problem (TF-IDF clusters)."""

    label: str
    terms: list[str]
    cohesion: float
    forces: list[Ref]
    practices: list[SharedPractice]


class Shared(BaseModel):
    """What two or more forces have in common."""

    systems: list[SystemSummary]
    unit_types: list[UnitType]
    themes: list[Theme]


class SearchHit(BaseModel):
    kind: str = Field(description="finding, practice, force, system, unit-type, person, area")
    iri: str
    label: str
    id: str | None = None
    snippet: str | None = None
    force: Ref | None = None
