"""A real ``hmic-kg serve`` on loopback, queried over HTTP and with SPARQLWrapper."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from SPARQLWrapper import CSV, JSON, POST, TURTLE, SPARQLWrapper

from graph.store_oxigraph import OxigraphStore
from tests.conftest_api import BASE, tiny_graph
from tests.conftest_servers import served

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("serve")
    store = OxigraphStore(data_dir / "oxigraph")
    store.replace_graph(f"{BASE}graph/tiny", tiny_graph(50), None)
    store.close()
    with served(data_dir, "--query-timeout", "2") as base:
        yield base


def test_serve_answers_lookups_and_sparql(server: str) -> None:
    assert httpx.get(f"{server}/forces").json()["total"] == 0
    response = httpx.get(f"{server}/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
    assert response.json()["results"]["bindings"][0]["n"]["value"] == "50"


def test_sparqlwrapper_select_ask_construct(server: str) -> None:
    client = SPARQLWrapper(f"{server}/sparql")
    client.setQuery("SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 5")
    client.setReturnFormat(JSON)
    assert len(client.query().convert()["results"]["bindings"]) == 5
    client.setMethod(POST)
    client.setQuery("ASK { ?s ?p 'value 3' }")
    assert client.query().convert()["boolean"] is True
    client.setQuery("SELECT ?o WHERE { ?s ?p ?o } LIMIT 2")
    client.setReturnFormat(CSV)
    assert client.query().convert().decode().startswith("o\r\n")
    client.setQuery("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3")
    client.setReturnFormat(TURTLE)
    assert b"value" in client.query().convert()


def test_sparqlwrapper_sees_refused_update(server: str) -> None:
    response = httpx.post(f"{server}/sparql", data={"update": "CLEAR ALL"})
    assert response.status_code == 403


def test_runaway_query_on_the_live_server(server: str) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
    started = time.monotonic()
    response = httpx.get(f"{server}/sparql", params={"query": query}, timeout=30)
    assert response.status_code == 503 and response.json()["error"]["code"] == "query_timeout"
    assert time.monotonic() - started < 4.0
    assert httpx.get(f"{server}/forces", timeout=5).status_code == 200
