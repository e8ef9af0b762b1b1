""" "Who has solved this?" on the pages, from the same ranking as ``/forces/{id}/help`` and
``/practices/{id}/similar`` (:mod:`api.matching`): every match with its force, its lead to contact and
why it matched; and a force's grade per area beside the national distribution."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rdflib import URIRef

from api.lookup import GRADES
from api.matching import NO_MATCH, Matcher, cached_help, finding_help, help_by_item, similar_to
from api.pages.common import Link, link_to
from api.pages.home import AreaColumn
from api.snapshot import Snapshot

MATCHES_PER_FINDING = 5  # as ``/forces/{id}/help?per_finding=`` by default


@dataclass
class Item:
    """One entry of a section: a link, a line of detail, related links, why it matched, whom to call."""

    link: Link
    detail: str = ""
    meta: list[Link] = field(default_factory=list)
    why: str = ""
    lead: list[Link] = field(default_factory=list)
    marked: list[tuple[str, bool]] = field(default_factory=list)  # detail cut at shared words (True)
    helps: list[Link] = field(default_factory=list)  # the areas for improvement it helps


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
    """The match's reason in words: "Both are about risk assessment; both name ViSOR; …"."""
    if why.get("summary"):
        return why["summary"]
    parts = ["same area"] if why["same_area"] else ["related area"] if why["related_area"] else []
    shared = [*why["shared_systems"], *why["shared_units"]]
    if shared:
        parts.append("shares " + ", ".join(shared))
    return " · ".join(parts)


def marked(text: str, spans: list[list[int]], limit: int = 320) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, is-shared-word) runs, up to ``limit`` characters (for ``<mark>``)."""
    out: list[tuple[str, bool]] = []
    at = 0
    for start, end in sorted(spans):
        if start >= limit:
            break
        if start > at:
            out.append((text[at:start], False))
        out.append((text[start:end], True))
        at = end
    tail = text[at:limit]
    out.append((tail + ("…" if len(text) > limit else ""), False))
    return [(" ".join(piece.split("\n")), hit) for piece, hit in out if piece]


def lead_links(lead: dict[str, Any] | None, base: str) -> list[Link]:
    """Name (to the person's page) or post, rank, role, telephone (``tel:``), e-mail (``mailto:``), and
    why this is the person to call; "the report names no person" when it names none."""
    if not lead:
        return []
    person = URIRef(lead["person"]) if lead.get("person") else None
    links = []
    if lead.get("name"):
        links.append(
            link_to(person, base, lead["name"]) if person is not None else Link(lead["name"], kind="lead")
        )
    links += [Link(str(lead[key]), kind=key) for key in ("rank", "role") if lead.get(key)]
    if lead.get("phone"):
        phone = str(lead["phone"])
        dial = "".join(c for c in phone.split(",")[0] if c.isdigit() or c == "+")
        links.append(Link(f"tel. {phone}", f"tel:{dial}", "phone"))
    if lead.get("email"):
        links.append(Link(str(lead["email"]), f"mailto:{lead['email']}", "email"))
    if lead.get("note"):
        links.append(Link(str(lead["note"]), kind="note"))
    if lead.get("basis"):
        links.append(Link(f"({lead['basis']})", kind="basis"))
    return links


def match_item(match: dict[str, Any], base: str) -> Item:
    """A ranked practice or strength of another force as a page item, shared words marked."""
    kind = match["kind"].capitalize()
    title = match["title"] if match["kind"] == "practice" else clip(match["title"], 100)
    link = link_to(URIRef(match["iri"]), base, f"{kind}: {title}")
    force = match["force"] or {}
    meta = [link_to(URIRef(force["iri"]), base, force["label"])] if force.get("iri") else []
    spans = match["why"].get("highlights", {}).get("match", [])
    return Item(link, clip(match["text"]), meta, why_text(match["why"]), lead_links(match["lead"], base),
                marked(match["text"], spans))  # fmt: skip


def force_help_sections(matcher: Matcher, force_id: str, base: str) -> list[Section]:
    """Per area where the force must improve: each practice or strength of another force once, with the
    areas for improvement it helps, then the areas for improvement nothing in the loaded reports helps."""
    entries = cached_help(matcher, force_id, MATCHES_PER_FINDING)
    by_area: dict[str, Section] = {}

    def section(area: dict[str, Any] | None) -> Section:
        area = area or {"id": "none", "label": "Other", "iri": None}
        return by_area.setdefault(area["id"], Section(area["label"], f"help-{area['id']}"))

    for group in help_by_item(entries):
        first = max(group["helps"], key=lambda h: h["score"])  # shown under the area it helps best
        item = match_item({**group, "why": first["why"]}, base)
        item.helps = [link_to(URIRef(h["finding"]["iri"]), base, clip(h["finding"]["text"], 120))
                      for h in group["helps"]]  # fmt: skip
        section(first["finding"]["area"]).items.append(item)
    for entry in entries:
        if not entry["matches"]:
            finding = entry["finding"]
            section(finding["area"]).children.append(
                Section(clip(finding["text"], 160), "", intro=NO_MATCH,
                        link=link_to(URIRef(finding["iri"]), base, clip(finding["text"], 160)))
            )  # fmt: skip
    children = sorted(by_area.values(), key=lambda s: s.title)
    for sec in children:
        afis = {h.href for item in sec.items for h in item.helps}
        sec.intro = (
            f"{len(sec.items)} practice(s) or strength(s) of other forces, each listed once with the "
            f"area(s) for improvement it helps ({len(afis)} here)."
        )
    intro = (
        "For the areas for improvement of this force: practices and strengths of other forces, ranked by "
        "what the texts are about, the systems and units they share and their words, each once with the "
        "areas for improvement it helps, why it matched and whom to call."
        if entries
        else "No areas for improvement are recorded for this force."
    )
    return [Section("Who has solved this?", "help", intro=intro, children=children)]


def finding_help_items(matcher: Matcher, finding_iri: str, base: str) -> list[Item]:
    """Other forces' practices and strengths for one finding (none when it is not in the catalogue)."""
    finding = matcher.cat.findings.get(finding_iri)
    if not finding:
        return []
    return [match_item(m, base) for m in finding_help(matcher, finding, 10)] or [Item(Link(NO_MATCH))]


def similar_items(matcher: Matcher, practice_iri: str, base: str) -> list[Item]:
    """Other forces' practices and strengths on the same problem as a practice."""
    practice = next((p for p in matcher.cat.practices.values() if p["iri"] == practice_iri), None)
    if not practice:
        return []
    return [match_item(m, base) for m in similar_to(matcher, practice, 10)] or [Item(Link(NO_MATCH))]


def grades_section(snap: Snapshot, force_id: str, base: str) -> Section | None:
    """The force's grade per area beside the national distribution, or None when it has no grades."""
    rows = []
    facts = snap.facts.get(force_id)
    for grade in facts.grades if facts else ():
        label = str(grade["grade"] or "")
        area = link_to(URIRef(grade["area"]["iri"]), base, grade["area"]["label"])
        national = {g: int(grade["national"][g] or 0) for g in GRADES}
        rows.append(GradeRow(AreaColumn(area, national), Link(label or "–", kind=label.lower() or "none")))
    if not rows:
        return None
    rows.sort(key=lambda r: r.area.link.label)
    return Section("Grades", "grades", "This force's grade in each area, beside how all forces were graded.",
                   grades=rows)  # fmt: skip
