"""Section grades in every spelling and layout; tables and sections that disagree are warned about."""

from __future__ import annotations

import pytest

from loaders.forces import ForceRegister
from loaders.hmic2007 import parse_report
from loaders.model import Grade, Line
from loaders.sections import RawSection, raw_to_section, section_grade
from tests.hmic2007_support import NOTTS, source_from_text


def _lines(*texts: str) -> list[Line]:
    return [Line(n, t) for n, t in enumerate(texts, start=1)]


@pytest.mark.parametrize(
    "texts",
    [
        ("GRADE GOOD",),
        ("Grade: Good",),
        ("Grade – Good",),
        ("GRADE", "", "GOOD"),
        ("Grade:", "Good"),
    ],
)
def test_grade_line_layouts(texts: tuple[str, ...]) -> None:
    assert section_grade(_lines("Contextual factors", *texts, "Strengths")) is Grade.GOOD


def test_grade_on_two_lines_is_not_a_finding() -> None:
    raw = RawSection(
        Line(1, "Child abuse"), "child-abuse", tuple(_lines("Strengths", "GRADE", "FAIR", "• One."))
    )
    section, _ = raw_to_section(raw, "t.txt")
    assert section.grade is Grade.FAIR and [f.text for f in section.findings] == ["One."]


def test_report_without_summary_tables_keeps_every_section_grade() -> None:
    lines = NOTTS.read_text(encoding="utf-8").split("\n")
    start = next(i for i, ln in enumerate(lines) if ln.strip() == "National summary of judgements")
    end = next(i for i, ln in enumerate(lines) if ln.strip() == "Missing persons Good")
    text = "\n".join(lines[:start] + lines[end + 1 :]).replace("GRADE GOOD", "Grade – Good")
    report = parse_report(source_from_text(text), ForceRegister.default())
    assert not report.force_summary
    assert [s.grade for s in report.sections if s.area_id != "protecting-vulnerable-people"] == [
        Grade.GOOD,
        Grade.FAIR,
        Grade.GOOD,
        Grade.GOOD,
        Grade.GOOD,
        Grade.GOOD,
    ]
    assert any("section grades read from the sections" in w for w in report.warnings)


def test_table_and_section_disagreeing_is_warned() -> None:
    text = NOTTS.read_text(encoding="utf-8").replace("GRADE FAIR", "GRADE POOR", 1)
    report = parse_report(source_from_text(text), ForceRegister.default())
    assert any("GRADE poor but the force summary says fair" in w for w in report.warnings)


def test_numbered_headings_other_grade_wordings_and_area_s_heading() -> None:
    lines = NOTTS.read_text(encoding="utf-8").split("\n")
    out = []
    for n, line in enumerate(lines):
        stripped = line.strip()
        if stripped == "Performance Management" and n > 500:
            line = "2.1 Performance Management"
        line = line.replace("GRADE FAIR", "Overall grade: Fair")
        if stripped == "Areas for improvement":
            line = "Area(s) for improvement"
        out.append(line)
    report = parse_report(source_from_text("\n".join(out)), ForceRegister.default())
    reference = parse_report(source_from_text("\n".join(lines)), ForceRegister.default())
    assert [(s.area_id, s.grade, len(s.findings)) for s in report.sections] == [
        (s.area_id, s.grade, len(s.findings)) for s in reference.sections
    ]
