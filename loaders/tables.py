"""The two summary tables ("National summary of judgements", "Force summary of judgements") and the
"National grade distribution" of a section.

Group headings such as "Protecting vulnerable people" carry no figures and are skipped, not invented.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from loaders.model import ForceSummaryRow, GradeDistribution, Line, NationalSummaryRow
from loaders.text_utils import area_for_label, clean, grade_of, span_of

NATIONAL_SUMMARY = re.compile(r"national summary of judgements?", re.IGNORECASE)
FORCE_SUMMARY = re.compile(r"force summary of judgements?", re.IGNORECASE)
NATIONAL_DISTRIBUTION = re.compile(r"national grade distribution", re.IGNORECASE)

_HEADER = re.compile(r"(?:(?:excellent|good|fair|poor)\s*)+", re.IGNORECASE)
_FIGURES = re.compile(r"(\d{1,3})\s+(\d{1,3})\s+(\d{1,3})\s+(\d{1,3})")
_NATIONAL_ROW = re.compile(r"(?P<label>\S.*?)\s+(\d{1,3})\s+(\d{1,3})\s+(\d{1,3})\s+(\d{1,3})")
_FORCE_ROW = re.compile(r"(?P<label>\S.*?)\s+(?P<grade>excellent|good|fair|poor|grade)", re.IGNORECASE)
_DISTRIBUTION_LOOKAHEAD = 6  # non-blank lines after "National grade distribution" that may hold figures


def distribution_from(match: re.Match[str], first_group: int = 1) -> GradeDistribution:
    values = [int(match.group(first_group + i)) for i in range(4)]
    return GradeDistribution(*values)


def national_summary_rows(
    lines: Sequence[Line], start: int, file: str
) -> tuple[tuple[NationalSummaryRow, ...], int]:
    """Rows of the national summary table whose title is ``lines[start]``; also the index after it."""
    rows: list[NationalSummaryRow] = []
    end = start + 1
    for index in range(start + 1, len(lines)):
        text = clean(lines[index].text)
        if not text or _HEADER.fullmatch(text):
            continue
        row = _NATIONAL_ROW.fullmatch(text)
        area_id = area_for_label(row.group("label")) if row else None
        if row and area_id:
            label = row.group("label")
            rows.append(
                NationalSummaryRow(area_id, label, distribution_from(row, 2), span_of([lines[index]], file))
            )
            end = index + 1
        elif not area_for_label(text):  # a group heading without figures is skipped
            break
    return tuple(rows), end


def force_summary_rows(
    lines: Sequence[Line], start: int, file: str
) -> tuple[tuple[ForceSummaryRow, ...], int]:
    """Rows of the force summary table whose title is ``lines[start]``; also the index after it."""
    rows: list[ForceSummaryRow] = []
    end = start + 1
    for index in range(start + 1, len(lines)):
        text = clean(lines[index].text)
        if not text:
            continue
        row = _FORCE_ROW.fullmatch(text)
        area_id = area_for_label(row.group("label")) if row else None
        if not row or not area_id:
            break
        grade = grade_of(row.group("grade"))
        if grade is not None:  # "<group> Grade" is a column heading, not a row
            rows.append(ForceSummaryRow(area_id, row.group("label"), grade, span_of([lines[index]], file)))
        end = index + 1
    return tuple(rows), end


def section_distribution(lines: Sequence[Line]) -> GradeDistribution | None:
    """The figures under a section's "National grade distribution" heading, if printed."""
    for index, line in enumerate(lines):
        if not NATIONAL_DISTRIBUTION.match(clean(line.text)):
            continue
        seen = 0
        for following in lines[index:]:
            text = clean(following.text)
            if not text:
                continue
            figures = _FIGURES.search(text)
            if figures:
                return distribution_from(figures)
            seen += 1
            if seen > _DISTRIBUTION_LOOKAHEAD:
                break
    return None
