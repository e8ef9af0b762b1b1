"""The RDF rendering of a REST lookup: the same detail object its JSON is made of, as triples.

One function per noun of :data:`api.renderers.NOUNS` turns the object (``plain`` dicts, as the JSON
sees it) into an rdflib graph with the ontology's terms (those :mod:`graph.mapping` writes): the node's
IRI, ``rdf:type``, ``rdfs:label`` and the facts the JSON carries, each linked node labelled. Nothing is
read from the store, so ``/forces/{id}`` as Turtle says what ``/forces/{id}`` as JSON says. Parts of the
object without an IRI of their own (a grade, a lead, a contact point) are blank nodes; counts the JSON
derives (``finding_counts``) have no ontology term and are left out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import FOAF, SKOS
from rdflib.term import Node

from graph.iris import HMIC, ORG, PROV, SCHEMA, Iris, slugify
from graph.mapping_base import bind_prefixes

Plain = Mapping[str, Any]
#: finding ``kind`` (snake case, as in the JSON) -> its class in the ontology
FINDING_CLASSES = {
    "strength": HMIC.Strength,
    "work_in_progress": HMIC.WorkInProgress,
    "area_for_improvement": HMIC.AreaForImprovement,
}


class Triples:
    """An rdflib graph being filled, with the small helpers every noun needs."""

    def __init__(self, iris: Iris) -> None:
        self.iris = iris
        self.graph = bind_prefixes(Graph())

    def add(self, s: Node, p: URIRef, o: Node | str | int | None) -> None:
        """``(s, p, o)``; a plain value becomes a literal; ``None`` adds nothing."""
        if o is None:
            return
        self.graph.add((s, p, o if isinstance(o, Node) else Literal(o)))

    def node(self, iri: str, label: str | None, *types: URIRef) -> URIRef:
        """The node ``iri`` with its types and label."""
        node = URIRef(iri)
        for type_ in types:
            self.graph.add((node, RDF.type, type_))
        self.add(node, RDFS.label, label)
        return node

    def ref(self, ref: Plain | None, *types: URIRef) -> URIRef | None:
        """A linked force or area (``{"id", "label", "iri"}``), labelled; None for None."""
        return None if ref is None else self.node(ref["iri"], ref["label"], *types)


def force_graph(t: Triples, force: Plain) -> None:
    """``/forces/{id}``: the force, its grades per area (with the national distribution), units, IT
    systems and leads."""
    node = t.node(force["iri"], force["label"], HMIC.PoliceForce, ORG.FormalOrganization)
    t.add(node, SKOS.prefLabel, force["label"])
    t.add(node, HMIC.policeUkId, force["police_uk_id"])
    t.add(node, HMIC.onsCode, force["ons_code"])
    for grade in force["grades"]:
        judgement = BNode()
        t.add(judgement, RDF.type, HMIC.Judgement)
        t.add(judgement, HMIC.force, node)
        t.add(judgement, HMIC.area, t.ref(grade["area"], SKOS.Concept))
        if grade["grade"]:
            t.add(judgement, HMIC.grade, t.iris.grade(slugify(grade["grade"])))
        t.add(judgement, HMIC.assessmentPeriod, grade["assessment_period"])
        national = grade["national"]
        if any(v is not None for v in national.values()):
            counts = BNode()
            t.add(judgement, HMIC.nationalDistribution, counts)
            t.add(counts, RDF.type, HMIC.GradeDistribution)
            for name, value in national.items():
                t.add(counts, HMIC[f"{name}Count"], value)
    for unit in force["units"]:
        unit_node = t.node(unit["iri"], unit["label"], ORG.OrganizationalUnit)
        t.add(node, ORG.hasUnit, unit_node)
        t.add(unit_node, ORG.unitOf, node)
        t.add(unit_node, HMIC.unitType, t.ref(unit["type"], HMIC.UnitType))
    for system in force["systems"]:
        t.add(node, HMIC.usesSystem, _named(t, system, HMIC.ITSystem))
    for lead in force["leads"]:
        lead_node = BNode()
        t.add(lead_node, RDF.type, HMIC.Lead)
        t.add(lead_node, HMIC.force, node)
        t.add(lead_node, HMIC.leader, t.node(lead["leader"], lead["name"]))
        t.add(lead_node, HMIC.subjectText, lead["subject"])
        t.add(lead_node, HMIC.text, lead["text"])


def _named(t: Triples, named: Plain, *types: URIRef) -> URIRef:
    """An IT system or unit type: label, preferred label and what its letters stand for."""
    node = t.node(named["iri"], named["label"], *types)
    t.add(node, SKOS.prefLabel, named["label"])
    t.add(node, HMIC.expansion, named.get("expansion"))
    return node


def practice_graph(t: Triples, practice: Plain) -> None:
    """``/practices/{id}``: title, force, area, problem, solution, outcomes and the contact point."""
    node = t.node(practice["iri"], practice["title"], HMIC.DevelopingPractice, PROV.Entity)
    t.add(node, HMIC.force, t.ref(practice["force"], HMIC.PoliceForce))
    t.add(node, HMIC.area, t.ref(practice["area"], SKOS.Concept))
    for name, predicate in (("inspection_area", HMIC.inspectionArea), ("problem", HMIC.problem),
                            ("solution", HMIC.solution), ("outcomes", HMIC.outcomes)):  # fmt: skip
        t.add(node, predicate, practice[name])
    contact = practice["contact"]
    if contact is not None:
        point = BNode()
        t.add(node, SCHEMA.contactPoint, point)
        t.add(point, RDF.type, SCHEMA.ContactPoint)
        for name, predicate in (("name", SCHEMA.name), ("phone", SCHEMA.telephone), ("email", SCHEMA.email),
                                ("rank", HMIC.rank), ("role", HMIC.role)):  # fmt: skip
            t.add(point, predicate, contact[name])
        if contact["person"]:  # the contact is a person: the practice's lead
            t.add(node, HMIC.lead, t.node(contact["person"], contact["name"], FOAF.Person))


def system_graph(t: Triples, system: Plain) -> None:
    """``/systems/{id}``: the system, the forces using it, and the findings and practices naming it."""
    node = _named(t, system, HMIC.ITSystem)
    for force in system["forces"]:
        t.add(t.ref(force, HMIC.PoliceForce), HMIC.usesSystem, node)
    for finding in system["findings"]:
        finding_node = t.node(finding["iri"], finding["text"], HMIC.Finding)
        t.add(finding_node, RDF.type, FINDING_CLASSES.get(finding["kind"]))
        t.add(finding_node, HMIC.text, finding["text"])
        t.add(finding_node, HMIC.force, t.ref(finding["force"]))
        t.add(finding_node, HMIC.area, t.ref(finding["area"]))
        t.add(finding_node, HMIC.mentions, node)
    for practice in system["practices"]:
        practice_node = t.node(practice["iri"], practice["title"], HMIC.DevelopingPractice)
        t.add(practice_node, HMIC.force, t.ref(practice["force"]))
        t.add(practice_node, HMIC.mentions, node)


def person_graph(t: Triples, person: Plain) -> None:
    """``/people/{id}``: name, rank, the forces the person is a member of, and the posts held."""
    node = t.node(person["iri"], person["name"], FOAF.Person, SCHEMA.Person)
    t.add(node, FOAF.name, person["name"])
    t.add(node, HMIC.rank, person["rank"])
    for force in person["forces"]:
        t.add(node, ORG.memberOf, t.ref(force, HMIC.PoliceForce))
    for role in person["roles"]:
        post = BNode()
        t.add(node, HMIC.holdsRole, post)
        t.add(post, RDF.type, ORG.Role)
        t.add(post, RDFS.label, role)


def unit_type_graph(t: Triples, unit_type: Plain) -> None:
    """``/units/{id}``: the unit type and each force's unit of that type."""
    node = _named(t, unit_type, HMIC.UnitType, SKOS.Concept)
    t.add(node, SKOS.inScheme, HMIC.UnitTypes)
    if unit_type["generic"]:
        t.add(node, RDF.type, HMIC.GenericUnitKind)
    for label in unit_type["equivalents"]:
        t.add(node, SKOS.altLabel, label)
    for force in unit_type["forces"]:
        force_node = t.ref(force, HMIC.PoliceForce)
        if force_node is not None and force.get("unit"):
            unit = URIRef(force["unit"])
            t.add(unit, RDF.type, ORG.OrganizationalUnit)
            t.add(force_node, ORG.hasUnit, unit)
            t.add(unit, ORG.unitOf, force_node)
            t.add(unit, HMIC.unitType, node)


GRAPHS: dict[str, Callable[[Triples, Plain], None]] = {
    "force": force_graph,
    "practice": practice_graph,
    "system": system_graph,
    "person": person_graph,
    "unit-type": unit_type_graph,
}


def noun_graph(kind: str, iris: Iris, detail: Plain) -> Graph:
    """The RDF of one detail object of ``kind``."""
    triples = Triples(iris)
    GRAPHS[kind](triples, detail)
    return triples.graph
