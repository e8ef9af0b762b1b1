"""The /sparql endpoint: protocol, formats, limits and safety (in-process, over a tiny store)."""

from __future__ import annotations

import json
import os
import threading
import time

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Namespace, URIRef

from api import sparql_guard as guard
from api import sparql_protocol as protocol
from api.app import create_app
from api.errors import ApiError
from graph.store_oxigraph import OxigraphStore
from tests.conftest import a_descendant_works, cpu_seconds, eventually
from tests.conftest_api import BASE, TOKEN, settings

pytest_plugins = ["tests.conftest_api"]

SELECT_ALL = "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s"
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
HMIC = Namespace("https://w3id.org/hmic-kg/ontology#")
FORM = "application/x-www-form-urlencoded"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def test_get_select_defaults_to_sparql_json_and_reports_truncation(sparql_client: TestClient) -> None:
    response = sparql_client.get("/sparql", params={"query": SELECT_ALL})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    body = response.json()
    assert body["head"]["vars"] == ["s", "o"]
    assert len(body["results"]["bindings"]) == 100  # row limit of the fixture app
    assert set(body) == {"head", "results"}  # exactly the standard's members: truncation is in a header
    assert response.headers["x-hmic-truncated"] == "true"


def test_small_result_is_not_truncated(sparql_client: TestClient) -> None:
    response = sparql_client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3"})
    assert response.headers["x-hmic-truncated"] == "false"
    assert "truncated" not in response.json()


@pytest.mark.parametrize(
    ("accept", "media", "marker"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml", b"<sparql"),
        ("text/csv", "text/csv", b"n\r\n300"),
        ("text/tab-separated-values", "text/tab-separated-values", b"?n\n300"),
        ("application/json", "application/sparql-results+json", b'"vars":["n"]'),
    ],
)
def test_select_formats_by_accept(sparql_client: TestClient, accept: str, media: str, marker: bytes) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    response = sparql_client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert marker in response.content


def test_ask_and_post_forms(sparql_client: TestClient) -> None:
    form = sparql_client.post("/sparql", data={"query": "ASK { ?s ?p ?o }"})
    assert form.json() == {"head": {}, "boolean": True}
    direct = sparql_client.post(
        "/sparql", content="ASK { ?s ?p 'nothing' }", headers={"Content-Type": "application/sparql-query"}
    )
    assert direct.json()["boolean"] is False


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("text/turtle", "text/turtle"),
        ("application/n-triples", "application/n-triples"),
        ("application/ld+json", "application/ld+json"),
    ],
)
def test_construct_formats(sparql_client: TestClient, accept: str, media: str) -> None:
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o FILTER(?s = <{BASE}thing/7>) }}"
    response = sparql_client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert b"value 7" in response.content
    if media == "application/ld+json":
        assert json.loads(response.content)[0]["@id"] == f"{BASE}thing/7"


def test_syntax_error_is_400_with_parser_message(sparql_client: TestClient) -> None:
    response = sparql_client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p "})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "syntax_error" and "at line 1, column 24" in error["message"]
    assert "\\u{" not in error["message"] and "a name" in error["message"]  # no wall of Unicode ranges


def test_unknown_prefix_error_names_the_prefix(sparql_client: TestClient) -> None:
    response = sparql_client.get("/sparql", params={"query": "SELECT * WHERE { ex:a ?p ?o }"})
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("unknown prefix ex:")
    known = sparql_client.get("/sparql", params={"query": "SELECT * WHERE { ?s a hmic:Force }"})
    assert "PREFIX hmic: <https://w3id.org/hmic-kg/ontology#>" in known.json()["error"]["message"]


