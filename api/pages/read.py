"""What the noun pages read from the snapshot (never the store): findings and practices as statements with
their source lines, by force or by what they mention, leads by force or leader, a practice's contacts, the
ranks, posts and organisations of people and posts. The indexes are derived once per snapshot
(:meth:`api.snapshot.Snapshot.derived`) and ordered as the pages list them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from rdflib import URIRef

from api.pages.common import Link, link_to, local_name
from api.pages.statements import SourceRef, Statement, kind_key, kind_words
from api.snapshot import CardLink, Finding, Practice, Snapshot, WhoLead


def _order(value: Any) -> tuple[bool, Any]:
    """SPARQL's ``ORDER BY``: unbound first."""
    return (value is not None, value if value is not None else "")


def practices_by_iri(snap: Snapshot) -> dict[str, Practice]:
    return snap.derived(("page practices by iri",), lambda: {p.iri: p for p in snap.practices.values()})


def source_of(snap: Snapshot, iri: str) -> SourceRef | None:
    span = snap.pages.sources.get(iri)
    if span is None:
        return None
    return SourceRef(local_name(span.report), span.line_from, span.line_to, span.page)


def _line(snap: Snapshot, iri: str) -> int | None:
    span = snap.pages.sources.get(iri)
    return span.line_from if span else None


def _kind(item: Finding | Practice) -> str:
    return kind_key(item.kind) if isinstance(item, Finding) else "practice"


def item_of(snap: Snapshot, iri: str) -> Finding | Practice | None:
    return snap.findings.get(iri) or practices_by_iri(snap).get(iri)


def item_statement(snap: Snapshot, item: Finding | Practice, base: str) -> Statement:
    """A finding or practice as the pages show it (as :func:`api.pages.statements.statement` a row)."""
    kind = _kind(item)
    if isinstance(item, Finding):
        title, body = "", item.text
    else:
        title, body = (item.title if item.title != item.id else ""), item.problem or ""
    force = link_to(URIRef(item.force.iri), base, item.force.label) if item.force else None
    area = link_to(URIRef(item.area.iri), base, item.area.label) if item.area else None
    shown = f"{title}. {body}" if title and body else body or title
    link = link_to(URIRef(item.iri), base, title or kind_words(kind))
    return Statement(link, kind, shown, source_of(snap, item.iri), force, area)


def _items(snap: Snapshot) -> list[Finding | Practice]:
    return [*snap.findings.values(), *snap.practices.values()]


def _by_force(snap: Snapshot) -> dict[str, list[str]]:
    """Force IRI -> its findings and practices, by area label then line (as ``force_statements.rq``)."""
    found: dict[str, list[Finding | Practice]] = defaultdict(list)
    for item in _items(snap):
        if item.force:
            found[item.force.iri].append(item)
    key = lambda i: (_order(i.area.label if i.area else None), _order(_line(snap, i.iri)), i.iri)  # noqa: E731
    return {force: [i.iri for i in sorted(items, key=key)] for force, items in found.items()}


def force_statements(snap: Snapshot, force_iri: str, base: str) -> list[Statement]:
    """Every finding and practice of a force."""
    index = snap.derived(("page statements by force",), lambda: _by_force(snap))
    found = (item_of(snap, iri) for iri in index.get(force_iri, ()))
    return [item_statement(snap, item, base) for item in found if item is not None]


def _by_entity(snap: Snapshot) -> dict[str, list[str]]:
    """Entity or area IRI -> the findings and practices mentioning it or in it, by force label, kind, line
    (as ``mentioning.rq``)."""
    found: dict[str, set[str]] = defaultdict(set)
    for subject, entities in snap.mentions.items():
        for entity in entities:
            found[entity].add(subject)
    for item in _items(snap):
        if item.area:
            found[item.area.iri].add(item.iri)

    def key(iri: str) -> tuple[Any, ...]:
        item = item_of(snap, iri)
        label = item.force.label if item and item.force else None
        return (_order(label), _kind(item) if item else "", _order(_line(snap, iri)), iri)

    return {entity: sorted(items, key=key) for entity, items in found.items()}


def mentioning(snap: Snapshot, entity: str, base: str) -> list[Statement]:
    """The findings and practices that mention ``entity`` or are in it (an area)."""
    index = snap.derived(("page statements by entity",), lambda: _by_entity(snap))
    found = (item_of(snap, iri) for iri in index.get(entity, ()))
    return [item_statement(snap, item, base) for item in found if item is not None]


def _leads_by(snap: Snapshot, field: str) -> dict[str, list[WhoLead]]:
    found: dict[str, list[WhoLead]] = defaultdict(list)
    for lead in snap.pages.leads:
        if (value := getattr(lead, field)) is not None:
            found[value].append(lead)
    for leads in found.values():
        leads.sort(key=lambda lead: (_order(_line(snap, lead.iri)), lead.iri))
    return found


def force_leads(snap: Snapshot, force_iri: str) -> list[WhoLead]:
    """The leads of a force, by line (as ``force_who.rq``)."""
    return snap.derived(("page leads by force",), lambda: _leads_by(snap, "force")).get(force_iri, [])


def leads_of(snap: Snapshot, leader: str) -> list[WhoLead]:
    """The leads naming ``leader`` (a person or a post), by line."""
    return snap.derived(("page leads by leader",), lambda: _leads_by(snap, "leader")).get(leader, [])


def practices_led_by(snap: Snapshot, person: str) -> list[str]:
    """The IRIs of the practices naming ``person`` (or a post) as their lead."""

    def build() -> dict[str, list[str]]:
        found: dict[str, list[str]] = defaultdict(list)
        for practice, contacts in snap.pages.contacts.items():
            for lead in contacts.leads:
                found[lead].append(practice)
        return found

    return snap.derived(("page practices by lead",), build).get(person, [])


def cards(snap: Snapshot, node: str, predicate: str) -> list[CardLink]:
    """``node predicate ?value`` (``rank``, ``holdsRole``, ``memberOf``), by value."""

    def build() -> dict[tuple[str, str], list[CardLink]]:
        found: dict[tuple[str, str], list[CardLink]] = defaultdict(list)
        for card in snap.pages.cards:
            found[(card.node, card.predicate)].append(card)
        return found

    return snap.derived(("page cards",), build).get((node, predicate), [])


def holders(snap: Snapshot, post: str) -> list[CardLink]:
    """Who holds the post ``post`` (``?node hmic:holdsRole post``), by label."""

    def build() -> dict[str, list[CardLink]]:
        found: dict[str, list[CardLink]] = defaultdict(list)
        for card in snap.pages.cards:
            if card.predicate == "holdsRole":
                found[card.value].append(card)
        for rows in found.values():
            rows.sort(key=lambda c: (_order(c.node_label), c.node))
        return found

    return snap.derived(("page holders",), build).get(post, [])


def force_link(snap: Snapshot, iri: str | None, base: str) -> Link | None:
    """A link to a force's page, labelled from the snapshot."""
    if iri is None:
        return None
    ref = snap.force_ref(iri)
    return link_to(URIRef(iri), base, ref.label if ref else None)


def uniq(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def warm(snap: Snapshot) -> None:
    """Build the pages' indexes of ``snap`` (a few hundred ms at 430 reports), so the first page of a kind
    after a load does not wait for them (:mod:`api.snapshot_warm`)."""
    force_statements(snap, "", "")
    mentioning(snap, "", "")
    force_leads(snap, "")
    leads_of(snap, "")
    practices_led_by(snap, "")
    cards(snap, "", "")
    holders(snap, "")
