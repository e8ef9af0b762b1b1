"""The force page (``/page/force/{id}``), laid out to answer an analyst in three screens: grades and
headline counts, a table of contents, findings by area (areas for improvement open, strengths and work in
progress folded), "who has solved this" (one row per practice or strength of another force, however many
areas for improvement it helps, contacts first), who's who, and the force's own practices. Read from
the snapshot alone (:mod:`api.pages.read`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from rdflib import URIRef

from api.matching import NO_MATCH, cached_help, help_by_item
from api.pages.common import Link, link_to, local_name
from api.pages.help import MATCHES_PER_FINDING, GradeRow, clip, grades_section, lead_links, marked, why_text
from api.pages.read import force_leads, force_statements, source_of
from api.pages.statements import KIND_PLURAL, SourceRef, Statement
from api.snapshot import Snapshot
from graph.store import Store

SOLVED_PER_FINDING = 2  # one-liners under each area for improvement
HELP_OPEN = 8  # rows of "who has solved this" shown before the fold
WHO_OPEN = 12  # rows of "who's who" shown before the fold


@dataclass
class AreaBlock:
    """One area of the force: its grade and its findings by kind."""

    anchor: str
    link: Link
    grade: Link | None
    improvements: list[Statement] = field(default_factory=list)
    progress: list[Statement] = field(default_factory=list)
    strengths: list[Statement] = field(default_factory=list)
    practices: list[Statement] = field(default_factory=list)


@dataclass
class HelpRow:
    """A practice or strength of another force, once, with every area for improvement it helps."""

    item: Link
    kind: str
    force: Link | None
    contact: list[Link]
    contact_rank: int  # 2: phone or e-mail, 1: a named person, 0: a post or nobody
    helps: list[Link] = field(default_factory=list)
    areas: list[str] = field(default_factory=list)
    by_area: dict[str, list[Link]] = field(default_factory=dict)  # area -> the findings it helps there
    score: float = 0.0
    why: str = ""  # the reason in words, from the area for improvement it helps best
    marked: list[tuple[str, bool]] = field(default_factory=list)  # its text, shared words marked (True)


@dataclass
class WhoRow:
    leader: Link
    subject: str
    sentence: str
    source: SourceRef | None
    portfolio: bool = False  # the subject is an inspection area (a chief officer's portfolio)


@dataclass
class ForcePage:
    iri: str
    path: str
    label: str
    counts: list[tuple[str, int, str]]  # (words, count, anchor)
    grades: list[GradeRow]
    areas: list[AreaBlock]
    help_rows: list[HelpRow]
    who: list[WhoRow]
    systems: list[Link]
    toc: list[tuple[str, str]] = field(default_factory=list)  # (anchor, words)
    no_match: list[Link] = field(default_factory=list)  # areas for improvement nothing loaded helps
    no_match_words: str = NO_MATCH


def contact_rank(lead: dict[str, Any] | None, base: str) -> int:
    if not lead:
        return 0
    if lead.get("phone") or lead.get("email"):
        return 2
    return 1 if str(lead.get("person") or "").startswith(f"{base}person/") else 0


def help_rows(entries: list[dict[str, Any]], base: str) -> tuple[list[HelpRow], dict[str, list[HelpRow]]]:
    """One row per item of :func:`api.matching.help_by_item` (contacts first, then the AFIs it helps,
    then best score), with the why and shared words of the AFI it helps best, and per finding IRI its
    rows in ranking order."""
    rows: dict[str, HelpRow] = {}
    for group in help_by_item(entries):
        best = max(group["helps"], key=lambda h: h["score"])
        force = group.get("force") or {}
        label = group["title"] if group["kind"] == "practice" else clip(group["title"], 110)
        row = rows[group["iri"]] = HelpRow(
            link_to(URIRef(group["iri"]), base, label), group["kind"],
            link_to(URIRef(force["iri"]), base, force.get("label")) if force.get("iri") else None,
            lead_links(group.get("lead"), base), contact_rank(group.get("lead"), base),
            score=float(group["best_score"]), why=why_text(best["why"]),
            marked=marked(group.get("text") or "", best["why"].get("highlights", {}).get("match", []), 240),
        )  # fmt: skip
        for helped in group["helps"]:
            finding = helped["finding"]
            area = (finding.get("area") or {}).get("label") or "Other"
            finding_link = link_to(URIRef(finding["iri"]), base, f"{area}: {clip(finding['text'], 90)}")
            row.helps.append(finding_link)
            row.by_area.setdefault(area, []).append(finding_link)
            if area not in row.areas:
                row.areas.append(area)
    per_finding = {entry["finding"]["iri"]: [rows[m["iri"]] for m in entry["matches"]] for entry in entries}
    ordered = sorted(rows.values(), key=lambda r: (-r.contact_rank, -len(r.helps), -r.score, r.item.label))
    return ordered, per_finding


def _who(snap: Snapshot, force: str, base: str) -> list[WhoRow]:
    seen: set[tuple[str, str]] = set()
    rows = []
    for lead in force_leads(snap, force):
        subject = lead.subject_label or lead.subject_text or ""
        key = (lead.leader, subject.lower())
        if key in seen:
            continue
        seen.add(key)
        leader = link_to(URIRef(lead.leader), base, lead.leader_label or local_name(lead.leader))
        portfolio = (lead.subject or "").startswith(f"{base}area/")
        rows.append(WhoRow(leader, subject, lead.text or "", source_of(snap, lead.iri), portfolio))
    return sorted(rows, key=lambda w: (not w.portfolio, w.subject.lower(), w.leader.label))


def _areas(statements: list[Statement], grades: list[GradeRow]) -> list[AreaBlock]:
    by_label = {g.area.link.label: g for g in grades}
    blocks: dict[str, AreaBlock] = {}
    for s in statements:
        label = s.area.label if s.area else "Other"
        if label not in blocks:
            grade = by_label.get(label)
            anchor = "area-" + (local_name(s.area.href or "") if s.area and s.area.href else "other")
            blocks[label] = AreaBlock(anchor, s.area or Link("Other"), grade.grade if grade else None)
        block = blocks[label]
        lists = {"area-for-improvement": block.improvements, "work-in-progress": block.progress,
                 "strength": block.strengths, "practice": block.practices}  # fmt: skip
        target = lists.get(s.kind, block.strengths)
        target.append(s)
    return sorted(blocks.values(), key=lambda b: (not b.improvements, b.link.label))


def force_page(snap: Snapshot, store: Store | None, iri: str, path: str, label: str, base: str) -> ForcePage:
    """Everything the force template shows, from the snapshot alone (``store`` is not read)."""
    matcher = snap.matcher
    statements = force_statements(snap, iri, base)
    grades_found = grades_section(snap, local_name(iri), base)
    grades = grades_found.grades if grades_found else []
    areas = _areas(statements, grades)
    entries = cached_help(matcher, local_name(iri), MATCHES_PER_FINDING)
    rows, per_finding = help_rows(entries, base)
    for block in areas:
        for afi in block.improvements:
            best = per_finding.get(str(_iri_of(afi.link, base)), [])[:SOLVED_PER_FINDING]
            afi.solved = [[r.item, *([r.force] if r.force else []), *_reach(r.contact)] for r in best]
    who = _who(snap, iri, base)
    facts = snap.facts.get(local_name(iri))
    systems = sorted(
        (link_to(URIRef(s.iri), base, s.label) for s in (facts.systems if facts else ())),
        key=lambda link: link.label.lower(),
    )
    tally = Counter(s.kind for s in statements)
    counts = [
        (KIND_PLURAL[k], tally[k], "findings")
        for k in ("area-for-improvement", "work-in-progress", "strength", "practice")
    ]  # fmt: skip
    counts += [
        ("Practices of other forces that may help", len(rows), "help"),
        ("Leads named", len(who), "who"),
    ]
    toc = [("grades", "Grades"), ("findings", "Findings by area"),
           *[(b.anchor, f"— {b.link.label}") for b in areas],
           ("help", "Who has solved this?"), ("who", "Who's who"), ("systems", "IT systems"),
           ("views", "Network views")]  # fmt: skip
    no_match = [
        link_to(URIRef(e["finding"]["iri"]), base, clip(e["finding"]["text"], 160))
        for e in entries
        if not e["matches"]
    ]
    return ForcePage(iri, path, label, counts, grades, areas, rows, who, systems, toc, no_match)


def _reach(contact: list[Link]) -> list[Link]:
    """The contact's name and how to reach them (telephone, e-mail), without rank and post."""
    return [*contact[:1], *(c for c in contact[1:] if c.kind in ("phone", "email"))]


def _iri_of(link: Link, base: str) -> str:
    """The IRI behind a ``/page/...`` link."""
    href = link.href or ""
    return base + href[len("/page/") :] if href.startswith("/page/") else href


OPEN_COUNTS = {"help": HELP_OPEN, "who": WHO_OPEN}
