"""The process that evaluates ``/sparql`` queries, so that a runaway query can really be stopped.

pyoxigraph 0.5's ``Store.query`` has no timeout or cancellation, and a thread cannot be interrupted
inside native code. Each worker process therefore holds its own in-memory pyoxigraph copy of the store
(loaded from an N-Quads snapshot the server writes once per store generation) and answers one query at
a time over a pipe; :mod:`api.query_pool` kills the process when a query overruns its time limit, which
frees the CPU and memory at once, and starts a fresh worker in the background.

This module imports nothing but pyoxigraph and the result writers, so a worker starts in well under a
second.
"""

from __future__ import annotations

import contextlib
from multiprocessing.connection import Connection
from typing import Any

import pyoxigraph as ox

from api.sparql_results import TABLE_WRITERS

RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


def _limit_memory(memory_mb: int) -> None:
    if memory_mb <= 0:
        return
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _error(status: int, code: str, message: str) -> dict[str, Any]:
    return {"ok": False, "status": status, "code": code, "message": message}


#: the default graph is the duplicate-free union of the named graphs (as in ``graph.store_index``):
#: Oxigraph's own union default graph repeats shared triples once per report graph (oxigraph#1919)
INDEX_DEFAULT_GRAPH = "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


def _load(path: str, kind: str = "nquads") -> ox.Store:
    if kind == "store":  # a backup of the server's own store, default-graph index included
        return ox.Store.read_only(path)
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


def evaluate(store: ox.Store, request: dict[str, Any]) -> dict[str, Any]:
    """Run one query request; the answer is a dict ready to send over the pipe."""
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
    except (ValueError, TypeError, OSError) as exc:
        return _error(400, "query_error", f"the query could not be evaluated: {exc}")
    except MemoryError:
        return _error(503, "query_memory", "the query needed more memory than this endpoint allows")


def worker_main(conn: Connection, memory_mb: int) -> None:
    """Serve ``load`` and ``query`` requests on ``conn`` until it closes."""
    _limit_memory(memory_mb)
    store = ox.Store()
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request["op"] == "load":
            try:
                store = _load(request["path"], request.get("kind", "nquads"))
                conn.send({"ok": True})
            except (OSError, SyntaxError, ValueError) as exc:
                conn.send(_error(503, "snapshot_failed", f"could not load the store snapshot: {exc}"))
        elif request["op"] == "query":
            conn.send(evaluate(store, request))
        else:
            conn.send(_error(500, "internal_error", "unknown worker request"))


if __name__ == "__main__":
    import sys

    worker_main(Connection(int(sys.argv[1])), int(sys.argv[2]))
