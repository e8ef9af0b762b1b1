"""``/id/{path}``: every IRI of the graph resolves here (linked data).

RDF clients get a concise bounded description of the node — its own triples, the labels of the nodes it
points to, and the nodes pointing at it with their labels — as Turtle, N-Triples, JSON-LD or RDF/XML by
Accept. Browsers (Accept: text/html) are sent to ``/page/{path}`` with 303 See Other. A path with
``..``, backslashes or control characters, encoded or not, is refused with 400.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import RedirectResponse
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from api import negotiation as neg
from api.deps import SettingsDep, StoreDep
from api.errors import ApiError, ErrorResponse
from api.lookup import load_query
from api.paths import check_path
from api.renderers import RDFLIB_FORMATS, serialize
from graph.store import PREFIXES, Store

router = APIRouter(tags=["linked data"])


def describe(store: Store, node: URIRef) -> Graph:
    """The node's outgoing triples with object labels, plus incoming links with subject labels."""
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    out = store.query(load_query("describe_out"), {"node": node}).graph
    if out is not None:
        for triple in out:
            graph.add(triple)
    for row in store.query(load_query("describe_in"), {"node": node}).dicts():
        graph.add((row["s"], row["p"], node))
        if row["label"] is not None:
            graph.add((row["s"], RDFS.label, row["label"]))
    return graph


@router.get(
    "/id/{path:path}",
    summary="Resolve a data IRI",
    responses={
        200: {
            "content": {"text/turtle": {}, "application/ld+json": {}, "application/n-triples": {}},
            "description": "RDF description of the node",
        },
        303: {"description": "Browsers: see /page/{path}"},
        400: {"model": ErrorResponse, "description": "Bad path"},
        404: {"model": ErrorResponse, "description": "No triples about this IRI"},
    },
)
def resolve(
    path: Annotated[str, Path(description="IRI path after the base", examples=["force/nottinghamshire"])],
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    format: Annotated[
        str | None,
        Query(description="ttl, nt, jsonld or rdfxml: this format whatever Accept says, as a download"),
    ] = None,
) -> Response:
    """A concise bounded description of ``{base}{path}``, or a redirect to its HTML page."""
    raw = request.scope.get("raw_path", b"").decode("latin-1")
    path = check_path(path, raw)
    accept = request.headers.get("accept")
    chosen = neg.FORMAT_ALIASES.get((format or "").lower()) if format else None
    if format and chosen not in RDFLIB_FORMATS:
        raise ApiError(
            400, "bad_format", f"unknown format {format!r}; use ttl, nt, jsonld or rdfxml", "format"
        )
    if chosen is None and neg.prefers_html(accept):
        return RedirectResponse(f"/page/{path}", status_code=303, headers={"Vary": "Accept"})
    graph = describe(store, URIRef(settings.base_iri + path))
    if len(graph) == 0:
        raise ApiError(404, "not_found", f"no statements about {settings.base_iri}{path}", "path")
    fmt = chosen or neg.negotiate(accept, neg.GRAPH_MEDIA)
    if fmt is None:  # the HTTP middleware answers 406 first; kept for callers without it
        raise neg.not_acceptable(neg.GRAPH_MEDIA)
    body = serialize(graph, fmt)
    headers = {"Vary": "Accept"}
    if chosen:  # a "data" link: save the file rather than show it
        suffix = {"turtle": "ttl", "ntriples": "nt", "jsonld": "jsonld", "rdfxml": "rdf"}[fmt]
        headers["Content-Disposition"] = f'attachment; filename="{path.replace("/", "_")}.{suffix}"'
    return Response(body, media_type=neg.FORMAT_MEDIA[fmt], headers=headers)
