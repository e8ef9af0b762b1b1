"""Synthetic held-out reports: each sample rewritten into another force, with the answers rewritten to match.

A :class:`Variant` says how to disguise a sample: the force's printed name, new names for its IT systems and
people, new practice-contact lines, another bullet character, other heading capitalisation and grade
wording, and the protecting-vulnerable-people sub-sections in another order. :func:`rewrite_report`
applies it to the report text; :func:`expected_answers` applies the same substitutions to the hand-checked
answers (the Notts gold, the Northants expectations), so every figure of the variant is known in advance.
:func:`score_variant` compares a loaded variant with those answers using the project's acceptance figures.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from loaders.model import EntityKind, FindingKind, InspectionReport
from tests.entity_samples import NORTHANTS_EXPECTED, NOTTS_GOLD, score

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = {
    "notts": ROOT / "data" / "reports" / "nottinghamshire-2007.txt",
    "northants": ROOT / "data" / "reports" / "northamptonshire-2007.txt",
}
NORTHANTS_SECTIONS = Path(__file__).resolve().parent / "data" / "northants_expected.json"
# How each sample prints its own force (full name first: the bare county is replaced after it).
SAMPLE_FORCE = {
    "notts": ("Nottinghamshire Police", "Nottinghamshire", "Notts"),
    "northants": ("Northamptonshire Police", "Northamptonshire", "Northants"),
}
AREA_IDS = {
    "neighbourhood policing": "neighbourhood-policing",
    "performance management": "performance-management",
    "protecting vulnerable people – overview": "protecting-vulnerable-people",
    "protecting vulnerable people – child abuse": "child-abuse",
    "protecting vulnerable people – domestic violence": "domestic-violence",
    "protecting vulnerable people – public protection": "public-protection",
    "protecting vulnerable people – missing persons": "missing-persons",
}
PVP_SUBSECTIONS = ("child-abuse", "domestic-violence", "public-protection", "missing-persons")
FINDING_HEADINGS = {
    "strengths": FindingKind.STRENGTH,
    "work in progress": FindingKind.WORK_IN_PROGRESS,
    "areas for improvement": FindingKind.AREA_FOR_IMPROVEMENT,
    "area for improvement": FindingKind.AREA_FOR_IMPROVEMENT,
}
_BULLET_LINE = re.compile(r"^(\s*)•")
_GRADE_LINE = re.compile(r"^(\s*)GRADE (EXCELLENT|GOOD|FAIR|POOR)(\s*)$")
_PHONE_TAIL = re.compile(r"^\s*[–-]?\s*[\d ]{4,}\s*$")


@dataclass(frozen=True)
class NewContact:
    """The printed FORCE CONTACT text that replaces a sample contact, and what must be read from it."""

    line: str
    name: str
    rank: str | None = None
    role: str | None = None
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Variant:
    """How to disguise one sample report as a report from another force."""

    name: str
    sample: str  # "notts" or "northants"
    force: str  # the new force as printed, e.g. "Cheshire Constabulary"
    county: str  # its bare name, used where the sample prints its county alone
    force_id: str  # expected register id
    systems: dict[str, str] = field(default_factory=dict)  # old IT system name -> new
    people: dict[str, str] = field(default_factory=dict)  # old personal name -> new
    contacts: dict[str, NewContact] = field(default_factory=dict)  # old contact name -> new line
    bullet: str = "•"
    heading_case: Callable[[str], str] = str  # applied to section and finding headings
    grade_format: str = "GRADE {GRADE}"  # {GRADE} upper case, {Grade} capitalised
    pvp_order: tuple[str, ...] = PVP_SUBSECTIONS

    def substitute(self, text: str) -> str:
        """Force, system and people names replaced in running text (used on answers too)."""
        full, county, short = SAMPLE_FORCE[self.sample]
        text = text.replace(full, self.force)
        for old in (county, short):
            text = re.sub(rf"\b{old}\b", self.county, text)
        for old, new in (*self.systems.items(), *self.people.items()):
            text = re.sub(rf"(?<![\w-]){re.escape(old)}(?![\w-])", new, text)
        return text


# --- rewriting the report -------------------------------------------------------------------------------


def rewrite_report(variant: Variant) -> str:
    """The sample's text disguised as ``variant`` describes."""
    lines = SAMPLES[variant.sample].read_text(encoding="utf-8").split("\n")
    lines = _replace_contacts(lines, variant)
    lines = [variant.substitute(line) for line in lines]
    lines = _reorder_pvp(lines, variant.pvp_order)
    out = []
    for line in lines:
        key = " ".join(line.split()).casefold()
        if key in AREA_IDS or key in FINDING_HEADINGS:
            line = line.replace(line.strip(), variant.heading_case(line.strip()))
        elif grade := _GRADE_LINE.match(line):
            word = grade[2]
            line = grade[1] + variant.grade_format.format(GRADE=word, Grade=word.capitalize()) + grade[3]
        line = _BULLET_LINE.sub(lambda m: m[1] + variant.bullet, line)
        out.append(line)
    return "\n".join(out)


