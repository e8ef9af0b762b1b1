"""The store interface every backend implements (:class:`Store`), its errors and the query result type.

Contract (tested by ``tests/test_store_contract.py`` against every backend):

* one named graph per report; ``replace_graph`` swaps a report graph and its entry in the metadata
  graph atomically: a reader sees the old complete graph or the new complete one, never a mix, and a
  replace that fails leaves the store exactly as it was;
* queries see the union of all named graphs as their default graph;
* query parameters are bound by the engine (``initBindings``, SEP-0007 substitutions) or by a
  ``VALUES`` clause built from serialised terms, never by pasting text into the query.

Every member the API and the CLI use is declared on :class:`Store`: the abstract methods every backend
writes (``replace_graph`` and ``export`` check their arguments once, here, and call the backend's
``_replace`` and ``_export``), and the *capabilities* (``remote``, ``change_count``, ``flush``, ``backup_to``,
``snapshot_nquads``) with a default that is right for a backend without them, so callers never probe
with ``getattr``. Layering (no import circle, ``tests/test_store_layering.py``): :mod:`graph.rdf_formats`
(data) <- this module <- the backends (``graph/store_memory.py``, ``store_oxigraph.py``,
``store_remote.py``) <- :mod:`graph.store_open` (``open_store``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal

from rdflib import BNode, Graph
from rdflib.term import Node

# re-exported: the format tables lived here before graph/rdf_formats.py, and callers still import them
from graph.rdf_formats import DATASET_FORMATS, EXPORT_FORMATS, GRAPH_FORMATS, PREFIXES, TABLE_FORMATS
from graph.terms import TermError, as_triples, graph_name, sparql_term, triples_block

__all__ = [
    "DATASET_FORMATS",
    "EXPORT_FORMATS",
    "GRAPHS_QUERY",
    "GRAPH_FORMATS",
    "PREFIXES",
    "TABLE_FORMATS",
    "Bindings",
    "QueryError",
    "QueryResult",
    "SparqlUpdateStore",
    "Store",
    "StoreError",
    "check_export_format",
    "check_result_format",
    "meta_graph_for",
]

Bindings = Mapping[str, Node]
ResultKind = Literal["select", "ask", "graph"]


class StoreError(RuntimeError):
    """A store operation failed; the message is fit for a user (no internals)."""


class QueryError(StoreError):
    """The query is invalid or cannot run (syntax error, bad binding, unsupported format)."""


@dataclass(frozen=True)
class QueryResult:
    """One query's answer: ``select`` (vars + rows), ``ask`` (boolean) or ``graph`` (CONSTRUCT/DESCRIBE)."""

    kind: ResultKind
    vars: tuple[str, ...] = ()
    rows: list[tuple[Node | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None

    def dicts(self) -> list[dict[str, Node | None]]:
        """SELECT rows as dictionaries keyed by variable name."""
        return [dict(zip(self.vars, row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class ScopedUpdate:
    """A SPARQL update known to write no graph but the named graphs ``writes`` (not the default graph), its
    prologue apart from its operations so that operations can be put before them (a backend keeping an
    index of its own: :mod:`graph.store_index`). ``operations`` ends at the end of its last operation."""

    prologue: str
    operations: str
    writes: frozenset[str]

    def text(self, before: str = "", after: str = "") -> str:
        """The whole update, with ``before`` run first and ``after`` last (in the same request)."""
        return self.prologue + " ;\n".join(part for part in (before, self.operations, after) if part)


class Store(ABC):
    """A quad store holding one named graph per report plus a metadata graph.

    Capabilities a backend may lack have a default that says so honestly: ``change_count`` is None,
    ``flush`` does nothing, ``backup_to`` answers False and ``snapshot_nquads`` exports the named graphs.
    """

    #: answers come from another process over HTTP (the API passes ``/sparql`` straight through to it)
    remote: ClassVar[bool] = False
    #: reports may be written from several threads at once, each write its own transaction (``load --jobs``)
    concurrent_writes: ClassVar[bool] = False
    #: writes made through this object, or None when others can write too (the API's cache key: an
    #: embedded store open read-write is written by nobody else, and one open read-only never changes)
    change_count: int | None = None

    meta_graph_iri: str | None

    @abstractmethod
    def _replace(self, graph_iri: str, triples: Graph, metadata: Graph | None, meta: str | None) -> None:
        """:meth:`replace_graph` once the metadata graph is decided (``meta``: its IRI, or None)."""

    @abstractmethod
    def drop_graph(self, graph_iri: str, *, meta_graph_iri: str | None = None) -> None:
        """Remove a named graph and its statements in the metadata graph; silent if absent."""

    @abstractmethod
    def update(self, sparql: str | ScopedUpdate) -> None:
        """Run a SPARQL 1.1 update (one transaction where the backend has them); a :class:`ScopedUpdate`
        says which graphs it writes."""

    @abstractmethod
    def graphs(self) -> list[str]:
        """IRIs of the non-empty named graphs, sorted."""

    @abstractmethod
    def query(self, sparql: str, bindings: Bindings | None = None) -> QueryResult:
        """Run a SPARQL query over the union of the named graphs."""

    @abstractmethod
    def query_serialized(self, sparql: str, result_format: str, bindings: Bindings | None = None) -> bytes:
        """Run a query and serialise its answer: json/xml/csv/tsv for SELECT and ASK,
        turtle/ntriples/rdfxml/jsonld for CONSTRUCT and DESCRIBE."""

    @abstractmethod
    def _export(self, fmt: str) -> bytes:
        """:meth:`export` once ``fmt`` is known to be one of ``EXPORT_FORMATS``."""

    @abstractmethod
    def triple_count(self, graph_iri: str | None = None) -> int:
        """Number of triples in one named graph, or quads in the whole store."""

    @abstractmethod
    def close(self) -> None:
        """Flush and release the store (idempotent)."""

    def replace_graph(
        self,
        graph_iri: str,
        triples: Graph,
        metadata: Graph | None = None,
        *,
        meta_graph_iri: str | None = None,
    ) -> None:
        """Atomically replace ``graph_iri`` by ``triples`` and, in the metadata graph, every statement
        about ``graph_iri`` or about a subject of ``metadata`` by ``metadata``."""
        self._replace(graph_iri, triples, metadata, meta_graph_for(self, meta_graph_iri, metadata))

    def export(self, fmt: str) -> bytes:
        """The whole store: trig/nquads/jsonld keep the named graphs; turtle/ntriples are the union."""
        check_export_format(fmt)
        return self._export(fmt)

    # -- capabilities: the defaults are right for a backend that lacks them ---------------------------
    def flush(self) -> None:  # noqa: B027 - a deliberate no-op default, not a missing abstract method
        """Write buffered changes to disk (a long load calls it now and then); nothing to do by default."""

    def backup_to(self, target: Path) -> bool:
        """Write a consistent copy of the store to the directory ``target`` that pyoxigraph can open
        read-only; False (the default) when this backend cannot, and callers use :meth:`snapshot_nquads`."""
        return False

    def snapshot_nquads(self) -> bytes:
        """The whole dataset as N-Quads, for the SPARQL query workers (default: the named graphs)."""
        return self.export("nquads")


def meta_graph_for(store: Store, meta_graph_iri: str | None, metadata: Graph | None) -> str | None:
    """The metadata graph to use: the explicit one, else the store's; required when metadata is given."""
    meta = meta_graph_iri or store.meta_graph_iri
    if meta is None and metadata is not None and len(metadata):
        raise StoreError("no metadata graph IRI: pass meta_graph_iri or open the store with one")
    return meta


def swap_graph_update(
    graph_iri: str, triples: Graph, metadata: Graph | None, meta_graph_iri: str | None
) -> str:
    """One SPARQL update that swaps a report graph and its metadata (atomic where updates are).

    For a store whose default graph is Oxigraph's union; the embedded store, which keeps its own
    default-graph index, writes with :func:`graph.store_index.replace_update` instead.
    """
    try:
        return _swap_graph_update(graph_iri, triples, metadata, meta_graph_iri)
    except TermError as exc:
        raise StoreError(str(exc)) from None


def _swap_graph_update(
    graph_iri: str, triples: Graph, metadata: Graph | None, meta_graph_iri: str | None
) -> str:
    g = str(graph_name(graph_iri))
    body = triples_block(
        as_triples(triples)
    )  # converts every term first: an invalid term raises before any write
    parts = [f"DROP SILENT GRAPH {g}"]
    inserts = [f"GRAPH {g} {{\n{body}\n}}"] if body else []
    if meta_graph_iri is not None:
        meta = str(graph_name(meta_graph_iri))
        subjects = {g} | {sparql_term(s) for s in _subjects(metadata) if not isinstance(s, BNode)}
        parts.append(
            f"DELETE {{ GRAPH {meta} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {meta} {{ "
            f"VALUES ?s {{ {' '.join(sorted(subjects))} }} ?s ?p ?o }} }}"
        )
        meta_body = triples_block(metadata) if metadata is not None else ""
        if meta_body:
            inserts.append(f"GRAPH {meta} {{\n{meta_body}\n}}")
    if inserts:
        parts.append("INSERT DATA {\n" + "\n".join(inserts) + "\n}")
    return " ;\n".join(parts)


def _subjects(graph: Graph | None) -> set[Node]:
    return set(graph.subjects()) if graph is not None else set()


def drop_graph_update(graph_iri: str, meta_graph_iri: str | None) -> str:
    """One SPARQL update removing a report graph and its metadata statements."""
    return swap_graph_update(graph_iri, Graph(), None, meta_graph_iri)


GRAPHS_QUERY = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"


class SparqlUpdateStore(Store):
    """Graph replacement written as one SPARQL update, for backends whose ``_update`` runs a whole update
    atomically (embedded Oxigraph: one transaction; a remote endpoint: one request)."""

    @abstractmethod
    def _update(self, sparql: str) -> None:
        """Send one SPARQL update, applied atomically."""

    def update(self, sparql: str | ScopedUpdate) -> None:
        """One SPARQL update, applied atomically."""
        self._update(sparql if isinstance(sparql, str) else sparql.text())

    def _replace(self, graph_iri: str, triples: Graph, metadata: Graph | None, meta: str | None) -> None:
        self._update(swap_graph_update(graph_iri, triples, metadata, meta))

    def drop_graph(self, graph_iri: str, *, meta_graph_iri: str | None = None) -> None:
        self._update(drop_graph_update(graph_iri, meta_graph_iri or self.meta_graph_iri))

    def graphs(self) -> list[str]:
        return [str(row[0]) for row in self.query(GRAPHS_QUERY).rows]


def check_result_format(fmt: str, kind: ResultKind) -> None:
    """Refuse a result format that does not fit the query form."""
    allowed = GRAPH_FORMATS if kind == "graph" else TABLE_FORMATS
    if fmt not in allowed:
        raise QueryError(f"format {fmt!r} does not fit a {kind} query; use one of {', '.join(allowed)}")


def check_export_format(fmt: str) -> None:
    if fmt not in EXPORT_FORMATS:
        raise StoreError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")


def __getattr__(name: str) -> Any:
    """``graph.store.open_store`` for callers written before :mod:`graph.store_open` (imported only
    when asked for, so importing this module never imports a backend)."""
    if name == "open_store":
        from graph.store_open import open_store

        return open_store
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
