"""Area sections: headings, the "GRADE ..." line, and the three finding lists.

A section runs from its heading to the next section heading. Its findings are the bullets under
"Strengths", "Work in progress" and "Area(s) for improvement", split at the markers the list itself uses
(:mod:`loaders.lists`; a heading sharing its line with the first item is split): wrapped lines, sub-lists and
unbulleted continuation paragraphs belong to the bullet above them; GRADE lines, page furniture and a
repeated page-start heading are skipped wherever they interrupt. Developing-practice blocks are handed
to :mod:`loaders.practices`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from loaders.furniture import is_page_marker
from loaders.lists import item_lines, line_marker, list_openers, nested_by_indent
from loaders.model import Finding, FindingKind, Grade, Line, Section
from loaders.practices import PRACTICE_LABEL, lines_to_practices
from loaders.tables import section_distribution
from loaders.text_utils import (
    area_for_label,
    clean,
    grade_of,
    label_key,
    span_of,
)

# "GRADE GOOD", "Grade: Good", "Grade – Fair"; or "GRADE" alone with the grade on the next line
GRADE_LINE = re.compile(
    r"(?:(?:overall|force|area)\s+)?GRADE\s*[:–—-]?\s*(EXCELLENT|GOOD|FAIR|POOR)\b", re.IGNORECASE
)
GRADE_ALONE = re.compile(r"(?:(?:overall|force|area)\s+)?GRADE\s*[:–—-]?", re.IGNORECASE)
_GRADE_WORD = re.compile(r"(EXCELLENT|GOOD|FAIR|POOR)\.?", re.IGNORECASE)
DEVELOPING_PRACTICE = re.compile(r"developing\s+practices?", re.IGNORECASE)
FINDING_HEADINGS: dict[str, FindingKind] = {
    "strengths": FindingKind.STRENGTH,
    "strength": FindingKind.STRENGTH,
    "work in progress": FindingKind.WORK_IN_PROGRESS,
    "areas for improvement": FindingKind.AREA_FOR_IMPROVEMENT,
    "area for improvement": FindingKind.AREA_FOR_IMPROVEMENT,
    "area s for improvement": FindingKind.AREA_FOR_IMPROVEMENT,  # "Area(s) for improvement"
}
_MAX_HEADING_WORDS = 8
_MAX_HEADING_CHARS = 80
_SECTION_NUMBER = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*\.?|[A-Z]\.)\s+(?=[A-Z])")
# Landmarks near a section heading that confirm it is one (used when no summary table marks the start).
_SECTION_LANDMARKS = re.compile(
    r"(national grade distribution|national contextual factors|contextual factors|strengths|GRADE\b)",
    re.IGNORECASE,
)
_CONFIRM_WINDOW = 12
_HEADING_THEN_TEXT = re.compile(
    r"(strengths?|work\s+in\s+progress|areas?\s+for\s+improvement)\s*:?\s+(\S.*)", re.IGNORECASE
)


@dataclass(frozen=True)
class RawSection:
    """A section heading line, its area id and the lines up to the next section heading."""

    heading: Line
    area_id: str
    body: tuple[Line, ...]


def heading_area(text: str) -> str | None:
    """Area id if ``text`` is a whole section heading ("Protecting Vulnerable People – Missing Persons")."""
    if len(text) > _MAX_HEADING_CHARS and len(text.split()) > _MAX_HEADING_WORDS:  # quick reject of prose
        return None
    text = _SECTION_NUMBER.sub("", clean(text))  # "2.1 Neighbourhood Policing"
    if not text or len(text.split()) > _MAX_HEADING_WORDS or line_marker(text)[0] is not None:
        return None
    return area_for_label(text)


def grade_in_line(text: str) -> Grade | None:
    match = GRADE_LINE.match(clean(text))
    return grade_of(match.group(1)) if match else None


def first_confirmed_heading(lines: Sequence[Line]) -> int | None:
    """Index of the first heading followed closely by a section landmark (no tables to go by)."""
    for index, line in enumerate(lines):
        if heading_area(line.text) is None:
            continue
        window = lines[index + 1 : index + 1 + _CONFIRM_WINDOW]
        if any(_SECTION_LANDMARKS.match(clean(other.text)) for other in window):
            return index
    return None


def lines_to_sections(lines: Sequence[Line]) -> list[RawSection]:
    """Split ``lines`` (which start at the first section heading) into sections.

    A heading repeating the current section's area is a page-start heading and stays in the body.
    """
    found: list[tuple[Line, str, list[Line]]] = []
    for line in lines:
        area_id = heading_area(line.text)
        if area_id is not None and (not found or found[-1][1] != area_id):
            found.append((line, area_id, []))
        elif found:
            found[-1][2].append(line)
    return [RawSection(heading, area_id, tuple(body)) for heading, area_id, body in found]


def summary_lines(raw: RawSection) -> list[Line]:
    """The section's own summary: its lines before the first finding list ("Contextual factors" …)."""
    out: list[Line] = []
    for line in raw.body:
        if FINDING_HEADINGS.get(label_key(clean(line.text))) is not None:
            break
        out.append(line)
    return out


