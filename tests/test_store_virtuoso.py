"""The remote backend over Virtuoso Open Source 7: partial ("anytime" / row-limited) answers are errors,
and the API works over a Virtuoso holding the sample reports (load, query, export, drop)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from rdflib import Dataset, Graph, Literal, URIRef

from api.app import create_app
from graph.iris import Iris
from graph.loading import load_paths
from graph.store import StoreError
from graph.store_remote import RemoteStore
from tests.conftest_api import BASE, REPORTS, settings
from tests.virtuoso_server import MAX_ROWS, VirtuosoServer, virtuoso_server, virtuoso_store  # noqa: F401

pytestmark = pytest.mark.server
RESULTS = "application/sparql-results+json"
VIRTRDF = "http://www.openlinksw.com/schemas/virtrdf#"
#: more rows than the server's ResultSetMaxRows: a self-join of Virtuoso's own (always present) graph
OVER_LIMIT = (
    f"SELECT ?a ?d WHERE {{ GRAPH <{VIRTRDF}> {{ ?a ?b ?c }} GRAPH <{VIRTRDF}> {{ ?d ?e ?f }} }} "
    f"LIMIT {MAX_ROWS + 1000}"
)


def test_row_limited_answer_is_an_error_never_a_short_result(virtuoso_server: VirtuosoServer) -> None:  # noqa: F811
    store = RemoteStore(virtuoso_server.sparql_url)
    try:
        with pytest.raises(StoreError, match="partial"):
            store.query(OVER_LIMIT)
        with pytest.raises(StoreError, match="partial"):
            store.query_serialized(OVER_LIMIT, "csv")
        assert len(store.query(OVER_LIMIT.replace(f"LIMIT {MAX_ROWS + 1000}", "LIMIT 10")).rows) == 10
    finally:
        store.close()


@pytest.mark.parametrize(
    "headers",
    [
        {"X-SQL-State": "S1TAT", "X-SQL-Message": "RC...: Returning incomplete results, query interrupted"},
        {"X-SPARQL-MaxRows": "10000"},
        {"X-HMIC-Truncated": "true", "X-HMIC-Row-Limit": "10000"},
    ],
)
def test_anytime_headers_are_reported_as_errors(headers: dict[str, str]) -> None:
    body = {"head": {"vars": ["s"]}, "results": {"bindings": []}}

    def answer(_: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, json=body, headers={"Content-Type": "application/sparql-results+json", **headers}
        )

    store = RemoteStore("http://x.invalid/sparql", client=httpx.Client(transport=httpx.MockTransport(answer)))
    with pytest.raises(StoreError, match=r"partial|cut"):
        store.query("SELECT ?s WHERE { ?s ?p ?o }")


@pytest.fixture(scope="module")
def loaded(virtuoso_server: VirtuosoServer) -> Iterator[RemoteStore]:  # noqa: F811
    iris = Iris(BASE)
    store = virtuoso_store(virtuoso_server, str(iris.meta_graph()))
    summary = load_paths(store, [REPORTS], iris)
    assert summary.files_failed == 0, [r.error for r in summary.results if not r.ok]
    yield store
    store.close()


def test_the_api_over_virtuoso(loaded: RemoteStore) -> None:
    with TestClient(create_app(settings(), store=loaded)) as client:
        forces = client.get("/forces").json()
        assert {"nottinghamshire", "northamptonshire"} <= {f["id"] for f in forces["items"]}
        force = client.get("/id/force/nottinghamshire", headers={"Accept": "text/turtle"})
        assert force.status_code == 200 and b"Nottinghamshire" in force.content
        ask = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
        assert ask.status_code == 200 and ask.json() == {"head": {}, "boolean": True}
        tsv = client.get(
            "/sparql",
            params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?t }"},
            headers={"Accept": "text/tab-separated-values"},
        )
        assert tsv.status_code == 200 and tsv.text.startswith("?n\n")  # standard TSV, whatever the engine


def test_export_and_drop_over_virtuoso(loaded: RemoteStore) -> None:
    dataset = Dataset().parse(data=loaded.export("nquads"), format="nquads")
    assert len(list(dataset.quads((None, None, None, None)))) == loaded.triple_count() > 1000
    assert not any(str(g.identifier).startswith("http://www.openlinksw.com/") for g in dataset.graphs())
    reports = [g for g in loaded.graphs() if g.endswith("-2007")]  # the two sample reports' graphs
    assert len(reports) == 2
    before = loaded.triple_count()
    loaded.drop_graph(reports[0])
    assert loaded.triple_count() < before and reports[0] not in loaded.graphs()


def test_a_failed_staged_replace_drops_its_staging_graph_and_keeps_the_old_one() -> None:
    """Regression: on an engine that takes a graph in parts, a failure part-way must not touch <g>."""
    sent: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        text = request.content.decode()
        sent.append(text)
        if "INSERT DATA" in text and len(sent) == 3:  # the second part fails
            return httpx.Response(500, text="out of space", headers={"Server": "Virtuoso/07.20"})
        results = {"head": {}, "boolean": True}
        return httpx.Response(
            200, json=results, headers={"Server": "Virtuoso/07.20", "Content-Type": RESULTS}
        )

    store = RemoteStore(
        "http://x.invalid/sparql",
        "http://x.invalid/sparql",
        client=httpx.Client(transport=httpx.MockTransport(answer)),
    )
    graph = Graph()
    for i in range(1200):
        graph.add((URIRef(f"http://e/s{i}"), URIRef("http://e/p"), Literal(i)))
    with pytest.raises(StoreError):
        store.replace_graph("http://e/g", graph)
    assert "MOVE" not in " ".join(sent) and "<http://e/g>" not in " ".join(sent)
    assert sent[-1].startswith("DROP SILENT GRAPH <http://e/g-staging-")
