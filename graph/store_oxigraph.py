"""Embedded Oxigraph (pyoxigraph, RocksDB on disk): the default store.

Atomicity: pyoxigraph 0.5 has no transaction object. ``Store.update`` runs one SPARQL update request as
one transaction ("either the full operation succeeds, or nothing is written"), and ``Store.extend`` /
``Store.load`` are transactional but only add; ``bulk_extend`` / ``bulk_load`` are NOT transactional.
So a replace is one update request, ``DROP SILENT GRAPH <g> ; DELETE {meta…} ; INSERT DATA {…}``,
built completely (every term validated) before it is sent: a reader, or a process opening the store
after a crash (kill -9), sees the old graph or the new one.

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

from pathlib import Path
from typing import ClassVar

import pyoxigraph as ox

from graph.store import (
    DATASET_FORMATS,
    EXPORT_FORMATS,
    GRAPH_FORMATS,
    PREFIXES,
    TABLE_FORMATS,
    Bindings,
    QueryError,
    QueryResult,
    SparqlUpdateStore,
    StoreError,
    check_export_format,
    check_result_format,
)
from graph.terms import TermError, graph_name, inject_values, rdflib_graph, solutions_to_rows


class OxigraphStore(SparqlUpdateStore):
    """pyoxigraph ``Store`` on disk (or in memory when ``path`` is None)."""

    supports_transactions: ClassVar[bool] = True
    persistent: ClassVar[bool] = True
    remote: ClassVar[bool] = False

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
                self._store = ox.Store.read_only(str(path))
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

    @property
    def store(self) -> ox.Store:
        if self._store is None:
            raise StoreError("the store is closed")
        return self._store

    def _update(self, sparql: str) -> None:
        if self.read_only:
            raise StoreError("the store is open read-only")
        try:
            self.store.update(sparql)
        except SyntaxError as exc:
            raise QueryError(f"invalid SPARQL update: {exc}") from None
        except (OSError, RuntimeError) as exc:
            raise StoreError(f"update failed: {exc}") from None

    def _run(self, sparql: str, bindings: Bindings | None) -> object:
        try:
            text = inject_values(sparql, bindings) if bindings else sparql
            return self.store.query(text, use_default_graph_as_union=True)
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

    def export(self, fmt: str) -> bytes:
        check_export_format(fmt)
        if fmt in DATASET_FORMATS:
            return self.store.dump(format=EXPORT_FORMATS[fmt], prefixes=PREFIXES)
        union = self.store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
        return union.serialize(format=EXPORT_FORMATS[fmt])  # type: ignore[union-attr]

    def triple_count(self, graph_iri: str | None = None) -> int:
        if graph_iri is None:
            return len(self.store)
        return sum(1 for _ in self.store.quads_for_pattern(None, None, None, graph_name(graph_iri)))

    def flush(self) -> None:
        """Write buffered changes to disk (bounds RocksDB's memory during long loads)."""
        if self._store is not None and not self.read_only:
            self._store.flush()

    def close(self) -> None:
        if self._store is not None:
            if not self.read_only:
                self._store.flush()
            self._store = None
