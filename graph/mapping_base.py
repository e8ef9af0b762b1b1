"""The shared state of one report's mapping: graph, IRIs, resolution tables and triple helpers.

Used only by ``graph/mapping.py`` and ``graph/mapping_entities.py``; nothing here touches a store.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import RDF, RDFS, Graph, Literal, Node, URIRef
from rdflib.namespace import DCTERMS, FOAF, SKOS, XSD

from graph.iris import HMIC, OA, ORG, PROV, SCHEMA, Iris
from graph.resolve import Expansions, entity_slugs, report_expansions
from loaders.model import InspectionReport, Mention, SourceSpan
from loaders.vocabulary import Vocabulary

LABEL_CHARS = 80


def bind_prefixes(graph: Graph) -> Graph:
    """The prefixes of docs/graph-model.md, so serialisations read well."""
    for prefix, namespace in (
        ("hmic", HMIC),
        ("org", ORG),
        ("prov", PROV),
        ("skos", SKOS),
        ("schema", SCHEMA),
        ("dcterms", DCTERMS),
        ("foaf", FOAF),
        ("oa", OA),
        ("xsd", XSD),
    ):
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def short(text: str, limit: int = LABEL_CHARS) -> str:
    """One-line label text, cut at a word boundary with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def text_literal(value: str) -> Literal:
    return Literal(" ".join(value.split()))


@dataclass
class Statement:
    """A finding or practice node with its span and the entity mentions in its text."""

    node: URIRef
    span: SourceSpan
    mentions: tuple[Mention, ...]


@dataclass
class MappingContext:
    """Everything the mapping functions of one report share."""

    report: InspectionReport
    iris: Iris
    vocabulary: Vocabulary | None
    graph: Graph = field(default_factory=lambda: bind_prefixes(Graph()))
    statements: list[Statement] = field(default_factory=list)
    practices_by_title: dict[str, URIRef] = field(default_factory=dict)
    expansions: Expansions = field(init=False)
    slugs: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.expansions = report_expansions(self.report, self.vocabulary)
        self.slugs = entity_slugs(self.report, self.expansions, self.vocabulary)

    @property
    def report_id(self) -> str:
        return self.report.report_id

    @property
    def force_id(self) -> str:
        return self.report.force.id

    @property
    def force_iri(self) -> URIRef:
        return self.iris.force(self.force_id)

    @property
    def report_iri(self) -> URIRef:
        return self.iris.report(self.report_id)

    def add(self, subject: Node, predicate: URIRef, obj: Node | str | int | bool | None) -> None:
        """Add one triple; ``None`` objects are skipped, Python values become literals."""
        if obj is None:
            return
        if isinstance(obj, Node):
            pass
        elif isinstance(obj, str):
            obj = text_literal(obj)
        elif isinstance(obj, bool | int):
            obj = Literal(obj)
        self.graph.add((subject, predicate, obj))

    def node(self, iri: URIRef, *types: URIRef, label: str) -> URIRef:
        """Type a node and give it an ``rdfs:label``."""
        for type_ in types:
            self.graph.add((iri, RDF.type, type_))
        self.add(iri, RDFS.label, short(label))
        return iri

    def provenance(self, node: URIRef, span: SourceSpan) -> None:
        """``prov:wasDerivedFrom`` the report, ``hmic:lineFrom`` / ``lineTo`` / ``page``."""
        self.add(node, PROV.wasDerivedFrom, self.report_iri)
        self.add(node, HMIC.lineFrom, span.line_from)
        self.add(node, HMIC.lineTo, span.line_to)
        self.add(node, HMIC.page, span.page)

    def entity(self, entity_id: str) -> URIRef:
        """Graph IRI of a loader entity id, after cross-report resolution."""
        return self.iris.entity_iri(self.slugs.get(entity_id, entity_id), self.force_id)
