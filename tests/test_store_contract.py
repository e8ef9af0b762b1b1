"""One contract, four backends: embedded Oxigraph, rdflib in memory, and the remote backend over a real
Oxigraph server and over a real Virtuoso Open Source 7 (``tests/virtuoso_server.py``)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDFS, XSD

from graph.store import QueryError, Store, StoreError
from graph.store_oxigraph import OxigraphStore
from tests.conftest_servers import BACKENDS, META, StoreFactory, oxigraph_server, store_factory  # noqa: F401
from tests.virtuoso_server import virtuoso_server, virtuoso_store  # noqa: F401

EX = Namespace("http://example.org/")
G1 = "http://example.org/graph/one"
G2 = "http://example.org/graph/two"
INJECTION = '"x" } ; DROP ALL ; {'


def report_graph(label: str, n: int = 3) -> Graph:
    graph = Graph()
    for i in range(n):
        thing = EX[f"{label}/{i}"]
        graph.add((thing, RDFS.label, Literal(f"{label} {i}")))
        graph.add((thing, EX.rank, Literal(i, datatype=XSD.integer)))
    graph.add((EX.visor, RDFS.label, Literal("ViSOR")))  # a shared node, asserted by every graph
    graph.add((EX[label], EX.usesSystem, EX.visor))
    graph.add((EX[label], EX.note, Literal('naïve "quoted"\nline', lang="en")))
    return graph


def metadata(graph_iri: str, sha: str) -> Graph:
    meta = Graph()
    meta.add((URIRef(graph_iri), EX.sha256, Literal(sha)))
    return meta


class Exploding(Graph):
    """A graph whose iteration fails half-way, as a mapping bug or a full disk would."""

    def __iter__(self) -> Iterator:  # type: ignore[override]
        for i, triple in enumerate(super().__iter__()):
            if i == 2:
                raise RuntimeError("boom mid-way")
            yield triple


@pytest.fixture(params=[*BACKENDS, "virtuoso"])
def store(request: pytest.FixtureRequest, store_factory: StoreFactory) -> Iterator[Store]:  # noqa: F811
    if request.param != "virtuoso":
        yield store_factory(request.param)
        return
    remote = virtuoso_store(request.getfixturevalue("virtuoso_server"), META)
    yield remote
    remote.close()


def csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8"))))


def snapshot(store: Store) -> set[str]:
    return set(store.export("nquads").decode().splitlines()) - {""}


def test_replace_is_idempotent(store: Store) -> None:
    store.replace_graph(G1, report_graph("a"), metadata(G1, "1"))
    first = store.triple_count()
    store.replace_graph(G1, report_graph("a"), metadata(G1, "1"))
    assert store.triple_count() == first == len(report_graph("a")) + 1
    assert store.triple_count(G1) == len(report_graph("a"))


def test_replace_swaps_graph_and_metadata(store: Store) -> None:
    store.replace_graph(G1, report_graph("a", 5), metadata(G1, "old"))
    store.replace_graph(G1, report_graph("b", 2), metadata(G1, "new"))
    assert store.triple_count(G1) == len(report_graph("b", 2))
    rows = store.query(f"SELECT ?sha WHERE {{ GRAPH <{META}> {{ <{G1}> <{EX.sha256}> ?sha }} }}").rows
    assert rows == [(Literal("new"),)]
    assert not store.query(f"ASK {{ <{EX['a/4']}> ?p ?o }}").boolean


def test_drop_graph_removes_graph_and_metadata(store: Store) -> None:
    store.replace_graph(G1, report_graph("a"), metadata(G1, "1"))
    store.replace_graph(G2, report_graph("b"), metadata(G2, "2"))
    store.drop_graph(G1)
    assert store.graphs() == sorted([G2, META])
    store.drop_graph("http://example.org/graph/never-loaded")  # silent
    assert store.triple_count() == len(report_graph("b")) + 1


def test_default_graph_is_the_union(store: Store) -> None:
    store.replace_graph(G1, report_graph("a"), metadata(G1, "1"))
    store.replace_graph(G2, report_graph("b"), metadata(G2, "2"))
    result = store.query(
        f"SELECT DISTINCT ?force WHERE {{ ?force <{EX.usesSystem}> <{EX.visor}> }} ORDER BY ?force"
    )
    assert result.vars == ("force",)
    assert result.rows == [(EX.a,), (EX.b,)]
    # dropping one report keeps the shared node described by the other
    store.drop_graph(G1)
    assert store.query(f'ASK {{ <{EX.visor}> <{RDFS.label}> "ViSOR" }}').boolean


def test_terms_round_trip(store: Store) -> None:
    store.replace_graph(G1, report_graph("a"), metadata(G1, "1"))
    rows = store.query(
        f"SELECT ?n ?r WHERE {{ <{EX.a}> <{EX.note}> ?n . <{EX['a/2']}> <{EX.rank}> ?r }}"
    ).rows
    assert rows == [(Literal('naïve "quoted"\nline', lang="en"), Literal(2, datatype=XSD.integer))]


def test_bindings_iri_and_literal(store: Store) -> None:
    store.replace_graph(G1, report_graph("a"), metadata(G1, "1"))
    store.replace_graph(G2, report_graph("b"), metadata(G2, "2"))
    sparql = (
        f"SELECT ?force (COUNT(?x) AS ?n) WHERE {{ ?force <{EX.usesSystem}> ?system . "
        f"?system <{RDFS.label}> ?label . ?x <{EX.rank}> ?r FILTER(STRSTARTS(STR(?x), STR(?force))) }} "
        "GROUP BY ?force ORDER BY ?force"
    )
    by_label = store.query(sparql, {"label": Literal("ViSOR")}).rows
    assert [row[0] for row in by_label] == [EX.a, EX.b]
    assert store.query(sparql, {"label": Literal("Nope")}).rows == []
    by_iri = store.query(f"SELECT ?l WHERE {{ ?s <{RDFS.label}> ?l }}", {"s": EX["b/1"]}).rows
    assert by_iri == [(Literal("b 1"),)]


def test_malicious_literal_stays_a_literal(store: Store) -> None:
    store.replace_graph(G1, report_graph("a"), metadata(G1, "1"))
    before = store.triple_count()
    rows = store.query(f"SELECT ?s WHERE {{ ?s <{RDFS.label}> ?label }}", {"label": Literal(INJECTION)}).rows
    assert rows == []
    assert store.triple_count() == before
    with pytest.raises(QueryError):
        store.query("SELECT ?s WHERE { ?s ?p ?o }", {"s } ; DROP ALL ; {": Literal("x")})
    with pytest.raises(QueryError):
        store.query("SELECT ?s WHERE { ?s ?p ?o }", {"s": BNode()})
    assert store.triple_count() == before


def test_serialized_results(store: Store) -> None:
    store.replace_graph(G1, report_graph("a"), metadata(G1, "1"))
    select = f"SELECT ?l WHERE {{ <{EX['a/0']}> <{RDFS.label}> ?l }}"
    data = json.loads(store.query_serialized(select, "json"))
    assert data["head"]["vars"] == ["l"]
    assert data["results"]["bindings"][0]["l"]["value"] == "a 0"
    assert csv_rows(store.query_serialized(select, "csv")) == [["l"], ["a 0"]]  # quoting is the engine's
    assert store.query_serialized(select, "tsv").decode().splitlines() == ["?l", '"a 0"']
    assert b"<sparql" in store.query_serialized(select, "xml")
    assert json.loads(store.query_serialized("ASK { ?s ?p ?o }", "json"))["boolean"] is True
    construct = f"CONSTRUCT {{ ?s <{RDFS.label}> ?l }} WHERE {{ ?s <{RDFS.label}> ?l }}"
    turtle = Graph().parse(data=store.query_serialized(construct, "turtle"), format="turtle")
    assert len(turtle) == 4
    nt = Graph().parse(data=store.query_serialized(construct, "ntriples"), format="nt")
    assert len(nt) == 4
    assert len(store.query(construct).graph) == 4
    with pytest.raises(QueryError):
        store.query_serialized(construct, "csv")
    bound = store.query_serialized(
        f"SELECT ?s WHERE {{ ?s <{RDFS.label}> ?l }}", "csv", {"l": Literal("a 1")}
    )
    assert csv_rows(bound) == [["s"], [str(EX["a/1"])]]


def test_invalid_query_is_a_query_error(store: Store) -> None:
    with pytest.raises(QueryError):
        store.query("SELEC nothing")


def test_export_formats(store: Store) -> None:
    store.replace_graph(G1, report_graph("a"), metadata(G1, "1"))
    store.replace_graph(G2, report_graph("b"), metadata(G2, "2"))
    total = store.triple_count()
    trig = Dataset().parse(data=store.export("trig"), format="trig")
    assert sum(1 for _ in trig.quads((None, None, None, None))) == total
    nquads = Dataset().parse(data=store.export("nquads"), format="nquads")
    assert {str(g.identifier) for g in nquads.graphs() if len(g)} == {G1, G2, META}
    union = Graph().parse(data=store.export("turtle"), format="turtle")
    assert len(union) == total - 1  # the shared ViSOR label is asserted in both graphs
    jsonld = Dataset().parse(data=store.export("jsonld"), format="json-ld")
    assert sum(1 for _ in jsonld.quads((None, None, None, None))) == total
    with pytest.raises(StoreError):
        store.export("graphml")


def test_failing_replace_leaves_store_as_it_was(store: Store) -> None:
    store.replace_graph(G1, report_graph("a"), metadata(G1, "1"))
    before = snapshot(store)
    bad = Exploding()
    for triple in report_graph("b", 10):
        bad.add(triple)
    with pytest.raises(RuntimeError, match="boom"):
        store.replace_graph(G1, bad, metadata(G1, "2"))
    assert snapshot(store) == before
    invalid = report_graph("c")
    invalid.add((URIRef("http://example.org/bad iri"), RDFS.label, Literal("x")))
    with pytest.raises(StoreError):
        store.replace_graph(G1, invalid, metadata(G1, "3"))
    assert snapshot(store) == before


def test_graphs_lists_loaded_graphs(store: Store) -> None:
    assert store.graphs() == []
    store.replace_graph(G2, report_graph("b"), metadata(G2, "2"))
    store.replace_graph(G1, report_graph("a"))
    assert store.graphs() == sorted([G1, G2, META])


def test_oxigraph_persists_across_reopen(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "ox", meta_graph_iri=META)
    store.replace_graph(G1, report_graph("a"), metadata(G1, "1"))
    count = store.triple_count()
    store.close()
    reopened = OxigraphStore(tmp_path / "ox", meta_graph_iri=META)
    assert reopened.triple_count() == count
    assert reopened.graphs() == sorted([G1, META])
    reopened.close()
    read_only = OxigraphStore(tmp_path / "ox", read_only=True)
    assert read_only.triple_count() == count
    with pytest.raises(StoreError, match="read-only"):
        read_only.drop_graph(G1)
    read_only.close()


def test_oxigraph_second_writer_gets_a_clear_error(tmp_path: Path) -> None:
    first = OxigraphStore(tmp_path / "ox")
    with pytest.raises(StoreError, match="in use by another process"):
        OxigraphStore(tmp_path / "ox")
    first.close()


def test_memory_store_persists_to_trig(tmp_path: Path) -> None:
    from graph.store_memory import MemoryStore

    path = tmp_path / "memory.trig"
    store = MemoryStore(path, meta_graph_iri=META)
    store.replace_graph(G1, report_graph("a"), metadata(G1, "1"))
    count = store.triple_count()
    store.close()
    again = MemoryStore(path, meta_graph_iri=META)
    assert again.triple_count() == count
    assert again.graphs() == sorted([G1, META])


def test_update_runs_sparql_update(store: Store) -> None:
    store.update(f'INSERT DATA {{ GRAPH <{G1}> {{ <{EX.s}> <{EX.p}> "o" }} }}')
    assert store.triple_count(G1) == 1
    with pytest.raises(QueryError):
        store.update("INSERT NONSENSE")
    assert store.triple_count(G1) == 1


def test_readers_see_old_or_new_graph_during_replaces(store: Store) -> None:
    import threading

    small, large = report_graph("a", 2), report_graph("b", 40)
    store.replace_graph(G1, small)
    sizes = {len(small), len(large)}
    seen: list[int] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            row = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{G1}> {{ ?s ?p ?o }} }}").rows[0]
            seen.append(int(row[0]))  # type: ignore[arg-type]

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for i in range(20):
            store.replace_graph(G1, large if i % 2 == 0 else small)
    finally:
        stop.set()
        thread.join()
    assert seen and set(seen) <= sizes


def test_values_injection_finds_the_where_group() -> None:
    from graph.terms import inject_values, where_brace

    text = 'PREFIX where: <http://x/where#> SELECT ?where WHERE { ?s ?p "WHERE {" } # WHERE {'
    assert text[where_brace(text)] == "{" and where_brace(text) == text.index("WHERE {") + 6
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    assert inject_values(construct, {"s": EX.a}).startswith(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES (?s) {{ (<{EX.a}>) }}"
    )
    assert "VALUES (?x)" in inject_values("ASK { ?x ?p ?o }", {"x": Literal(INJECTION)})
    assert '"\\"x\\" } ; DROP ALL ; {"' in inject_values("ASK { ?x ?p ?o }", {"x": Literal(INJECTION)})


def test_config_validation_and_env(tmp_path: Path) -> None:
    from graph.config import ConfigError, GraphConfig

    config = GraphConfig.from_env(
        {"HMIC_KG_BACKEND": "memory", "HMIC_KG_DATA_DIR": str(tmp_path), "HMIC_KG_TIMEOUT": "5"},
        base_iri=None,
    )
    assert (config.backend, config.data_dir, config.timeout_s) == ("memory", tmp_path, 5.0)
    assert GraphConfig.from_env({"HMIC_KG_BACKEND": "memory"}, backend="oxigraph").backend == "oxigraph"
    for bad in (
        {"backend": "sqlite"},
        {"base_iri": "ftp://x/"},
        {"base_iri": "http://x/id"},
        {"backend": "remote"},
    ):
        with pytest.raises(ConfigError):
            GraphConfig(**bad)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="query_url"):
        GraphConfig(backend="remote", query_url="file:///etc/passwd")


def test_open_store_uses_the_config(tmp_path: Path) -> None:
    from graph.config import GraphConfig
    from graph.store import open_store

    store = open_store(GraphConfig(data_dir=tmp_path, backend="oxigraph"))
    assert store.meta_graph_iri == "http://127.0.0.1:8000/id/graph/meta"
    store.replace_graph(G1, report_graph("a"), metadata(G1, "1"))
    store.close()
    assert (tmp_path / "oxigraph").is_dir()
    memory = open_store(GraphConfig(data_dir=tmp_path, backend="memory"))
    memory.replace_graph(G1, report_graph("a"))
    memory.close()
    assert (tmp_path / "memory.trig").is_file()
