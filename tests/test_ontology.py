"""The OWL ontology: every term the mapping uses is declared, labelled and documented."""

from __future__ import annotations

from pathlib import Path

from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.namespace import SH, SKOS

from graph.iris import HMIC, Iris
from graph.mapping import ontology_graph, report_metadata, report_to_graph, vocabulary_graph
from graph.ontology_doc import render
from graph.validate import shapes_graph
from tests.graph_fixtures import reports

DOC = Path(__file__).resolve().parent.parent / "docs" / "ontology.md"
IRIS = Iris()


def mapped() -> Graph:
    from datetime import UTC, datetime

    graph = vocabulary_graph(IRIS)
    for report in reports():
        graph += report_to_graph(report, IRIS)
        graph += report_metadata(
            report, IRIS, loader_version="0", loaded_at=datetime(2024, 1, 1, tzinfo=UTC), triple_count=1
        )
    return graph


def test_every_hmic_term_has_label_and_comment() -> None:
    g = ontology_graph()
    terms = {s for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith(str(HMIC))}
    declared = set()
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty):
        declared |= set(g.subjects(RDF.type, kind))
    assert declared
    for term in declared:
        assert g.value(term, RDFS.label) is not None, term
        assert g.value(term, RDFS.comment) is not None, term
    assert declared <= terms


def test_every_hmic_term_the_mapping_writes_is_declared() -> None:
    g, data = ontology_graph(), mapped()
    used = {p for p in data.predicates() if str(p).startswith(str(HMIC))}
    used |= {o for o in data.objects(None, RDF.type) if str(o).startswith(str(HMIC))}
    declared = {s for s in g.subjects(RDF.type, None) if str(s).startswith(str(HMIC))}
    assert used - declared == set()


def test_new_classes_are_anchored_in_reused_vocabularies() -> None:
    g = ontology_graph()
    assert (HMIC.PoliceForce, RDFS.subClassOf, URIRef("http://www.w3.org/ns/org#FormalOrganization")) in g
    assert (HMIC.Mention, RDFS.subClassOf, URIRef("http://www.w3.org/ns/oa#Annotation")) in g
    assert (HMIC.UnitType, RDFS.subClassOf, SKOS.Concept) in g
    for finding_class in (HMIC.Strength, HMIC.WorkInProgress, HMIC.AreaForImprovement):
        assert (finding_class, RDFS.subClassOf, HMIC.Finding) in g


def test_concept_schemes_areas_grades_finding_kinds() -> None:
    g = ontology_graph()
    assert len(set(g.subjects(SKOS.inScheme, HMIC.InspectionAreas))) == 7
    assert len(set(g.subjects(SKOS.broader, HMIC["area-protecting-vulnerable-people"]))) == 4
    grades = sorted(
        g.subjects(SKOS.inScheme, HMIC.Grades), key=lambda c: g.value(c, SKOS.notation).toPython()
    )
    assert [str(g.value(c, SKOS.prefLabel)) for c in grades] == ["Excellent", "Good", "Fair", "Poor"]
    assert len(set(g.subjects(SKOS.inScheme, HMIC.FindingKinds))) == 3


def test_every_class_the_mapping_produces_has_a_shape() -> None:
    g, shapes = ontology_graph(), shapes_graph()
    targets = set(shapes.objects(None, SH.targetClass))
    data = mapped()
    for node in set(data.subjects(RDF.type, None)):
        ancestors = {
            a for cls in data.objects(node, RDF.type) for a in g.transitive_objects(cls, RDFS.subClassOf)
        }
        assert ancestors & targets, f"no shape targets {node} (types {set(data.objects(node, RDF.type))})"


def test_ontology_doc_is_up_to_date() -> None:
    expected = render()
    assert DOC.read_text(encoding="utf-8") == expected, (
        "docs/ontology.md is stale: run `python -m graph.ontology_doc > docs/ontology.md`"
    )
    for cls in ontology_graph().subjects(RDF.type, OWL.Class):
        assert f"`hmic:{cls.fragment}`" in expected
