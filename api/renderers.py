"""One snapshot object, rendered many ways: the renderer table of the REST lookups by id.

Each noun the API serves by id (:data:`NOUNS`: force, practice, IT system, person, unit type) says how
to find its record in the :class:`~api.snapshot.Snapshot` and which detail object it shows. The route
answers whatever the Accept header asks for (:data:`api.negotiation.NOUN_MEDIA`) through
:data:`RENDERERS`, from that one object:

* ``json`` (``application/json``, ``*/*``, no Accept): the response model's JSON, rendered once per
  generation (:func:`api.rendered.rendered`, the bytes the route always answered);
* ``html`` (browsers): the node page of the object's IRI (:func:`api.pages.nodes.page`);
* ``turtle``, ``ntriples``, ``jsonld``, ``rdfxml``: the object as triples (:mod:`api.rdf_views`; no store
  query), serialised once per generation and format.

Anything else is a 406 (the HTTP middleware answers it from the route's declared media types,
:data:`RESPONSES`). An unknown id is a 404 whatever the Accept header says.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import Request, Response
from rdflib import Graph

from api import negotiation as neg
from api.errors import not_found
from api.pages.nodes import page
from api.rdf_views import noun_graph
from api.rendered import rendered, rendered_as
from api.schemas import ForceDetail, PracticeOut, SystemDetail
from api.schemas import Person as PersonOut
from api.schemas import UnitType as UnitTypeOut
from api.snapshot import Finding, Force, Practice, Snapshot, System, plain
from graph.store import PREFIXES, Store

#: RDF format name (:data:`api.negotiation.GRAPH_MEDIA`) -> rdflib serializer
RDFLIB_FORMATS = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml"}
VARY = {"Vary": "Accept"}


def force_detail(snap: Snapshot, force: Force) -> dict[str, Any]:
    """The force with its grades, units, the systems it uses on its own evidence (:mod:`graph.sharing`),
    leads and finding counts, from the snapshot."""
    facts = snap.facts[force.id]
    leads = [
        {"leader": lead.leader, "name": lead.name, "subject": lead.subject_label or lead.subject_text,
         "text": lead.text}
        for lead in facts.leads
    ]  # fmt: skip
    return {**force, "grades": facts.grades, "units": facts.units, "systems": facts.systems,
            "leads": leads, "finding_counts": facts.finding_counts}  # fmt: skip


def mentioning(snap: Snapshot) -> dict[str, tuple[list[Finding], list[Practice]]]:
    """Entity IRI -> the findings and the practices that mention it (snapshot order), built once."""
    found: dict[str, tuple[list[Finding], list[Practice]]] = {}
    for iri_, finding in snap.findings.items():
        for entity in snap.mentions.get(iri_, ()):
            found.setdefault(entity, ([], []))[0].append(finding)
    for practice in snap.practices.values():
        for entity in snap.mentions.get(practice.iri, ()):
            found.setdefault(entity, ([], []))[1].append(practice)
    return found


def system_detail(snap: Snapshot, system: System) -> dict[str, Any]:
    """The system with the forces using it and the findings and practices that mention it."""
    findings, practices = snap.derived(("mentioning",), lambda: mentioning(snap)).get(system.iri, ([], []))
    return {**system, "findings": findings, "practices": practices}


def _as_is(_: Snapshot, record: Any) -> Any:
    return record


@dataclass(frozen=True)
class Noun:
    """A kind of thing the API serves by id: where its records are and what its detail object is."""

    kind: str  #: IRI kind (``force``, ``unit-type``…), also the key of its rendered answers
    what: str  #: its name in a 404 message
    model: Any  #: JSON response model
    table: Callable[[Snapshot], Mapping[str, Any]]
    detail: Callable[[Snapshot, Any], Any] = _as_is
    suggest: bool = True  #: a 404 suggests the closest known ids

    def find(self, snap: Snapshot, ident: str) -> Any:
        """The record ``ident``; 404 when the snapshot has none."""
        table = self.table(snap)
        record = table.get(ident)
        if record is None:
            raise not_found(self.what, ident, known=table if self.suggest else ())
        return record


NOUNS: dict[str, Noun] = {
    "force": Noun("force", "force", ForceDetail, lambda s: s.forces, force_detail),
    "practice": Noun("practice", "practice", PracticeOut, lambda s: s.practices, suggest=False),
    "system": Noun("system", "IT system", SystemDetail, lambda s: s.systems, system_detail),
    "person": Noun("person", "person", PersonOut, lambda s: s.people),
    "unit-type": Noun("unit-type", "unit type", UnitTypeOut, lambda s: s.unit_types),
}


@dataclass(frozen=True)
class Rendering:
    """One request for one record: what every renderer reads."""

    noun: Noun
    snap: Snapshot
    ident: str
    record: Any
    request: Request
    store: Store


def json_body(noun: Noun, snap: Snapshot, ident: str, record: Any | None = None) -> bytes:
    """The JSON of ``ident`` (rendered once per generation; ``/forces/{id}`` is warmed by
    :mod:`api.snapshot_warm`)."""
    found = noun.find(snap, ident) if record is None else record
    return rendered(snap, (noun.kind, ident), noun.model, lambda: noun.detail(snap, found))


def rdf_graph(noun: Noun, snap: Snapshot, record: Any) -> Graph:
    """The detail object of ``record`` as RDF (:mod:`api.rdf_views`)."""
    return noun_graph(noun.kind, snap.iris, plain(noun.detail(snap, record)))


def serialize(graph: Graph, fmt: str) -> bytes:
    """``graph`` in an RDF format of :data:`RDFLIB_FORMATS` (JSON-LD compacted with the prefixes)."""
    options = {"context": dict(PREFIXES), "auto_compact": True} if fmt == "jsonld" else {}
    return graph.serialize(format=RDFLIB_FORMATS[fmt], encoding="utf-8", **options)


def as_json(r: Rendering) -> Response:
    body = json_body(r.noun, r.snap, r.ident, r.record)
    return Response(content=body, media_type="application/json", headers=VARY)


def as_rdf(r: Rendering, fmt: str) -> Response:
    build = lambda: serialize(rdf_graph(r.noun, r.snap, r.record), fmt)  # noqa: E731
    body = rendered_as(r.snap, (r.noun.kind, r.ident), fmt, build)
    return Response(content=body, media_type=neg.FORMAT_MEDIA[fmt], headers=VARY)


def as_html(r: Rendering) -> Response:
    """The node page of the record's IRI, as ``/page/{path}`` shows it."""
    path = r.record["iri"].removeprefix(r.snap.iris.base)
    response = page(path=path, request=r.request, snap=r.snap, store=r.store, base=r.snap.iris.base)
    response.headers["Vary"] = "Accept"
    return response


