"""The shared state of one report's mapping: triples, IRIs, resolution tables and triple helpers.

Used only by ``graph/mapping.py`` and ``graph/mapping_entities.py``; nothing here touches a store. The
context collects plain triples (an insertion-ordered set) rather than an rdflib ``Graph``: keeping a
graph's three indexes up to date was half the cost of mapping a report.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph, Literal, Node, URIRef
from rdflib import namespace as _ns

from graph import iris as _iris
from graph.iris import Iris
from graph.resolve import Expansions, entity_slugs, report_expansions
from loaders.model import InspectionReport, Mention, SourceSpan
from loaders.vocabulary import Vocabulary

LABEL_CHARS = 80

Triple = tuple[Node, Node, Node]


class Terms:
    """A namespace whose terms are made once: ``HMIC.text`` is a plain attribute after its first use.

    rdflib namespaces mint a new ``URIRef`` (with IRI validation) on every attribute access, which the
    mapping does a hundred thousand times a report. Attribute semantics are the wrapped namespace's.
    """

    def __init__(self, namespace: Any) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("_"):
            raise AttributeError(name)
        term = getattr(self._namespace, name)
        setattr(self, name, term)
        return term

    def __str__(self) -> str:
        return str(self._namespace)

    def __repr__(self) -> str:
        return f"Terms({self._namespace!r})"


HMIC = Terms(_iris.HMIC)
ORG = Terms(_iris.ORG)
PROV = Terms(_iris.PROV)
SCHEMA = Terms(_iris.SCHEMA)
OA = Terms(_iris.OA)
RDF = Terms(_ns.RDF)
RDFS = Terms(_ns.RDFS)
SKOS = Terms(_ns.SKOS)
FOAF = Terms(_ns.FOAF)
DCTERMS = Terms(_ns.DCTERMS)
XSD = Terms(_ns.XSD)

_TYPE = RDF.type
_LABEL = RDFS.label
_PREF_LABEL = SKOS.prefLabel
_FOAF_NAME = FOAF.name
#: predicates whose first object per subject the context remembers (see :meth:`MappingContext.value`)
_REMEMBERED = frozenset((_PREF_LABEL, _FOAF_NAME))
_DERIVED_FROM = PROV.wasDerivedFrom
_LINE_FROM = HMIC.lineFrom
_LINE_TO = HMIC.lineTo
_PAGE = HMIC.page


def bind_prefixes(graph: Graph) -> Graph:
    """The prefixes of docs/graph-model.md, so serialisations read well."""
    for prefix, namespace in (
        ("hmic", _iris.HMIC),
        ("org", _iris.ORG),
        ("prov", _iris.PROV),
        ("skos", _ns.SKOS),
        ("schema", _iris.SCHEMA),
        ("dcterms", _ns.DCTERMS),
        ("foaf", _ns.FOAF),
        ("oa", _iris.OA),
        ("xsd", _ns.XSD),
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


@functools.lru_cache(maxsize=16384)
def _int_literal(value: int) -> Literal:
    """``xsd:integer`` literal of an int (line and page numbers repeat thousands of times a report)."""
    return Literal(value)


_BOOL_LITERALS = {True: Literal(True), False: Literal(False)}


@dataclass
class Statement:
    """A finding or practice node with its span and the entity mentions in its text."""

    node: URIRef
    span: SourceSpan
    mentions: tuple[Mention, ...]


@dataclass
class MappingContext:
    """Everything the mapping functions of one report share.

    ``triples`` is the report graph as an insertion-ordered set (a dict with ``None`` values).
    """

    report: InspectionReport
    iris: Iris
    vocabulary: Vocabulary | None
    triples: dict[Triple, None] = field(default_factory=dict)
    statements: list[Statement] = field(default_factory=list)
    practices_by_title: dict[str, URIRef] = field(default_factory=dict)
    expansions: Expansions = field(init=False)
    slugs: dict[str, str] = field(init=False)
    report_id: str = field(init=False)
    force_id: str = field(init=False)
    force_iri: URIRef = field(init=False)
    report_iri: URIRef = field(init=False)
    #: first object of each ``(subject, predicate)`` for the predicates in ``_REMEMBERED``
    _values: dict[tuple[Node, Node], Node] = field(default_factory=dict, init=False, repr=False)
    #: literals of the strings seen so far (texts recur: mention texts, periods, names)
    _texts: dict[tuple[type, str], Literal] = field(default_factory=dict, init=False, repr=False)
    #: graph IRIs of resolved entity ids (``ctx.slugs`` value -> IRI)
    _entity_iris: dict[str, URIRef] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.expansions = report_expansions(self.report, self.vocabulary)
        self.slugs = entity_slugs(self.report, self.expansions, self.vocabulary)
        self.report_id = self.report.report_id
        self.force_id = self.report.force.id
        self.force_iri = self.iris.force(self.force_id)
        self.report_iri = self.iris.report(self.report_id)

    def literal(self, value: str | int | bool) -> Literal:
        """The literal of a Python value: strings with whitespace runs flattened, ints, booleans."""
        if isinstance(value, str):
            key = (type(value), value)
            lit = self._texts.get(key)
            if lit is None:
                lit = self._texts[key] = text_literal(value)
            return lit
        if isinstance(value, bool):
            return _BOOL_LITERALS[value]
        if type(value) is int:
            return _int_literal(value)
        return Literal(value)

    def add(self, subject: Node, predicate: URIRef, obj: Node | str | int | bool | None) -> None:
        """Add one triple; ``None`` objects are skipped, Python values become literals."""
        if obj is None:
            return
        if not isinstance(obj, Node):
            obj = self.literal(obj)
        self.triples[(subject, predicate, obj)] = None
        if predicate in _REMEMBERED:
            self._values.setdefault((subject, predicate), obj)

    def add_all(self, subject: Node, *pairs: tuple[URIRef, Node | str | int | bool | None]) -> None:
        """:meth:`add` each ``(predicate, object)`` about ``subject``, in order."""
        for predicate, obj in pairs:
            self.add(subject, predicate, obj)

    def value(self, subject: Node, predicate: URIRef) -> Node | None:
        """The first object added for ``(subject, predicate)`` (``skos:prefLabel`` and ``foaf:name`` only)."""
        if predicate not in _REMEMBERED:
            raise ValueError(f"{predicate} objects are not remembered by the mapping context")
        return self._values.get((subject, predicate))

    def node(self, iri: URIRef, *types: URIRef, label: str) -> URIRef:
        """Type a node and give it an ``rdfs:label``."""
        triples = self.triples
        for type_ in types:
            triples[(iri, _TYPE, type_)] = None
        # short() output is already flat, so the literal is made from it directly
        text = short(label)
        lit = self._texts.get((str, text))
        if lit is None:
            lit = self._texts[(str, text)] = Literal(text)
        triples[(iri, _LABEL, lit)] = None
        return iri

    def provenance(self, node: URIRef, span: SourceSpan) -> None:
        """``prov:wasDerivedFrom`` the report, ``hmic:lineFrom`` / ``lineTo`` / ``page``."""
        triples = self.triples
        literal = self.literal
        triples[(node, _DERIVED_FROM, self.report_iri)] = None
        if span.line_from is not None:
            triples[(node, _LINE_FROM, literal(span.line_from))] = None
        if span.line_to is not None:
            triples[(node, _LINE_TO, literal(span.line_to))] = None
        if span.page is not None:
            triples[(node, _PAGE, literal(span.page))] = None

    def entity(self, entity_id: str) -> URIRef:
        """Graph IRI of a loader entity id, after cross-report resolution."""
        resolved = self.slugs.get(entity_id, entity_id)
        iri = self._entity_iris.get(resolved)
        if iri is None:
            iri = self._entity_iris[resolved] = self.iris.entity_iri(resolved, self.force_id)
        return iri

    def triple_list(self) -> list[Triple]:
        """The triples added so far, each once, in the order first added."""
        return list(self.triples)
