"""Project the RDF graph to a typed networkx ``MultiDiGraph`` for views, GraphML export and analytics.

Nodes are keyed by IRI; edges are keyed by their type so a statement repeated in several report graphs
gives one edge. Only the classes and predicates the projection uses are read (:data:`PREDICATES`), never
every triple:

* :func:`to_networkx` works on an rdflib ``Graph`` or ``Dataset`` (the union of its graphs);
* :func:`project_store` reads a store: the embedded Oxigraph store's default graph (the duplicate-free
  union of the report graphs) straight from its quad index, any other backend by SPARQL ``SELECT``.
  Neither builds an rdflib graph of the store.

Both keep, as ``graph["shares"]``, what each system, unit type, post or partner stands for by force, on the
forces' own evidence (:mod:`graph.sharing`, the one definition of "shared").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import networkx as nx
from rdflib import RDF, RDFS, BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, SKOS, XSD

from graph.iris import HMIC
from graph.sharing import dataset_facts, force_facts, node_forces

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
#: label predicates, in order of preference
LABELS: tuple[URIRef, ...] = (RDFS.label, SKOS.prefLabel, FOAF.name, DCTERMS.title)
#: predicates read only for nodes (and lead / judgement statements) of the projection
ATTRIBUTES: tuple[URIRef, ...] = (
    *LABELS, HMIC.text, HMIC.problem, HMIC.expansion, HMIC.force, ORG.unitOf, HMIC.aboutForce,
    HMIC.report, HMIC.lineFrom, HMIC.lineTo, HMIC.findingKind, HMIC.leader, HMIC.grade,
)  # fmt: skip
#: predicates that type nodes by their objects (areas, grades) or link them, read in full
STRUCTURE: tuple[URIRef, ...] = (*EDGE_TYPES, HMIC.leads, HMIC.grade)
#: every predicate the projection reads
PREDICATES: tuple[URIRef, ...] = tuple(dict.fromkeys((*STRUCTURE, *ATTRIBUTES)))
#: predicates read only for the nodes and statements the structure names (:meth:`Triples.subjects`)
DETAIL: tuple[URIRef, ...] = tuple(p for p in PREDICATES if p not in STRUCTURE)
#: every class the projection reads (node types, lead and judgement statements)
CLASSES: tuple[URIRef, ...] = (*NODE_TYPES, HMIC.Lead, HMIC.Judgement)
#: datatypes whose literals are integers in the projection (as rdflib's ``toPython``)
INTEGER_TYPES = frozenset(
    str(XSD[name])
    for name in (
        "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
        "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort",
        "unsignedByte",
    )
)  # fmt: skip


class Lit(str):
    """A string literal in the projection (IRIs are plain ``str``, blank nodes ``"_:id"``)."""

    __slots__ = ()


#: a term as the projection keeps it: IRI or blank node (``str``), string literal (:class:`Lit`), integer
Term = str | int


def _is_iri(term: Term) -> bool:
    return type(term) is str and not term.startswith("_:")


def _literal(text: str, datatype: str | None) -> Term:
    if datatype in INTEGER_TYPES:
        try:
            return int(text)
        except ValueError:
            pass
    return Lit(text)


def from_rdflib(term: Any) -> Term:
    """An rdflib term as a projection term."""
    if isinstance(term, Literal):
        value = term.toPython()
        return int(value) if isinstance(value, int) else Lit(str(term))
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


class Triples:
    """The statements the projection reads: ``rdf:type`` of :data:`CLASSES` and, per predicate of
    :data:`PREDICATES`, subject -> objects (in the order read; the first is the value).

    Read types and :data:`STRUCTURE` first, then :data:`DETAIL` for :meth:`subjects` only."""

    def __init__(self) -> None:
        self.typed: dict[str, list[str]] = {str(c): [] for c in CLASSES}
        self.objects: dict[str, dict[str, list[Term]]] = {str(p): {} for p in PREDICATES}

    def subjects(self) -> set[str]:
        """Every node the projection may describe: typed nodes, lead and judgement statements, and the
        IRIs that areas and grades are typed by (objects of ``hmic:area``, ``hmic:leads``, ``hmic:grade``)."""
        found = {node for nodes in self.typed.values() for node in nodes}
        for predicate in (HMIC.area, HMIC.leads, HMIC.grade):
            found.update(o for _, o in self.pairs(predicate) if _is_iri(o))  # type: ignore[misc]
        return found

    def add_type(self, node: Term, rdf_type: str) -> None:
        nodes = self.typed.get(rdf_type)
        if nodes is not None and type(node) is str:
            nodes.append(node)

    def add(self, subject: Term, predicate: str, obj: Term) -> None:
        by_subject = self.objects.get(predicate)
        if by_subject is not None and type(subject) is str:
            by_subject.setdefault(subject, []).append(obj)

    def value(self, node: str, predicate: URIRef) -> Term | None:
        found = self.objects[str(predicate)].get(node)
        return found[0] if found else None

    def pairs(self, predicate: URIRef) -> Iterator[tuple[str, Term]]:
        for subject, objects in self.objects[str(predicate)].items():
            for obj in objects:
                yield subject, obj


def _from_graph(data: Graph | Dataset) -> Triples:
    triples = Triples()
    if isinstance(data, Dataset):
        statements: Callable[[Any], Iterable[tuple[Any, ...]]] = lambda p: data.quads((None, p, None, None))  # noqa: E731
    else:
        statements = lambda p: data.triples((None, p, None))  # noqa: E731
    for s, _p, o, *_ in statements(RDF.type):
        if isinstance(s, URIRef | BNode) and isinstance(o, URIRef):
            triples.add_type(from_rdflib(s), str(o))
    for predicate in STRUCTURE:
        key = str(predicate)
        for s, _p, o, *_ in statements(predicate):
            triples.add(from_rdflib(s), key, from_rdflib(o))
    wanted = triples.subjects()
    for predicate in DETAIL:
        key = str(predicate)
        for s, _p, o, *_ in statements(predicate):
            if isinstance(s, URIRef) and str(s) in wanted:
                triples.add(str(s), key, from_rdflib(o))
    return triples


def _values(terms: Iterable[Any]) -> str:
    return " ".join(f"<{t}>" for t in terms)


#: what the projection reads from a store, as two SELECT queries (any backend)
TYPE_QUERY = f"SELECT ?s ?c WHERE {{ VALUES ?c {{ {_values(CLASSES)} }} ?s a ?c }}"
TRIPLE_QUERY = f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {_values(PREDICATES)} }} ?s ?p ?o }}"


def _from_select(store: Any) -> Triples:
    triples = Triples()
    for s, c in store.query(TYPE_QUERY).rows:
        if isinstance(s, URIRef | BNode):
            triples.add_type(from_rdflib(s), str(c))
    rows = store.query(TRIPLE_QUERY).rows
    structure = {str(p) for p in STRUCTURE}
    for s, p, o in rows:
        if str(p) in structure and isinstance(s, URIRef | BNode) and o is not None:
            triples.add(from_rdflib(s), str(p), from_rdflib(o))
    wanted = triples.subjects()
    for s, p, o in rows:
        if str(p) not in structure and isinstance(s, URIRef) and str(s) in wanted and o is not None:
            triples.add(str(s), str(p), from_rdflib(o))
    return triples


def _from_oxigraph(ox_store: Any) -> Triples:
    """The default graph of a pyoxigraph store (the store index: the union without duplicates)."""
    import pyoxigraph as ox

    triples = Triples()
    default, named, literal = ox.DefaultGraph(), ox.NamedNode, ox.Literal

    def term(t: Any) -> Term:
        kind = type(t)
        if kind is named:
            return t.value
        if kind is literal:
            return _literal(t.value, t.datatype.value)
        return f"_:{t.value}"

    rdf_type = named(str(RDF.type))
    for rdf_class in CLASSES:
        key = str(rdf_class)
        for quad in ox_store.quads_for_pattern(None, rdf_type, named(key), default):
            triples.add_type(term(quad.subject), key)
    for predicate in STRUCTURE:
        key = str(predicate)
        for quad in ox_store.quads_for_pattern(None, named(key), None, default):
            triples.add(term(quad.subject), key, term(quad.object))
    wanted = triples.subjects()
    for predicate in DETAIL:
        key = str(predicate)
        by_subject = triples.objects[key]
        for quad in ox_store.quads_for_pattern(None, named(key), None, default):
            subject = quad.subject
            if type(subject) is named and subject.value in wanted:
                by_subject.setdefault(subject.value, []).append(term(quad.object))
    return triples


def project_store(store: Any) -> nx.MultiDiGraph:
    """The store as the typed networkx graph the views are cut from (see :func:`to_networkx`).

    The embedded Oxigraph store is read from its quad index; other backends through two SPARQL
    ``SELECT`` queries restricted to :data:`CLASSES` and :data:`PREDICATES`.
    """
    from graph.store_oxigraph import OxigraphStore

    if isinstance(store, OxigraphStore) and not getattr(store, "_union", False):
        net = _project(_from_oxigraph(store.store))
    else:
        net = _project(_from_select(store))
    net.graph["shares"] = node_forces(force_facts(store))
    return net


def to_networkx(data: Graph | Dataset) -> nx.MultiDiGraph:
    """Typed nodes (force, report, system, unit-type, unit, role, person, partner, practice, finding, area,
    grade) and typed, labelled edges (uses-system, has-unit, unit-type, leads, mentions, member-of, …)."""
    net = _project(_from_graph(data))
    net.graph["shares"] = node_forces(dataset_facts(data))
    return net


def _label(g: Triples, node: Term) -> str:
    for predicate in LABELS:
        value = g.value(str(node), predicate)
        if value is not None:
            return str(value)
    return str(node).rstrip("/").rsplit("/", 1)[-1]


def _value(g: Triples, node: str, predicate: URIRef) -> str | int | None:
    value = g.value(node, predicate)
    if value is None or isinstance(value, int):
        return value
    return str(value)


def _node_types(g: Triples) -> dict[str, str]:
    types: dict[str, str] = {}
    for rdf_type, name in NODE_TYPES.items():
        for node in g.typed[str(rdf_type)]:
            if _is_iri(node):
                types.setdefault(node, name)
    for _, node in g.pairs(HMIC.area):
        if _is_iri(node):
            types.setdefault(node, "area")  # type: ignore[arg-type]
    for _, node in g.pairs(HMIC.leads):
        if _is_iri(node) and "/area/" in node:  # type: ignore[operator]
            types.setdefault(node, "area")  # type: ignore[arg-type]
    for _, node in g.pairs(HMIC.grade):
        if _is_iri(node):
            types.setdefault(node, "grade")  # type: ignore[arg-type]
    return types


def _project(g: Triples) -> nx.MultiDiGraph:
    types = _node_types(g)
    net = nx.MultiDiGraph()
    net.add_nodes_from((node, _attributes(g, node, types[node])) for node in sorted(types))
    edges: list[tuple[str, str, str, dict[str, Any]]] = []
    for predicate, (edge_type, label, reverse) in EDGE_TYPES.items():
        for s, o in g.pairs(predicate):
            source, target = (o, s) if reverse else (s, o)
            if source in types and target in types and _is_iri(source) and _is_iri(target):
                edges.append((source, target, edge_type, {"type": edge_type, "label": label}))  # type: ignore[arg-type]
    net.add_edges_from(edges)
    _add_leads(g, types, net)
    _add_judgements(g, types, net)
    return net


def _attributes(g: Triples, node: str, node_type: str) -> dict[str, str | int | None]:
    text = _value(g, node, HMIC.text) or _value(g, node, HMIC.problem) or _value(g, node, HMIC.expansion)
    force = _value(g, node, HMIC.force) or _value(g, node, ORG.unitOf) or _value(g, node, HMIC.aboutForce)
    kind = g.value(node, HMIC.findingKind)
    return {
        "iri": node,
        "label": _label(g, node),
        "type": node_type,
        "text": text,
        "report": _value(g, node, HMIC.report),
        "force": force,
        "line_from": _value(g, node, HMIC.lineFrom),
        "line_to": _value(g, node, HMIC.lineTo),
        "kind": str(kind).rsplit("/", 1)[-1] if kind is not None else None,
    }


def _in(types: dict[str, str], term: Term | None) -> bool:
    return term is not None and _is_iri(term) and term in types


def _add_leads(g: Triples, types: dict[str, str], net: nx.MultiDiGraph) -> None:
    """``hmic:Lead`` statements become ``leads`` edges from the leader to the practice or area."""
    for lead in g.typed[str(HMIC.Lead)]:
        leader, subject = g.value(lead, HMIC.leader), g.value(lead, HMIC.leads)
        if _in(types, leader) and _in(types, subject):
            net.add_edge(
                str(leader), str(subject), key="leads", type="leads", label="leads", text=_label(g, lead)
            )


def _add_judgements(g: Triples, types: dict[str, str], net: nx.MultiDiGraph) -> None:
    """Each judgement becomes a ``graded`` edge force -> grade, keyed and labelled by its area."""
    for judgement in sorted(set(g.typed[str(HMIC.Judgement)])):
        force, grade, area = (g.value(judgement, p) for p in (HMIC.force, HMIC.grade, HMIC.area))
        if _in(types, force) and _in(types, grade):
            area_label = _label(g, area) if area is not None and _is_iri(area) else ""
            net.add_edge(
                str(force),
                str(grade),
                key=f"graded:{judgement}",
                type="graded",
                label=f"graded {_label(g, grade)} for {area_label}".strip(),  # type: ignore[arg-type]
                area=str(area) if area is not None else None,
                report=_value(g, judgement, HMIC.report),
            )


def nodes_of_type(net: nx.MultiDiGraph, *node_types: str) -> Iterable[str]:
    """Node ids of the given types, sorted."""
    return sorted(n for n, data in net.nodes(data=True) if data.get("type") in node_types)
