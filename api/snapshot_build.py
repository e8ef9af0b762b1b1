"""Build a :class:`api.snapshot.Snapshot` from the store: one builder per noun.

Rows are plain strings (SPARQL JSON results: no rdflib terms, whose conversion was much of the old
catalogue's build), read by whole-store queries in ``graph/queries/api`` (no per-force query: a force's
detail is grouped here). The heavy ones (findings, mentions, leads, source spans and what forces share:
:data:`api.report_rows.TABLES`) are read per report graph and kept between builds by
:mod:`api.report_rows`, so a rebuild after a load reads only the graphs that changed; the small ones with
:func:`api.lookup.rows`. What forces share comes from :mod:`graph.sharing_pass`.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from api.lookup import rows
from api.report_rows import RowCache, Tables, read_tables
from api.snapshot import (
    Area,
    Contact,
    Distribution,
    Finding,
    Force,
    ForceFacts,
    Grade,
    Lead,
    Person,
    Practice,
    Ref,
    Snapshot,
    System,
    Unit,
    UnitForce,
    UnitType,
    last_segment,
    ref_in,
)
from api.snapshot_joins import lead_rows, people_rows
from graph.iris import Iris
from graph.report_tables import FOAF_NAME, Row, table, values
from graph.sharing import Fact, forces_by_entity
from graph.sharing_pass import facts_from_rows
from graph.store import Store


def _int(value: str | None) -> int | None:
    try:
        return None if value is None else int(value)
    except ValueError:
        return None


def practice_id(iri: str, iris: Iris) -> str:
    """``…/practice/nottinghamshire-2007/3`` -> ``nottinghamshire-2007-3`` (URL-safe, no slash)."""
    kind, parts = iris.parse(iri)
    return "-".join(parts) if kind == "practice" else iri


class Builder:
    """Reads the store once and builds each noun's table (forces and areas first: the others refer to
    them)."""

    def __init__(self, store: Store, iris: Iris, tables: Tables) -> None:
        self.store, self.iris, self.tables = store, iris, tables
        self.forces: dict[str, Force] = {}
        self.areas: dict[str, Area] = {}
        self.lead_rows: list[Row] = []
        self._refs: dict[tuple[bool, str], Ref | None] = {}  # one link per force or area IRI

    def _ref(self, is_force: bool, iri: str | None) -> Ref | None:
        """The link to a force or area by IRI, made once per IRI (every finding links to both)."""
        if iri is None:
            return None
        key = (is_force, iri)
        if key not in self._refs:
            self._refs[key] = ref_in(self.forces if is_force else self.areas, iri)
        return self._refs[key]

    def force_ref(self, iri: str | None) -> Ref | None:
        return self._ref(True, iri)

    def area_ref(self, iri: str | None) -> Ref | None:
        return self._ref(False, iri)

    def build_forces(self) -> None:
        for r in rows(self.store, "forces"):
            ident = last_segment(r["force"] or "")
            self.forces[ident] = Force(
                ident, r["force"] or "", r["label"] or ident, r["ukid"], r["ons"], _int(r["reports"]) or 0
            )

    def build_areas(self) -> None:
        broader: dict[str, str] = {}
        for r in rows(self.store, "areas"):
            ident = r["notation"] or last_segment(r["area"] or "")
            if ident not in self.areas:
                self.areas[ident] = Area(ident, r["area"] or "", r["label"] or ident, None)
            if r["broader"]:
                broader[ident] = last_segment(r["broader"])
        for ident, up in broader.items():
            area = self.areas[ident]
            self.areas[ident] = Area(area.id, area.iri, area.label, up)

    def build_practices(self) -> dict[str, Practice]:
        """Practices by id (IRI order), each from its first row; the contact named by the contact point,
        else by the lead's name (any report's)."""
        found: dict[str, Practice] = {}
        table_ = sorted(self.tables["practices"], key=lambda r: r[0] or "")
        names = values(self.store, {r[8] for r in table_ if r[8] is not None}, FOAF_NAME)
        for (
            iri,
            title,
            force,
            area,
            printed_area,
            problem,
            solution,
            outcomes,
            lead,
            *contact_point,
        ) in table_:
            pid = practice_id(iri or "", self.iris)
            if pid in found:
                continue
            contact_name, rank, role, phone, email = contact_point
            name = contact_name or (names.get(lead) or [None])[0] if lead else contact_name
            contact = Contact(name, rank, role, phone, email, lead) if name else None
            found[pid] = Practice(
                pid, iri or "", title or pid, self.force_ref(force), self.area_ref(area), printed_area,
                problem, solution, outcomes, contact,
            )  # fmt: skip
        return found

    def build_findings(self) -> tuple[dict[str, Finding], dict[str, dict[str, int]]]:
        """Findings by IRI (IRI order), and per force the number of findings of each kind."""
        found: dict[str, Finding] = {}
        kinds: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        notations: dict[str, list[str]] = defaultdict(list)
        for concept, notation in table(self.store, "notations"):
            if concept is not None and notation is not None:
                notations[concept].append(notation.replace("-", "_"))
        no_kind: list[str | None] = [None]
        rows_ = sorted(self.tables["snapshot_findings"], key=lambda r: r[0] or "")
        for iri, concept, text, area, force in rows_:
            iri = iri or ""
            for kind in (notations.get(concept) or no_kind) if concept is not None else no_kind:
                if kind is not None and force is not None:
                    kinds[last_segment(force)][kind].add(iri)
                if iri not in found:
                    found[iri] = Finding(
                        iri, kind or "finding", text or "", self.area_ref(area), self.force_ref(force)
                    )
        counts = {f: {k: len(v) for k, v in by_kind.items()} for f, by_kind in kinds.items()}
        return found, counts

    def build_systems(self, facts: list[Fact]) -> dict[str, System]:
        users = forces_by_entity(facts, "IT system")
        found: dict[str, System] = {}
        for r in rows(self.store, "systems"):
            iri = r["system"] or ""
            ident = last_segment(iri)
            if ident not in found:
                refs = tuple(ref for f in users.get(iri, ()) if (ref := self.force_ref(f.force)) is not None)
                found[ident] = System(ident, iri, r["label"] or ident, r["expansion"], refs)
        return found

    def build_unit_types(self, facts: list[Fact]) -> dict[str, UnitType]:
        """Unit types with the forces that have one (equivalent types listed under the first of them)."""
        table = list({r["type"]: r for r in reversed(rows(self.store, "unit_types"))}.values())[::-1]
        labels = {r["type"] or "": r["label"] or last_segment(r["type"] or "") for r in table}
        having = forces_by_entity(facts, "unit type")
        first_of = {f.member: f.entity for f in facts if f.kind == "unit type"}
        members: dict[str, set[str]] = defaultdict(set)  # first of equivalent types -> the forces' own types
        for fact in facts:
            if fact.kind == "unit type":
                members[fact.entity].add(fact.member)
        found: dict[str, UnitType] = {}
        for r in table:
            iri = r["type"] or ""
            first = first_of.get(iri, iri)
            own = having.get(iri, []) if first == iri else []
            holders = []
            for fact in own:
                ref = self.force_ref(fact.force)
                if ref is not None:
                    holders.append(UnitForce(ref.id, ref.label, ref.iri, fact.unit))
            found[last_segment(iri)] = UnitType(
                last_segment(iri),
                iri,
                labels[iri],
                r["expansion"],
                tuple(holders),
                (r["generic"] or "").lower() in ("true", "1"),
                None if first == iri else last_segment(first),
                tuple(sorted({labels.get(m, last_segment(m)) for m in members.get(iri, ())})),
            )
        return found

    def build_people(self) -> dict[str, Person]:
        draft: dict[str, tuple[tuple[str | None, ...], list[Ref], list[str]]] = {}
        for row in people_rows(self.store, self.tables["people"]):
            iri, _, _, force, post, post_label = row
            ident = last_segment(iri or "")
            _, forces, roles = draft.setdefault(ident, (row, [], []))
            ref = self.force_ref(force)
            if ref and ref not in forces:
                forces.append(ref)
            if post and post_label not in roles:
                roles.append(post_label or last_segment(post))
        return {
            ident: Person(ident, first[0] or "", first[1] or ident, first[2], tuple(f), tuple(ro))
            for ident, (first, f, ro) in draft.items()
        }

    def build_mentions(self) -> dict[str, frozenset[str]]:
        found: dict[str, set[str]] = defaultdict(set)
        for subject, entity in self.tables["mentions"]:
            found[subject or ""].add(entity or "")
        return {subject: frozenset(entities) for subject, entities in found.items()}

    def build_leads(self) -> tuple[Lead, ...]:
        """One lead per row of ``force_leads.rq`` joined with its leader's and subject's labels (any
        report's), rows ordered by lead; the rows are read again by the pages' who table."""
        expanded = lead_rows(self.store, self.tables["force_leads"])
        self.lead_rows = expanded
        return tuple(
            Lead(
                last_segment(force) if force else None,
                leader or "",
                leader_label or last_segment(leader or ""),
                subject,
                subject_label,
                subject_text or subject_label,
                text,
            )
            for _, force, leader, leader_label, subject, subject_label, subject_text, text in expanded
        )

    def build_grades(self) -> dict[str, list[Grade]]:
        """Each force's grades, one per judgement row and label of its area and grade, by area."""
        found: dict[str, list[Grade]] = defaultdict(list)
        table_ = sorted(self.tables["judgements"], key=lambda r: r[2] or "")
        named = values(self.store, {n for r in table_ for n in (r[2], r[3]) if n is not None})
        unlabelled: list[str | None] = [None]
        for _, force, area_iri, grade, _, period, _, *counts in table_:
            area_iri = area_iri or ""
            area_id = last_segment(area_iri)
            national = Distribution(*(_int(c) for c in counts))
            for area_label in named.get(area_iri) or unlabelled:
                area = Ref(area_id, area_label or area_id, area_iri)
                for grade_label in (named.get(grade) or unlabelled) if grade else unlabelled:
                    found[last_segment(force or "")].append(Grade(area, grade_label, period, national))
        return found

    def build_units(self) -> dict[str, list[Unit]]:
        found: dict[str, list[Unit]] = defaultdict(list)
        table = rows(self.store, "snapshot_units")
        table.sort(key=lambda r: (r["label"] is not None, r["label"] or "", r["unit"] or ""))
        for r in table:
            unit_type = r["type"]
            ref = None
            if unit_type:
                ref = Ref(last_segment(unit_type), r["typeLabel"] or last_segment(unit_type), unit_type)
            found[last_segment(r["force"] or "")].append(
                Unit(r["unit"] or "", r["label"] or last_segment(r["unit"] or ""), ref)
            )
        return found


def _facts(
    forces: dict[str, Force],
    systems: dict[str, System],
    leads: tuple[Lead, ...],
    grades: dict[str, list[Grade]],
    units: dict[str, list[Unit]],
    counts: dict[str, dict[str, int]],
) -> dict[str, ForceFacts]:
    """Each force's detail: grades, units, systems it uses (by label), leads and finding counts."""
    using: dict[str, list[System]] = defaultdict(list)
    for system in systems.values():
        for ident in {f.id for f in system.forces}:
            using[ident].append(system)
    by_force: dict[str | None, list[Lead]] = defaultdict(list)
    for lead in leads:
        by_force[lead.force].append(lead)
    return {
        ident: ForceFacts(
            tuple(grades.get(ident, ())),
            tuple(units.get(ident, ())),
            tuple(sorted(using.get(ident, ()), key=lambda s: s.label)),
            tuple(by_force.get(ident, ())),
            counts.get(ident, {}),
        )
        for ident in forces
    }


@contextmanager
def _no_collection() -> Iterator[None]:
    """No cyclic garbage collection while the build makes its million objects (none of them cyclic
    garbage): at 430 reports the collector's passes over them cost seconds."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build_snapshot(
    store: Store,
    iris: Iris,
    generation: str = "",
    timer: Callable[[str], Any] | None = None,
    rows_cache: RowCache | None = None,
    threads: int | None = None,
) -> Snapshot:
    """Read every table of the read model from ``store`` (a dozen whole-store queries, and six for the
    pages: :mod:`api.snapshot_pages`). ``rows_cache``: where the per-report rows are kept between builds
    (:mod:`api.report_rows`; the snapshot is the same with or without it). ``threads``: how many threads
    read the per-report rows (default: every CPU this process may run on; the snapshot is the same with
    any number)."""
    with _no_collection():
        return _build(store, iris, generation, timer or (lambda _: None), rows_cache, threads)


def _build(
    store: Store,
    iris: Iris,
    generation: str,
    note: Callable[[str], Any],
    rows_cache: RowCache | None,
    threads: int | None,
) -> Snapshot:
    from api.snapshot_store import code_digest

    tables = read_tables(store, rows_cache, code_digest(), threads)
    note("report rows")
    b = Builder(store, iris, tables)
    b.build_forces()
    b.build_areas()
    note("forces, areas")
    practices = b.build_practices()
    note("practices")
    findings, counts = b.build_findings()
    note("findings")
    facts = facts_from_rows(
        tables["sharing_claims"], tables["sharing_mentions"], table(store, "sharing_vocabulary")
    )
    note("force facts")
    systems = b.build_systems(facts)
    unit_types = b.build_unit_types(facts)
    people = b.build_people()
    note("systems, unit types, people")
    mentions = b.build_mentions()
    note("mentions")
    leads = b.build_leads()
    grades, units = b.build_grades(), b.build_units()
    note("leads, grades, units")
    from api.snapshot_pages import build_pages

    pages = build_pages(store, b.lead_rows, tables)
    note("pages")
    return Snapshot(
        generation, iris, b.forces, b.areas, practices, findings, systems, unit_types, people, mentions,
        leads, _facts(b.forces, systems, leads, grades, units, counts), pages,
    )  # fmt: skip
