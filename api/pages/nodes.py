"""``/page/{path}``: the HTML form of every linked-data IRI, built from the node's own triples.

Every node gets its facts, its source (text, report, lines) and its incoming links; forces, practices,
findings, systems and people add sections of their own (:mod:`api.pages.kinds`).

What reads the store here, and why: the facts, types, texts and incoming links at the top of a node's page
(:func:`node_page`, ``node_out.rq`` and ``node_in.rq``) are the node's RDF description, so they are read
for that node from the store, as ``/sparql`` or the Turtle form of the node would (that is the RDF view by
nature: any IRI, a mention, a span, a contact point, has one; a snapshot holding every node's triples
would hold most of the store: millions of triples for the findings alone at 430 reports). Everything a
noun's page adds — a force's whole page, what each force says about a system, unit type or area, a
person's or post's card and roles, a practice's contact, "solved elsewhere" — reads the snapshot alone
(:mod:`api.pages.read`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from rdflib import RDF, RDFS, URIRef
from rdflib.namespace import DCTERMS, FOAF, SKOS
from rdflib.term import Node

from api.deps import SnapshotDep
from api.errors import ApiError
from api.lookup import GRADES, select
from api.pages.common import (
    BaseIri,
    Link,
    PageStore,
    humanise,
    link_to,
    local_name,
    render,
    suggestions,
    text,
)
from api.pages.force import OPEN_COUNTS, force_page
from api.pages.help import Section
from api.pages.kinds import PageContext, kind_sections
from api.pages.statements import source_href
from api.paths import check_path
from api.snapshot import Force, Snapshot
from graph.iris import HMIC, PROV
from graph.store import Store

router = APIRouter()
LABEL_PREDICATES = (RDFS.label, SKOS.prefLabel, FOAF.name, DCTERMS.title)
#: long texts shown as paragraphs, in this order
TEXT_PREDICATES = (HMIC.text, HMIC.problem, HMIC.solution, HMIC.outcomes)
SOURCE_PREDICATES = (PROV.wasDerivedFrom, HMIC.lineFrom, HMIC.lineTo, HMIC.page, HMIC.sourceFile)
HIDDEN = frozenset({RDF.type, RDFS.label, *TEXT_PREDICATES, *SOURCE_PREDICATES})
#: what a predicate is called on the pages (analysts read these, never the RDF names)
FACT_WORDS = {
    "mentions": "Mentions", "force": "Force", "area": "Area", "report": "Report", "findingKind": "Kind",
    "leader": "Led by", "leads": "Leads", "usesSystem": "Uses IT systems", "hasUnit": "Units",
    "memberOf": "Member of", "holdsRole": "Post", "rank": "Rank", "rankAsPrinted": "Rank as printed",
    "expansion": "Stands for", "contactPoint": "Contact", "lead": "Lead", "altLabel": "Also called",
    "broader": "Part of", "unitType": "Unit type", "unitOf": "Unit of", "aboutForce": "About",
    "assessmentPeriod": "Assessment period", "year": "Year", "publisher": "Publisher", "title": "Title",
    "subjectText": "Subject", "leadKind": "Kind of lead", "grade": "Grade",
    "inspectionArea": "Inspection area",
    "telephone": "Telephone", "email": "E-mail", "name": "Name", "role": "Post", "notation": "Code",
    "definition": "Definition", "comment": "Note", "inScheme": "Vocabulary", "topConceptOf": "Vocabulary",
    "exactMatch": "Same as", "policeUkId": "data.police.uk id", "onsCode": "ONS code", "fact": "Facts",
    "system": "IT system", "mentionedIn": "Mentioned in", "supportedBy": "Supported by",
    "organization": "Organisation", "sha256": "SHA-256 of the file", "member": "Member",
    "prefLabel": "Name", "profileOf": "Profile of",
}  # fmt: skip
#: kinds of the nodes that link to a page, as the "Linked from" headings (None: not shown)
KIND_GROUPS: dict[str, str | None] = {
    "finding": "Findings", "practice": "Developing practice", "lead": "Leads", "report": "Reports",
    "force": "Forces", "unit": "Units", "person": "People", "role": "Posts", "system": "IT systems",
    "unit-type": "Unit types", "area": "Areas", "contact": "Contact points", "membership": "Memberships",
    "system-use": "Uses of IT systems", "mention": None, "graph": None,
}  # fmt: skip
#: kinds whose own sections already list these linking kinds in full
COVERED = {"system": {"finding", "practice"}, "unit-type": {"finding", "practice"},
           "area": {"finding", "practice"}, "person": {"practice", "lead"},
           "role": {"lead", "person"}}  # fmt: skip


def class_words(iri: str) -> str:
    """``ITSystem`` -> ``IT system``, ``AreaForImprovement`` -> ``Area for improvement``."""
    name = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", local_name(iri)).split()
    return " ".join([name[0], *(w if w.isupper() else w.lower() for w in name[1:])]) if name else iri


def fact_words(predicate: str) -> str:
    name = local_name(predicate)
    return FACT_WORDS.get(name) or humanise(name).capitalize()


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

    @property
    def href(self) -> str:
        """The report text with these lines highlighted."""
        report_id = local_name(self.report.href or "") if self.report else ""
        start = int(self.line_from) if self.line_from.isdigit() else None
        end = int(self.line_to) if self.line_to.isdigit() else None
        return source_href(report_id, start, end) if report_id else ""


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
    kind = path.split("/", 1)[0]
    for predicate, values in out.items():
        if predicate not in HIDDEN:
            facts.setdefault(fact_words(str(predicate)), []).extend(
                link_to(o, base, lbl) for o, lbl in values
            )
    incoming: dict[str, list[Link]] = defaultdict(list)
    for row in in_rows:
        source = link_to(row["s"], base, row["label"])
        group = KIND_GROUPS.get(source.kind, humanise(source.kind).capitalize() or "Other")
        if group and source.kind not in COVERED.get(kind, ()) and source not in incoming[group]:
            incoming[group].append(source)
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
    types = list({w: Link(w) for w in (class_words(str(o)) for o, _ in out.get(RDF.type, []))}.values())
    return NodePage(iri, path, kind, label, types, texts, source, facts, dict(incoming))


def _force_html(request: Request, snap: Snapshot, force: Force, path: str, base: str) -> bytes:
    """The force's page as bytes: what it shows comes from the snapshot alone and the template reads
    nothing of the request, so it is the same for every request of a store generation."""
    built = force_page(snap, None, force.iri, path, force.label, base)
    return bytes(render(request, "force.html", force=built, grades=GRADES, open_counts=OPEN_COUNTS).body)


@router.get("/page/{path:path}", response_class=HTMLResponse, include_in_schema=False)
def page(path: str, request: Request, snap: SnapshotDep, store: PageStore, base: BaseIri) -> HTMLResponse:
    """The page of the node ``{base}{path}``: facts, source text and links; 404 when unknown."""
    iri = base + path.strip("/")
    raw = request.scope.get("raw_path", b"").decode("latin-1")
    try:
        valid = bool(path.strip("/")) and check_path(path.strip("/"), raw) is not None
    except ApiError:  # not a resource path (traversal, characters no IRI has): nothing to show
        valid = False
    kind, _, ident = path.strip("/").partition("/")
    force = snap.forces.get(ident) if valid and kind == "force" else None
    if force is not None and force.iri == iri:  # a force's page reads the snapshot alone: rendered once
        key = ("rendered:force-page", iri, base)
        body = snap.derived(key, lambda: _force_html(request, snap, force, path.strip("/"), base))
        return HTMLResponse(body)
    found = node_page(store, iri, path.strip("/"), base) if valid else None
    if found is None:
        close = suggestions(snap, kind, ident, f"/page/{kind}/") if valid else []
        return render(request, "not_found.html", status_code=404, path=path, iri=iri, suggestions=close)
    if found.kind == "force":
        built = force_page(snap, store, iri, found.path, found.label, base)
        return render(request, "force.html", force=built, grades=GRADES, open_counts=OPEN_COUNTS)
    found.sections = kind_sections(found.kind, PageContext(snap, store, base), URIRef(iri))
    return render(request, "node.html", node=found, grades=GRADES)
