"""Ownership: posts, units and local partner bodies belong to one force; national bodies are shared."""

from __future__ import annotations

import functools

from rdflib import Graph
from rdflib.namespace import FOAF, ORG, RDF, SKOS

from graph.iris import HMIC, Iris
from graph.mapping import report_to_graph
from loaders.model import EntityKind
from loaders.pipeline import load_report
from loaders.vocabulary import Vocabulary
from tests.entity_samples import REPORTS

IRIS = Iris()


@functools.cache
def _graph(name: str) -> Graph:
    return report_to_graph(load_report(REPORTS / f"{name}.txt"), IRIS, Vocabulary.load())


def _nodes_labelled(graph: Graph, rdf_type, label: str) -> set:
    return {s for s in graph.subjects(SKOS.prefLabel, None) if (s, RDF.type, rdf_type) in graph} & {
        s for s, _, o in graph.triples((None, SKOS.prefLabel, None)) if str(o).casefold() == label.casefold()
    }


def test_local_bodies_are_one_node_per_force_and_national_bodies_shared() -> None:
    notts, northants = _graph("nottinghamshire-2007"), _graph("northamptonshire-2007")
    for label in ("police authority", "LSCB", "CDRP"):
        a, b = (
            _nodes_labelled(notts, HMIC.PartnerBody, label),
            _nodes_labelled(northants, HMIC.PartnerBody, label),
        )
        assert a and b and not a & b, (label, a, b)
        assert all((node, HMIC.force, IRIS.force("nottinghamshire")) in notts for node in a)
    for label in ("Home Office", "ACPO"):
        a, b = (
            _nodes_labelled(notts, HMIC.PartnerBody, label),
            _nodes_labelled(northants, HMIC.PartnerBody, label),
        )
        assert a and a == b, label


def test_dcc_post_of_one_force_never_names_the_other_forces_dcc() -> None:
    notts, northants = _graph("nottinghamshire-2007"), _graph("northamptonshire-2007")
    dcc_notts = {s for s in notts.subjects(RDF.type, ORG.Role) if str(s).endswith("-deputy-chief-constable")}
    dcc_northants = {
        s for s in northants.subjects(RDF.type, ORG.Role) if str(s).endswith("-deputy-chief-constable")
    }
    assert dcc_notts and dcc_northants and not dcc_notts & dcc_northants
    merged = notts + northants
    for post in dcc_northants:
        holders = set(merged.subjects(HMIC.holdsRole, post))
        assert not any((h, ORG.memberOf, IRIS.force("nottinghamshire")) in merged for h in holders)


def test_every_person_holds_posts_of_their_own_force() -> None:
    for name, force in (
        ("nottinghamshire-2007", "nottinghamshire"),
        ("northamptonshire-2007", "northamptonshire"),
    ):
        graph = _graph(name)
        for person in graph.subjects(RDF.type, FOAF.Person):
            for post in graph.objects(person, HMIC.holdsRole):
                owner = graph.value(post, HMIC.force)
                assert owner in (None, IRIS.force(force)), (person, post, owner)


def test_two_councils_printed_as_one_phrase_are_two_partners() -> None:
    from tests.test_entities import _entities

    entities = _entities("It works with Alderford City and Brisbury County Councils on community safety.")
    partners = sorted(e.name for e in entities.values() if e.kind is EntityKind.PARTNER)
    assert partners == ["Alderford City Council", "Brisbury County Council"]
