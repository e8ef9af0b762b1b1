"""All conversion between rdflib terms and pyoxigraph terms / SPARQL text lives here.

Everything that turns a term into SPARQL text goes through pyoxigraph's N-Triples writer, which escapes
quotes, newlines and braces and rejects invalid IRIs, so no raw string is ever pasted into a query.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.term import Node

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal
OxGraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


class TermError(ValueError):
    """A term cannot be represented (invalid IRI, blank node where a constant is needed, unknown type)."""


def to_ox(node: Node) -> OxTerm:
    """rdflib term -> pyoxigraph term; invalid IRIs raise :class:`TermError`."""
    try:
        if isinstance(node, URIRef):
            return ox.NamedNode(str(node))
        if isinstance(node, BNode):
            return ox.BlankNode(str(node))
        if isinstance(node, RdfLiteral):
            if node.language:
                return ox.Literal(str(node), language=node.language)
            if node.datatype is not None and str(node.datatype) != XSD_STRING:
                return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
            return ox.Literal(str(node))
    except ValueError as exc:
        raise TermError(f"invalid RDF term {node!r}: {exc}") from None
    raise TermError(f"unsupported term type {type(node).__name__}: {node!r}")


def from_ox(term: object) -> Node:
    """pyoxigraph term -> rdflib term (xsd:string literals become plain rdflib literals)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return RdfLiteral(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype in (XSD_STRING, RDF_LANG_STRING):
            return RdfLiteral(term.value)
        return RdfLiteral(term.value, datatype=URIRef(datatype))
    raise TermError(f"unsupported pyoxigraph term {term!r}")


def graph_name(iri: str) -> ox.NamedNode:
    """A named-graph IRI as a pyoxigraph NamedNode (validated)."""
    try:
        return ox.NamedNode(iri)
    except ValueError as exc:
        raise TermError(f"invalid graph IRI {iri!r}: {exc}") from None


def sparql_term(node: Node) -> str:
    """A constant term in SPARQL syntax (blank nodes are not constants and are refused)."""
    if isinstance(node, BNode):
        raise TermError("a blank node cannot be bound as a query parameter")
    return str(to_ox(node))


def triples_to_ox(graph: Iterable[tuple[Node, Node, Node]]) -> Iterator[ox.Triple]:
    """Every triple of an rdflib graph as a pyoxigraph Triple."""
    for s, p, o in graph:
        yield ox.Triple(to_ox(s), to_ox(p), to_ox(o))  # type: ignore[arg-type]


class TripleLines(list[str]):
    """Triples already converted to N-Triples text, ``<s> <p> o`` without the final dot.

    Cheap to send between processes (a parallel load's workers make them); every store accepts them where
    it accepts triples (see :func:`as_triples`).
    """


def as_triples(triples: Iterable[tuple[Node, Node, Node]] | TripleLines) -> Iterable[tuple[Node, Node, Node]]:
    """rdflib triples, parsing :class:`TripleLines` back when that is what was given."""
    if not isinstance(triples, TripleLines):
        return triples
    text = "".join(f"{line} .\n" for line in triples)
    parsed = ox.parse(text.encode(), format=ox.RdfFormat.N_TRIPLES)
    return [(from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)) for t in parsed]


def triple_texts(triples: Iterable[tuple[Node, Node, Node]] | TripleLines) -> TripleLines:
    """Each triple as ``<s> <p> o`` N-Triples text (no final dot); terms are converted once per call."""
    if isinstance(triples, TripleLines):
        return triples
    seen: dict[Node, str] = {}

    def text(node: Node) -> str:
        found = seen.get(node)
        if found is None:
            found = seen[node] = str(to_ox(node))
        return found

    return TripleLines(f"{text(s)} {text(p)} {text(o)}" for s, p, o in triples)


def triples_block(graph: Iterable[tuple[Node, Node, Node]]) -> str:
    """Triples in N-Triples syntax, usable inside ``INSERT DATA { GRAPH <g> { … } }``."""
    return "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in triples_to_ox(graph))


def rdflib_graph(triples: Iterable[ox.Triple]) -> Graph:
    """pyoxigraph triples (e.g. a CONSTRUCT result) as an rdflib Graph."""
    graph = Graph()
    for t in triples:
        graph.add((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
    return graph


def solutions_to_rows(solutions: ox.QuerySolutions) -> tuple[tuple[str, ...], list[tuple[Node | None, ...]]]:
    """A pyoxigraph SELECT result as variable names and rows of rdflib terms (None when unbound)."""
    names = tuple(v.value for v in solutions.variables)
    rows = [tuple(None if s[i] is None else from_ox(s[i]) for i in range(len(names))) for s in solutions]
    return names, rows


# -- VALUES injection, for engines without a binding API ------------------------------------------------

_VAR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TOKEN = re.compile(
    r"""(?P<skip>\#[^\n]*|"{3}[\s\S]*?"{3}|'{3}[\s\S]*?'{3}|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'"""
    r"""|<[^<>"{}|^`\\\x00-\x20]*>|[?$][A-Za-z0-9_]+)"""
    r"""|(?P<word>[A-Za-z_][A-Za-z0-9_\-.:]*)|(?P<brace>\{)""",
)


def check_variable(name: str) -> None:
    """Refuse anything that is not a plain SPARQL variable name."""
    if not _VAR_NAME.fullmatch(name):
        raise TermError(f"invalid variable name {name!r}")


def where_brace(sparql: str) -> int:
    """Offset of the opening brace of the query's outermost group (after WHERE, or the first group)."""
    seen_where = False
    first_brace = -1
    head_form = None
    for match in _TOKEN.finditer(sparql):
        if match.lastgroup == "word":
            word = match.group("word").upper()
            if head_form is None and word in ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE"):
                head_form = word
            if word == "WHERE":
                seen_where = True
        elif match.lastgroup == "brace":
            if seen_where:
                return match.start()
            if first_brace < 0 and head_form in ("SELECT", "ASK", "DESCRIBE"):
                first_brace = match.start()
    if first_brace >= 0:
        return first_brace
    raise TermError("cannot find the WHERE clause of the query to bind parameters")


def inject_values(sparql: str, bindings: Mapping[str, Node]) -> str:
    """Bind variables by adding ``VALUES (?a ?b) { (<x> "y") }`` at the start of the WHERE group."""
    if not bindings:
        return sparql
    names = list(bindings)
    for name in names:
        check_variable(name)
    values = " ".join(sparql_term(bindings[n]) for n in names)
    clause = f" VALUES ({' '.join('?' + n for n in names)}) {{ ({values}) }} "
    at = where_brace(sparql) + 1
    return sparql[:at] + clause + sparql[at:]
