"""The Northamptonshire 2007 report against answers written by reading it (data/northants_expected.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from loaders.forces import ForceRegister
from loaders.hmic2007 import parse_report
from loaders.model import FindingKind, GradeDistribution, InspectionReport
from tests.hmic2007_support import NORTHANTS, first_words, source_from_file

EXPECTED = Path(__file__).resolve().parent / "data" / "northants_expected.json"


@pytest.fixture(scope="module")
def expected() -> dict:
    return json.loads(EXPECTED.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def report() -> InspectionReport:
    return parse_report(source_from_file(NORTHANTS), ForceRegister.default())


def _figures(distribution: GradeDistribution | None) -> list[int] | None:
    if distribution is None:
        return None
    return [distribution.excellent, distribution.good, distribution.fair, distribution.poor]


def test_force_period_tables(report: InspectionReport, expected: dict) -> None:
    force = report.force
    assert {"name": force.name, "id": force.id, "ons_code": force.ons_code} == expected["force"]
    assert (report.assessment_period, report.year) == (expected["assessment_period"], expected["year"])
    assert {r.area_id: _figures(r.distribution) for r in report.national_summary} == expected[
        "national_summary"
    ]
    assert {r.area_id: r.grade.value for r in report.force_summary} == expected["force_summary"]


def test_sections(report: InspectionReport, expected: dict) -> None:
    assert [s.title for s in report.sections] == [e["title"] for e in expected["sections"]]
    for section, exp in zip(report.sections, expected["sections"], strict=True):
        assert section.area_id == exp["area_id"]
        assert (section.grade.value if section.grade else None) == exp["grade"]
        assert _figures(section.national_distribution) == exp["national_distribution"]


@pytest.mark.parametrize("kind", list(FindingKind))
def test_findings_first_words(report: InspectionReport, expected: dict, kind: FindingKind) -> None:
    for section, exp in zip(report.sections, expected["sections"], strict=True):
        got = [first_words(f.text) for f in section.findings if f.kind is kind]
        assert got == exp[kind.value], f"{section.title} / {kind.value}"


def test_findings_precision_recall(report: InspectionReport, expected: dict) -> None:
    want = {(e["title"], k.value, w) for e in expected["sections"] for k in FindingKind for w in e[k.value]}
    got = {(s.title, f.kind.value, first_words(f.text)) for s in report.sections for f in s.findings}
    assert len(got) == len(want) == 158
    assert len(got & want) / len(want) >= 0.98


def test_stray_full_stop_heading(report: InspectionReport) -> None:
    child_abuse = report.sections[3]
    improvements = [f for f in child_abuse.findings if f.kind is FindingKind.AREA_FOR_IMPROVEMENT]
    assert len(improvements) == 4
    assert all("Areas for improvement" not in f.text for f in child_abuse.findings)


def test_practice_and_contact(report: InspectionReport, expected: dict) -> None:
    for section, exp in zip(report.sections, expected["sections"], strict=True):
        got = [
            {
                "inspection_area": p.inspection_area,
                "title": p.title,
                "problem_first_words": first_words(p.problem),
                "contact": {
                    "name": p.contact.name,
                    "rank": p.contact.rank,
                    "role": p.contact.role,
                    "phone": p.contact.phone,
                }
                if p.contact
                else None,
            }
            for p in section.practices
        ]
        assert got == exp["practices"], section.title
    practice = report.sections[1].practices[0]
    assert practice.contact is not None and practice.contact.phone == "08453 700700, ext 8009"
    assert practice.outcomes.startswith("The audit rating moved from weak/poor to good/good.")


def test_glossary(report: InspectionReport, expected: dict) -> None:
    entries = {g.abbreviation: g.expansion for g in report.glossary}
    assert len(report.glossary) == expected["glossary_size"]
    for abbreviation, expansion in expected["glossary_samples"].items():
        assert entries[abbreviation] == expansion


def test_facts_and_developments(report: InspectionReport, expected: dict) -> None:
    assert {f.key: f.value for f in report.facts} == expected["force_facts"]
    got = [
        {
            "framework": d.framework,
            "code": d.code,
            "old": [d.old_grade.value if d.old_grade else None, d.old_direction],
            "new": [d.new_grade.value if d.new_grade else None, d.new_direction],
        }
        for d in report.developments
    ]
    assert got == expected["developments"]
    assert all("protecting vulnerable people" not in d["framework"].lower() for d in got)  # not reinspected


def test_no_warnings(report: InspectionReport) -> None:
    assert report.warnings == ()
