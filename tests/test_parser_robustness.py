"""Re-wrapped, truncated, shuffled and arbitrary text: the same answers, or a LoaderError, never a crash."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loaders.errors import LoaderError
from loaders.forces import ForceRegister
from loaders.hmic2007 import parse_report
from loaders.model import InspectionReport
from tests.hmic2007_support import NORTHANTS, NOTTS, first_words, source_from_text

REGISTER = ForceRegister.default()
_STARTS_OWN_LINE = re.compile(r"\s*(?:[•−-]|GRADE\b|[A-Z ()]+:)")
_SHORT_LINE = 60  # wrapped prose lines are longer; headings, table rows and glossary lines are shorter

SAMPLES = {path.name: path.read_text(encoding="utf-8") for path in (NOTTS, NORTHANTS)}


def _continues_prose(stripped: str) -> bool:
    """A wrapped continuation, not a heading: long, or ending a sentence, or starting in lower case."""
    return (
        len(stripped) >= _SHORT_LINE
        or stripped.endswith((".", ",", ";", ")"))
        or stripped[0].islower()
        or stripped[0].isdigit()
        or stripped[0] == "–"
    )


def rewrap(text: str) -> str:
    """One line per paragraph or bullet (continuations of long lines joined on), CRLF line ends."""
    out: list[str] = []
    for line in text.split("\n"):
        stripped = line.strip()
        previous = out[-1] if out else ""
        joins = (
            stripped
            and len(previous.strip()) >= _SHORT_LINE
            and not _STARTS_OWN_LINE.match(line)
            and _continues_prose(stripped)
        )
        if joins:
            out[-1] = previous.rstrip() + " " + stripped
        else:
            out.append(line)
    return "\r\n".join(out)


def parse(text: str, name: str = "report.txt") -> InspectionReport:
    return parse_report(source_from_text(text, name), REGISTER)


def _summary(report: InspectionReport) -> tuple:
    return (
        report.force.id,
        report.year,
        tuple((r.area_id, r.grade) for r in report.force_summary),
        tuple(
            (
                s.area_id,
                s.grade,
                tuple((f.kind, first_words(f.text)) for f in s.findings),
                tuple(
                    (
                        p.title,
                        p.inspection_area,
                        p.contact.name if p.contact else None,
                        p.contact and p.contact.phone,
                    )
                    for p in s.practices
                ),
            )
            for s in report.sections
        ),
        len(report.glossary),
        tuple((f.key, f.value) for f in report.facts),
    )


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_rewrapped_crlf_report_parses_the_same(name: str) -> None:
    original = parse(SAMPLES[name], name)
    rewrapped_text = rewrap(SAMPLES[name])
    assert rewrapped_text.count("\r\n") < SAMPLES[name].count("\n") * 0.8  # really re-wrapped
    assert _summary(parse(rewrapped_text, name)) == _summary(original)


def test_not_a_report_raises_loader_error() -> None:
    with pytest.raises(LoaderError, match="not an HMIC inspection report"):
        parse("Minutes of the parish council.\nApologies were received.\n", "minutes.txt")


def test_empty_text_raises_loader_error() -> None:
    with pytest.raises(LoaderError):
        parse("", "empty.txt")


def test_truncated_report_warns_about_what_is_missing() -> None:
    text = SAMPLES[NOTTS.name]
    cut = text.index("Protecting Vulnerable People – Child Abuse")
    report = parse(text[: cut + 2000], "truncated.txt")
    assert [s.area_id for s in report.sections][:3] == [
        "neighbourhood-policing",
        "performance-management",
        "protecting-vulnerable-people",
    ]
    assert "no glossary appendix found" in report.warnings
    assert any("has no grade" in w or "has no findings" in w for w in report.warnings)


def test_report_without_tables_still_finds_sections() -> None:
    text = SAMPLES[NOTTS.name]
    start, end = text.index("National summary of judgements"), text.index("Missing persons Good")
    report = parse(text[:start] + text[end + len("Missing persons Good") :], "no-tables.txt")
    assert len(report.sections) == 7
    assert report.sections[0].grade == "good"
    assert "no national summary table found" in report.warnings


def _parse_or_loader_error(text: str) -> None:
    try:
        report = parse(text)
    except LoaderError:
        return
    assert isinstance(report, InspectionReport)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=3000))
def test_arbitrary_text_gives_a_report_or_loader_error(text: str) -> None:
    _parse_or_loader_error(text)


_LANDMARK_LINES = [
    "National summary of judgements",
    "Force summary of judgements",
    "Neighbourhood Policing",
    "Protecting Vulnerable People – Child Abuse",
    "GRADE GOOD",
    "Strengths",
    "• A bullet",
    "− a sub-bullet",
    "Developing Practice",
    "INSPECTION AREA:",
    "TITLE: x",
    "FORCE CONTACT: DI – 0",
    "FORCE CONTACT:",
    "Appendix: Glossary of Terms and Abbreviations",
    "ACC (TP)",
    "Child abuse 3 17 21 2",
    "Child abuse Good",
    "Force developments since 2006",
    "graded Poor and Stable for X; Fair and Improved for",
    "Force Overview and Context",
    "The four territorial BCUs are , and .",
    "",
    " ",
    "\r",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_LANDMARK_LINES), max_size=60))
def test_landmark_soup_gives_a_report_or_loader_error(lines: list[str]) -> None:
    _parse_or_loader_error("\n".join(lines))


@settings(max_examples=25, deadline=None)
@given(st.randoms(use_true_random=False), st.sampled_from(sorted(SAMPLES)))
def test_shuffled_and_truncated_samples(rng: random.Random, name: str) -> None:
    lines = SAMPLES[name].split("\n")
    start = rng.randrange(len(lines))
    chunk = lines[start : start + rng.randrange(1, len(lines))]
    if rng.random() < 0.5:
        rng.shuffle(chunk)
    _parse_or_loader_error("\n".join(chunk))
