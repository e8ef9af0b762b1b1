"""Project the RDF graph to a typed networkx ``MultiDiGraph`` for views, GraphML export and analytics.

Works on plain triples of an rdflib ``Graph`` or ``Dataset`` (the union of its graphs); no store needed.
Nodes are keyed by IRI; edges are keyed by their type so a statement repeated in several report graphs
gives one edge.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx
from rdflib import RDF, RDFS, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, SKOS

from graph.iris import HMIC

#: rdf:type -> node type (first match wins: a finding is typed hmic:Finding and a subclass)
NODE_TYPES: dict[URIRef, str] = {
    HMIC.PoliceForce: "force",
    HMIC.InspectionReport: "report",
    HMIC.ITSystem: "system",
    HMIC.UnitType: "unit-type",
    ORG.OrganizationalUnit: "unit",
    ORG.Role: "role",
    FOAF.Person: "person",
    HMIC.PartnerBody: "partner",
    HMIC.DevelopingPractice: "practice",
    HMIC.Finding: "finding",
}
#: predicate -> (edge type, edge label, reversed?) for edges copied straight from triples
EDGE_TYPES: dict[URIRef, tuple[str, str, bool]] = {
    HMIC.usesSystem: ("uses-system", "uses system", False),
    ORG.hasUnit: ("has-unit", "has unit", False),
    HMIC.unitType: ("unit-type", "is a", False),
    HMIC.lead: ("leads", "leads", True),
    HMIC.mentions: ("mentions", "mentions", False),
    ORG.memberOf: ("member-of", "member of", False),
    HMIC.holdsRole: ("holds-role", "holds role", False),
    HMIC.area: ("about-area", "about area", False),
    HMIC.aboutForce: ("about-force", "about force", False),
    HMIC.report: ("in-report", "in report", False),
    SKOS.broader: ("broader", "part of", False),
}
NODE_ATTRIBUTES = ("iri", "label", "type", "text", "report", "force", "line_from", "line_to", "kind")


def _triples(data: Graph | Dataset) -> Graph:
    if isinstance(data, Dataset):
        union = Graph()
        for s, p, o, _ in data.quads((None, None, None, None)):
            union.add((s, p, o))
        return union
    return data


def _label(g: Graph, node: URIRef) -> str:
    for predicate in (RDFS.label, SKOS.prefLabel, FOAF.name, DCTERMS.title):
        value = g.value(node, predicate)
        if value is not None:
            return str(value)
    return str(node).rstrip("/").rsplit("/", 1)[-1]


def _value(g: Graph, node: URIRef, predicate: URIRef) -> str | int | None:
    value = g.value(node, predicate)
    if value is None:
        return None
    if isinstance(value, Literal) and isinstance(value.toPython(), int):
        return int(value.toPython())
    return str(value)


def _node_types(g: Graph) -> dict[URIRef, str]:
    types: dict[URIRef, str] = {}
    for rdf_type, name in NODE_TYPES.items():
        for node in g.subjects(RDF.type, rdf_type):
            if isinstance(node, URIRef):
                types.setdefault(node, name)
    for node in g.objects(None, HMIC.area):
        if isinstance(node, URIRef):
            types.setdefault(node, "area")
    for node in g.objects(None, HMIC.leads):
        if isinstance(node, URIRef) and "/area/" in str(node):
            types.setdefault(node, "area")
    for node in g.objects(None, HMIC.grade):
        if isinstance(node, URIRef):
            types.setdefault(node, "grade")
    return types


def to_networkx(data: Graph | Dataset) -> nx.MultiDiGraph:
    """Typed nodes (force, report, system, unit-type, unit, role, person, partner, practice, finding, area,
    grade) and typed, labelled edges (uses-system, has-unit, unit-type, leads, mentions, member-of, …)."""
    g = _triples(data)
    types = _node_types(g)
    net = nx.MultiDiGraph()
    for node in sorted(types):
        net.add_node(str(node), **_attributes(g, node, types[node]))
    for predicate, (edge_type, label, reverse) in EDGE_TYPES.items():
        for s, o in g.subject_objects(predicate):
            source, target = (o, s) if reverse else (s, o)
            if source in types and target in types:
                net.add_edge(str(source), str(target), key=edge_type, type=edge_type, label=label)
    _add_leads(g, types, net)
    _add_judgements(g, types, net)
    return net


def _attributes(g: Graph, node: URIRef, node_type: str) -> dict[str, str | int | None]:
    text = _value(g, node, HMIC.text) or _value(g, node, HMIC.problem) or _value(g, node, HMIC.expansion)
    force = _value(g, node, HMIC.force) or _value(g, node, ORG.unitOf) or _value(g, node, HMIC.aboutForce)
    kind = g.value(node, HMIC.findingKind)
    return {
        "iri": str(node),
        "label": _label(g, node),
        "type": node_type,
        "text": text,
        "report": _value(g, node, HMIC.report),
        "force": force,
        "line_from": _value(g, node, HMIC.lineFrom),
        "line_to": _value(g, node, HMIC.lineTo),
        "kind": str(kind).rsplit("/", 1)[-1] if kind is not None else None,
    }


def _add_leads(g: Graph, types: dict[URIRef, str], net: nx.MultiDiGraph) -> None:
    """``hmic:Lead`` statements become ``leads`` edges from the leader to the practice or area."""
    for lead in g.subjects(RDF.type, HMIC.Lead):
        leader, subject = g.value(lead, HMIC.leader), g.value(lead, HMIC.leads)
        if leader in types and subject in types:
            net.add_edge(
                str(leader), str(subject), key="leads", type="leads", label="leads", text=_label(g, lead)
            )


def _add_judgements(g: Graph, types: dict[URIRef, str], net: nx.MultiDiGraph) -> None:
    """Each judgement becomes a ``graded`` edge force -> grade, keyed and labelled by its area."""
    for judgement in sorted(g.subjects(RDF.type, HMIC.Judgement)):
        force, grade, area = (g.value(judgement, p) for p in (HMIC.force, HMIC.grade, HMIC.area))
        if force in types and grade in types:
            area_label = _label(g, area) if isinstance(area, URIRef) else ""
            net.add_edge(
                str(force),
                str(grade),
                key=f"graded:{judgement}",
                type="graded",
                label=f"graded {_label(g, grade)} for {area_label}".strip(),
                area=str(area) if area is not None else None,
                report=_value(g, judgement, HMIC.report),
            )


def nodes_of_type(net: nx.MultiDiGraph, *node_types: str) -> Iterable[str]:
    """Node ids of the given types, sorted."""
    return sorted(n for n, data in net.nodes(data=True) if data.get("type") in node_types)
