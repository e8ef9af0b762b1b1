"""rdflib in-memory Dataset store, optionally persisted to a TriG file.

Atomicity: a replace first builds and validates the new triples aside (every term converted exactly as
the Oxigraph backend would), then swaps them in under a lock that queries also take, so a reader sees the
old graph or the new one. If the swap itself fails, the old statements are put back.

Concurrency: one process. With a ``path`` the dataset is read from the TriG file on open and written back
(atomically: temporary file + rename) by :meth:`save` / :meth:`close`; two processes writing the same file
would overwrite each other's loads (last one wins).
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.term import Node

from graph.rdf_formats import EXPORT_FORMATS, PREFIXES, TABLE_FORMATS
from graph.store import (
    GRAPHS_QUERY,
    Bindings,
    QueryError,
    QueryResult,
    ScopedUpdate,
    Store,
    StoreError,
    check_result_format,
)
from graph.terms import TermError, as_triples, check_variable, sparql_term, to_ox

RDFLIB_GRAPH_FORMATS = {"turtle": "turtle", "ntriples": "nt", "rdfxml": "xml", "jsonld": "json-ld"}
RDFLIB_EXPORT_FORMATS = {"trig": "trig", "nquads": "nquads", "jsonld": "json-ld", **RDFLIB_GRAPH_FORMATS}
Quad = tuple[Node, Node, Node, Graph]


class MemoryStore(Store):
    """rdflib ``Dataset(default_union=True)``; persisted to ``path`` (TriG) when one is given.

    Atomic by building the new triples aside, then swapping them in under a lock (no transactions).
    """

    def __init__(self, path: Path | None = None, *, meta_graph_iri: str | None = None) -> None:
        self.path = path
        self.meta_graph_iri = meta_graph_iri
        self._lock = threading.RLock()
        self._ds = Dataset(default_union=True)
        self._closed = False
        self.change_count = 0  # writes through this object (the API's cache key); failed ones count too
        if path is not None and path.exists():
            try:
                self._ds.parse(path, format="trig")
            except Exception as exc:  # rdflib raises many parser exception types
                raise StoreError(f"cannot read the memory store file {path}: {exc}") from None

    def _checked(self, graph: Graph) -> list[tuple[Node, Node, Node]]:
        triples = list(as_triples(graph))
        for triple in triples:
            for term in triple:
                try:
                    to_ox(term)
                except TermError as exc:
                    raise StoreError(str(exc)) from None
        return triples

    def _replace(self, graph_iri: str, triples: Graph, metadata: Graph | None, meta: str | None) -> None:
        new = self._checked(triples)  # built aside: a failure here leaves the dataset untouched
        new_meta = self._checked(metadata) if metadata is not None else []
        self._swap(graph_iri, new, meta, new_meta)

    def drop_graph(self, graph_iri: str, *, meta_graph_iri: str | None = None) -> None:
        self._swap(graph_iri, [], meta_graph_iri or self.meta_graph_iri, [])

    def _swap(self, graph_iri: str, new: list, meta_iri: str | None, new_meta: list) -> None:
        g = URIRef(graph_iri)
        subjects = {g} | {s for s, _, _ in new_meta if not isinstance(s, BNode)}
        with self._lock:
            self._check_open()
            self.change_count += 1
            target = self._ds.graph(g)
            old: list[Quad] = [(s, p, o, target) for s, p, o in target]
            meta_graph = self._ds.graph(URIRef(meta_iri)) if meta_iri else None
            if meta_graph is not None:
                old += [(s, p, o, meta_graph) for s, p, o in meta_graph if s in subjects]
            try:
                self._ds.remove_graph(g)
                for s, p, o, ctx in old:
                    ctx.remove((s, p, o))
                target = self._ds.graph(g)
                target.addN((s, p, o, target) for s, p, o in new)
                if meta_graph is not None:
                    meta_graph.addN((s, p, o, meta_graph) for s, p, o in new_meta)
            except BaseException:
                self._ds.remove_graph(g)
                if meta_graph is not None:
                    for s, p, o in new_meta:
                        meta_graph.remove((s, p, o))
                self._ds.addN((s, p, o, self._ds.graph(ctx.identifier)) for s, p, o, ctx in old)
                raise

    def update(self, sparql: str | ScopedUpdate) -> None:
        """A SPARQL update under the lock; rdflib applies operations one by one (not atomic on failure)."""
        with self._lock:
            self._check_open()
            self.change_count += 1
            try:
                self._ds.update(sparql if isinstance(sparql, str) else sparql.text())
            except Exception as exc:  # pyparsing / rdflib evaluation errors
                raise QueryError(f"invalid SPARQL update: {exc}") from None

    def graphs(self) -> list[str]:
        return [str(row[0]) for row in self.query(GRAPHS_QUERY).rows]

    def _run(self, sparql: str, bindings: Bindings | None):  # -> rdflib.query.Result
        for name, value in (bindings or {}).items():
            try:
                check_variable(name)
                sparql_term(value)
            except TermError as exc:
                raise QueryError(str(exc)) from None
        with self._lock:
            self._check_open()
            try:
                return self._ds.query(sparql, initBindings=dict(bindings or {}))
            except Exception as exc:  # pyparsing / rdflib evaluation errors
                raise QueryError(f"invalid SPARQL: {exc}") from None

    def query(self, sparql: str, bindings: Bindings | None = None) -> QueryResult:
        result = self._run(sparql, bindings)
        if result.type == "SELECT":
            names = tuple(str(v) for v in result.vars or ())
            return QueryResult("select", vars=names, rows=[tuple(row) for row in result])
        if result.type == "ASK":
            return QueryResult("ask", boolean=bool(result.askAnswer))
        graph = Graph()
        for triple in result.graph:
            graph.add(triple)
        return QueryResult("graph", graph=graph)

    def query_serialized(self, sparql: str, result_format: str, bindings: Bindings | None = None) -> bytes:
        result = self._run(sparql, bindings)
        if result.type in ("CONSTRUCT", "DESCRIBE"):
            check_result_format(result_format, "graph")
            return result.graph.serialize(format=RDFLIB_GRAPH_FORMATS[result_format], encoding="utf-8")
        check_result_format(result_format, "select" if result.type == "SELECT" else "ask")
        if result_format in ("json", "xml"):
            return result.serialize(format=result_format, encoding="utf-8")
        # rdflib has no TSV writer: re-serialise its JSON with pyoxigraph's writers (same bytes as Oxigraph)
        parsed = ox.parse_query_results(result.serialize(format="json"), ox.QueryResultsFormat.JSON)
        return parsed.serialize(format=TABLE_FORMATS[result_format])

    def _export(self, fmt: str) -> bytes:
        assert fmt in EXPORT_FORMATS
        with self._lock:
            self._check_open()
            if fmt in ("trig", "nquads", "jsonld"):
                dataset = Dataset()
                for prefix, ns in PREFIXES.items():
                    dataset.bind(prefix, ns)
                for s, p, o, ctx in self._ds.quads((None, None, None, None)):
                    dataset.graph(ctx).add((s, p, o))
                return dataset.serialize(format=RDFLIB_EXPORT_FORMATS[fmt], encoding="utf-8")
            union = Graph()
            for prefix, ns in PREFIXES.items():
                union.bind(prefix, ns)
            for s, p, o, _ in self._ds.quads((None, None, None, None)):
                union.add((s, p, o))
            return union.serialize(format=RDFLIB_EXPORT_FORMATS[fmt], encoding="utf-8")

    def triple_count(self, graph_iri: str | None = None) -> int:
        with self._lock:
            if graph_iri is not None:
                return len(self._ds.graph(URIRef(graph_iri)))
            return sum(1 for _ in self._ds.quads((None, None, None, None)))

    def save(self) -> None:
        """Write the dataset to ``path`` atomically (no-op without a path)."""
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = self.export("trig")
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".memory-", suffix=".trig")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError("the store is closed")

    def close(self) -> None:
        if not self._closed:
            self.save()
            self._closed = True
