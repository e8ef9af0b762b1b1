""" "Who has solved this?" on the pages, from the same ranking as ``/forces/{id}/help`` and
``/practices/{id}/similar`` (:mod:`api.matching`): every match with its force, its lead to contact and
why it matched; and a force's grade per area beside the national distribution."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rdflib import URIRef

from api.lookup import GRADES, force_grades
from api.matching import Matcher, cached_help, finding_help, similar_to
from api.pages.common import Link, link_to
from api.pages.home import AreaColumn
from api.runtime import Runtime
from graph.store import Store

MATCHES_PER_FINDING = 5  # as ``/forces/{id}/help?per_finding=`` by default


@dataclass
class Item:
    """One entry of a section: a link, a line of detail, related links, why it matched, whom to call."""

    link: Link
    detail: str = ""
    meta: list[Link] = field(default_factory=list)
    why: str = ""
    lead: list[Link] = field(default_factory=list)


@dataclass
class GradeRow:
    """One area of a force with the national counts, and its grade (``kind``: the grade id, for colour)."""

    area: AreaColumn
    grade: Link


@dataclass
class Section:
    title: str
    anchor: str
    intro: str = ""
    items: list[Item] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)
    link: Link | None = None  # the title links here when set
    grades: list[GradeRow] = field(default_factory=list)
    groups: list[tuple[Link, list[Any]]] = field(default_factory=list)  # (force, statements) by force
    card: list[tuple[str, list[Link]]] = field(default_factory=list)  # (words, values) of a contact card


def clip(value: str, limit: int = 320) -> str:
    """``value`` on one line, cut to ``limit`` characters with an ellipsis."""
    flat = " ".join(value.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def why_text(why: dict[str, Any]) -> str:
    """``same area · shares ViSOR, DPMU · similarity 0.31`` from a match's ``why``."""
    parts = ["same area"] if why["same_area"] else ["related area"] if why["related_area"] else []
    shared = [*why["shared_systems"], *why["shared_units"]]
    if shared:
        parts.append("shares " + ", ".join(shared))
    parts.append(f"similarity {why['text_similarity']:.2f}")
    return " · ".join(parts)


def lead_links(lead: dict[str, Any] | None, base: str) -> list[Link]:
    """Name (to the person's page), rank, role, telephone (``tel:``) and e-mail (``mailto:``)."""
    if not lead:
        return []
    person = URIRef(lead["person"]) if lead.get("person") else None
    links = [link_to(person, base, lead["name"]) if person is not None else Link(lead["name"], kind="lead")]
    links += [Link(str(lead[key]), kind=key) for key in ("rank", "role") if lead.get(key)]
    if lead.get("phone"):
        phone = str(lead["phone"])
        dial = "".join(c for c in phone.split(",")[0] if c.isdigit() or c == "+")
        links.append(Link(f"tel. {phone}", f"tel:{dial}", "phone"))
    if lead.get("email"):
        links.append(Link(str(lead["email"]), f"mailto:{lead['email']}", "email"))
    return links


def match_item(match: dict[str, Any], base: str) -> Item:
    """A ranked practice or strength of another force as a page item."""
    kind = match["kind"].capitalize()
    title = match["title"] if match["kind"] == "practice" else clip(match["title"], 100)
    link = link_to(URIRef(match["iri"]), base, f"{kind}: {title}")
    force = match["force"] or {}
    meta = [link_to(URIRef(force["iri"]), base, force["label"])] if force.get("iri") else []
    return Item(link, clip(match["text"]), meta, why_text(match["why"]), lead_links(match["lead"], base))


def force_help_sections(
    runtime: Runtime, store: Store, matcher: Matcher, force_id: str, base: str
) -> list[Section]:
    """For each area where the force must improve: each area for improvement and its ranked matches."""
    by_area: dict[str, Section] = {}
    for entry in cached_help(runtime, store, matcher, force_id, MATCHES_PER_FINDING):
        finding, matches = entry["finding"], entry["matches"]
        area = finding["area"] or {"id": "none", "label": "Other", "iri": None}
        section = by_area.setdefault(area["id"], Section(area["label"], f"help-{area['id']}"))
        section.children.append(
            Section(
                clip(finding["text"], 160), "", items=[match_item(m, base) for m in matches],
                link=link_to(URIRef(finding["iri"]), base, clip(finding["text"], 160)),
            )
        )  # fmt: skip
    children = sorted(by_area.values(), key=lambda s: s.title)
    for section in children:
        matched = {item.link.href for child in section.children for item in child.items}
        section.intro = (
            f"{len(section.children)} area(s) for improvement here; {len(matched)} practice(s) or "
            "strength(s) of other forces ranked for them."
        )
    intro = (
        "For every area for improvement of this force: practices and strengths of other forces, ranked "
        "by the same area, the IT systems and units they share and how alike their texts are, with the "
        "lead to contact."
        if children
        else "No areas for improvement are recorded for this force."
    )
    return [Section("Who has solved this?", "help", intro=intro, children=children)]


def finding_help_items(matcher: Matcher, finding_iri: str, base: str) -> list[Item]:
    """Other forces' practices and strengths for one finding (none when it is not in the catalogue)."""
    finding = matcher.cat.findings.get(finding_iri)
    return [match_item(m, base) for m in finding_help(matcher, finding, 10)] if finding else []


def similar_items(matcher: Matcher, practice_iri: str, base: str) -> list[Item]:
    """Other forces' practices and strengths on the same problem as a practice."""
    practice = next((p for p in matcher.cat.practices.values() if p["iri"] == practice_iri), None)
    return [match_item(m, base) for m in similar_to(matcher, practice, 10)] if practice else []


def grades_section(store: Store, force_iri: str, base: str) -> Section | None:
    """The force's grade per area beside the national distribution, or None when it has no grades."""
    rows = []
    for grade in force_grades(store, force_iri):
        label = str(grade["grade"] or "")
        area = link_to(URIRef(grade["area"]["iri"]), base, grade["area"]["label"])
        national = {g: int(grade["national"][g] or 0) for g in GRADES}
        rows.append(GradeRow(AreaColumn(area, national), Link(label or "–", kind=label.lower() or "none")))
    if not rows:
        return None
    rows.sort(key=lambda r: r.area.link.label)
    return Section("Grades", "grades", "This force's grade in each area, beside how all forces were graded.",
                   grades=rows)  # fmt: skip