def _replace_contacts(lines: list[str], variant: Variant) -> list[str]:
    """Each FORCE CONTACT line (and a wrapped phone tail) replaced by the variant's contact line."""
    out: list[str] = []
    skip_tail = False
    for line in lines:
        if skip_tail and _PHONE_TAIL.match(line):
            skip_tail = False
            continue
        skip_tail = False
        if line.lstrip().startswith("FORCE CONTACT:"):
            new = next((c for old, c in variant.contacts.items() if old in line), None)
            if new is not None:
                out.append(f"FORCE CONTACT: {new.line}")
                skip_tail = True
                continue
        out.append(line)
    return out


def _section_starts(lines: Sequence[str]) -> dict[str, int]:
    """Index of the first heading line of each section, after the force summary table."""
    table = next(i for i, ln in enumerate(lines) if ln.strip().casefold() == "force summary of judgements")
    starts: dict[str, int] = {}
    for index in range(table, len(lines)):
        area = AREA_IDS.get(" ".join(lines[index].split()).casefold())
        if area and area not in starts:
            starts[area] = index
    return starts


def _reorder_pvp(lines: list[str], order: tuple[str, ...]) -> list[str]:
    if order == PVP_SUBSECTIONS:
        return lines
    starts = _section_starts(lines)
    end = next(i for i, ln in enumerate(lines) if "Glossary of Terms" in ln)
    bounds = sorted((index, area) for area, index in starts.items() if area in PVP_SUBSECTIONS)
    blocks = {
        area: lines[index : (bounds[n + 1][0] if n + 1 < len(bounds) else end)]
        for n, (index, area) in enumerate(bounds)
    }
    first = bounds[0][0]
    return lines[:first] + [ln for area in order for ln in blocks[area]] + lines[end:]


# --- rewriting the answers ------------------------------------------------------------------------------


def first_words(text: str, count: int = 10) -> str:
    return " ".join(text.split()[:count])


@dataclass(frozen=True)
class Answers:
    """What a variant must yield: sections in printed order, IT systems and people."""

    sections: list[dict]
    it_systems: list[dict]
    optional_it_systems: tuple[str, ...]
    people: list[dict]


def expected_answers(variant: Variant) -> Answers:
    """The sample's hand-checked answers with the variant's substitutions applied."""
    if variant.sample == "notts":
        gold = json.loads(NOTTS_GOLD.read_text(encoding="utf-8"))
        sections = [_notts_section(s) for s in gold["sections"]]
        entities = gold
    else:
        sections = json.loads(NORTHANTS_SECTIONS.read_text(encoding="utf-8"))["sections"]
        sections = [_northants_section(s) for s in sections]
        entities = json.loads(NORTHANTS_EXPECTED.read_text(encoding="utf-8"))
    sections = [_rewrite_section(s, variant) for s in sections]
    by_area = {s["area_id"]: s for s in sections}
    ordered = [s for s in sections if s["area_id"] not in PVP_SUBSECTIONS]
    ordered += [by_area[a] for a in variant.pvp_order if a in by_area]
    systems = [{**s, "name": variant.systems.get(s["name"], s["name"])} for s in entities["it_systems"]]
    renamed = {**variant.people, **{old: new.name for old, new in variant.contacts.items()}}
    people = [{**p, "name": renamed.get(p["name"], p["name"])} for p in entities["people"]]
    return Answers(ordered, systems, tuple(entities.get("optional_it_systems", ())), people)


