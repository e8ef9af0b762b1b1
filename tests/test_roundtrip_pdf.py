"""The same report rendered to PDF and read back gives the same model as the text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from loaders.model import InspectionReport
from loaders.pipeline import load_report
from tests.conftest import NORTHANTS, NOTTS, render_pdf


def _signature(report: InspectionReport) -> dict[str, Any]:
    """What must not change between formats: everything except line numbers and pages."""
    return {
        "force": report.force,
        "period": report.assessment_period,
        "national": [(row.area_id, row.distribution) for row in report.national_summary],
        "summary": [(row.area_id, row.grade) for row in report.force_summary],
        "grades": [(s.area_id, s.title, s.grade, s.national_distribution) for s in report.sections],
        "findings": [
            (s.area_id, f.kind, " ".join(f.text.split())) for s in report.sections for f in s.findings
        ],
        "practices": [
            (p.title, p.inspection_area, p.contact.name if p.contact else None)
            + ((p.contact.rank, p.contact.role, p.contact.phone) if p.contact else ())
            for s in report.sections
            for p in s.practices
        ],
        "glossary": [(g.abbreviation, g.expansion) for g in report.glossary],
        "facts": [(f.key, f.value) for f in report.facts],
        "systems": sorted(e.name for e in report.entities if e.kind == "it_system"),
        "people": sorted(e.name for e in report.entities if e.kind == "person"),
    }


@pytest.mark.slow
@pytest.mark.parametrize("text_path", [NOTTS, NORTHANTS], ids=["notts", "northants"])
def test_pdf_rendering_gives_the_same_model(tmp_path: Path, text_path: Path) -> None:
    pdf = render_pdf(text_path.read_text(encoding="utf-8").splitlines(), tmp_path / f"{text_path.stem}.pdf")
    from_text = load_report(text_path)
    from_pdf = load_report(pdf)
    assert from_pdf.source.format == "pdf"
    assert from_pdf.source.pages and from_pdf.source.pages > 10
    expected, actual = _signature(from_text), _signature(from_pdf)
    for key in expected:
        assert actual[key] == expected[key], f"{key} differs between text and PDF"
    # every finding from the PDF knows its page
    assert all(f.span.page for s in from_pdf.sections for f in s.findings)


def test_furniture_free_copy_gives_the_same_model(tmp_path: Path) -> None:
    """Removing the page furniture by hand changes nothing the parser reports."""
    from loaders.furniture import is_page_marker

    lines = NOTTS.read_text(encoding="utf-8").splitlines()
    markers = {i for i, line in enumerate(lines) if is_page_marker(line)}
    assert markers, "the sample has page markers"
    header = {lines[i - 2] for i in markers if i >= 2}
    cleaned = [line for i, line in enumerate(lines) if i not in markers and line not in header]
    path = tmp_path / "clean.txt"
    path.write_text("\n".join(cleaned), encoding="utf-8")
    expected, actual = _signature(load_report(NOTTS)), _signature(load_report(path))
    for key in ("grades", "findings", "practices", "glossary", "facts", "systems", "people"):
        assert actual[key] == expected[key], f"{key} differs once furniture is removed by hand"
