"""``report_triples``: the report graph's triples without an rdflib graph, and the graph built from them."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.term import Node

from graph.iris import HMIC, Iris
from graph.mapping import report_to_graph, report_triples
from loaders.model import InspectionReport
from tests.graph_fixtures import reports as fixture_reports

IRIS = Iris()
REPORTS_DIR = Path(__file__).resolve().parent.parent / "data" / "reports"
SAMPLES = sorted(REPORTS_DIR.glob("*.txt"))


@functools.cache
def sample(name: str) -> InspectionReport:
    from loaders.pipeline import load_report

    return load_report(REPORTS_DIR / name)


def all_reports() -> list[tuple[str, InspectionReport]]:
    fixtures = [(f"fixture:{report.report_id}", report) for report in fixture_reports()]
    return [(path.name, sample(path.name)) for path in SAMPLES] + fixtures


def test_there_are_two_sample_reports() -> None:
    assert [path.name for path in SAMPLES] == ["northamptonshire-2007.txt", "nottinghamshire-2007.txt"]


@pytest.mark.parametrize("name", [path.name for path in SAMPLES])
def test_report_triples_equal_the_graph_of_a_sample_report(name: str) -> None:
    report = sample(name)
    triples = report_triples(report, IRIS)
    graph = report_to_graph(report, IRIS)
    assert len(triples) == len(graph)
    assert set(triples) == set(graph)
    rebuilt = Graph()
    for triple in triples:
        rebuilt.add(triple)
    assert isomorphic(rebuilt, graph)
    # a real report makes thousands of triples, mentions among them
    assert len(triples) > 1000
    assert any(p == HMIC.mentionedIn for _, p, _ in triples)


@pytest.mark.parametrize("case", range(4))
def test_report_triples_have_no_duplicates(case: int) -> None:
    name, report = all_reports()[case]
    triples = report_triples(report, IRIS)
    assert triples, name
    assert len(triples) == len(set(triples)), name


@pytest.mark.parametrize("case", range(4))
def test_report_triples_are_deterministic(case: int) -> None:
    _, report = all_reports()[case]
    first = report_triples(report, IRIS)
    second = report_triples(report, IRIS)
    assert first == second  # the same triples in the same order
    assert [tuple(map(type, t)) for t in first] == [tuple(map(type, t)) for t in second]


@pytest.mark.parametrize("case", range(4))
def test_every_term_is_an_rdflib_term(case: int) -> None:
    _, report = all_reports()[case]
    for triple in report_triples(report, IRIS):
        assert isinstance(triple, tuple) and len(triple) == 3
        s, p, o = triple
        assert isinstance(s, URIRef | BNode), triple
        assert type(p) is URIRef, triple
        assert isinstance(o, URIRef | BNode | Literal), triple
        assert all(isinstance(term, Node) for term in triple)


def test_report_to_graph_keeps_the_prefixes() -> None:
    graph = report_to_graph(sample(SAMPLES[0].name), IRIS)
    prefixes = {prefix: str(ns) for prefix, ns in graph.namespaces()}
    assert prefixes["hmic"] == str(HMIC)
    for prefix in ("org", "prov", "skos", "schema", "dcterms", "foaf", "oa", "xsd"):
        assert prefix in prefixes


def test_report_triples_of_the_fixtures_equal_their_graphs() -> None:
    for report in fixture_reports():
        assert set(report_triples(report, IRIS)) == set(report_to_graph(report, IRIS))


def test_labels_looked_up_during_mapping_are_the_first_ones() -> None:
    """System uses and leads are labelled from the prefLabel / foaf:name already mapped."""
    from rdflib.namespace import RDFS, SKOS

    for path in SAMPLES:
        triples = report_triples(sample(path.name), IRIS)
        labels = {s: o for s, p, o in triples if p == RDFS.label}
        pref = {}
        for s, p, o in triples:
            if p == SKOS.prefLabel:
                pref.setdefault(s, o)
        uses = [o for s, p, o in triples if p == HMIC.system]
        assert uses, path.name
        for s, p, system in triples:
            if p == HMIC.system:
                assert str(labels[s]).endswith(f"uses {pref[system]}") or "…" in str(labels[s])
