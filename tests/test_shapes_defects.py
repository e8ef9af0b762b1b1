"""SHACL catches the defects issue 12 found in the old output; each test builds the defect it names."""

from __future__ import annotations

import functools

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import FOAF, ORG, RDF, RDFS, SKOS

from graph.iris import HMIC, Iris
from graph.mapping import report_to_graph
from graph.validate import validate
from tests.graph_fixtures import nottinghamshire

IRIS = Iris()
NOTTS = IRIS.force("nottinghamshire")
OTHER = IRIS.force("northamptonshire")


@functools.cache
def _fixture() -> Graph:
    return report_to_graph(nottinghamshire(), IRIS)


def _copy() -> Graph:
    graph = Graph()
    for triple in _fixture():
        graph.add(triple)
    return graph


def _messages(graph: Graph) -> list[str]:
    result = validate(graph)
    assert not result.conforms
    return [v.message for v in result.violations]


def test_fixture_conforms() -> None:
    assert validate(_fixture()).conforms


@pytest.mark.slow  # ~10 CPU-s of SHACL; test_mapping's test_real_sample_reports_map_to_conforming_graphs
def test_samples_conform() -> None:  # checks the same in the fast lane
    from tests.test_ownership import _graph

    for name in ("nottinghamshire-2007", "northamptonshire-2007"):
        result = validate(_graph(name))
        assert result.conforms, result.text


def test_person_without_a_personal_name_fails_validation() -> None:
    for bad in ("Detective Inspector", "Dave Taylor Tel:", "Performance Information Officer", "jo"):
        graph = _copy()
        person = IRIS.person("x")
        graph.add((person, RDF.type, FOAF.Person))
        graph.add((person, RDFS.label, Literal(bad)))
        graph.add((person, FOAF.name, Literal(bad)))
        graph.add((person, ORG.memberOf, NOTTS))
        assert any("personal name" in m for m in _messages(graph)), bad
    for good in ("Siân Jones", "Dafydd ap Gruffydd", "Chris Mclean", "Mary O’Neill", "Jean-Luc Dupont"):
        graph = _copy()
        person = IRIS.person("y")
        graph.add((person, RDF.type, FOAF.Person))
        graph.add((person, RDFS.label, Literal(good)))
        graph.add((person, FOAF.name, Literal(good)))
        graph.add((person, ORG.memberOf, NOTTS))
        assert validate(graph).conforms, good


def test_two_preferred_labels_on_one_node_fail_validation() -> None:
    graph = _copy()
    role = next(iter(graph.subjects(RDF.type, ORG.Role)))
    graph.add((role, SKOS.prefLabel, Literal("head of department")))
    assert any("one skos:prefLabel per language" in m for m in _messages(graph))


def test_lead_held_by_another_forces_post_fails_validation() -> None:
    graph = _copy()
    lead = next(iter(graph.subjects(RDF.type, HMIC.Lead)))
    post = IRIS.role("northamptonshire-dcc")
    graph.add((post, RDF.type, ORG.Role))
    graph.add((post, RDFS.label, Literal("DCC")))
    graph.add((post, SKOS.prefLabel, Literal("DCC")))
    graph.add((post, HMIC.force, OTHER))
    graph.set((lead, HMIC.leader, post))
    assert any("holder and subject belong" in m for m in _messages(graph))


def test_system_use_resting_only_on_boilerplate_fails_validation() -> None:
    graph = _copy()
    use = next(iter(graph.subjects(RDF.type, HMIC.SystemUse)))
    supporters = list(graph.objects(use, HMIC.supportedBy))
    mention = next(iter(graph.subjects(RDF.type, HMIC.Mention)))
    for supporter in supporters:
        graph.remove((use, HMIC.supportedBy, supporter))
    graph.add((use, HMIC.supportedBy, mention))
    graph.add((mention, HMIC.inBoilerplate, Literal(True)))
    assert any("outside the inspectorate's boilerplate" in m for m in _messages(graph))
