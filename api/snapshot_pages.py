"""Build :class:`api.snapshot.Pages`, what only the HTML pages show, one whole-store query per table
(``graph/queries/api/page_*.rq``; the leads from the rows of ``force_leads.rq`` the snapshot's leads are
built from), rows read as plain strings like :mod:`api.snapshot_build`.

The pages (:mod:`api.pages`) read these with the snapshot's findings, practices, mentions and forces, so a
noun's page never queries the store.
"""

from __future__ import annotations

from collections import defaultdict

from api.lookup import GRADES, rows
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
from graph.report_tables import Row
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


def build_contacts(store: Store) -> dict[str, PracticeContacts]:
    """Per practice IRI: the leads it names (sorted) and its contact points (by IRI, values sorted)."""
    leads: dict[str, set[str]] = defaultdict(set)
    points: dict[str, dict[str, dict[str, set[str]]]] = defaultdict(dict)
    for r in rows(store, "page_contacts"):
        practice = r["practice"] or ""
        if r["lead"]:
            leads[practice].add(r["lead"])
        if r["contact"]:
            values = points[practice].setdefault(r["contact"], defaultdict(set))
            if r["p"] and r["o"] is not None:
                values[_local(r["p"])].add(r["o"])
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


def _national(r: Row) -> Distribution | None:
    if r["excellent"] is None:
        return None
    return Distribution(*(_int(r[k]) for k in GRADES))


def build_matrix(store: Store) -> tuple[Judged, ...]:
    """Every judgement, in the query's order (force label, area label)."""
    found = []
    for r in rows(store, "page_grades"):
        found.append(
            Judged(r["force"] or "", r["forceLabel"], r["area"] or "", r["areaLabel"], r["grade"] or "",
                   r["gradeLabel"], _national(r))
        )  # fmt: skip
    return tuple(found)


def build_pages(store: Store, lead_rows: list[Row], source_rows: list[Row]) -> Pages:
    """The pages' tables of ``store`` (four whole-store queries; the leads' and the sources' rows are read
    by the caller, per report graph)."""
    return Pages(
        build_sources(source_rows), build_leads(lead_rows), build_contacts(store), build_cards(store),
        build_reports(store), build_matrix(store),
    )  # fmt: skip