def section_grade(body: Sequence[Line]) -> Grade | None:
    """The grade from the first grade line anywhere in the section ("GRADE GOOD", or "GRADE" then "GOOD")."""
    texts = [text for line in body if (text := clean(line.text))]
    for index, text in enumerate(texts):
        grade = grade_in_line(text)
        if grade is not None:
            return grade
        if GRADE_ALONE.fullmatch(text) and index + 1 < len(texts) and _GRADE_WORD.fullmatch(texts[index + 1]):
            return grade_of(texts[index + 1].rstrip("."))
    return None


def _skippable(text: str, area_id: str) -> bool:
    """Lines that may interrupt a bullet without belonging to it."""
    return (
        not text
        or is_page_marker(text)
        or GRADE_LINE.match(text) is not None
        or GRADE_ALONE.fullmatch(text) is not None
        or ((text.isupper() or text.istitle()) and _GRADE_WORD.fullmatch(text) is not None)  # under "GRADE"
        or heading_area(text) == area_id
    )


def _heading_with_item(line: Line) -> list[Line]:
    """ "Strengths • Police authority …" (paragraph-per-line extraction) as the heading and its first item."""
    match = _HEADING_THEN_TEXT.match(clean(line.text))
    if match and FINDING_HEADINGS.get(label_key(match.group(1))) and line_marker(match.group(2))[0]:
        return [replace(line, text=match.group(1)), replace(line, text=match.group(2))]
    return [line]


def _classified(raw: RawSection) -> list[tuple[Line, str, FindingKind | None]]:
    """Each line of the section with what it is: "heading", "practice", "item" (of a list) or "other"."""
    out: list[tuple[Line, str, FindingKind | None]] = []
    kind: FindingKind | None = None
    in_practice = False
    for whole in raw.body:
        for line in _heading_with_item(whole):
            text = clean(line.text)
            if _skippable(text, raw.area_id):
                continue
            heading_kind = FINDING_HEADINGS.get(label_key(text))
            if heading_kind is not None:
                kind, in_practice = heading_kind, False
                out.append((line, "heading", kind))
            elif DEVELOPING_PRACTICE.fullmatch(text) or PRACTICE_LABEL.match(text):
                in_practice = True
                out.append((line, "practice" if PRACTICE_LABEL.match(text) else "heading", None))
            elif in_practice:
                out.append((line, "practice", None))
            else:
                out.append((line, "item" if kind is not None else "other", kind))
    return out


def section_to_findings(raw: RawSection, file: str) -> tuple[list[Finding], list[Line]]:
    """The findings of a section, and the lines of its developing-practice blocks."""
    classified = _classified(raw)
    listed = [(line, kind) for line, role, kind in classified if role == "item"]
    items = item_lines([(line.text, clean(line.text)) for line, _ in listed])
    openers, subs = list_openers(items)
    nested = nested_by_indent(items, openers, [kind for _, kind in listed])
    findings: list[Finding] = []
    bullet: list[Line] = []
    parts: list[str] = []
    current: FindingKind | None = None

    def close() -> None:
        text = clean(" ".join(parts))
        if current is not None and bullet and text:
            findings.append(Finding(current, text, span_of(bullet, file)))
        bullet.clear()
        parts.clear()

    practice_lines = [line for line, role, _ in classified if role == "practice"]
    item_index = 0
    for line, role, kind in classified:
        if role != "item":
            close()
            continue
        item = items[item_index]
        opens = item.key in openers and item_index not in nested
        item_index += 1
        if opens or not bullet or kind != current:
            close()
            current = kind
        bullet.append(line)
        marked = opens or item.key in subs or item.key in openers
        parts.append(line_marker(item.text)[1] if marked else item.text)
    close()
    return findings, practice_lines


def raw_to_section(raw: RawSection, file: str) -> tuple[Section, list[str]]:
    """Build the typed section; warnings name what a graded section lacks."""
    findings, practice_lines = section_to_findings(raw, file)
    practices, warnings = lines_to_practices(practice_lines, file)
    grade = section_grade(raw.body)
    title = clean(raw.heading.text)
    if grade is None and raw.area_id != "protecting-vulnerable-people":
        warnings.append(f"line {raw.heading.number}: section {title!r} has no grade")
    if not findings:
        warnings.append(f"line {raw.heading.number}: section {title!r} has no findings")
    last = raw.body[-1] if raw.body else raw.heading
    section = Section(
        area_id=raw.area_id,
        title=title,
        grade=grade,
        national_distribution=section_distribution(raw.body),
        findings=tuple(findings),
        practices=tuple(practices),
        span=span_of([raw.heading, last], file),
    )
    return section, warnings
