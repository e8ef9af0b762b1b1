"""The read model: one immutable :class:`Snapshot` of the store per store generation.

Every REST route, HTML page and network view reads the snapshot of the current generation
(:func:`api.deps.get_snapshot`, once per request); :mod:`api.snapshot_build` builds it, one builder per
noun, and :class:`api.runtime.Runtime` keeps it (rebuilt in the background after a change, the previous
one served meanwhile). Values derived from it (the matching index, per-force help, rendered answers, the
network projection) live in its :attr:`Snapshot.memo`, so they go with it: one cache, keyed by generation.

The records are frozen, slotted dataclasses. They also read as mappings (``force["label"]``,
``{**force}``) because the ranking code (:mod:`api.matching_evidence`, :mod:`api.matching_contact`)
reads candidates that way; :func:`plain` turns any of them into JSON-ready dicts and lists.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from api.memo import Memo
from graph.iris import Iris

if TYPE_CHECKING:
    from api.matching import Matcher

T = TypeVar("T")


class Record(Mapping[str, Any]):
    """A frozen dataclass that also reads as a read-only mapping of its fields."""

    __slots__ = ()

    def __getitem__(self, key: str) -> Any:
        if key not in self.__dataclass_fields__:  # type: ignore[attr-defined]
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(self.__dataclass_fields__)  # type: ignore[attr-defined]

    def __len__(self) -> int:
        return len(self.__dataclass_fields__)  # type: ignore[attr-defined]


def plain(value: Any) -> Any:
    """Records, tuples and mappings as JSON-ready dicts and lists (other values unchanged)."""
    if isinstance(value, Record):
        return {name: plain(getattr(value, name)) for name in value.__dataclass_fields__}  # type: ignore[attr-defined]
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class Ref(Record):
    """A link to a force or an area: its id, label and IRI."""

    id: str
    label: str
    iri: str


@dataclass(frozen=True, slots=True)
class UnitForce(Record):
    """A force having a unit of a type (``unit``: the force's own unit type id)."""

    id: str
    label: str
    iri: str
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class Force(Record):
    id: str
    iri: str
    label: str
    police_uk_id: str | None
    ons_code: str | None
    reports: int


@dataclass(frozen=True, slots=True)
class Area(Record):
    id: str
    iri: str
    label: str
    broader: str | None


@dataclass(frozen=True, slots=True)
class Contact(Record):
    """Whom a practice names to call."""

    name: str
    rank: str | None
    role: str | None
    phone: str | None
    email: str | None
    person: str | None


@dataclass(frozen=True, slots=True)
class Practice(Record):
    id: str
    iri: str
    title: str
    force: Ref | None
    area: Ref | None
    inspection_area: str | None
    problem: str | None
    solution: str | None
    outcomes: str | None
    contact: Contact | None


@dataclass(frozen=True, slots=True)
class Finding(Record):
    """A strength, work in progress or area for improvement (``kind`` with underscores)."""

    iri: str
    kind: str
    text: str
    area: Ref | None
    force: Ref | None


@dataclass(frozen=True, slots=True)
class Named(Record):
    """An IT system or unit type of the vocabulary: its id, IRI, label and what the letters stand for."""

    id: str
    iri: str
    label: str
    expansion: str | None


@dataclass(frozen=True, slots=True)
class System(Named):
    """An IT system with the forces that use it on their own evidence (:mod:`graph.sharing`)."""

    forces: tuple[Ref, ...]


@dataclass(frozen=True, slots=True)
class UnitType(Named):
    """A unit type with the forces that have one (equivalent types listed under the first of them)."""

    forces: tuple[UnitForce, ...]
    generic: bool
    same_as: str | None
    equivalents: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Person(Record):
    id: str
    iri: str
    name: str
    rank: str | None
    forces: tuple[Ref, ...]
    roles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Lead(Record):
    """Who leads what in a force: the leader (a person or a post), the subject and the sentence."""

    force: str | None
    leader: str
    name: str
    subject: str | None  # IRI of what is led, when the graph names it
    subject_label: str | None
    subject_text: str | None  # the subject as printed, else its label
    text: str | None


@dataclass(frozen=True, slots=True)
class Unit(Record):
    """A unit of a force, with its type."""

    iri: str
    label: str
    type: Ref | None


@dataclass(frozen=True, slots=True)
class Distribution(Record):
    excellent: int | None
    good: int | None
    fair: int | None
    poor: int | None


@dataclass(frozen=True, slots=True)
class Grade(Record):
    """A force's grade in an area beside the national distribution."""

    area: Ref
    grade: str | None
    assessment_period: str | None
    national: Distribution


@dataclass(frozen=True, slots=True)
class ForceFacts(Record):
    """What ``/forces/{id}`` adds to a force: grades, units, systems, leads and finding counts."""

    grades: tuple[Grade, ...]
    units: tuple[Unit, ...]
    systems: tuple[System, ...]
    leads: tuple[Lead, ...]
    finding_counts: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class Span(Record):
    """Where a finding, practice or lead is printed: its report (IRI), lines and page."""

    report: str
    line_from: int | None
    line_to: int | None
    page: int | None


@dataclass(frozen=True, slots=True)
class WhoLead(Record):
    """A lead as the pages show it (a force's who's who, what a person or post leads); IRIs and labels."""

    iri: str
    force: str | None
    leader: str
    leader_label: str | None
    subject: str | None
    subject_label: str | None
    subject_text: str | None
    text: str | None


@dataclass(frozen=True, slots=True)
class ContactPoint(Record):
    """A practice's contact point: each of its values, in order."""

    iri: str
    name: tuple[str, ...]
    rank: tuple[str, ...]
    role: tuple[str, ...]
    telephone: tuple[str, ...]
    email: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PracticeContacts(Record):
    """The leads (person or post IRIs, in order) a practice names and its contact points (by IRI)."""

    leads: tuple[str, ...]
    contacts: tuple[ContactPoint, ...]


@dataclass(frozen=True, slots=True)
class CardLink(Record):
    """``node predicate value`` for a rank, post or organisation (``predicate``: its local name)."""

    node: str
    node_label: str | None
    predicate: str
    value: str
    label: str | None


@dataclass(frozen=True, slots=True)
class ReportSource(Record):
    """A report's title, force and the file it was read from."""

    iri: str
    title: str | None
    force: str | None
    force_label: str | None
    file: str | None
    sha: str | None


@dataclass(frozen=True, slots=True)
class Judged(Record):
    """A cell of the grade matrix: force x area -> grade, with the national distribution (IRIs, labels)."""

    force: str
    force_label: str | None
    area: str
    area_label: str | None
    grade: str
    grade_label: str | None
    national: Distribution | None


@dataclass(frozen=True, slots=True)
class Pages(Record):
    """What only the HTML pages show (:mod:`api.snapshot_pages`): source spans by item IRI, every lead,
    practices' contacts by practice IRI, ranks/posts/organisations, reports by id, the grade matrix."""

    sources: Mapping[str, Span]
    leads: tuple[WhoLead, ...]
    contacts: Mapping[str, PracticeContacts]
    cards: tuple[CardLink, ...]
    reports: Mapping[str, ReportSource]
    matrix: tuple[Judged, ...]


@dataclass(frozen=True, eq=False)
class Snapshot:
    """Everything the read side shows, for one store generation (never changed once built).

    The tables are keyed by id (findings by IRI) in the order the API lists them; ``mentions`` maps a
    finding or practice IRI to the entities it mentions; ``facts`` holds each force's detail, ``pages``
    what only the HTML pages show.
    """

    generation: str
    iris: Iris
    forces: Mapping[str, Force]
    areas: Mapping[str, Area]
    practices: Mapping[str, Practice]
    findings: Mapping[str, Finding]
    systems: Mapping[str, System]
    unit_types: Mapping[str, UnitType]
    people: Mapping[str, Person]
    mentions: Mapping[str, frozenset[str]]
    leads: tuple[Lead, ...]
    facts: Mapping[str, ForceFacts]
    pages: Pages
    memo: Memo = field(default_factory=Memo, repr=False)

    def derived(self, key: tuple[Hashable, ...], build: Callable[[], T], bound: int | None = None) -> T:
        """``build()`` once per snapshot, so once per store generation (see :class:`api.memo.Memo`)."""
        return self.memo.get(key, build, bound)

    @property
    def matcher(self) -> Matcher:
        """The ranking over this snapshot's practices and findings (its tables built on first use)."""
        from api.matching import Matcher

        return self.memo.get(("matcher",), lambda: Matcher(self))

    def force_ref(self, iri: str | None) -> Ref | None:
        return ref_in(self.forces, iri)

    def area_ref(self, iri: str | None) -> Ref | None:
        return ref_in(self.areas, iri)

    def known(self, kind: str) -> Mapping[str, Any]:
        """The table of a node kind by its IRI path segment (``force``, ``unit-type``…; {} if none)."""
        tables = {"force": self.forces, "system": self.systems, "unit-type": self.unit_types,
                  "area": self.areas, "person": self.people, "practice": self.practices}  # fmt: skip
        return tables.get(kind, {})


def last_segment(iri_value: str) -> str:
    """The last path segment of an IRI (``…/force/nottinghamshire`` -> ``nottinghamshire``)."""
    return iri_value.rstrip("/").rsplit("/", 1)[-1]


def ref_in(table: Mapping[str, Force] | Mapping[str, Area], iri: str | None) -> Ref | None:
    """A link to the force or area ``iri``, labelled from ``table`` (None for None)."""
    if iri is None:
        return None
    ident = last_segment(iri)
    known = table.get(ident)
    return Ref(ident, known.label if known else ident, iri)


def replace(record: T, **changes: Any) -> T:
    """A copy of a record with some fields changed."""
    return dataclasses.replace(record, **changes)  # type: ignore[type-var]
