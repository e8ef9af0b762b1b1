"""The embedded Oxigraph store keeps its default graph the duplicate-free union of its named graphs."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef

from graph.store import StoreError
from graph.store_oxigraph import OxigraphStore

B = "http://example.org/"
META = f"{B}graph/meta"
POOL = [
    (URIRef(f"{B}s{i % 4}"), URIRef(f"{B}p{i % 3}"), Literal(f"o{i % 5}") if i % 2 else URIRef(f"{B}o{i}"))
    for i in range(12)
]


def named_union(store: OxigraphStore) -> set[tuple[str, str, str]]:
    raw = store.store
    found = set()
    for name in raw.named_graphs():
        found |= {
            (str(q.subject), str(q.predicate), str(q.object))
            for q in raw.quads_for_pattern(None, None, None, name)
        }
    return found


def default_graph(store: OxigraphStore) -> list[tuple[str, str, str]]:
    quads = store.store.quads_for_pattern(None, None, None, ox.DefaultGraph())
    return [(str(q.subject), str(q.predicate), str(q.object)) for q in quads]


def assert_indexed(store: OxigraphStore) -> None:
    default = default_graph(store)
    assert len(default) == len(set(default))
    assert set(default) == named_union(store)


def graph_of(indices: list[int]) -> Graph:
    graph = Graph()
    for i in indices:
        graph.add(POOL[i])
    return graph


def metadata(name: str, n: int) -> Graph:
    meta = Graph()
    meta.add((URIRef(f"{B}graph/{name}"), URIRef(f"{B}size"), Literal(n)))
    return meta


OPERATION = st.one_of(
    st.tuples(
        st.just("replace"), st.sampled_from("abc"), st.lists(st.integers(0, len(POOL) - 1), max_size=8)
    ),
    st.tuples(st.just("drop"), st.sampled_from("abc"), st.just([])),
    st.tuples(st.just("update"), st.sampled_from("abc"), st.lists(st.integers(0, len(POOL) - 1), max_size=2)),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(OPERATION, max_size=12))
def test_every_operation_keeps_the_index(operations: list[tuple[str, str, list[int]]]) -> None:
    store = OxigraphStore(None, meta_graph_iri=META)
    for op, name, indices in operations:
        graph = f"{B}graph/{name}"
        if op == "replace":
            store.replace_graph(graph, graph_of(indices), metadata(name, len(indices)))
        elif op == "drop":
            store.drop_graph(graph)
        else:
            body = " ".join(f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in (POOL[i] for i in indices))
            store.update(f"INSERT DATA {{ GRAPH <{graph}> {{ {body} }} }} ;")
        assert_indexed(store)
    # the union a query sees counts each shared triple once, however many graphs hold it
    rows = store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }").rows
    assert len(rows) == len(set(rows)) == len(named_union(store))


def test_a_triple_shared_by_many_graphs_matches_once() -> None:
    store = OxigraphStore(None, meta_graph_iri=META)
    for n in range(5):
        store.replace_graph(f"{B}graph/r{n}", graph_of([0, 1, n + 2]))
    count = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ <{B}s0> ?p ?o }}").rows[0][0]
    assert int(count) == len({t for t in POOL[:7] if t[0] == POOL[0][0]})  # type: ignore[arg-type]
    store.drop_graph(f"{B}graph/r0")
    assert_indexed(store)
    assert store.triple_count() == 4 * 3
    assert store.graphs() == [f"{B}graph/r{n}" for n in range(1, 5)]


def test_export_holds_the_named_graphs_only() -> None:
    store = OxigraphStore(None, meta_graph_iri=META)
    store.replace_graph(f"{B}graph/a", graph_of([0, 1]), metadata("a", 2))
    quads = list(ox.parse(store.export("nquads"), format=ox.RdfFormat.N_QUADS))
    assert quads and all(not isinstance(q.graph_name, ox.DefaultGraph) for q in quads)
    assert len(quads) == store.triple_count() == 3
    assert len(Graph().parse(data=store.export("ntriples"), format="nt")) == 3


def test_a_failed_replace_leaves_graphs_and_index_as_they_were() -> None:
    store = OxigraphStore(None, meta_graph_iri=META)
    store.replace_graph(f"{B}graph/a", graph_of([0, 1]), metadata("a", 2))
    before = sorted(map(str, store.store))
    bad = graph_of([2])
    bad.add((URIRef("http://example.org/bad iri"), POOL[0][1], POOL[0][2]))
    with pytest.raises(StoreError, match="invalid"):
        store.replace_graph(f"{B}graph/a", bad, metadata("a", 9))
    assert sorted(map(str, store.store)) == before


def _legacy_store(path: Path) -> None:
    """A store as written before the index: named graphs only."""
    raw = ox.Store(str(path))
    raw.extend(
        ox.Quad(
            ox.NamedNode(f"{B}s"),
            ox.NamedNode(f"{B}p"),
            ox.Literal(str(n)),
            ox.NamedNode(f"{B}graph/{n % 2}"),
        )
        for n in range(4)
    )
    raw.extend(
        [
            ox.Quad(
                ox.NamedNode(f"{B}s"),
                ox.NamedNode(f"{B}p"),
                ox.Literal("shared"),
                ox.NamedNode(f"{B}graph/{n}"),
            )
            for n in range(2)
        ]
    )
    raw.flush()
    del raw


def test_a_store_written_before_the_index_is_indexed_when_opened(tmp_path: Path) -> None:
    _legacy_store(tmp_path / "ox")
    store = OxigraphStore(tmp_path / "ox", meta_graph_iri=META)
    assert_indexed(store)
    assert store.graphs() == [f"{B}graph/0", f"{B}graph/1"]
    assert len(store.query("SELECT ?o WHERE { ?s ?p ?o }").rows) == 5
    store.close()


def test_a_read_only_store_without_the_index_falls_back_to_the_union(tmp_path: Path) -> None:
    _legacy_store(tmp_path / "ox")
    store = OxigraphStore(tmp_path / "ox", read_only=True, meta_graph_iri=META)
    values = sorted(str(r[0]) for r in store.query("SELECT DISTINCT ?o WHERE { ?s ?p ?o }").rows)
    assert values == ["0", "1", "2", "3", "shared"]
    assert store.triple_count() == 6
    store.close()