@pytest.mark.parametrize(
    ("data", "headers"),
    [
        ({"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}, {}),
        ({"query": "DELETE WHERE { ?s ?p ?o }"}, {}),
        ({"update": "DROP ALL"}, {"Authorization": "Bearer wrong-token-123"}),
    ],
)
def test_updates_are_refused_without_the_token(sparql_client: TestClient, data: dict, headers: dict) -> None:
    response = sparql_client.post("/sparql", data=data, headers=headers)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "update_forbidden"
    assert sparql_client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True


def test_direct_update_is_refused(sparql_client: TestClient) -> None:
    response = sparql_client.post(
        "/sparql", content="CLEAR ALL", headers={"Content-Type": "application/sparql-update"}
    )
    assert response.status_code == 403


def test_update_with_token_changes_what_queries_see() -> None:
    store = OxigraphStore(None)
    with TestClient(create_app(settings(update_token=TOKEN), store=store)) as client:
        ask = {"query": "ASK { <urn:x:a> <urn:x:b> 'c' }"}
        assert client.get("/sparql", params=ask).json()["boolean"] is False
        response = client.post(
            "/sparql",
            content="INSERT DATA { GRAPH <urn:x:g> { <urn:x:a> <urn:x:b> 'c' } }",
            headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
        )
        assert response.status_code == 204
        assert client.get("/sparql", params=ask).json()["boolean"] is True


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "select * where { service silent <http://example.org/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o . " + "?s ?p ?o . " * 300 + "SERVICE <http://e/> { ?s ?p ?o } }",
    ],
)
def test_service_is_refused(sparql_client: TestClient, query: str) -> None:
    response = sparql_client.post("/sparql", data={"query": query})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "service_refused"


