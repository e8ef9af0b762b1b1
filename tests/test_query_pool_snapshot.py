"""The SPARQL workers read a backup of the embedded store, one per store generation."""

from __future__ import annotations

import json
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from api.query_pool import QueryPool
from graph.store_oxigraph import OxigraphStore

B = "http://example.org/"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _graph(n: int) -> Graph:
    graph = Graph()
    for i in range(n):
        graph.add((URIRef(f"{B}s"), URIRef(f"{B}p"), Literal(i)))
    return graph


def _count(pool: QueryPool) -> int:
    request = {"sparql": COUNT, "table_format": "json", "graph_format": "turtle", "max_rows": 100}
    reply = pool.run(request, timeout_s=30)
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
