"""Build :class:`api.snapshot.Pages`, what only the HTML pages show, one whole-store query per table
(``graph/queries/api/page_*.rq``; the leads from the rows of ``force_leads.rq`` the snapshot's leads are
built from), rows read as plain strings like :mod:`api.snapshot_build`.

The pages (:mod:`api.pages`) read these with the snapshot's findings, practices, mentions and forces, so a
noun's page never queries the store.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from api.lookup import rows
from api.snapshot import (
    CardLink,
    ContactPoint,
    Distribution,
    Judged,
    Pages,
    PracticeContacts,
    ReportSource,
    Span,
    WhoLead,
    last_segment,
)
from graph.report_tables import Row, values
from graph.store import Store

#: a contact point's values the card shows (the local names of their predicates)
CONTACT_VALUES: tuple[str, ...] = ("name", "rank", "role", "telephone", "email")


def _int(value: str | None) -> int | None:
    try:
        return None if value is None else int(value)
    except ValueError:
        return None


def build_sources(table: list[Row]) -> dict[str, Span]:
    """Each finding's, practice's and lead's report, lines and page (the first span when it has several),
    from the rows of ``page_sources.rq`` (read per report graph: :mod:`api.report_rows`)."""
    found: dict[str, Span] = {}
    for item, report, line_from, line_to, page in table:
        item = item or ""
        if item not in found:
            found[item] = Span(report or "", _int(line_from), _int(line_to), _int(page))
    return found


def build_leads(table: list[Row]) -> tuple[WhoLead, ...]:
    """Every lead, one record per lead (its first row), in IRI order, from the rows of ``force_leads.rq``
    with the labels joined (lead, force, leader, leader label, subject, subject label, subject text, text:
    read once for :attr:`api.snapshot.Snapshot.leads` and for this; every lead has a force)."""
    found: dict[str, WhoLead] = {}
    for lead, force, leader, leader_label, subject, subject_label, subject_text, text in table:
        iri = lead or ""
        if iri not in found:
            found[iri] = WhoLead(
                iri, force, leader or "", leader_label, subject, subject_label, subject_text, text
            )
    return tuple(found[iri] for iri in sorted(found))


def build_contacts(table: list[Row]) -> dict[str, PracticeContacts]:
    """Per practice IRI: the leads it names (sorted) and its contact points (by IRI, values sorted), from
    the rows of ``page_contacts.rq`` (read per report graph)."""
    leads: dict[str, set[str]] = defaultdict(set)
    points: dict[str, dict[str, dict[str, set[str]]]] = defaultdict(dict)
    for practice, lead, contact, p, o in table:
        practice = practice or ""
        if lead:
            leads[practice].add(lead)
        if contact:
            found = points[practice].setdefault(contact, defaultdict(set))
            if p and o is not None:
                found[_local(p)].add(o)
    return {
        practice: PracticeContacts(
            tuple(sorted(leads.get(practice, ()))),
            tuple(
                ContactPoint(cp, *(tuple(sorted(points[practice][cp].get(k, ()))) for k in CONTACT_VALUES))
                for cp in sorted(points.get(practice, {}))
            ),
        )
        for practice in sorted(set(leads) | set(points))
    }


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def build_cards(store: Store) -> tuple[CardLink, ...]:
    """Every rank, post and organisation of a node, ordered by node, predicate and value."""
    table = rows(store, "page_cards")
    table.sort(key=lambda r: (r["node"] or "", r["p"] or "", r["o"] or ""))
    return tuple(
        CardLink(r["node"] or "", r["nodeLabel"], _local(r["p"] or ""), r["o"] or "", r["label"])
        for r in table
    )


def build_reports(store: Store) -> dict[str, ReportSource]:
    """Every report by id: its first row (title, force, file, SHA-256)."""
    found: dict[str, ReportSource] = {}
    for r in rows(store, "page_reports"):
        iri = r["report"] or ""
        ident = last_segment(iri)
        if ident not in found:
            found[ident] = ReportSource(iri, r["title"], r["force"], r["forceLabel"], r["file"], r["sha"])
    return found


def _label_key(label: str | None) -> tuple[bool, str]:
    """SPARQL's order of a label: unbound first."""
    return (label is not None, label or "")


def build_matrix(store: Store, table: list[Row]) -> tuple[Judged, ...]:
    """Every graded judgement with the labels of its force, area and grade (any report's) and its national
    distribution when all four counts are given, by force label then area label; from the rows of
    ``judgements.rq`` (read per report graph; a row per period there, one here)."""
    graded: dict[tuple[str | None, ...], None] = {}
    for judgement, force, area, grade, report, _, dist, *counts in table:
        if grade is not None:
            whole = None not in counts
            graded[
                (
                    judgement,
                    force,
                    area,
                    grade,
                    report,
                    dist if whole else None,
                    *(counts if whole else [None] * 4),
                )
            ] = None
    named = values(store, {n for key in graded for n in key[1:4] if n is not None})
    unlabelled: list[str | None] = [None]
    found = []
    for _, force, area, grade, _, _, *counts in graded:
        national = Distribution(*(_int(c) for c in counts)) if counts[0] is not None else None
        for force_label in named.get(force or "") or unlabelled:
            for area_label in named.get(area or "") or unlabelled:
                for grade_label in named.get(grade or "") or unlabelled:
                    found.append(
                        Judged(
                            force or "",
                            force_label,
                            area or "",
                            area_label,
                            grade or "",
                            grade_label,
                            national,
                        )
                    )
    found.sort(key=lambda j: (_label_key(j.force_label), _label_key(j.area_label)))
    return tuple(found)


def build_pages(store: Store, lead_rows: list[Row], tables: Mapping[str, list[Row]]) -> Pages:
    """The pages' tables of ``store``: two whole-store queries; the leads' rows are read by the caller,
    the sources', contacts' and judgements' per report graph (:mod:`api.report_rows`)."""
    return Pages(
        build_sources(tables["page_sources"]), build_leads(lead_rows),
        build_contacts(tables["page_contacts"]), build_cards(store), build_reports(store),
        build_matrix(store, tables["judgements"]),
    )  # fmt: skip
