"""``/page/{path}``: the HTML form of every linked-data IRI, built from the node's own triples.

Every node gets its facts, its source (text, report, lines) and its incoming links; forces, practices,
findings, systems and people add sections of their own (:mod:`api.pages.kinds`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from rdflib import RDF, RDFS, URIRef
from rdflib.namespace import DCTERMS, FOAF, SKOS
from rdflib.term import Node

from api.deps import RuntimeDep, get_catalogue, get_matcher
from api.errors import ApiError
from api.lookup import GRADES
from api.matching import Matcher
from api.pages.common import BaseIri, Link, PageStore, humanise, link_to, local_name, render, select, text
from api.pages.force import OPEN_COUNTS, force_page
from api.pages.help import Section
from api.pages.kinds import PageContext, kind_sections
from api.routes.linked_data import check_path
from graph.iris import HMIC, PROV, Iris
from graph.store import Store

router = APIRouter()
LABEL_PREDICATES = (RDFS.label, SKOS.prefLabel, FOAF.name, DCTERMS.title)
#: long texts shown as paragraphs, in this order
TEXT_PREDICATES = (HMIC.text, HMIC.problem, HMIC.solution, HMIC.outcomes)
SOURCE_PREDICATES = (PROV.wasDerivedFrom, HMIC.lineFrom, HMIC.lineTo, HMIC.page, HMIC.sourceFile)
HIDDEN = frozenset({RDF.type, RDFS.label, *TEXT_PREDICATES, *SOURCE_PREDICATES})


@dataclass(frozen=True)
class Source:
    """Where a statement comes from: the report and the lines."""

    report: Link | None
    line_from: str
    line_to: str
    page: str

    @property
    def lines(self) -> str:
        if self.line_from and self.line_to and self.line_to != self.line_from:
            return f"lines {self.line_from}–{self.line_to}"
        return f"line {self.line_from}" if self.line_from else ""


@dataclass
class NodePage:
    """What the generic node template shows."""

    iri: str
    path: str
    kind: str
    label: str
    types: list[Link]
    texts: list[tuple[str, str]]  # (heading, paragraph)
    source: Source | None
    facts: dict[str, list[Link]]
    incoming: dict[str, list[Link]]
    sections: list[Section] = field(default_factory=list)


def _first(values: dict[Node, list[tuple[Node, Node | None]]], predicate: URIRef) -> Node | None:
    found = values.get(predicate)
    return found[0][0] if found else None


def node_page(store: Store, iri: str, path: str, base: str) -> NodePage | None:
    """Everything about one node, or None when the graph says nothing about it."""
    node = URIRef(iri)
    out_rows = select(store, "node_out", node=node)
    in_rows = select(store, "node_in", node=node)
    if not out_rows and not in_rows:
        return None
    out: dict[Node, list[tuple[Node, Node | None]]] = defaultdict(list)
    for row in out_rows:
        out[row["p"]].append((row["o"], row["label"]))  # type: ignore[index]
    label = next((text(_first(out, p)) for p in LABEL_PREDICATES if _first(out, p) is not None), path)
    facts: dict[str, list[Link]] = {}
    for predicate, values in out.items():
        if predicate not in HIDDEN:
            facts[humanise(local_name(str(predicate)))] = [link_to(o, base, lbl) for o, lbl in values]
    incoming: dict[str, list[Link]] = defaultdict(list)
    for row in in_rows:
        incoming[humanise(local_name(text(row["p"])))].append(link_to(row["s"], base, row["label"]))
    texts = [
        (humanise(local_name(str(p))), text(o)) for p in TEXT_PREDICATES for o, _ in out.get(p, [])
    ]  # fmt: skip
    report = _first(out, PROV.wasDerivedFrom)
    source = None
    if report is not None or _first(out, HMIC.lineFrom) is not None:
        source = Source(
            link_to(report, base, out[PROV.wasDerivedFrom][0][1]) if report is not None else None,
            text(_first(out, HMIC.lineFrom)), text(_first(out, HMIC.lineTo)), text(_first(out, HMIC.page)),
        )  # fmt: skip
    types = [link_to(o, base, local_name(str(o))) for o, _ in out.get(RDF.type, [])]
    kind = path.split("/", 1)[0]
    return NodePage(iri, path, kind, label, types, texts, source, facts, dict(incoming))


@router.get("/page/{path:path}", response_class=HTMLResponse, include_in_schema=False)
def page(path: str, request: Request, runtime: RuntimeDep, store: PageStore, base: BaseIri) -> HTMLResponse:
    """The page of the node ``{base}{path}``: facts, source text and links; 404 when unknown."""
    iri = base + path.strip("/")
    raw = request.scope.get("raw_path", b"").decode("latin-1")
    try:
        valid = bool(path.strip("/")) and check_path(path.strip("/"), raw) is not None
    except ApiError:  # not a resource path (traversal, characters no IRI has): nothing to show
        valid = False
    found = node_page(store, iri, path.strip("/"), base) if valid else None
    if found is None:
        return render(request, "not_found.html", status_code=404, path=path, iri=iri)

    def matcher() -> Matcher:
        return get_matcher(runtime, store, get_catalogue(runtime, store, Iris(base)))

    if found.kind == "force":
        built = force_page(runtime, store, matcher(), iri, found.path, found.label, base)
        return render(request, "force.html", force=built, grades=GRADES, open_counts=OPEN_COUNTS)

    found.sections = kind_sections(found.kind, PageContext(runtime, store, base, matcher), URIRef(iri))
    return render(request, "node.html", node=found, grades=GRADES)
