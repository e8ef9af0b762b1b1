"""The store interface every backend implements, the query result type, and :func:`open_store`.

Contract (tested by ``tests/test_store_contract.py`` against every backend):

* one named graph per report; ``replace_graph`` swaps a report graph and its entry in the metadata
  graph atomically: a reader sees the old complete graph or the new complete one, never a mix, and a
  replace that fails leaves the store exactly as it was;
* queries see the union of all named graphs as their default graph;
* query parameters are bound by the engine (``initBindings``, SEP-0007 substitutions) or by a
  ``VALUES`` clause built from serialised terms, never by pasting text into the query.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Literal, Protocol, runtime_checkable

import pyoxigraph as ox
from rdflib import BNode, Graph
from rdflib.term import Node

from graph.terms import TermError, as_triples, graph_name, sparql_term, triples_block

if TYPE_CHECKING:
    from graph.config import GraphConfig

Bindings = Mapping[str, Node]
ResultKind = Literal["select", "ask", "graph"]

#: result format name -> (pyoxigraph format, media type); tabular formats for SELECT/ASK, RDF for graphs.
TABLE_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}
#: export format name -> pyoxigraph format; dataset formats keep the named graphs, others are the union.
EXPORT_FORMATS: dict[str, ox.RdfFormat] = {
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
}
DATASET_FORMATS = frozenset({"trig", "nquads", "jsonld"})
#: prefixes for readable Turtle/TriG exports (docs/graph-model.md).
PREFIXES: dict[str, str] = {
    "hmic": "https://w3id.org/hmic-kg/ontology#",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "schema": "https://schema.org/",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "oa": "http://www.w3.org/ns/oa#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


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


@runtime_checkable
class Store(Protocol):
    """A quad store holding one named graph per report plus a metadata graph."""

    supports_transactions: ClassVar[bool]
    persistent: ClassVar[bool]
    remote: ClassVar[bool]

    meta_graph_iri: str | None

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
        ...

    def drop_graph(self, graph_iri: str, *, meta_graph_iri: str | None = None) -> None:
        """Remove a named graph and its statements in the metadata graph; silent if absent."""
        ...

    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 update (one transaction where the backend has them)."""
        ...

    def graphs(self) -> list[str]:
        """IRIs of the non-empty named graphs, sorted."""
        ...

    def query(self, sparql: str, bindings: Bindings | None = None) -> QueryResult:
        """Run a SPARQL query over the union of the named graphs."""
        ...

    def query_serialized(self, sparql: str, result_format: str, bindings: Bindings | None = None) -> bytes:
        """Run a query and serialise its answer: json/xml/csv/tsv for SELECT and ASK,
        turtle/ntriples/rdfxml/jsonld for CONSTRUCT and DESCRIBE."""
        ...

    def export(self, fmt: str) -> bytes:
        """The whole store: trig/nquads/jsonld keep the named graphs; turtle/ntriples are the union."""
        ...

    def triple_count(self, graph_iri: str | None = None) -> int:
        """Number of triples in one named graph, or quads in the whole store."""
        ...

    def close(self) -> None:
        """Flush and release the store (idempotent)."""
        ...


def meta_graph_for(store: Store, meta_graph_iri: str | None, metadata: Graph | None) -> str | None:
    """The metadata graph to use: the explicit one, else the store's; required when metadata is given."""
    meta = meta_graph_iri or store.meta_graph_iri
    if meta is None and metadata is not None and len(metadata):
        raise StoreError("no metadata graph IRI: pass meta_graph_iri or open the store with one")
    return meta


def replace_update(graph_iri: str, triples: Graph, metadata: Graph | None, meta_graph_iri: str | None) -> str:
    """One SPARQL update that swaps a report graph and its metadata (atomic where updates are)."""
    try:
        return _replace_update(graph_iri, triples, metadata, meta_graph_iri)
    except TermError as exc:
        raise StoreError(str(exc)) from None


def _replace_update(
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


def drop_update(graph_iri: str, meta_graph_iri: str | None) -> str:
    """One SPARQL update removing a report graph and its metadata statements."""
    return replace_update(graph_iri, Graph(), None, meta_graph_iri)


GRAPHS_QUERY = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"


class SparqlUpdateStore:
    """Graph replacement written as one SPARQL update, for backends whose ``_update`` runs a whole update
    atomically (embedded Oxigraph: one transaction; a remote endpoint: one request)."""

    meta_graph_iri: str | None

    def _update(self, sparql: str) -> None:  # pragma: no cover - provided by the backend
        raise NotImplementedError

    def query(self, sparql: str, bindings: Bindings | None = None) -> QueryResult:  # pragma: no cover
        raise NotImplementedError

    def update(self, sparql: str) -> None:
        """One SPARQL update, applied atomically."""
        self._update(sparql)

    def replace_graph(
        self,
        graph_iri: str,
        triples: Graph,
        metadata: Graph | None = None,
        *,
        meta_graph_iri: str | None = None,
    ) -> None:
        meta = meta_graph_for(self, meta_graph_iri, metadata)  # type: ignore[arg-type]
        self._update(replace_update(graph_iri, triples, metadata, meta))

    def drop_graph(self, graph_iri: str, *, meta_graph_iri: str | None = None) -> None:
        self._update(drop_update(graph_iri, meta_graph_iri or self.meta_graph_iri))

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


def open_store(config: GraphConfig) -> Store:
    """Open the backend ``config.backend`` names (nothing is opened at import time)."""
    meta = f"{config.base_iri}graph/meta"  # the contract's metadata graph (docs/graph-model.md)
    if config.backend == "oxigraph":
        from graph.store_oxigraph import OxigraphStore

        return OxigraphStore(config.data_dir / "oxigraph", read_only=config.read_only, meta_graph_iri=meta)
    if config.backend == "memory":
        from graph.store_memory import MemoryStore

        return MemoryStore(config.data_dir / "memory.trig", meta_graph_iri=meta)
    from graph.store_remote import RemoteStore

    assert config.query_url is not None  # GraphConfig validates this
    return RemoteStore(
        config.query_url,
        config.update_url,
        store_url=config.store_url,
        timeout_s=config.timeout_s,
        meta_graph_iri=meta,
        update_token=config.update_token,
    )
