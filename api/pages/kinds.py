"""Sections specific to a kind of page: a force's grades and "who has solved this", a practice's contact,
what other forces did on a finding or practice, and the network views of each node; each read from the
snapshot alone (:mod:`api.pages.read`), never the store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rdflib import URIRef

from api.matching import Matcher
from api.pages.common import Link, link_to, local_name
from api.pages.entities import contact_card, contact_sections, people_in_post, says_sections
from api.pages.help import (
    Item,
    Section,
    finding_help_items,
    force_help_sections,
    grades_section,
    similar_items,
)
from api.pages.statements import kind_key
from api.snapshot import Snapshot
from api.snapshot_pages import CONTACT_VALUES
from graph.store import Store


@dataclass(frozen=True)
class PageContext:
    """What the section builders need: the snapshot (its matcher built on first use), the base, and the
    store, which no section reads (kept for callers that pass it)."""

    snap: Snapshot
    store: Store
    base: str

    def matcher(self) -> Matcher:
        return self.snap.matcher


def force_sections(ctx: PageContext, node: URIRef) -> list[Section]:
    """The force's grades beside the national distribution, then who elsewhere has solved its problems."""
    grades = grades_section(ctx.snap, local_name(str(node)), ctx.base)
    helps = force_help_sections(ctx.matcher(), local_name(str(node)), ctx.base)
    return [*([grades] if grades else []), *helps]


def finding_sections(ctx: PageContext, node: URIRef) -> list[Section]:
    """An area for improvement links to other forces' practices and strengths that address it."""
    finding = ctx.snap.findings.get(str(node))
    if finding is None or kind_key(finding.kind) != "area-for-improvement":
        return []
    items = finding_help_items(ctx.matcher(), str(node), ctx.base)
    intro = "Practices and strengths of other forces, ranked as on the force page, with whom to contact."
    return [Section("Solved elsewhere", "help", intro, items)]


def practice_sections(ctx: PageContext, node: URIRef) -> list[Section]:
    """The contact point of a practice as a card, and what other forces did on the same problem."""
    sections: list[Section] = []
    found = ctx.snap.pages.contacts.get(str(node))
    for contact in found.contacts if found else ():
        values = {key: list(contact[key]) for key in CONTACT_VALUES if contact[key]}
        person = link_to(URIRef(found.leads[0]), ctx.base).href if found and found.leads else None
        sections.append(Section("Contact", "contact", card=contact_card(values, person)))
    items = similar_items(ctx.matcher(), str(node), ctx.base)
    sections.append(Section("Elsewhere on the same problem", "elsewhere", items=items))
    return sections


def report_sections(ctx: PageContext, node: URIRef) -> list[Section]:
    """The report's text, with line numbers."""
    link = Link("Read the report text, with line numbers", f"/reports/{local_name(str(node))}")
    return [Section("Report text", "report-text", items=[Item(link)])]


def post_sections(ctx: PageContext, node: URIRef) -> list[Section]:
    return [*contact_sections(ctx, node), *people_in_post(ctx, node)]


SectionBuilder = Callable[[PageContext, URIRef], list[Section]]
BUILDERS: dict[str, SectionBuilder] = {
    "force": force_sections,
    "finding": finding_sections,
    "practice": practice_sections,
    "system": says_sections,
    "unit-type": says_sections,
    "area": says_sections,
    "person": contact_sections,
    "role": post_sections,
    "report": report_sections,
}


def view_links(kind: str, path: str) -> Section:
    """Ways into the network views from a node's page."""
    items = [Item(Link("Neighbourhood (1 step)", f"/view/ego/{path}")),
             Item(Link("Neighbourhood (2 steps)", f"/view/ego/{path}?depth=2"))]  # fmt: skip
    if kind in ("force", "system", "unit-type"):
        ident = path.split("/", 1)[1] if "/" in path else path
        name = {"force": "This force's network", "system": "This system across forces",
                "unit-type": "This unit type across forces"}[kind]  # fmt: skip
        items.insert(0, Item(Link(name, f"/view/{kind}/{ident}")))
    return Section("Network views", "views", items=items)


def kind_sections(kind: str, ctx: PageContext, node: URIRef) -> list[Section]:
    """The sections for a node of ``kind`` (at least its network views)."""
    builder = BUILDERS.get(kind)
    sections = builder(ctx, node) if builder else []
    path = str(node)[len(ctx.base) :]
    return [*sections, view_links(kind, path)]
