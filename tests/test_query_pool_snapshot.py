"""The SPARQL workers read a backup of the embedded store, one per store generation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from api.query_pool import QueryPool, QueryTimeout
from graph.store_oxigraph import OxigraphStore

B = "http://example.org/"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _graph(n: int) -> Graph:
    graph = Graph()
    for i in range(n):
        graph.add((URIRef(f"{B}s"), URIRef(f"{B}p"), Literal(i)))
    return graph


def _request(sparql: str) -> dict[str, object]:
    return {"sparql": sparql, "table_format": "json", "graph_format": "turtle", "max_rows": 100}


def _count(pool: QueryPool) -> int:
    reply = pool.run(_request(COUNT), timeout_s=30)
    assert reply["ok"], reply
    return int(json.loads(reply["body"])["results"]["bindings"][0]["n"]["value"])


def test_workers_query_a_backup_and_follow_new_generations(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "ox")
    store.replace_graph(f"{B}graph/a", _graph(3))
    pool = QueryPool(1)
    try:
        assert pool.set_snapshot_store("g1", store.backup_to)
        first = pool._snapshot[1]  # type: ignore[index]
        assert first.is_dir()
        assert _count(pool) == 3  # the default graph: the index the backup carries
        store.replace_graph(f"{B}graph/b", _graph(5))  # shares 3 triples with graph a
        assert pool.set_snapshot_store("g2", store.backup_to)
        assert _count(pool) == 5
        store.drop_graph(f"{B}graph/a")
        assert pool.set_snapshot_store("g3", store.backup_to)
        assert _count(pool) == 5
        assert not first.exists()  # retired directories are removed after one more generation
    finally:
        pool.close()
        store.close()


def test_an_in_memory_store_has_no_backup(tmp_path: Path) -> None:
    store = OxigraphStore(None)
    assert not store.backup_to(tmp_path / "copy")
    pool = QueryPool(1)
    try:
        assert not pool.set_snapshot_store("g1", store.backup_to)
        assert pool.generation is None
    finally:
        pool.close()


RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def test_a_preloaded_pool_has_every_worker_open_the_store_before_the_first_query(tmp_path: Path) -> None:
    """Regression (issue 13 bench: each query pool's first query took 0.41 and 0.71 s, so our first
    /sparql comparisons were slower than stock Oxigraph): ``serve`` starts the pool with the read model,
    every worker opens the store's checkpoint then, and the first query opens nothing."""
    from api.runtime import Runtime
    from tests.conftest_api import settings

    store = OxigraphStore(tmp_path / "ox")
    store.replace_graph(f"{B}graph/a", _graph(300))
    runtime = Runtime(settings(query_workers=2, query_timeout_s=1.0), store)
    try:
        runtime.preload(queries=True).join(timeout=120)
        pool = runtime._pool
        assert pool is not None and pool.generation == runtime.generation(store)
        published = str(pool._snapshot[1])  # type: ignore[index]
        assert [s["store"] for s in pool.statuses()] == [published, published]
        assert _count(runtime.pool(store)) == 300
        assert pool.opened_on_query == 0
        with pytest.raises(QueryTimeout):  # a runaway query: its worker is killed and replaced
            pool.run(_request(RUNAWAY), timeout_s=0.5)
        assert [s["store"] for s in pool.statuses()] == [published, published]  # the new one too
        assert _count(pool) == 300 and pool.opened_on_query == 0
    finally:
        runtime.close()
        store.close()


def test_an_nquads_snapshot_is_opened_by_every_idle_worker_when_published() -> None:
    pool = QueryPool(2)
    try:
        pool.set_snapshot("g1", _graph(4).serialize(format="nt").encode("utf-8"))
        assert {s["store"] for s in pool.statuses()} == {str(pool._snapshot[1])}  # type: ignore[index]
        assert _count(pool) == 4 and pool.opened_on_query == 0
    finally:
        pool.close()