def _notts_section(gold: dict) -> dict:
    practices = [
        {
            "inspection_area": p["inspection_area"],
            "title": p["title"],
            "problem_first_words": p["problem_first_words"],
            "contact": {
                "name": p["contact_name"],
                "rank": p["contact_rank"],
                "role": p["contact_role"],
                "phone": p["contact_phone"],
            },
        }
        for p in gold["practices"]
    ]
    return {
        "title": gold["area"],
        "area_id": AREA_IDS[gold["area"].casefold()],
        "grade": gold["grade"].lower() if gold["grade"] else None,
        "national_distribution": gold["national_distribution"],
        FindingKind.STRENGTH.value: gold["strengths"],
        FindingKind.WORK_IN_PROGRESS.value: gold["work_in_progress"],
        FindingKind.AREA_FOR_IMPROVEMENT.value: gold["areas_for_improvement"],
        "practices": practices,
    }


def _northants_section(expected: dict) -> dict:
    return {**expected, "title": " ".join(expected["title"].split())}


def _rewrite_section(section: dict, variant: Variant) -> dict:
    out = {**section, "title": variant.heading_case(section["title"])}
    for kind in FindingKind:
        out[kind.value] = [first_words(variant.substitute(words)) for words in section[kind.value]]
    practices = []
    for practice in section["practices"]:
        contact = practice["contact"]
        new = variant.contacts.get(contact["name"]) if contact else None
        if new is not None:
            contact = {"name": new.name, "rank": new.rank, "role": new.role, "phone": new.phone}
            contact["email"] = new.email
        practices.append(
            {
                **practice,
                "title": variant.substitute(practice["title"]),
                "inspection_area": practice["inspection_area"],
                "problem_first_words": first_words(variant.substitute(practice["problem_first_words"])),
                "contact": contact,
            }
        )
    out["practices"] = practices
    return out


# --- scoring --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VariantScore:
    """The acceptance figures of one variant, with what went wrong for the failure message."""

    findings_precision: float
    findings_recall: float
    spurious_findings: tuple[tuple[str, str, str], ...]
    missed_findings: tuple[tuple[str, str, str], ...]
    it_recall: float
    it_missed: tuple[str, ...]
    it_unexpected: tuple[str, ...]
    people_recall: float
    people_missed: tuple[str, ...]

    def summary(self) -> str:
        return (
            f"findings P={self.findings_precision:.3f} R={self.findings_recall:.3f}; "
            f"IT R={self.it_recall:.2f} false={len(self.it_unexpected)}; people R={self.people_recall:.2f}"
        )


def _comparable(words: str, reference: str) -> tuple[str, str]:
    """Both strings cut to the shorter word count (a substituted name may have fewer words)."""
    n = min(len(words.split()), len(reference.split()))
    return first_words(words, n), first_words(reference, n)


def finding_keys(report: InspectionReport) -> set[tuple[str, str, str]]:
    return {(s.area_id, f.kind.value, first_words(f.text)) for s in report.sections for f in s.findings}


def score_variant(report: InspectionReport, answers: Answers) -> VariantScore:
    """Findings P/R by first ten words; IT-system and people recall; false IT systems."""
    want = {
        (s["area_id"], kind.value, words)
        for s in answers.sections
        for kind in FindingKind
        for words in s[kind.value]
    }
    got = finding_keys(report)
    matched_got: set[tuple[str, str, str]] = set()
    matched_want: set[tuple[str, str, str]] = set()
    for g in got:
        for w in want:
            shorter = _comparable(g[2], w[2])
            if g[:2] == w[:2] and shorter[0] == shorter[1]:
                matched_got.add(g)
                matched_want.add(w)
    systems = score(answers.it_systems, report.entities, EntityKind.IT_SYSTEM, answers.optional_it_systems)
    people = score(answers.people, report.entities, EntityKind.PERSON)
    return VariantScore(
        findings_precision=len(matched_got) / len(got) if got else 0.0,
        findings_recall=len(matched_want) / len(want) if want else 1.0,
        spurious_findings=tuple(sorted(got - matched_got)),
        missed_findings=tuple(sorted(want - matched_want)),
        it_recall=systems.recall,
        it_missed=systems.missed,
        it_unexpected=systems.unexpected,
        people_recall=people.recall,
        people_missed=people.missed,
    )
