"""The Nottinghamshire 2007 report compared field by field with the hand-checked gold annotation."""

from __future__ import annotations

import json

import pytest

from loaders.forces import ForceRegister
from loaders.hmic2007 import parse_report
from loaders.model import FindingKind, GradeDistribution, InspectionReport
from loaders.text_utils import area_for_label
from tests.hmic2007_support import GOLD, NOTTS, first_words, source_from_file

KIND_KEYS = {
    "strengths": FindingKind.STRENGTH,
    "work_in_progress": FindingKind.WORK_IN_PROGRESS,
    "areas_for_improvement": FindingKind.AREA_FOR_IMPROVEMENT,
}


@pytest.fixture(scope="module")
def gold() -> dict:
    return json.loads(GOLD.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def report() -> InspectionReport:
    return parse_report(source_from_file(NOTTS), ForceRegister.default())


def _distribution(values: list[int] | None) -> tuple[int, ...] | None:
    return tuple(values) if values else None


def _figures(d: GradeDistribution | None) -> tuple[int, ...] | None:
    return (d.excellent, d.good, d.fair, d.poor) if d else None


def test_force_and_period(report: InspectionReport, gold: dict) -> None:
    assert report.force.name == gold["force_name"]
    assert (report.force.id, report.force.ons_code, report.force.in_register) == (
        "nottinghamshire",
        "E23000019",
        True,
    )
    assert report.assessment_period == gold["assessment_period"]
    assert report.year == 2007
    assert report.report_id == "nottinghamshire-2007"


def test_national_summary(report: InspectionReport, gold: dict) -> None:
    expected = {area_for_label(label): tuple(values) for label, values in gold["national_summary"].items()}
    got = {
        row.area_id: (
            row.distribution.excellent,
            row.distribution.good,
            row.distribution.fair,
            row.distribution.poor,
        )
        for row in report.national_summary
    }
    assert got == expected
    assert "protecting-vulnerable-people" not in got  # group heading without figures


def test_force_summary(report: InspectionReport, gold: dict) -> None:
    expected = {area_for_label(label): grade.lower() for label, grade in gold["force_summary"].items()}
    assert {row.area_id: row.grade.value for row in report.force_summary} == expected


def test_sections_titles_grades_distributions(report: InspectionReport, gold: dict) -> None:
    got = [
        (
            s.title,
            s.grade.value if s.grade else None,
            _figures(s.national_distribution),
        )
        for s in report.sections
    ]
    expected = [
        (g["area"], g["grade"].lower() if g["grade"] else None, _distribution(g["national_distribution"]))
        for g in gold["sections"]
    ]
    assert got == expected


@pytest.mark.parametrize("index", range(7))
@pytest.mark.parametrize("kind_key", sorted(KIND_KEYS))
def test_findings_by_first_ten_words(report: InspectionReport, gold: dict, index: int, kind_key: str) -> None:
    section, expected = report.sections[index], gold["sections"][index]
    got = [first_words(f.text) for f in section.findings if f.kind is KIND_KEYS[kind_key]]
    assert got == expected[kind_key], f"{section.title} / {kind_key}"


def test_findings_precision_recall(report: InspectionReport, gold: dict) -> None:
    expected = {(g["area"], kind, words) for g in gold["sections"] for kind in KIND_KEYS for words in g[kind]}
    got = {
        (s.title, kind, first_words(f.text))
        for s in report.sections
        for kind, kind_enum in KIND_KEYS.items()
        for f in s.findings
        if f.kind is kind_enum
    }
    true_positives = len(got & expected)
    assert true_positives / len(got) >= 0.98, sorted(got - expected)
    assert true_positives / len(expected) >= 0.98, sorted(expected - got)


def test_finding_spans_and_text(report: InspectionReport) -> None:
    pm = report.sections[1]
    interrupted = pm.findings[1]  # its second strength has "GRADE FAIR" inside
    assert (interrupted.span.line_from, interrupted.span.line_to) == (840, 849)
    assert "GRADE" not in interrupted.text
    assert "and promotes understanding" in interrupted.text
    dv = report.sections[4]
    furniture = next(f for f in dv.findings if f.text.startswith("DV currently features"))
    assert "Final Draft" not in furniture.text and "Page 34" not in furniture.text
    assert "demonstrate the level of importance" in furniture.text
    for section in report.sections:
        for finding in section.findings:
            assert "•" not in finding.text and "  " not in finding.text
            assert finding.span.line_from <= finding.span.line_to


def test_practices(report: InspectionReport, gold: dict) -> None:
    for section, expected in zip(report.sections, gold["sections"], strict=True):
        got = [
            {
                "inspection_area": p.inspection_area,
                "title": p.title,
                "problem_first_words": first_words(p.problem),
                "contact_name": p.contact.name if p.contact else None,
                "contact_rank": p.contact.rank if p.contact else None,
                "contact_role": p.contact.role if p.contact else None,
                "contact_phone": p.contact.phone if p.contact else None,
            }
            for p in section.practices
        ]
        assert got == expected["practices"], section.title


def test_glossary(report: InspectionReport, gold: dict) -> None:
    assert {g.abbreviation: g.expansion for g in report.glossary} == gold["glossary"]
    assert len(report.glossary) == len(gold["glossary"])


def test_force_facts(report: InspectionReport, gold: dict) -> None:
    got = {
        fact.key: list(fact.value) if isinstance(fact.value, tuple) else fact.value for fact in report.facts
    }
    assert got == gold["force_facts"]
    pcsos = next(fact for fact in report.facts if fact.key == "pcsos")
    assert pcsos.span.line_from == 251


def test_developments(report: InspectionReport) -> None:
    by_code = {d.code: d for d in report.developments}
    assert set(by_code) == {"2A", "3D"}
    forensic = by_code["3D"]
    assert forensic.framework == "Improving Forensic Performance"
    assert (forensic.old_grade, forensic.old_direction) == ("poor", "Stable")
    assert (forensic.new_grade, forensic.new_direction) == ("fair", "Improved")
    volume = by_code["2A"]
    assert volume.framework == "Volume Crime Reduction"
    assert volume.new_grade is None  # "remains at the grade given previously"; the old grade is not stated


def test_warnings_only_name_furniture(report: InspectionReport) -> None:
    assert all("furniture" in warning for warning in report.warnings), report.warnings
