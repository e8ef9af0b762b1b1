"""Embedded Oxigraph (pyoxigraph, RocksDB on disk): the default store.

Atomicity: pyoxigraph 0.5 has no transaction object. ``Store.update`` runs one SPARQL update request as
one transaction ("either the full operation succeeds, or nothing is written"), and ``Store.extend`` /
``Store.load`` are transactional but only add; ``bulk_extend`` / ``bulk_load`` are NOT transactional.
So a replace is one transaction, built completely (every term validated) before it is sent: a report
graph not in the store yet is one ``Store.load`` of N-Quads; an existing one is one update request
(``graph.store_index.replace_update``). A reader, or a process opening the store after a crash
(kill -9), sees the old graph or the new one.

Default graph: pyoxigraph 0.5's union default graph repeats a triple once per named graph holding it
(oxigraph#1919), so joins through shared nodes (a system every report names) multiply with the number of
reports. The store therefore keeps the default graph as the materialised, duplicate-free union of its
named graphs (``graph.store_index``), maintained inside the same update as every replace and drop, and
queries run over it instead of Oxigraph's union.

Concurrency: RocksDB locks the directory to one read-write ``Store`` per machine; a second process gets
"lock hold by current process" and :class:`graph.store.StoreError` says so. pyoxigraph 0.5 offers
``Store.read_only(path)`` (no secondary instances any more) but reading while another process writes is
undefined behaviour, so ``read_only`` is only for a store nobody is writing (e.g. serving a loaded
snapshot). To load while the API server runs, load through the server (``backend=remote``) instead.

Bindings: pyoxigraph 0.5's ``substitutions`` (SEP-0007) only accepts variables of the SELECT projection,
so parameters are bound like the remote backend's, by a ``VALUES`` clause at the start of the WHERE group
built from serialised terms (``graph.terms.inject_values``).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

import pyoxigraph as ox
from rdflib import BNode, Graph
from rdflib.term import Node

from graph import store_index as index
from graph.rdf_formats import DATASET_FORMATS, EXPORT_FORMATS, GRAPH_FORMATS, PREFIXES, TABLE_FORMATS
from graph.store import (
    Bindings,
    QueryError,
    QueryResult,
    ScopedUpdate,
    SparqlUpdateStore,
    StoreError,
    check_result_format,
)
from graph.terms import (
    TermError,
    graph_name,
    inject_values,
    rdflib_graph,
    solutions_to_rows,
    sparql_term,
    triple_texts,
)


def open_read_only(path: Path, attempts: int = 6) -> ox.Store:
    """``ox.Store.read_only``, retried: while another process holds the store read-write (``hmic-kg
    serve``), its compactions may delete files this open has just listed ("IO error: No such file")."""
    for attempt in range(attempts):
        try:
            return ox.Store.read_only(str(path))
        except RuntimeError as exc:
            if attempt == attempts - 1:
                raise OSError(f"cannot open read-only: {exc}") from None
            time.sleep(0.1 * (attempt + 1))
    raise AssertionError("unreachable")


class OxigraphStore(SparqlUpdateStore):
    """pyoxigraph ``Store`` on disk (or in memory when ``path`` is None)."""

    #: writes may run in several threads at once (pyoxigraph releases the GIL; each is its own transaction)
    concurrent_writes: ClassVar[bool] = True

    def __init__(
        self, path: Path | None = None, *, read_only: bool = False, meta_graph_iri: str | None = None
    ) -> None:
        self.path = path
        self.read_only = read_only
        self.meta_graph_iri = meta_graph_iri
        try:
            if path is None:
                self._store: ox.Store | None = ox.Store()
            elif read_only:
                if not path.exists():
                    raise StoreError(f"no store at {path}: load some reports first")
                self._store = open_read_only(path)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(path))
        except OSError as exc:
            if "lock" in str(exc).lower():
                raise StoreError(
                    f"the store at {path} is in use by another process (is the server running?); "
                    "stop it or load through its SPARQL endpoint with --backend remote"
                ) from None
            raise StoreError(f"cannot open the store at {path}: {exc}") from None
        #: query Oxigraph's (duplicating) union only for a read-only store written before the index
        self._union = False
        #: writes through this object (the API's cache key: no other process can write while it is open
        #: read-write, and a read-only open sees one fixed state); failed writes count too
        self.change_count = 0
        self._prepare()

    def _prepare(self) -> None:
        """Index a store written before the default-graph index (or, read-only, query Oxigraph's union)."""
        store = self.store
        if bool(store.query(index.HAS_DEFAULT)) or not bool(store.query(index.HAS_NAMED)):
            return
        if self.read_only:
            self._union = True
        else:
            self._update(index.REBUILD)

    @property
    def store(self) -> ox.Store:
        if self._store is None:
            raise StoreError("the store is closed")
        return self._store

    def _replace(
        self,
        graph_iri: str,
        triples: Iterable[tuple[Node, Node, Node]],
        metadata: Graph | None,
        meta: str | None,
    ) -> None:
        """One transaction: a new graph is one ``load`` of N-Quads, an existing one one SPARQL update.

        Both write the report graph, its metadata and their copies in the default graph together.
        """
        try:  # every term is converted (and validated) before anything is written
            g = str(graph_name(graph_iri))
            m = str(graph_name(meta)) if meta is not None else None
            body = triple_texts(triples)
            meta_body = triple_texts(metadata) if metadata is not None and m is not None else []
            subjects = {
                sparql_term(s) for s in (metadata.subjects() if metadata else ()) if not isinstance(s, BNode)
            }
        except TermError as exc:
            raise StoreError(str(exc)) from None
        if self._is_new(graph_name(graph_iri), m, subjects):
            self._load(index.new_graph_nquads(g, body, m, meta_body))
        else:
            self._update(index.replace_update(g, body, m, meta_body, subjects))

    def _is_new(self, graph: ox.NamedNode, meta: str | None, subjects: set[str]) -> bool:
        """No triple in the graph, and (with metadata) no metadata statement about it or its subjects."""
        if next(iter(self.store.quads_for_pattern(None, None, None, graph)), None) is not None:
            return False
        if meta is None:
            return True
        meta_node = ox.NamedNode(meta[1:-1])
        nodes = [graph] + [ox.NamedNode(s[1:-1]) for s in subjects if s.startswith("<")]
        return all(
            next(iter(self.store.quads_for_pattern(n, None, None, meta_node)), None) is None for n in nodes
        )

    def _load(self, nquads: str) -> None:
        if self.read_only:
            raise StoreError("the store is open read-only")
        self.change_count += 1
        try:
            self.store.load(nquads.encode(), format=ox.RdfFormat.N_QUADS)
        except (SyntaxError, ValueError, OSError, RuntimeError) as exc:
            raise StoreError(f"update failed: {exc}") from None

    def drop_graph(self, graph_iri: str, *, meta_graph_iri: str | None = None) -> None:
        meta = meta_graph_iri or self.meta_graph_iri
        try:
            update = index.drop_update(str(graph_name(graph_iri)), str(graph_name(meta)) if meta else None)
        except TermError as exc:
            raise StoreError(str(exc)) from None
        self._update(update)

    def update(self, sparql: str | ScopedUpdate) -> None:
        """A SPARQL update keeping the default-graph index in step in the same transaction: for one whose
        written graphs are known (:class:`graph.store.ScopedUpdate`) those graphs' share of it, for a
        free-form one a rebuild of the whole index (minutes at hundreds of reports)."""
        if isinstance(sparql, str):
            self._update(index.with_rebuild(sparql))
        else:
            self._update(index.scoped_update(sparql, uuid.uuid4().hex))

    def graphs(self) -> list[str]:
        found = []
        for name in self.store.named_graphs():
            if next(iter(self.store.quads_for_pattern(None, None, None, name)), None):
                found.append(name.value)
        return sorted(found)

    def _update(self, sparql: str) -> None:
        if self.read_only:
            raise StoreError("the store is open read-only")
        self.change_count += 1
        try:
            self.store.update(sparql)
        except SyntaxError as exc:
            raise QueryError(f"invalid SPARQL update: {exc}") from None
        except (OSError, RuntimeError) as exc:
            raise StoreError(f"update failed: {exc}") from None

    def _run(self, sparql: str, bindings: Bindings | None) -> object:
        try:
            text = inject_values(sparql, bindings) if bindings else sparql
            return self.store.query(text, use_default_graph_as_union=self._union)
        except SyntaxError as exc:
            raise QueryError(f"invalid SPARQL: {exc}") from None
        except TermError as exc:
            raise QueryError(str(exc)) from None
        except (OSError, RuntimeError) as exc:
            raise StoreError(f"query failed: {exc}") from None

    def query(self, sparql: str, bindings: Bindings | None = None) -> QueryResult:
        result = self._run(sparql, bindings)
        if isinstance(result, ox.QuerySolutions):
            names, rows = solutions_to_rows(result)
            return QueryResult("select", vars=names, rows=rows)
        if isinstance(result, ox.QueryBoolean):
            return QueryResult("ask", boolean=bool(result))
        assert isinstance(result, ox.QueryTriples)
        return QueryResult("graph", graph=rdflib_graph(result))

    def query_serialized(self, sparql: str, result_format: str, bindings: Bindings | None = None) -> bytes:
        result = self._run(sparql, bindings)
        if isinstance(result, ox.QueryTriples):
            check_result_format(result_format, "graph")
            return result.serialize(format=GRAPH_FORMATS[result_format])
        kind = "select" if isinstance(result, ox.QuerySolutions) else "ask"
        check_result_format(result_format, kind)
        return result.serialize(format=TABLE_FORMATS[result_format])  # type: ignore[union-attr]

    def _export(self, fmt: str) -> bytes:
        if fmt in DATASET_FORMATS:  # the named graphs; the default graph is derived from them
            named = list(self.store.named_graphs())
            quads = (
                q for g in sorted(named, key=str) for q in self.store.quads_for_pattern(None, None, None, g)
            )
            return ox.serialize(quads, format=EXPORT_FORMATS[fmt], prefixes=PREFIXES)
        if self._union:
            union = self.store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
            return union.serialize(format=EXPORT_FORMATS[fmt])  # type: ignore[union-attr]
        return self.store.dump(format=EXPORT_FORMATS[fmt], from_graph=ox.DefaultGraph(), prefixes=PREFIXES)

    def backup_to(self, target: Path) -> bool:
        """Write a consistent copy of the on-disk store to ``target`` (a RocksDB checkpoint: hard links, so
        near-instant and nearly free on disk); False when there is nothing to copy this way."""
        if self._store is None or self.path is None or self._union:
            return False
        try:
            self._store.backup(str(target))
        except (OSError, RuntimeError, ValueError):
            return False
        return True

    def readable_path(self) -> Path | None:
        """A directory holding this store's content that other processes may open read-only while it is
        open here (nobody writes it): the store's own when it is opened read-only, else None."""
        return self.path if self.read_only else None

    def snapshot_nquads(self) -> bytes:
        """The whole dataset as N-Quads, default-graph index included (for the SPARQL query workers)."""
        if self._union:
            return self.export("nquads")
        return self.store.dump(format=ox.RdfFormat.N_QUADS)

    def triple_count(self, graph_iri: str | None = None) -> int:
        """Triples in one named graph, or quads in all named graphs (the default-graph index aside)."""
        if graph_iri is not None:
            return sum(1 for _ in self.store.quads_for_pattern(None, None, None, graph_name(graph_iri)))
        if self._union:
            return len(self.store)
        indexed = self.store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return len(self.store) - int(next(iter(indexed))[0].value)  # type: ignore[index, union-attr]

    def flush(self) -> None:
        """Write buffered changes to disk (bounds RocksDB's memory during long loads)."""
        if self._store is not None and not self.read_only:
            try:
                self._store.flush()
            except OSError as exc:  # disk full, read-only file system: one line naming the store
                raise StoreError(f"cannot write the store at {self.path}: {_io_reason(exc)}") from None

    def close(self) -> None:
        if self._store is not None:
            try:
                self.flush()
            finally:
                self._store = None


def _io_reason(exc: OSError) -> str:
    """The cause of a RocksDB I/O error in a few words ("No space left on device")."""
    message = str(exc)
    for cause in (
        "No space left on device",
        "Read-only file system",
        "Permission denied",
        "Disk quota exceeded",
    ):
        if cause in message:
            return cause.lower()
    return message.splitlines()[0] if message else type(exc).__name__
