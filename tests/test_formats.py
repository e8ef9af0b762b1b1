"""The report-format seam (issue 13): a registry of formats, each a detector, a parser and SKOS data.

The 2007 format's data (``ontology/formats/hmic2007.ttl``) must agree with the constants the parser
still reads from code, until the parser reads the data itself (docs/architecture.md).
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import SKOS

from loaders import formats
from loaders.errors import LoaderError
from loaders.facts import DEVELOPMENTS_HEADING, OVERVIEW_HEADING
from loaders.forces import ForceRegister
from loaders.format_base import FormatVocabulary, ReportFormat, read_vocabulary
from loaders.format_hmic2007 import HMIC2007, detect
from loaders.glossary import GLOSSARY_HEADING
from loaders.model import Grade, InspectionReport, Line, SourceText
from loaders.options import LoadOptions
from loaders.pipeline import load_report
from loaders.resources import ontology_file
from loaders.sections import DEVELOPING_PRACTICE, FINDING_HEADINGS
from loaders.source import read_source
from loaders.tables import FORCE_SUMMARY, NATIONAL_DISTRIBUTION, NATIONAL_SUMMARY
from loaders.text_utils import AREA_BY_LABEL, area_for_label, label_key

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "data" / "reports").glob("*-2007.txt"))
HEADING_PATTERNS: dict[str, re.Pattern[str]] = {
    "overview": OVERVIEW_HEADING,
    "developments": DEVELOPMENTS_HEADING,
    "national_summary": NATIONAL_SUMMARY,
    "force_summary": FORCE_SUMMARY,
    "national_distribution": NATIONAL_DISTRIBUTION,
    "developing_practice": DEVELOPING_PRACTICE,
    "glossary": GLOSSARY_HEADING,
}


@pytest.fixture(scope="module")
def words() -> FormatVocabulary:
    return HMIC2007.vocabulary()


def _source(text: str, name: str = "x.txt") -> SourceText:
    lines = tuple(Line(i, t) for i, t in enumerate(text.splitlines(), 1))
    return SourceText(path=name, name=name, sha256="0", format="text", pages=None, lines=lines)


# -- the data agrees with the code ---------------------------------------------------------------------
def test_every_area_wording_in_code_is_in_the_data(words: FormatVocabulary) -> None:
    for key, area in AREA_BY_LABEL.items():
        assert words.area_by_label.get(key) == area, key


def test_every_area_wording_in_the_data_is_read_by_the_parser(words: FormatVocabulary) -> None:
    for key, area in words.area_by_label.items():
        assert area_for_label(key) == area, key


def test_the_areas_are_the_ontology_inspection_areas(words: FormatVocabulary) -> None:
    ontology = Graph().parse(ontology_file("hmic.ttl"))
    hmic = "https://w3id.org/hmic-kg/ontology#"
    scheme = ontology.resource(f"{hmic}InspectionAreas").identifier
    expected = {str(ontology.value(c, SKOS.notation)) for c in ontology.subjects(SKOS.inScheme, scheme)}
    assert set(words.area_by_label.values()) == expected


def test_the_grade_scale_is_the_model_grades_best_first(words: FormatVocabulary) -> None:
    assert words.grades == tuple(grade.value for grade in Grade)


def test_the_finding_list_headings_are_the_parser_headings(words: FormatVocabulary) -> None:
    assert words.finding_by_heading == {label_key(k): kind.value for k, kind in FINDING_HEADINGS.items()}


def test_every_section_heading_in_the_data_is_one_the_parser_finds(words: FormatVocabulary) -> None:
    labels = [
        str(label)
        for predicate in (SKOS.prefLabel, SKOS.altLabel)
        for label in Graph().parse(ontology_file("formats/hmic2007.ttl")).objects(None, predicate)
    ]
    landmarks = set(words.heading_by_label.values())
    assert landmarks == {*HEADING_PATTERNS, "findings"}
    for label in labels:
        landmark = words.heading_by_label.get(label_key(label))
        if landmark in HEADING_PATTERNS:
            assert HEADING_PATTERNS[landmark].fullmatch(label), (landmark, label)
        elif landmark == "findings":
            assert label.casefold() == "findings"


# -- detection and the registry ------------------------------------------------------------------------
@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_the_2007_samples_are_recognised(path: Path) -> None:
    assert detect(read_source(path, LoadOptions())) > 0.9


def test_text_that_is_no_report_scores_zero() -> None:
    assert detect(_source("Minutes of the meeting\nApologies\nAny other business\n")) == 0.0


def _fake_format(marker: str, parsed: list[str]) -> ReportFormat:
    def parse(source: SourceText, register: ForceRegister) -> InspectionReport:
        parsed.append(source.name)
        return HMIC2007.parse(_sample(), register)

    return ReportFormat(
        key="peel",
        label="a second family",
        detect=lambda source: 1.0 if any(marker in line.text for line in source.lines) else 0.0,
        parse=parse,
        vocabulary=HMIC2007.vocabulary,
    )


def _sample() -> SourceText:
    return read_source(SAMPLES[0], LoadOptions())


def test_the_best_scoring_format_parses() -> None:
    parsed: list[str] = []
    peel = _fake_format("PEEL assessment", parsed)
    both = (HMIC2007, peel)
    assert formats.choose(_source("PEEL assessment 2015\nEffectiveness\n"), both) is peel
    assert formats.choose(_sample(), both) is HMIC2007
    assert formats.by_key("peel", both) is peel


def test_when_no_format_recognises_the_text_the_default_explains() -> None:
    peel = _fake_format("PEEL assessment", [])
    assert formats.choose(_source("nothing here\n"), (HMIC2007, peel)) is HMIC2007
    with pytest.raises(LoaderError, match="not an HMIC inspection report"):
        formats.parse(_source("nothing here\n"), ForceRegister.default())


def test_pipeline_asks_the_registry_not_the_2007_parser(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Regression: loaders/pipeline.py called the 2007 parser directly, so no second format could load."""
    parsed: list[str] = []
    monkeypatch.setattr(formats, "FORMATS", (HMIC2007, _fake_format("PEEL assessment", parsed)))
    report = tmp_path / "peel.txt"
    report.write_text("PEEL assessment 2015\nEffectiveness\n", encoding="utf-8")
    load_report(report)
    assert parsed == ["peel.txt"]


def test_a_broken_format_file_is_a_clear_loader_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n<urn:f> skos:member <urn:f/areas> .\n"
    )
    with pytest.raises(ValueError, match=r"broken\.ttl"):
        read_vocabulary(broken)
    failing = replace(HMIC2007, detect=lambda source: read_vocabulary(broken).grades and 1.0)
    with pytest.raises(LoaderError, match="cannot read a report format's vocabulary"):
        formats.choose(_source("text\n"), (failing,))


def test_unknown_format_key_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="hmic2007"):
        formats.by_key("peel")
