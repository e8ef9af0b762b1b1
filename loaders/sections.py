"""Area sections: headings, the "GRADE ..." line, and the three finding lists.

A section runs from its heading to the next section heading. Its findings are the bullets under
"Strengths", "Work in progress" and "Area(s) for improvement": wrapped lines, sub-lists ("−") and
unbulleted continuation paragraphs belong to the bullet above them; GRADE lines, page furniture and a
repeated page-start heading are skipped wherever they interrupt. Developing-practice blocks are handed
to :mod:`loaders.practices`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from loaders.furniture import is_page_marker
from loaders.model import Finding, FindingKind, Grade, Line, Section
from loaders.practices import PRACTICE_LABEL, lines_to_practices
from loaders.tables import section_distribution
from loaders.text_utils import (
    PLAIN_MARKERS,
    area_for_label,
    clean,
    grade_of,
    label_key,
    span_of,
    split_bullet,
)

GRADE_LINE = re.compile(r"GRADE\s*:?\s+(EXCELLENT|GOOD|FAIR|POOR)\b", re.IGNORECASE)
DEVELOPING_PRACTICE = re.compile(r"developing\s+practices?", re.IGNORECASE)
FINDING_HEADINGS: dict[str, FindingKind] = {
    "strengths": FindingKind.STRENGTH,
    "strength": FindingKind.STRENGTH,
    "work in progress": FindingKind.WORK_IN_PROGRESS,
    "areas for improvement": FindingKind.AREA_FOR_IMPROVEMENT,
    "area for improvement": FindingKind.AREA_FOR_IMPROVEMENT,
}
_MAX_HEADING_WORDS = 8
# Landmarks near a section heading that confirm it is one (used when no summary table marks the start).
_SECTION_LANDMARKS = re.compile(
    r"(national grade distribution|national contextual factors|contextual factors|strengths|GRADE\s)",
    re.IGNORECASE,
)
_CONFIRM_WINDOW = 12


@dataclass(frozen=True)
class RawSection:
    """A section heading line, its area id and the lines up to the next section heading."""

    heading: Line
    area_id: str
    body: tuple[Line, ...]


def heading_area(text: str) -> str | None:
    """Area id if ``text`` is a whole section heading ("Protecting Vulnerable People – Missing Persons")."""
    text = clean(text)
    if not text or len(text.split()) > _MAX_HEADING_WORDS or split_bullet(text)[0] is not None:
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


def section_grade(body: Sequence[Line]) -> Grade | None:
    """The grade from the first "GRADE ..." line anywhere in the section."""
    for line in body:
        grade = grade_in_line(line.text)
        if grade is not None:
            return grade
    return None


def _skippable(text: str, area_id: str) -> bool:
    """Lines that may interrupt a bullet without belonging to it."""
    return (
        not text
        or is_page_marker(text)
        or GRADE_LINE.match(text) is not None
        or heading_area(text) == area_id
    )


def finding_marker(body: Sequence[Line]) -> str:
    """The marker that opens a new finding in this section's lists.

    "•" (any bullet proper) when one is used after the first finding heading; otherwise the plain marker
    ("-", "*", "–") printed most often there, as in a report whose bullets were typed as hyphens.
    """
    counts: Counter[str] = Counter()
    in_lists = False
    for line in body:
        text = clean(line.text)
        if FINDING_HEADINGS.get(label_key(text)) is not None:
            in_lists = True
        elif DEVELOPING_PRACTICE.fullmatch(text) or PRACTICE_LABEL.match(text):
            in_lists = False
        elif in_lists:
            marker, _ = split_bullet(text)
            if marker == "•":
                return marker
            if marker in PLAIN_MARKERS:
                counts[marker] += 1
    return counts.most_common(1)[0][0] if counts else "•"


def section_to_findings(raw: RawSection, file: str) -> tuple[list[Finding], list[Line]]:
    """The findings of a section, and the lines of its developing-practice blocks."""
    findings: list[Finding] = []
    practice_lines: list[Line] = []
    kind: FindingKind | None = None
    in_practice = False
    opener = finding_marker(raw.body)
    bullet: list[Line] = []
    parts: list[str] = []

    def close() -> None:
        text = clean(" ".join(parts))
        if kind is not None and bullet and text:
            findings.append(Finding(kind, text, span_of(bullet, file)))
        bullet.clear()
        parts.clear()

    for line in raw.body:
        text = clean(line.text)
        if _skippable(text, raw.area_id):
            continue
        heading_kind = FINDING_HEADINGS.get(label_key(text))
        if heading_kind is not None:
            close()
            kind, in_practice = heading_kind, False
        elif DEVELOPING_PRACTICE.fullmatch(text) or PRACTICE_LABEL.match(text):
            close()
            in_practice = True
            if PRACTICE_LABEL.match(text):
                practice_lines.append(line)
        elif in_practice:
            practice_lines.append(line)
        elif kind is not None:
            marker, rest = split_bullet(text)
            if marker == opener or not bullet:
                close()
            bullet.append(line)
            parts.append(rest)
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
