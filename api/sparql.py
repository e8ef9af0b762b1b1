"""The SPARQL 1.1 Protocol endpoint ``/sparql`` (GET, POST form, POST direct), read-only by default.

The flow of a request: size limit (on the event loop, before anything reads the text) → guard
(:mod:`api.sparql_guard`, in a thread of its own limiter, with a deadline) → admission through a bounded
queue (:mod:`api.admission`) → evaluation in a network-less worker process of
:class:`api.query_pool.QueryPool` with a hard time limit, a row limit and a byte limit → the answer,
streamed from a file when it is large. Answers are negotiated with :mod:`api.negotiation`. Updates need
``Settings.update_token`` and ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

import contextlib
import hmac
import os
from collections.abc import Iterator
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse, StreamingResponse

from api import negotiation as neg
from api import sparql_guard as guard
from api import sparql_protocol as protocol
from api.admission import admission
from api.deps import RuntimeDep, StoreDep
from api.errors import ApiError, ErrorResponse
from api.query_pool import PoolError
from api.runtime import Runtime
from api.sparql_scope import update_scope
from api.update_stamps import stamped
from graph.store import PREFIXES, QueryError, SparqlUpdateStore, Store, StoreError
from graph.store_remote import RemoteStore

router = APIRouter(tags=["sparql"])

RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "SPARQL results (JSON, XML, CSV, TSV) or RDF (Turtle, N-Triples, JSON-LD)",
        "content": {m: {} for m in ("application/sparql-results+json", "text/csv", "text/turtle")},
    },
    400: {"model": ErrorResponse, "description": "Syntax error or bad request"},
    403: {"model": ErrorResponse, "description": "Update without token, SERVICE or LOAD"},
    413: {"model": ErrorResponse, "description": "Query too large"},
    503: {"model": ErrorResponse, "description": "Query time limit exceeded or engine busy"},
}
FORM = "application/x-www-form-urlencoded"


def _authorized(request: Request, token: str | None) -> bool:
    header = request.headers.get("authorization", "")
    scheme, _, supplied = header.partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(supplied.strip(), token or "")


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "query_too_large", f"request body is larger than {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise ApiError(413, "query_too_large", f"request body is larger than {limit} bytes")
    return bytes(body)


def _query_request(
    runtime: Runtime, store: Store, text: str, request: Request, params: dict
) -> dict[str, Any]:
    settings = runtime.settings
    guard.check_size(text, settings.max_query_bytes, "query")
    guard.check(text)
    table, graph = protocol.result_formats(request.headers.get("accept"), params.get("format") or [], text)
    default_graphs, named_graphs = protocol.query_dataset(params)
    job = {
        "sparql": text,
        "table_format": table,
        "graph_format": graph,
        "max_rows": settings.max_rows,
        "default_graphs": default_graphs,
        "named_graphs": named_graphs,
        "base_iri": protocol.endpoint_url(str(request.url)),
        "prefixes": PREFIXES,
        "max_answer_bytes": settings.max_answer_bytes,
    }
    return {"op": "query", "job": job}


def _run_query(runtime: Runtime, store: Store, job: dict[str, Any]) -> Response:
    """Evaluate ``job`` in a worker (called once admitted)."""
    settings = runtime.settings
    if store.remote:
        return _remote_query(store, job)
    try:
        reply = runtime.pool(store).run(job, settings.query_timeout_s)
    except PoolError as exc:
        raise ApiError(exc.status, exc.code, exc.message, "query") from None
    if not reply["ok"]:
        message = (
            protocol.explain(reply["message"], job["sparql"]) if reply["status"] == 400 else reply["message"]
        )
        raise ApiError(reply["status"], reply["code"], message, "query")
    headers = {
        "X-HMIC-Truncated": "true" if reply["truncated"] else "false",
        "X-HMIC-Row-Limit": str(settings.max_rows),
        "Vary": "Accept",
    }
    media_type = neg.FORMAT_MEDIA[reply["format"]]
    if reply.get("body_file"):
        headers["Content-Length"] = str(reply["size"])
        return StreamingResponse(_stream_file(reply["body_file"]), media_type=media_type, headers=headers)
    return Response(reply["body"], media_type=media_type, headers=headers)


def _stream_file(path: str, chunk: int = 1 << 16) -> Iterator[bytes]:
    """The bytes of a worker's answer file, which is removed once sent (or the client went away)."""
    try:
        with open(path, "rb") as answer:
            while data := answer.read(chunk):
                yield data
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)


def _remote_query(store: Store, job: dict[str, Any]) -> Response:
    """Pass-through for the remote backend (the remote server enforces its own limits)."""
    assert isinstance(store, RemoteStore)  # the one backend with ``remote``
    form = guard.query_form(job["sparql"])
    fmt = job["graph_format"] if form in ("CONSTRUCT", "DESCRIBE") else job["table_format"]
    dataset = (job["default_graphs"], job["named_graphs"])
    try:
        body = store.query_in_dataset(protocol.with_base(job["sparql"], job["base_iri"]), fmt, dataset)
    except QueryError as exc:
        shift = len(protocol.with_base("", job["base_iri"]))
        raise ApiError(
            400, "query_error", protocol.explain(str(exc), job["sparql"], shift), "query"
        ) from None
    except StoreError as exc:
        raise ApiError(502, "store_unavailable", str(exc)) from None
    return Response(body, media_type=neg.FORMAT_MEDIA[fmt], headers={"Vary": "Accept"})