def test_load_is_refused_even_with_the_token(sparql_client: TestClient) -> None:
    response = sparql_client.post(
        "/sparql",
        data={"update": "LOAD <http://example.org/data.ttl>"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "load_refused"


def test_keywords_in_strings_comments_and_names_are_not_refused(sparql_client: TestClient) -> None:
    query = 'PREFIX ex: <http://e/#> SELECT ?service WHERE { ?service ?p "SERVICE LOAD" } # SERVICE\nLIMIT 1'
    assert sparql_client.get("/sparql", params={"query": query}).status_code == 200


def test_guard_classifies_and_scans() -> None:
    assert guard.classify("PREFIX a: <http://a/> INSERT DATA { a:x a:y a:z }") == "update"
    assert guard.classify("# INSERT\nSELECT * {}") == "query"
    with pytest.raises(ApiError):
        guard.check("SELECT * WHERE { SERVICE <http://x/> {} }")


def test_query_size_limit(sparql_client: TestClient) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 120_000
    response = sparql_client.post("/sparql", data={"query": query})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "query_too_large"


def test_unsupported_body_type_and_missing_query(sparql_client: TestClient) -> None:
    assert (
        sparql_client.post("/sparql", content="x", headers={"Content-Type": "text/plain"}).status_code == 415
    )
    assert sparql_client.get("/sparql", params={"query": ""}).status_code == 400


def test_cors_for_yasgui(sparql_client: TestClient) -> None:
    response = sparql_client.get(
        "/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://yasgui.triply.cc"}
    )
    assert response.headers["access-control-allow-origin"] == "*"


def test_runaway_query_is_stopped_while_other_requests_answer(sparql_client: TestClient) -> None:
    result: dict = {}
    # the first /forces builds the read model; warm it first, so what is timed below is a lookup
    # answered while the runaway query runs, not the build
    assert sparql_client.get("/forces").status_code == 200

    def run() -> None:
        started = time.monotonic()
        result["response"] = sparql_client.get("/sparql", params={"query": RUNAWAY})
        result["elapsed"] = time.monotonic() - started

    before = cpu_seconds(os.getpid())
    thread = threading.Thread(target=run)
    thread.start()
    eventually(lambda: a_descendant_works(os.getpid(), before), "a query worker runs the runaway query")
    started = time.monotonic()
    other = sparql_client.get("/forces")
    assert other.status_code == 200
    assert time.monotonic() - started < 1.0
    small = sparql_client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert small.status_code == 200
    thread.join(30)
    response = result["response"]
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "query_timeout"
    assert "exceeded the 2 s time limit" in error["message"]
    assert result["elapsed"] < 2.0 + 2.0
    # the killed worker was replaced: queries still run
    assert sparql_client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code == 200


def test_named_graphs_alone_leave_the_default_graph_empty(sparql_client: TestClient) -> None:
    """SPARQL 1.1 §13.2: named-graph-uri without default-graph-uri -> empty default graph."""
    params = {"query": "ASK { ?s ?p ?o }", "named-graph-uri": f"{BASE}graph/tiny"}
    assert sparql_client.get("/sparql", params=params).json()["boolean"] is False
    named = {"query": "ASK { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": f"{BASE}graph/tiny"}
    assert sparql_client.get("/sparql", params=named).json()["boolean"] is True
    default = {"query": "ASK { ?s ?p ?o }", "default-graph-uri": f"{BASE}graph/tiny"}
    assert sparql_client.get("/sparql", params=default).json()["boolean"] is True


@pytest.mark.parametrize(
    ("url", "content", "content_type", "parameter"),
    [
        ("/sparql?query=ASK%20%7B%7D", "ASK {}", "application/sparql-query", "query"),
        ("/sparql?query=ASK%20%7B%7D", "query=ASK+%7B%7D", "application/x-www-form-urlencoded", "query"),
        ("/sparql?format=json&format=xml", "ASK {}", "application/sparql-query", "format"),
        ("/sparql?default-graph-uri=not-an-iri", "ASK {}", "application/sparql-query", "default-graph-uri"),
    ],
)
def test_protocol_conflicts_are_400_naming_the_parameter(
    sparql_client: TestClient, url: str, content: str, content_type: str, parameter: str
) -> None:
    response = sparql_client.post(url, content=content, headers={"Content-Type": content_type})
    assert response.status_code == 400
    assert response.json()["error"]["parameter"] == parameter


def test_query_in_the_url_of_a_form_post_without_one_in_the_body_is_read(sparql_client: TestClient) -> None:
    response = sparql_client.post(
        "/sparql?query=ASK%20%7B%7D", content="format=json", headers={"Content-Type": FORM}
    )
    assert response.status_code == 200 and response.json()["boolean"] is True


def test_repeated_identical_format_is_one_value(sparql_client: TestClient) -> None:
    response = sparql_client.get("/sparql?query=ASK%20%7B%7D&format=xml&format=xml")
    assert response.status_code == 200 and b"<boolean>true</boolean>" in response.content


def test_using_graph_uri_becomes_using_clauses() -> None:
    params = {"using-graph-uri": ["http://e/g"], "using-named-graph-uri": ["http://e/n"]}
    update = "INSERT { GRAPH <http://e/o> { ?s ?p ?o } } WHERE { ?s ?p ?o } ; DELETE WHERE { ?a ?b 'x' }"
    rewritten = protocol.update_with_dataset(update, params)
    assert rewritten.count("USING <http://e/g> USING NAMED <http://e/n> WHERE") == 2
    assert "DELETE { ?a ?b 'x' } USING" in rewritten
    assert protocol.update_with_dataset("INSERT DATA { <a:b> <a:c> 'WHERE' }", params).count("USING") == 0
    with pytest.raises(ApiError) as conflict:
        protocol.update_with_dataset("WITH <http://e/w> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", params)
    assert conflict.value.status == 400


@pytest.mark.parametrize(
    ("accept", "parse_as"),
    [("text/turtle", "turtle"), ("application/rdf+xml", "xml"), ("application/ld+json", "json-ld")],
)
def test_service_description_by_accept(sparql_client: TestClient, accept: str, parse_as: str) -> None:
    response = sparql_client.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["content-type"].startswith(accept)
    graph = Graph().parse(data=response.content, format=parse_as)
    endpoint = URIRef("http://testserver/sparql")
    assert (endpoint, SD.endpoint, endpoint) in graph
    assert (endpoint, SD.feature, SD.UnionDefaultGraph) in graph
    assert (endpoint, SD.supportedLanguage, SD.SPARQL11Update) in graph  # the fixture app takes updates
    assert (None, SD.name, URIRef(f"{BASE}graph/tiny")) in graph
    assert int(graph.value(endpoint, HMIC.resultRowLimit)) == 100
    assert float(graph.value(endpoint, HMIC.queryTimeLimit)) == 2.0
    assert len(set(graph.objects(endpoint, SD.resultFormat))) == 8


def test_browsers_still_get_the_sparql_page(sparql_client: TestClient) -> None:
    response = sparql_client.get(
        "/sparql", headers={"Accept": "text/html,application/xml;q=0.9,*/*;q=0.8"}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/sparql-ui"
    assert "Accept" in response.headers["vary"]


def test_update_syntax_error_points_at_the_users_text() -> None:
    """Regression: the endpoint's BASE, put before the update, must not shift the reported column."""
    store = OxigraphStore(None)
    with TestClient(create_app(settings(update_token=TOKEN), store=store)) as client:
        response = client.post(
            "/sparql",
            content="INSERT DATA { <a> <b> }",
            headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
        )
    assert response.status_code == 400
    assert "line 1, column 23" in response.json()["error"]["message"]
