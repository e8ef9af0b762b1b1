"""Per-report-graph tables: the read model's heavy whole-store queries, split by report graph.

A query of ``graph/queries/api`` whose first variable is ``?g`` holds its report-local patterns inside
``GRAPH ?g { … }`` (findings, mentions, leads… live in their report's graph alone), so the rows of one
graph depend on that graph alone: :mod:`api.report_rows` keeps them per graph between builds and, after a
load, reads again only the graphs that changed. What shared nodes (forces, systems, posts, people) are
described with, by any report, is joined in Python over every graph's rows, or read whole-store.

Rows are plain lists of strings (``None`` when unbound), read through the engine's JSON results; each
graph's rows are sorted, so a graph's table is the same whether it was read alone or with the whole store.

:func:`graph_tables` reads several of these queries at once on an embedded Oxigraph store: on disk, by
worker processes that open it read-only (:mod:`graph.report_workers`: no GIL shared); else by a pool of
threads (the engine releases the GIL while it evaluates), each query split into chunks of graphs (a
dataset of those graphs) so that the biggest is not one indivisible job. The graphs are disjoint and each
graph's rows sorted, so the tables are the same as one serial read.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

import orjson
from rdflib import URIRef

from graph import report_workers
from graph.store import QueryError, Store, StoreError

QUERIES = Path(__file__).resolve().parent / "queries" / "api"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
FOAF_NAME = "http://xmlns.com/foaf/0.1/name"
SKOS_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
Row = list[str | None]
#: graph IRI -> that graph's rows (without the graph column), sorted
ByGraph = dict[str, list[Row]]
#: chunks of graphs per query and thread in :func:`graph_tables` (more chunks than threads: the queries'
#: costs differ by a factor of a hundred, and so do graphs', so small jobs keep the threads evenly busy)
CHUNKS_PER_THREAD = 4
log = logging.getLogger(__name__)


@cache
def query_text(name: str) -> str:
    """The text of ``graph/queries/api/{name}.rq``."""
    return (QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def positional(answer: bytes | str) -> tuple[list[str], list[Row]]:
    """SPARQL JSON results as (variables, rows of plain strings in variable order, None when unbound).
    Parsed by orjson (a fifth faster, and the parse holds the GIL while the engine does not), by ``json``
    what orjson refuses (a remote endpoint's lone surrogate escape)."""
    try:
        data = orjson.loads(answer)
    except orjson.JSONDecodeError:
        data = json.loads(answer)
    names = data["head"]["vars"]
    found: list[Row] = []
    append = found.append
    for binding in data["results"]["bindings"]:
        append([cell["value"] if (cell := binding.get(n)) is not None else None for n in names])
    return names, found


def table(store: Store, name: str) -> list[Row]:
    """The rows of the whole-store query ``graph/queries/api/{name}.rq`` as lists in variable order."""
    return positional(store.query_serialized(query_text(name), "json"))[1]


def _sort_key(row: Row) -> list[str]:
    return ["" if v is None else v for v in row]


def split(rows: Iterable[Row]) -> ByGraph:
    """Rows whose first column is the graph, by graph (the column dropped), each graph's rows sorted."""
    found: ByGraph = defaultdict(list)
    for row in rows:
        found[row[0] or ""].append(row[1:])
    for part in found.values():
        part.sort(key=_sort_key)
    return dict(found)


def _embedded(store: Store) -> object | None:
    """The pyoxigraph store of an embedded Oxigraph store (None for the other backends)."""
    from graph.store_oxigraph import OxigraphStore

    return store.store if isinstance(store, OxigraphStore) else None


def restrictable(store: Store) -> bool:
    """Whether :func:`graph_table` can read a few graphs without scanning the rest (embedded Oxigraph: a
    query over a dataset of those graphs; the in-memory store: ``?g`` bound). A remote endpoint is read
    whole (its graphs may change behind any key)."""
    from graph.store_memory import MemoryStore

    return _embedded(store) is not None or isinstance(store, MemoryStore)


def named_graphs(store: Store) -> list[str]:
    """Every named graph of the store, sorted."""
    oxi = _embedded(store)
    if oxi is None:
        return store.graphs()
    return sorted(g.value for g in oxi.named_graphs())  # type: ignore[attr-defined]


def graph_table(store: Store, name: str, graphs: Sequence[str] | None = None) -> ByGraph:
    """The per-graph query ``name`` (first variable ``?g``) by graph: over every named graph, or only over
    ``graphs`` (the graphs' IRIs, never pasted into the query: a dataset, or a bound ``?g``)."""
    text = query_text(name)
    if graphs is None:
        return split(positional(store.query_serialized(text, "json"))[1])
    if not graphs:
        return {}
    oxi = _embedded(store)
    if oxi is None:
        rows: list[Row] = []
        for graph in graphs:
            rows += positional(store.query_serialized(text, "json", {"g": URIRef(graph)}))[1]
        return split(rows)
    import pyoxigraph as ox

    try:
        answer = oxi.query(text, named_graphs=[ox.NamedNode(g) for g in graphs])  # type: ignore[attr-defined]
        data = answer.serialize(format=ox.QueryResultsFormat.JSON)
    except (SyntaxError, ValueError) as exc:  # worded as the store words a whole-store query's errors
        raise QueryError(f"invalid SPARQL: {exc}") from None
    except (OSError, RuntimeError) as exc:
        raise StoreError(f"query failed: {exc}") from None
    return split(positional(data)[1])


def chunks(graphs: Sequence[str], count: int) -> list[list[str]]:
    """``graphs`` in at most ``count`` consecutive chunks of near-equal length (none empty), in order."""
    count = max(1, min(count, len(graphs)))
    size, extra = divmod(len(graphs), count)
    found: list[list[str]] = []
    start = 0
    for i in range(count):
        end = start + size + (1 if i < extra else 0)
        found.append(list(graphs[start:end]))
        start = end
    return found


def graph_tables(
    store: Store, names: Sequence[str], graphs: Sequence[str] | None = None, threads: int = 1
) -> dict[str, ByGraph]:
    """Each per-graph query of ``names`` by graph, as :func:`graph_table` reads it (over every named graph,
    or only ``graphs``). On an embedded Oxigraph store with ``threads`` > 1: by that many worker
    processes when it is on disk and there are enough graphs (:mod:`graph.report_workers`), else by that
    many threads, each query over :data:`CHUNKS_PER_THREAD` chunks of graphs per thread, in the order of
    ``names`` (the biggest first keeps the threads evenly busy); the other backends are read one query
    after another (the in-memory store holds the GIL; a remote endpoint's concurrency is not ours to
    assume). The first error of any chunk (in the order of ``names`` and graphs) is raised, once the
    chunks already running have finished; the others are not started."""
    if threads <= 1 or _embedded(store) is None:
        return {name: graph_table(store, name, graphs) for name in names}
    every = named_graphs(store) if graphs is None else list(graphs)
    workers = report_workers.worker_count(len(every), threads)
    if workers:
        with report_workers.readable_copy(store) as path:
            if path is not None:
                try:
                    texts = {name: query_text(name) for name in names}
                    return report_workers.read_graphs(path, texts, every, workers)
                except report_workers.WorkerError as exc:
                    if exc.kind == report_workers.QUERY_ERROR:
                        raise QueryError(f"invalid SPARQL: {exc}") from None
                    raise StoreError(f"query failed: {exc}") from None
                except OSError as exc:  # a worker could not start or died: the threads read it
                    log.warning("reading the report graphs in processes failed (%s); using threads", exc)
    parts = chunks(every, threads * CHUNKS_PER_THREAD)
    pool = ThreadPoolExecutor(threads, thread_name_prefix="report-tables")
    try:
        jobs = [(name, pool.submit(graph_table, store, name, part)) for name in names for part in parts]
        found: dict[str, ByGraph] = {name: {} for name in names}
        for name, job in jobs:  # in submission order: the same dicts whichever chunk finished first
            found[name].update(job.result())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return found


def values(store: Store, nodes: Iterable[str], predicate: str = RDFS_LABEL) -> dict[str, list[str]]:
    """The values of ``predicate`` (default ``rdfs:label``) of ``nodes`` as any graph states them, sorted:
    node by node on an embedded Oxigraph store, else by ``node_values.rq`` (``?p`` bound)."""
    wanted = set(nodes)
    oxi = _embedded(store)
    found: dict[str, set[str]] = defaultdict(set)
    if oxi is None:
        answer = store.query_serialized(query_text("node_values"), "json", {"p": URIRef(predicate)})
        for node, value in positional(answer)[1]:
            if node in wanted and value is not None:
                found[node].add(value)
        return {node: sorted(v) for node, v in found.items()}
    import pyoxigraph as ox

    # the default graph is the set union of the named graphs, unless the store predates that index
    graph = None if getattr(store, "_union", True) else ox.DefaultGraph()
    named = ox.NamedNode(predicate)
    for node in wanted:
        try:
            subject = ox.NamedNode(node)
        except ValueError:  # not an IRI (a blank node: its values are not looked up)
            continue
        try:
            for quad in oxi.quads_for_pattern(subject, named, None, graph):  # type: ignore[attr-defined]
                if isinstance(quad.object, ox.Literal | ox.NamedNode):
                    found[node].add(quad.object.value)
        except (OSError, RuntimeError) as exc:
            raise StoreError(f"query failed: {exc}") from None
    return {node: sorted(v) for node, v in found.items()}