def _update_request(
    runtime: Runtime, store: Store, text: str, request: Request, params: dict
) -> dict[str, Any]:
    if not _authorized(request, runtime.settings.update_token):
        raise ApiError(
            403, "update_forbidden", "this endpoint is read-only: SPARQL updates are refused", "update"
        )
    guard.check_size(text, runtime.settings.max_update_bytes, "update")
    guard.check(text)
    base = protocol.with_base("", protocol.endpoint_url(str(request.url)))
    update = base + protocol.update_with_dataset(text, params)
    return {"op": "update", "text": update, "source": text, "shift": len(base)}


def _run_update(runtime: Runtime, store: Store, work: dict[str, Any]) -> Response:
    """Run the update with its change stamps (:mod:`api.update_stamps`; not on a remote store, whose
    keys the read model does not keep); the same in a ``serve --workers`` worker, whose store forwards
    it whole to the serve process."""
    text = work["text"]
    update = text if store.remote else stamped(update_scope(text), runtime.meta_graph(), text)
    try:
        store.update(update)
    except (QueryError, StoreError) as exc:
        if not isinstance(store, SparqlUpdateStore):  # applied operation by operation: maybe in part
            runtime.note_update(unsure=True)
        source = work["source"]
        if isinstance(exc, QueryError) and update is not text:  # in words of the text as sent
            exc = own_syntax_error(text) or exc
        message = protocol.explain(str(exc), source, work["shift"])
        raise ApiError(400, "update_error", message, "update") from None
    runtime.note_update()
    return Response(status_code=204)


def own_syntax_error(text: str) -> QueryError | None:
    """The syntax error of ``text`` alone (positions in it), or None when it has none (the error came
    from what was added to it). Parsed by running it on an empty in-memory store."""
    import pyoxigraph as ox

    try:
        ox.Store().update(text)
    except SyntaxError as error:
        return QueryError(f"invalid SPARQL update: {error}")
    except (OSError, RuntimeError, ValueError):
        return None
    return None


def _dispatch(
    runtime: Runtime, store: Store, request: Request, params: dict, update: str | None
) -> Response | dict[str, Any]:
    """Check the request (in the guard's thread): a response, or the work to admit."""
    query = protocol.single(params, "query")
    if update is not None and query is not None:
        raise ApiError(400, "bad_request", "give either query or update, not both")
    if update is not None:
        return _update_request(runtime, store, update, request, params)
    if query is None and request.method in ("GET", "HEAD"):
        if neg.prefers_html(request.headers.get("accept")):
            return RedirectResponse("/sparql-ui", status_code=303, headers={"Vary": "Accept"})
        return protocol.description_response(runtime, store, request)
    if query is None or not query.strip():
        raise ApiError(400, "missing_query", "give a SPARQL query in the query parameter", "query")
    if guard.classify(query) == "update":
        if _authorized(request, runtime.settings.update_token):
            raise ApiError(
                400, "bad_request", "send updates as update= or application/sparql-update", "query"
            )
        raise ApiError(
            403, "update_forbidden", "this endpoint is read-only: SPARQL updates are refused", "query"
        )
    return _query_request(runtime, store, query, request, params)


@router.get("/sparql", responses=RESPONSES, summary="SPARQL 1.1 query (GET)")
async def sparql_get(
    request: Request,
    runtime: RuntimeDep,
    store: StoreDep,
    query: Annotated[str | None, Query(description="SPARQL query", examples=["ASK { ?s ?p ?o }"])] = None,
) -> Response:
    """SPARQL 1.1 Protocol query via GET; results by Accept (default SPARQL JSON)."""
    params = parse_qs(request.url.query, keep_blank_values=True)
    if "update" in params:
        raise ApiError(405, "method_not_allowed", "updates must be sent with POST", "update")
    return await _handle(runtime, store, request, params, None)


@router.post("/sparql", responses=RESPONSES, summary="SPARQL 1.1 query or update (POST)")
async def sparql_post(request: Request, runtime: RuntimeDep, store: StoreDep) -> Response:
    """POST ``application/x-www-form-urlencoded`` (``query=`` or ``update=``), ``application/sparql-query``
    or ``application/sparql-update``."""
    authorized = _authorized(request, runtime.settings.update_token)
    limit = runtime.settings.max_update_bytes if authorized else runtime.settings.max_query_bytes * 3 + 4096
    body = await _read_body(request, limit)
    url_params = parse_qs(request.url.query, keep_blank_values=True)
    params, update = protocol.read_post(request.headers.get("content-type", ""), body, url_params)
    return await _handle(runtime, store, request, params, update)


def _check_sizes(runtime: Runtime, request: Request, params: dict, update: str | None) -> None:
    """The size limits, first of all (before the guard reads the text)."""
    settings = runtime.settings
    for value in params.get("query") or []:
        guard.check_size(value, settings.max_query_bytes, "query")
    if update is not None:
        authorized = _authorized(request, settings.update_token)
        guard.check_size(
            update, settings.max_update_bytes if authorized else settings.max_query_bytes, "update"
        )


async def _handle(
    runtime: Runtime, store: Store, request: Request, params: dict, update: str | None
) -> Response:
    _check_sizes(runtime, request, params, update)
    gate = admission(request, runtime.settings)
    size = len(update or "") + sum(len(q) for q in params.get("query") or [])
    work = await gate.check(_dispatch, runtime, store, request, params, update, text_bytes=size)
    if isinstance(work, Response):
        return work
    if work["op"] == "update":
        return await gate.run_unqueued(_run_update, runtime, store, work)
    return await gate.run(_run_query, runtime, store, work["job"])