#: format name (:data:`api.negotiation.NOUN_MEDIA`) -> renderer
RENDERERS: dict[str, Callable[[Rendering], Response]] = {
    "json": as_json,
    "html": as_html,
    **{fmt: functools.partial(as_rdf, fmt=fmt) for fmt in RDFLIB_FORMATS},
}


@functools.lru_cache(maxsize=512)
def choose(accept: str | None) -> str | None:
    """The format an Accept header asks for (None: nothing on offer is acceptable)."""
    return neg.negotiate(accept, neg.NOUN_MEDIA)


def answer(noun: Noun, snap: Snapshot, ident: str, request: Request, store: Store) -> Response:
    """The record ``ident`` of ``noun`` in the format the request's Accept header prefers."""
    record = noun.find(snap, ident)
    fmt = choose(request.headers.get("accept"))
    if fmt == "json":  # the common case, kept as cheap as the JSON-only route was
        return Response(json_body(noun, snap, ident, record), media_type="application/json", headers=VARY)
    if fmt is None:  # the HTTP middleware answers 406 first; kept for callers without it
        raise neg.not_acceptable(neg.NOUN_MEDIA)
    return RENDERERS[fmt](Rendering(noun, snap, ident, record, request, store))


#: the 200 answer's other media types, for the OpenAPI schema and the 406 middleware (JSON comes from
#: the route's ``response_model``)
RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The record: JSON by default; its HTML page for browsers; RDF (Turtle, N-Triples, "
        "JSON-LD, RDF/XML) by Accept",
        "content": {media: {} for media in neg.NOUN_MEDIA if media != "application/json"},
    }
}
