"""Hostile requests against the API over real data (the two samples plus a variant report whose finding
and practice title carry script: ``hostile_store`` in tests/conftest_resilience.py), part 1: SPARQL.

* SPARQL UPDATE (every way of sending one), SERVICE, LOAD and very large queries are refused, and the
  store is unchanged afterwards;
* SPARQL-injection attempts through every REST filter and id change nothing: the answer is empty (or a
  422), never a 5xx, never more than a clean request gives.

Part 2, tests/resilience/test_hostile_pages.py: script escaping and path traversal.
tests/test_sparql_endpoint.py and tests/test_api_lookups.py check the basic cases on small fixtures, and
tests/test_schemathesis.py runs schemathesis over the OpenAPI schema; these modules add the variants,
the real data and the whole-site crawl.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote, urlencode

import httpx
import pytest
from fastapi.testclient import TestClient

from graph.store_oxigraph import OxigraphStore
from tests.conftest_resilience import HOSTILE_TOKEN as TOKEN
from tests.conftest_resilience import SCRIPT, Server, graph_counts, raw_get


@pytest.fixture
def store(hostile_store: OxigraphStore) -> OxigraphStore:
    return hostile_store


@pytest.fixture
def client(hostile_client: TestClient) -> TestClient:
    return hostile_client


@pytest.fixture
def unchanged(store: OxigraphStore) -> Iterator[None]:
    """Fail the test if the store changed while it ran."""
    before = graph_counts(store)
    yield
    assert graph_counts(store) == before, "the store changed"


# --- SPARQL: updates, SERVICE, LOAD, size ---------------------------------------------------------

DROP = "DROP ALL"
INSERT = "INSERT DATA { GRAPH <http://x/g> { <http://x/s> <http://x/p> 'pwned' } }"
UPDATES = [
    DROP,
    INSERT,
    "CLEAR DEFAULT",
    "DELETE WHERE { ?s ?p ?o }",
    "WITH <http://x/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "PREFIX x: <http://x/> # comment SELECT\n insert data { x:s x:p x:o }",
    "  \n\t drop   silent   all",
    "BASE <http://x/> PREFIX : <#> CREATE GRAPH <g>",
    "COPY DEFAULT TO <http://x/g>",
    "\\u0044ROP ALL",  # a SPARQL codepoint escape: engines unescape before parsing
    "SELECT * WHERE { ?s ?p ?o } ; DROP ALL",
]
#: (description, method, request keyword arguments)
UPDATE_REQUESTS = [
    *[(f"GET query={u!r}", "GET", {"params": {"query": u}}) for u in UPDATES],
    *[(f"POST query={u!r}", "POST", {"data": {"query": u}}) for u in UPDATES],
    *[(f"POST update={u!r}", "POST", {"data": {"update": u}}) for u in UPDATES],
    *[
        (
            f"POST sparql-update {u!r}",
            "POST",
            {"content": u, "headers": {"Content-Type": "application/sparql-update"}},
        )
        for u in UPDATES
    ],
    ("GET update=", "GET", {"params": {"update": DROP}}),
    ("wrong token", "POST", {"data": {"update": DROP}, "headers": {"Authorization": "Bearer wrong-token"}}),
    ("empty bearer", "POST", {"data": {"update": DROP}, "headers": {"Authorization": "Bearer "}}),
    ("basic auth", "POST", {"data": {"update": DROP}, "headers": {"Authorization": f"Basic {TOKEN}"}}),
    ("token in a parameter", "POST", {"data": {"update": DROP, "access_token": TOKEN}}),
    ("token in the query string", "POST", {"params": {"token": TOKEN}, "data": {"update": DROP}}),
    ("query and update", "POST", {"data": {"query": "ASK {}", "update": DROP}}),
    (
        "two updates",
        "POST",
        {
            "content": urlencode([("update", INSERT), ("update", DROP)]),
            "headers": {"Content-Type": "application/x-www-form-urlencoded"},
        },
    ),
    (
        "update as a query body",
        "POST",
        {"content": DROP, "headers": {"Content-Type": "application/sparql-query"}},
    ),
    ("PUT", "PUT", {"content": DROP, "headers": {"Content-Type": "application/sparql-update"}}),
    ("DELETE", "DELETE", {}),
]


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    ("name", "method", "kwargs"), UPDATE_REQUESTS, ids=[r[0][:60] for r in UPDATE_REQUESTS]
)
def test_updates_without_the_token_are_refused(
    client: TestClient, name: str, method: str, kwargs: dict
) -> None:
    response = client.request(method, "/sparql", **kwargs)
    assert response.status_code in (400, 403, 405, 415), (name, response.status_code, response.text[:300])


SERVICES = [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE SILENT <http://127.0.0.1:9/> { ?s ?p ?x } } }",
    "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } } }",
    "SELECT * WHERE { BIND(<http://127.0.0.1:9/> AS ?e) SERVICE ?e { ?s ?p ?o } }",
    "select * where { service\n<http://127.0.0.1:9/>{?s ?p ?o} }",
    "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { SERV\\U00000049CE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <file:///etc/passwd> { ?s ?p ?o } }",
    "ASK { SERVICE <http://169.254.169.254/latest/meta-data/> { ?s ?p ?o } }",
]
LOADS = [
    "LOAD <http://127.0.0.1:9/data.ttl>",
    "LOAD SILENT <file:///etc/passwd> INTO GRAPH <http://x/g>",
    "load <http://127.0.0.1:9/x>",
    "\\u004cOAD <http://127.0.0.1:9/x>",
    "INSERT DATA { <http://x/s> <http://x/p> 1 } ; LOAD <http://127.0.0.1:9/x>",
]


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("query", SERVICES)
def test_service_is_refused_in_every_spelling(client: TestClient, query: str) -> None:
    for response in (
        client.get("/sparql", params={"query": query}),
        client.post("/sparql", data={"query": query}),
    ):
        assert response.status_code in (400, 403), (query, response.status_code, response.text[:300])


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("update", LOADS)
def test_load_is_refused_even_with_the_token(client: TestClient, update: str) -> None:
    response = client.post("/sparql", data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code in (400, 403), (update, response.status_code, response.text[:300])


LARGE = [
    ("form query 200 KB", {"data": {"query": "SELECT * WHERE { ?s ?p ?o } #" + "x" * 200_000}}),
    (
        "direct query 2 MB",
        {"content": b"ASK {} #" + b"x" * 2_000_000, "headers": {"Content-Type": "application/sparql-query"}},
    ),
    ("form update 2 MB", {"data": {"update": "CLEAR ALL #" + "x" * 2_000_000}}),
    ("many triples", {"data": {"query": "SELECT * WHERE { " + "?s ?p ?o . " * 20_000 + "}"}}),
]


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(("name", "kwargs"), LARGE, ids=[name for name, _ in LARGE])
def test_very_large_queries_are_refused(client: TestClient, name: str, kwargs: dict) -> None:
    response = client.post("/sparql", **kwargs)
    assert response.status_code in (403, 413), (name, response.status_code, response.text[:300])


@pytest.mark.server
def test_very_long_get_query_is_refused_by_the_live_server(samples_server: Server) -> None:
    target = "/sparql?query=" + quote("ASK {} #" + "x" * 300_000)
    status, raw = raw_get(samples_server.port, target)
    assert status == 0 or 400 <= status < 500, raw[:300]  # a 4xx, or the connection dropped unread
    assert httpx.get(f"{samples_server.url}/forces", timeout=10).status_code == 200


@pytest.mark.parametrize("depth", [6_000, 20_000])
def test_regression_deep_nesting_is_refused_before_a_worker(client: TestClient, depth: int) -> None:
    query = "SELECT * WHERE { FILTER(" + "(" * depth + "1" + ")" * depth + ") }"
    response = client.post("/sparql", data={"query": query})
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:200])


# --- SPARQL injection through REST filters and ids ----------------------------------------------

INJECTIONS = [
    '" } ; DROP ALL ; #',
    "') } UNION { ?s ?p ?o } #",
    "x> } UNION { ?s ?p ?o } #",
    "nottinghamshire' || 1=1 --",
    'nottinghamshire" || true || "',
    "nottinghamshire> . ?s ?p ?o . <x",
    "?force",
    "*",
    ".*",
    "%",
    "<http://127.0.0.1:8000/id/force/nottinghamshire>",
    "%22%7D%20UNION%20%7B",
    "\\u0022 } DROP ALL",
    "nottinghamshire\u0000",
    "nottinghamshire\u202e",  # right-to-left override
    "A" * 10_000,
]
FILTERS = {
    "/practices": ("force", "area", "system", "unit", "q"),
    "/people": ("force",),
    "/search": ("q", "kind"),
    "/forces": ("limit", "offset"),
    "/forces/nottinghamshire/help": ("per_finding",),
}


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("payload", INJECTIONS, ids=range(len(INJECTIONS)))
def test_injection_through_every_filter_has_no_effect(client: TestClient, payload: str) -> None:
    for route, names in FILTERS.items():
        clean = client.get(route, params={"q": "visor"} if route == "/search" else None)
        assert clean.status_code == 200, route
        for name in names:
            params = {name: payload} | ({"q": "visor"} if route == "/search" and name != "q" else {})
            response = client.get(route, params=params)
            assert response.status_code in (200, 422), (
                route,
                name,
                response.status_code,
                response.text[:200],
            )
            if response.status_code == 200:
                got = response.json()
                assert got["total"] == 0 or got["total"] <= clean.json()["total"], (route, name, got["total"])
                if name in ("force", "area", "system", "unit"):
                    assert got["total"] == 0, (route, name, payload)
                if name == "q":  # a literal substring search: every hit contains the text as given
                    for item in got["items"]:
                        assert payload.lower() in str(item).lower(), (route, payload, item)


ID_ROUTES = [
    "/forces/{}",
    "/forces/{}/help",
    "/systems/{}",
    "/practices/{}",
    "/practices/{}/similar",
    "/people/{}",
    "/units/{}",
    "/id/force/{}",
    "/view/force/{}",
    "/view/ego/{}",
]


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("payload", INJECTIONS[:-1], ids=range(len(INJECTIONS) - 1))
def test_injection_through_ids_is_not_found(client: TestClient, payload: str) -> None:
    for route in ID_ROUTES:
        response = client.get(route.format(quote(payload, safe="")), headers={"Accept": "text/turtle"})
        assert response.status_code in (400, 404, 422), (route, response.status_code, response.text[:200])


@pytest.mark.parametrize("payload", ['" } ; DROP ALL ; #', "x> } UNION { ?s ?p ?o } #", "%", "a b", SCRIPT])
def test_regression_page_with_non_iri_characters_is_not_found(client: TestClient, payload: str) -> None:
    response = client.get("/page/force/" + quote(payload, safe=""))
    assert response.status_code in (400, 404), response.status_code
