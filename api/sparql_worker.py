"""The process that evaluates ``/sparql`` queries, so that a runaway query can really be stopped.

pyoxigraph 0.5's ``Store.query`` has no timeout or cancellation, and a thread cannot be interrupted
inside native code. Each worker process therefore holds its own in-memory pyoxigraph copy of the store
(loaded from an N-Quads snapshot the server writes once per store generation) and answers one query at
a time over a pipe; :mod:`api.query_pool` kills the process when a query overruns its time limit, which
frees the CPU and memory at once, and starts a fresh worker in the background.

Before it reads anything, a worker fences itself off the network (:func:`api.sandbox.isolate_network`:
an empty network namespace and a seccomp filter on ``socket()``), so that a ``SERVICE`` the guard missed
cannot reach any server; a worker that cannot be fenced refuses every query (503 ``query_unprotected``).
It also dies with the server (``PR_SET_PDEATHSIG``). An answer larger than ``max_answer_bytes`` is
refused; one larger than ``INLINE_BYTES`` is written to a file the server streams and deletes, so the
server never holds a large answer in memory.

This module imports nothing but pyoxigraph, the result writers and :mod:`api.sandbox`, so a worker starts
in well under a second.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from multiprocessing.connection import Connection
from typing import Any

import pyoxigraph as ox

from api.sandbox import SandboxError, die_with_parent, isolate_network
from api.sparql_results import TABLE_WRITERS
from loaders.limits import limit_memory

INLINE_BYTES = 1 << 20  # answers up to this size go over the pipe; larger ones through a file

RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


def _error(status: int, code: str, message: str) -> dict[str, Any]:
    return {"ok": False, "status": status, "code": code, "message": message}


#: the default graph is the duplicate-free union of the named graphs (as in ``graph.store_index``):
#: Oxigraph's own union default graph repeats shared triples once per report graph (oxigraph#1919)
INDEX_DEFAULT_GRAPH = "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


def _load(path: str, kind: str = "nquads") -> ox.Store:
    if kind == "store":  # a backup of the server's own store, default-graph index included
        store = ox.Store.read_only(path)
        store.query("ASK { ?s ?p ?o }")  # read now: a copy that cannot be read fails its load, not a query
        return store
    store = ox.Store()
    store.bulk_load(path=path, format=ox.RdfFormat.N_QUADS)
    if not bool(store.query("ASK { ?s ?p ?o }")):  # a snapshot of the named graphs only
        store.update(INDEX_DEFAULT_GRAPH)
    return store


def _dataset_options(request: dict[str, Any]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if request.get("default_graphs") is not None:  # a protocol dataset: [] is an empty default graph
        options["default_graph"] = [ox.NamedNode(g) for g in request["default_graphs"]]
    if request.get("named_graphs") is not None:
        options["named_graphs"] = [ox.NamedNode(g) for g in request["named_graphs"]]
    if request.get("base_iri"):
        options["base_iri"] = request["base_iri"]
    return options


def _deliver(reply: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    """Apply the byte cap; move a large body to a file in ``request["answer_dir"]``."""
    body = reply.get("body")
    if not reply.get("ok") or body is None:
        return reply
    if isinstance(body, str):
        body = body.encode("utf-8")
    cap = int(request.get("max_answer_bytes") or 0)
    if cap and len(body) > cap:
        return _error(
            422,
            "answer_too_large",
            f"the answer is larger than {cap} bytes; add a LIMIT, select fewer variables or page with OFFSET",
        )
    answer_dir = request.get("answer_dir")
    if answer_dir and len(body) > INLINE_BYTES:
        fd, path = tempfile.mkstemp(prefix="answer-", dir=answer_dir)
        with os.fdopen(fd, "wb") as out:
            out.write(body)
        reply = {**reply, "body": None, "body_file": path, "size": len(body)}
    else:
        reply = {**reply, "body": body}
    return reply


def _safe_reason(exc: BaseException) -> str:
    """The reason to show the client: never text a remote server sent (an HTTP error body)."""
    message = str(exc)
    if any(word in message.lower() for word in ("http", "service", "network", "connect", "permitted")):
        return "the query tried to reach another server, which this endpoint does not allow"
    return message.splitlines()[0][:300] if message else type(exc).__name__


def _rss_mb() -> int:
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // (1 << 20)
    except (OSError, ValueError, IndexError):
        return 0


def evaluate(store: ox.Store, request: dict[str, Any]) -> dict[str, Any]:
    """Run one query request; the answer is a dict ready to send over the pipe."""
    try:
        reply = _deliver(_evaluate(store, request), request)
    except MemoryError:
        reply = _error(503, "query_memory", "the query needed more memory than this endpoint allows")
    except OSError as exc:
        reply = _error(503, "answer_failed", f"the answer could not be written: {exc.strerror or exc}")
    reply["rss_mb"] = _rss_mb()
    return reply


def _evaluate(store: ox.Store, request: dict[str, Any]) -> dict[str, Any]:
    max_rows = int(request["max_rows"])
    try:
        result = store.query(request["sparql"], **_dataset_options(request))
        if isinstance(result, ox.QueryBoolean):
            fmt = request["table_format"]
            body = result.serialize(format=getattr(ox.QueryResultsFormat, fmt.upper()))
            return {"ok": True, "kind": "ask", "format": fmt, "body": body, "truncated": False}
        if isinstance(result, ox.QuerySolutions):
            names = [v.value for v in result.variables]
            rows = []
            for solution in result:
                if len(rows) == max_rows:
                    break
                rows.append(tuple(solution[i] for i in range(len(names))))
            truncated = len(rows) == max_rows and next(iter(result), None) is not None
            fmt = request["table_format"]
            body = TABLE_WRITERS[fmt](names, rows, truncated)
            return {"ok": True, "kind": "select", "format": fmt, "body": body, "truncated": truncated}
        triples = []
        for triple in result:
            if len(triples) == max_rows:
                break
            triples.append(triple)
        truncated = len(triples) == max_rows and next(iter(result), None) is not None
        fmt = request["graph_format"]
        body = ox.serialize(triples, format=RDF_FORMATS[fmt], prefixes=request.get("prefixes") or None)
        return {"ok": True, "kind": "graph", "format": fmt, "body": body, "truncated": truncated}
    except SyntaxError as exc:
        return _error(400, "syntax_error", f"SPARQL syntax error: {exc}")
    except MemoryError:
        return _error(503, "query_memory", "the query needed more memory than this endpoint allows")
    except OSError as exc:  # includes a SERVICE stopped by the network fence
        return _error(400, "query_error", f"the query could not be evaluated: {_safe_reason(exc)}")
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # pyo3 panics are BaseException; the client's query caused it
        return _error(400, "query_error", f"the query could not be evaluated: {_safe_reason(exc)}")


def worker_main(conn: Connection, memory_mb: int, parent_pid: int | None = None) -> None:
    """Serve ``load``, ``query`` and ``status`` requests on ``conn`` until it closes."""
    die_with_parent(parent_pid)
    try:
        fences: tuple[str, ...] = isolate_network()
        unprotected = ""
    except SandboxError as exc:
        fences, unprotected = (), str(exc)
    limit_memory(memory_mb)
    with contextlib.suppress(OSError):
        os.nice(5)  # the server's own requests (lookups, pages) go first when the CPUs are busy
    store, opened = ox.Store(), None
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request["op"] == "load":
            try:
                store, opened = _load(request["path"], request.get("kind", "nquads")), request["path"]
                conn.send({"ok": True})
            except (OSError, SyntaxError, ValueError) as exc:
                conn.send(_error(503, "snapshot_failed", f"could not load the store snapshot: {exc}"))
        elif request["op"] == "query" and unprotected:
            conn.send(_error(503, "query_unprotected", f"queries are off: {unprotected}"))
        elif request["op"] == "query":
            conn.send(evaluate(store, request))
        elif request["op"] == "status":
            status = {"fences": list(fences), "pid": os.getpid(), "rss_mb": _rss_mb(), "store": opened}
            conn.send({"ok": True, **status})
        else:
            conn.send(_error(500, "internal_error", "unknown worker request"))


if __name__ == "__main__":
    import sys

    worker_main(
        Connection(int(sys.argv[1])), int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else None
    )
