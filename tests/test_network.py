"""The networkx projection, bridge analytics and GraphML export."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest
from rdflib import Dataset

from graph.analytics import bridges, to_graphml
from graph.iris import Iris
from graph.mapping import report_to_graph, vocabulary_graph
from graph.network import to_networkx
from tests.graph_fixtures import reports

IRIS = Iris()


@pytest.fixture(scope="module")
def net() -> nx.MultiDiGraph:
    ds = Dataset()
    for report in reports():
        named = ds.graph(IRIS.report_graph(report.report_id))
        for triple in report_to_graph(report, IRIS):
            named.add(triple)
    vocab = ds.graph(IRIS.vocabulary_graph())
    for triple in vocabulary_graph(IRIS):
        vocab.add(triple)
    return to_networkx(ds)


def types_of(net: nx.MultiDiGraph) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for node, data in net.nodes(data=True):
        found.setdefault(data["type"], set()).add(node)
    return found


def test_nodes_are_typed_and_labelled(net: nx.MultiDiGraph) -> None:
    types = types_of(net)
    expected = {
        "force",
        "report",
        "system",
        "unit-type",
        "unit",
        "role",
        "person",
        "partner",
        "practice",
        "finding",
    }
    assert expected | {"area", "grade"} <= set(types)
    assert types["force"] == {str(IRIS.force("nottinghamshire")), str(IRIS.force("northamptonshire"))}
    assert types["system"] == {str(IRIS.system("visor"))}
    finding = net.nodes[str(IRIS.finding("northamptonshire-2007", "public-protection", 1))]
    assert finding["line_from"] == 1657 and finding["line_to"] == 1658
    assert finding["report"] == str(IRIS.report("northamptonshire-2007"))
    assert finding["kind"] == "strength" and "Visor" in finding["text"]
    assert net.nodes[str(IRIS.area("child-abuse"))]["label"] == "Child abuse"
    assert all(data["label"] for _, data in net.nodes(data=True))


def test_edges_are_typed(net: nx.MultiDiGraph) -> None:
    notts, visor = str(IRIS.force("nottinghamshire")), str(IRIS.system("visor"))
    assert net.has_edge(notts, visor, key="uses-system")
    unit = str(IRIS.unit("nottinghamshire", "dpmu"))
    assert net.has_edge(notts, unit, key="has-unit")
    assert net.has_edge(unit, str(IRIS.unit_type("dpmu")), key="unit-type")
    person = str(IRIS.person("jackie-alexander"))
    assert net.has_edge(person, str(IRIS.practice("northamptonshire-2007", 1)), key="leads")
    assert net.has_edge(person, notts, key="member-of")
    finding = str(IRIS.finding("nottinghamshire-2007", "child-abuse", 1))
    assert net.has_edge(finding, str(IRIS.area("child-abuse")), key="about-area")
    graded = [d for _, _, d in net.out_edges(notts, data=True) if d["type"] == "graded"]
    assert {d["label"] for d in graded} == {
        "graded Fair for Child abuse",
        "graded Good for Public protection",
    }
    assert all(d.get("label") for _, _, d in net.edges(data=True))


def test_bridges_find_the_shared_system_person_and_unit_types(net: nx.MultiDiGraph) -> None:
    rows = {row.iri: row for row in bridges(net)}
    visor = rows[str(IRIS.system("visor"))]
    assert visor.force_count == 2 and visor.type == "system"
    assert visor.forces == (str(IRIS.force("northamptonshire")), str(IRIS.force("nottinghamshire")))
    assert visor.degree > 0 and visor.betweenness > 0
    assert rows[str(IRIS.person("jackie-alexander"))].force_count == 2
    assert rows[str(IRIS.unit_type("caiu"))].force_count == 2
    assert str(IRIS.partner("lscb")) not in rows  # named by one force only
    ordered = bridges(net)
    assert [r.force_count for r in ordered] == sorted((r.force_count for r in ordered), reverse=True)


def test_graphml_is_written_and_read_back(net: nx.MultiDiGraph, tmp_path: Path) -> None:
    path = to_graphml(net, tmp_path / "hmic.graphml")
    back = nx.read_graphml(path, force_multigraph=True)
    assert back.number_of_nodes() == net.number_of_nodes()
    assert back.number_of_edges() == net.number_of_edges()
    visor = back.nodes[str(IRIS.system("visor"))]
    assert visor["type"] == "system" and visor["label"] == "ViSOR"


def _same_projection(a: nx.MultiDiGraph, b: nx.MultiDiGraph) -> None:
    assert list(a.nodes(data=True)) == list(b.nodes(data=True))
    edges = lambda g: {(s, t, k): d for s, t, k, d in g.edges(keys=True, data=True)}  # noqa: E731
    assert edges(a) == edges(b)


@pytest.mark.parametrize("backend", ["memory", "oxigraph"])
def test_store_projection_reads_only_what_it_needs_and_matches_the_rdflib_one(
    net: nx.MultiDiGraph, backend: str, tmp_path: Path
) -> None:
    """The Oxigraph store is read from its quad index, the memory store by SELECT: both give the graph
    ``to_networkx`` builds from the same report graphs."""
    from rdflib import Graph

    from graph.config import GraphConfig
    from graph.network import project_store
    from graph.store import open_store

    store = open_store(GraphConfig(data_dir=tmp_path, backend=backend))
    try:
        for report in reports():
            triples = Graph()
            for triple in report_to_graph(report, IRIS):
                triples.add(triple)
            store.replace_graph(str(IRIS.report_graph(report.report_id)), triples)
        triples = Graph()
        for triple in vocabulary_graph(IRIS):
            triples.add(triple)
        store.replace_graph(str(IRIS.vocabulary_graph()), triples)
        _same_projection(project_store(store), net)
    finally:
        store.close()
