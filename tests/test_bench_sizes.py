"""The size sweep's reports: the sample's sections repeated, so every stage sees n times the work."""

from __future__ import annotations

from bench.bench_sizes import sized_report
from loaders.forces import ForceRegister
from loaders.hmic2007 import parse_report
from tests.hmic2007_support import source_from_text


def test_sized_report_repeats_the_sections_and_keeps_one_glossary() -> None:
    one = parse_report(source_from_text(sized_report(1)), ForceRegister.default())
    three = parse_report(source_from_text(sized_report(3)), ForceRegister.default())
    assert len(three.sections) == 3 * len(one.sections)
    assert sum(len(s.findings) for s in three.sections) == 3 * sum(len(s.findings) for s in one.sections)
    assert len(three.glossary) == len(one.glossary)
    assert three.force.id == one.force.id
