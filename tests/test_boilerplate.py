"""Boilerplate: the inspectorate's introduction and national context never make a force fact alone."""

from __future__ import annotations

import functools

from rdflib import Graph, Literal
from rdflib.namespace import ORG, SKOS

from graph.iris import HMIC, Iris
from graph.mapping import report_to_graph
from loaders.boilerplate import find_boilerplate, is_heading
from loaders.pipeline import load_report
from loaders.vocabulary import Vocabulary
from tests.entity_samples import REPORTS, sample_report
from tests.test_entities import synthetic_report

IRIS = Iris()
SAMPLES = ("nottinghamshire-2007", "northamptonshire-2007")


@functools.cache
def _graph(name: str) -> Graph:
    return report_to_graph(load_report(REPORTS / f"{name}.txt"), IRIS, Vocabulary.load())


def _labels(graph: Graph, nodes) -> set[str]:
    return {str(graph.value(n, SKOS.prefLabel)) for n in nodes}


def test_boilerplate_is_the_introduction_and_each_national_context() -> None:
    for name in SAMPLES:
        report = sample_report(name)
        boilerplate = find_boilerplate(report)
        lines = {ln.number: ln.text.strip() for ln in report.source.lines}
        intro, *contexts = boilerplate.ranges
        assert intro[0] == min(lines) and "overview" in lines[intro[1] + 1].casefold()
        assert len(contexts) == 7  # one national context per area section
        for start, end in contexts:
            assert lines[start].casefold().startswith("national context")
            assert lines[end + 1].casefold().startswith("contextual factors")
        first_finding = min(f.span.line_from for s in report.sections for f in s.findings)
        assert first_finding not in boilerplate


def test_boilerplate_from_structure_of_an_unseen_layout() -> None:
    report = synthetic_report(
        "Introduction",
        "HMIC inspects forces using the ALPHA system for all of them.",
        "Force overview",
        "The force uses the BRAVO database for custody.",
        "National context of child protection",
        "Forces should use a tracking system such as CHARLIE.",
        "Contextual factors",
        "The force has its own DELTA system.",
    )
    # the national context block is found by its heading; without force facts or sections no introduction
    # is assumed
    assert find_boilerplate(report).ranges == ((5, 6),)
    assert is_heading("National contextual factors") and not is_heading("The force uses it.")


def test_systems_named_only_in_boilerplate_are_not_used_by_the_force() -> None:
    notts, northants = _graph(SAMPLES[0]), _graph(SAMPLES[1])
    used_notts = _labels(notts, notts.objects(IRIS.force("nottinghamshire"), HMIC.usesSystem))
    used_northants = _labels(northants, northants.objects(IRIS.force("northamptonshire"), HMIC.usesSystem))
    assert "iQuanta" not in used_notts and "iQuanta" not in used_northants  # the introduction names it
    assert "COMPACT" not in used_northants  # only the national context of missing persons names it
    assert {"ViSOR", "COMPACT", "CATS"} <= used_notts and {"ViSOR", "VANTAGE", "FIS"} <= used_northants
    shared = used_notts & used_northants
    assert shared and "iQuanta" not in shared


def test_mentions_in_boilerplate_stay_mentions_of_the_report() -> None:
    graph = _graph(SAMPLES[1])
    flagged = set(graph.subjects(HMIC.inBoilerplate, Literal(True)))
    assert flagged
    texts = {str(graph.value(m, HMIC.text)) for m in flagged}
    assert "iQuanta" in texts and "Jobcentre Plus" in texts


def test_partners_and_units_from_national_context_are_not_force_facts() -> None:
    graph = _graph(SAMPLES[1])
    force = IRIS.force("northamptonshire")
    partners = _labels(graph, graph.objects(force, HMIC.worksWith))
    assert "Jobcentre Plus" not in partners and "Prison Service" not in partners
    assert {"police authority", "LSCB"} & partners
    units = _labels(graph, graph.objects(force, ORG.hasUnit))
    assert "DPMU" in units
