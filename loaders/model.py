"""Typed, frozen document model of an HMIC force inspection report.

Every extracted value keeps a :class:`SourceSpan` so that each fact in the graph can be traced back to
the report line it came from. Nothing here imports RDF: this is the loader's output contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Grade(StrEnum):
    """The four HMIC grades, lower-case as in the JSON contract."""

    EXCELLENT = "excellent"
    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"


class FindingKind(StrEnum):
    """The three finding lists of a graded area section."""

    STRENGTH = "strength"
    WORK_IN_PROGRESS = "work_in_progress"
    AREA_FOR_IMPROVEMENT = "area_for_improvement"


class EntityKind(StrEnum):
    """Kinds of named things recognised in the text; the value prefixes entity ids (``it-system/cats``)."""

    IT_SYSTEM = "it_system"
    UNIT = "unit"
    ROLE = "role"
    PERSON = "person"
    PARTNER = "partner"

    @property
    def id_prefix(self) -> str:
        return self.value.replace("_", "-")


@dataclass(frozen=True)
class SourceSpan:
    """Where a value was read: file name, 1-based inclusive line range, and page where known."""

    file: str
    line_from: int
    line_to: int
    page: int | None = None


@dataclass(frozen=True)
class Line:
    """One line of extracted text; ``number`` is its 1-based line number in the extracted text."""

    number: int
    text: str
    page: int | None = None


@dataclass(frozen=True)
class SourceText:
    """A report file read into lines, page furniture removed (removed lines are absent, numbering kept)."""

    path: str
    name: str
    sha256: str
    format: str  # "text" | "pdf"
    pages: int | None
    lines: tuple[Line, ...]
    warnings: tuple[str, ...] = ()
    furniture_removed: bool = False  # True once :func:`loaders.furniture.remove_furniture` has run


@dataclass(frozen=True)
class GradeDistribution:
    """How many of the 43 forces received each grade."""

    excellent: int
    good: int
    fair: int
    poor: int


@dataclass(frozen=True)
class NationalSummaryRow:
    area_id: str
    label: str
    distribution: GradeDistribution
    span: SourceSpan


@dataclass(frozen=True)
class ForceSummaryRow:
    area_id: str
    label: str
    grade: Grade
    span: SourceSpan


@dataclass(frozen=True)
class Mention:
    """An entity named inside a finding, practice or other text."""

    entity_id: str
    text: str
    span: SourceSpan


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    text: str
    span: SourceSpan
    mentions: tuple[Mention, ...] = ()


@dataclass(frozen=True)
class Contact:
    """A force contact of a developing-practice block: a person, or a contact point (a post, an e-mail
    address, a phone number) when ``name`` is empty."""

    name: str  # the personal name; "" for a contact point that names no person
    rank: str | None
    role: str | None
    phone: str | None
    span: SourceSpan
    email: str | None = None
    address: str | None = None

    @property
    def is_person(self) -> bool:
        return bool(self.name.strip())

    @property
    def label(self) -> str:
        """A name for the contact: the person, else the post, e-mail, phone or address."""
        parts = (self.name, self.role, self.email, self.phone, self.address)
        return next((part for part in parts if part and part.strip()), "contact")


@dataclass(frozen=True)
class Practice:
    """A developing-practice block."""

    inspection_area: str | None
    title: str
    problem: str
    solution: str
    outcomes: str
    contact: Contact | None  # the first of ``contacts``, kept for older callers
    span: SourceSpan
    mentions: tuple[Mention, ...] = ()
    contacts: tuple[Contact, ...] = ()  # every contact printed, in order

    @property
    def all_contacts(self) -> tuple[Contact, ...]:
        """``contacts``, or the single ``contact`` of a practice built without the list."""
        return self.contacts or ((self.contact,) if self.contact is not None else ())


@dataclass(frozen=True)
class Section:
    """One area section (graded, or the ungraded Protecting Vulnerable People overview)."""

    area_id: str
    title: str
    grade: Grade | None
    national_distribution: GradeDistribution | None
    findings: tuple[Finding, ...]
    practices: tuple[Practice, ...]
    span: SourceSpan


@dataclass(frozen=True)
class Fact:
    """One force fact (``population``, ``police_officers``, ``budget_text``, ``territorial_bcus`` ...)."""

    key: str
    value: int | str | tuple[str, ...]
    span: SourceSpan


@dataclass(frozen=True)
class Reinspection:
    """A 'Force developments since 2006' result for one baseline framework."""

    framework: str
    code: str | None
    old_grade: Grade | None
    old_direction: str | None
    new_grade: Grade | None
    new_direction: str | None
    span: SourceSpan


@dataclass(frozen=True)
class GlossaryEntry:
    abbreviation: str
    expansion: str
    span: SourceSpan


@dataclass(frozen=True)
class EntityMention:
    """One place an entity is named: the surface text and its line."""

    text: str
    line: int
    page: int | None = None


@dataclass(frozen=True)
class Entity:
    """A named unit, IT system, role/post, person or partner body, with every mention."""

    id: str  # "<kind prefix>/<slug>", e.g. "it-system/cats"
    kind: EntityKind
    name: str
    expansion: str | None
    mentions: tuple[EntityMention, ...]
    rank: str | None = None  # people only: rank or post as printed before/after the name
    roles: tuple[str, ...] = ()  # people only: role ids (``role/head-of-public-protection``)


@dataclass(frozen=True)
class Lead:
    """Who leads what: a practice contact or a post/person the text names as responsible."""

    entity_id: str  # the person or role
    subject: str  # what is led: a practice title, an area id, or a portfolio as printed
    kind: str  # "practice_contact" | "responsibility"
    span: SourceSpan
    area_id: str | None = None
    text: str = ""  # the sentence that states it


@dataclass(frozen=True)
class Force:
    name: str  # as printed, e.g. "Nottinghamshire Police"
    id: str  # data.police.uk id, or a slug of the name when not in the register
    ons_code: str | None
    in_register: bool = True


@dataclass(frozen=True)
class InspectionReport:
    """Everything the loader understood of one report."""

    source: SourceText
    force: Force
    year: int | None
    assessment_period: str | None
    national_summary: tuple[NationalSummaryRow, ...]
    force_summary: tuple[ForceSummaryRow, ...]
    facts: tuple[Fact, ...]
    developments: tuple[Reinspection, ...]
    sections: tuple[Section, ...]
    glossary: tuple[GlossaryEntry, ...]
    entities: tuple[Entity, ...] = ()
    leads: tuple[Lead, ...] = ()
    warnings: tuple[str, ...] = field(default=())
    force_basis: str = ""  # what decided the force ("named in the overview, 4 section summaries", "--force")

    @property
    def report_id(self) -> str:
        """Readable id of the report, e.g. ``nottinghamshire-2007``."""
        return f"{self.force.id}-{self.year}" if self.year else self.force.id
