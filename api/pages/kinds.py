"""Sections specific to a kind of page: the "who has solved this" flow of a force, a practice's contact,
what other forces did on a finding's area, and the network views of each node."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import RDF, URIRef
from rdflib.term import Node

from api.pages.common import Link, link_to, local_name, select, text
from graph.iris import HMIC, SCHEMA
from graph.store import Store


@dataclass
class Item:
    """One entry of a section: a link, a line of detail, and related links (force, lead, contact)."""

    link: Link
    detail: str = ""
    meta: list[Link] = field(default_factory=list)


@dataclass
class Section:
    title: str
    anchor: str
    intro: str = ""
    items: list[Item] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)


def objects(store: Store, node: URIRef, predicate: URIRef) -> list[Node]:
    """Objects of ``node predicate ?o``."""
    return [
        r["o"] for r in select(store, "node_out", node=node) if r["p"] == predicate and r["o"] is not None
    ]


def solved_elsewhere(store: Store, force: Node, area: Node, base: str) -> list[Item]:
    """Practices and strengths of other forces in ``area``, each with the lead to contact."""
    leads: dict[str, list[Link]] = {}
    for row in select(store, "area_leads", area=area):
        leads.setdefault(text(row["force"]), []).append(link_to(row["leader"], base, row["leaderLabel"]))
    items: list[Item] = []
    for row in select(store, "solved_elsewhere", force=force, area=area):
        meta = [link_to(row["other"], base, row["otherLabel"])]
        if row["lead"] is not None:
            meta.append(link_to(row["lead"], base, row["leadName"] or None))
        else:
            meta.extend(leads.get(text(row["other"]), []))
        if row["phone"] is not None:
            meta.append(
                Link(f"tel. {text(row['phone'])}", "tel:" + text(row["phone"]).replace(" ", ""), "contact")
            )
        if row["email"] is not None:
            meta.append(Link(text(row["email"]), f"mailto:{text(row['email'])}", "contact"))
        label = text(row["label"]) or local_name(text(row["item"]))
        kind = text(row["kind"]).capitalize()
        link = link_to(row["item"], base, label if label.startswith(kind) else f"{kind}: {label}")
        items.append(Item(link, _clip(text(row["text"])), meta))
    return items


def _clip(value: str, limit: int = 320) -> str:
    flat = " ".join(value.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def force_sections(store: Store, node: URIRef, base: str) -> list[Section]:
    """For each area where the force must improve: its findings, and who elsewhere has solved it."""
    by_area: dict[str, tuple[Link, Node, list[Item]]] = {}
    for row in select(store, "force_improvements", force=node):
        area = row["area"]
        entry = by_area.setdefault(text(area), (link_to(area, base, row["areaLabel"]), area, []))  # type: ignore[arg-type]
        lines = f"line {text(row['lineFrom'])}" if row["lineFrom"] is not None else ""
        entry[2].append(Item(link_to(row["finding"], base, _clip(text(row["text"]), 160)), lines))
    children = []
    for area_link, area, findings in by_area.values():
        helpers = solved_elsewhere(store, node, area, base)
        children.append(
            Section(
                title=area_link.label, anchor=f"help-{local_name(text(area))}",
                intro=f"{len(findings)} area(s) for improvement here; {len(helpers)} practice(s) or "
                f"strength(s) in other forces on the same area.",
                items=helpers, children=[Section("Areas for improvement", "", items=findings)],
            )
        )  # fmt: skip
    intro = (
        "For every area where this force must improve: practices and strengths of other forces on the "
        "same area, with the lead to contact."
        if children
        else "No areas for improvement are recorded for this force."
    )
    return [Section("Who has solved this?", "help", intro=intro, children=children)]


def finding_sections(store: Store, node: URIRef, base: str) -> list[Section]:
    """An area for improvement links to other forces' practices and strengths on its area."""
    if HMIC.AreaForImprovement not in objects(store, node, RDF.type):
        return []
    forces, areas = objects(store, node, HMIC.force), objects(store, node, HMIC.area)
    if not forces or not areas:
        return []
    items = solved_elsewhere(store, forces[0], areas[0], base)
    return [Section("Solved elsewhere", "help", "Other forces' practices and strengths on this area.", items)]


def practice_sections(store: Store, node: URIRef, base: str) -> list[Section]:
    """The contact point of a practice, and what other forces did on the same area."""
    sections: list[Section] = []
    for contact in objects(store, node, SCHEMA.contactPoint):
        items = [
            Item(Link(f"{local_name(text(r['p']))}: {text(r['o'])}"))
            for r in select(store, "node_out", node=contact)
            if str(r["p"]).startswith((str(SCHEMA), str(HMIC)))
        ]  # fmt: skip
        sections.append(Section("Contact", "contact", items=items))
    forces, areas = objects(store, node, HMIC.force), objects(store, node, HMIC.area)
    if forces and areas:
        items = solved_elsewhere(store, forces[0], areas[0], base)
        sections.append(Section("Elsewhere on the same area", "elsewhere", items=items))
    return sections


SectionBuilder = Callable[[Store, URIRef, str], list[Section]]
BUILDERS: dict[str, SectionBuilder] = {
    "force": force_sections,
    "finding": finding_sections,
    "practice": practice_sections,
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


def kind_sections(kind: str, store: Store, node: URIRef, base: str) -> list[Section]:
    """The sections for a node of ``kind`` (at least its network views)."""
    builder = BUILDERS.get(kind)
    sections = builder(store, node, base) if builder else []
    path = str(node)[len(base) :]
    return [*sections, view_links(kind, path)]
