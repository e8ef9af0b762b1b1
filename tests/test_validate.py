"""SHACL validation gives a readable verdict."""

from __future__ import annotations

from rdflib import Dataset, Literal
from rdflib.namespace import DCTERMS

from graph.iris import HMIC, Iris
from graph.mapping import report_to_graph
from graph.validate import validate
from tests.graph_fixtures import nottinghamshire

IRIS = Iris()
PRACTICE = IRIS.practice("nottinghamshire-2007", 1)


def test_fixture_conforms() -> None:
    result = validate(report_to_graph(nottinghamshire(), IRIS))
    assert result.conforms and result.violations == []
    assert result.text.startswith("Conforms")


def test_practice_without_title_is_reported_readably() -> None:
    graph = report_to_graph(nottinghamshire(), IRIS)
    graph.remove((PRACTICE, DCTERMS.title, None))
    result = validate(graph)
    assert not result.conforms
    assert len(result.violations) == 1
    violation = result.violations[0]
    assert violation.focus == str(PRACTICE)
    assert violation.path == "dcterms:title"
    assert "title" in violation.message
    assert str(PRACTICE) in result.text and "dcterms:title" in result.text
    assert "sh:" not in result.text  # not pyshacl's raw dump


def test_wrong_datatype_and_missing_provenance_are_reported() -> None:
    graph = report_to_graph(nottinghamshire(), IRIS)
    judgement = IRIS.judgement("nottinghamshire-2007", "child-abuse")
    graph.set((judgement, HMIC.lineFrom, Literal("three")))
    graph.remove((IRIS.mention("nottinghamshire-2007", 1), HMIC.lineTo, None))
    result = validate(graph)
    assert not result.conforms
    paths = {(v.focus, v.path) for v in result.violations}
    assert (str(judgement), "hmic:lineFrom") in paths
    assert (str(IRIS.mention("nottinghamshire-2007", 1)), "hmic:lineTo") in paths
    assert any(v.value == "'three'" for v in result.violations)


def test_dataset_union_is_validated() -> None:
    ds = Dataset()
    named = ds.graph(IRIS.report_graph("nottinghamshire-2007"))
    for triple in report_to_graph(nottinghamshire(), IRIS):
        if triple[1] != DCTERMS.title or triple[0] != PRACTICE:
            named.add(triple)
    result = validate(ds)
    assert not result.conforms and [v.path for v in result.violations] == ["dcterms:title"]
