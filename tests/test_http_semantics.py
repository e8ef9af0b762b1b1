"""HTTP on every read route (api/http_semantics.py): HEAD, 406, Vary, ETag/Last-Modified/304, Allow, CORS."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph.store_oxigraph import OxigraphStore
from tests.conftest_api import BASE, TOKEN, settings, tiny_graph
from tests.conftest_servers import served

READ_ROUTES = ["/id/thing/1", "/sparql?query=ASK%20%7B%7D", "/forces", "/page/thing/1", "/sparql"]


@pytest.fixture
def client() -> Iterator[TestClient]:
    """An app over a fresh tiny store, updates allowed with ``TOKEN`` (each test may change the store)."""
    store = OxigraphStore(None)
    store.replace_graph(f"{BASE}graph/tiny", tiny_graph(20), None)
    with TestClient(create_app(settings(update_token=TOKEN), store=store)) as test_client:
        yield test_client
    store.close()


@pytest.mark.parametrize("url", READ_ROUTES)
def test_head_answers_like_get_without_a_body(client: TestClient, url: str) -> None:
    get, head = client.get(url), client.head(url)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    for name in ("content-type", "content-length", "etag", "last-modified"):
        assert head.headers[name] == get.headers[name], name


@pytest.mark.parametrize("url", ["/id/thing/1", "/sparql?query=ASK%20%7B%7D", "/forces", "/page/thing/1"])
@pytest.mark.parametrize("accept", ["image/png", "text/turtle;q=0", "text/turtle;q=0, image/*"])
def test_unacceptable_accept_is_406_listing_the_types(client: TestClient, url: str, accept: str) -> None:
    response = client.get(url, headers={"Accept": accept})
    assert response.status_code == 406
    assert "available: " in response.json()["error"]["message"]
    assert "Accept" in response.headers["vary"]


def test_406_on_id_lists_the_rdf_types(client: TestClient) -> None:
    message = client.get("/id/thing/1", headers={"Accept": "text/turtle;q=0"}).json()["error"]["message"]
    assert "application/ld+json" in message and "text/turtle" in message


def test_the_303_to_the_page_varies_on_accept(client: TestClient) -> None:
    response = client.get("/id/thing/1", headers={"Accept": "text/html"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/page/thing/1"
    assert "Accept" in [v.strip() for v in response.headers["vary"].split(",")]
    turtle = client.get("/id/thing/1", headers={"Accept": "text/turtle"})
    assert "Accept" in turtle.headers["vary"]


@pytest.mark.parametrize("url", READ_ROUTES)
def test_conditional_get_answers_304(client: TestClient, url: str) -> None:
    first = client.get(url)
    etag = first.headers["etag"]
    assert etag.startswith('"') and "public" in first.headers["cache-control"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    since = client.get(url, headers={"If-Modified-Since": first.headers["last-modified"]})
    assert since.status_code == 304
    other = client.get(url, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_etag_changes_when_the_store_changes(client: TestClient) -> None:
    url = "/sparql?query=SELECT%20(COUNT(*)%20AS%20%3Fn)%20%7B%3Fs%20%3Fp%20%3Fo%7D"
    etag = client.get(url).headers["etag"]
    update = client.post(
        "/sparql",
        content="INSERT DATA { GRAPH <urn:x:g> { <urn:x:a> <urn:x:b> 'c' } }",
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
    )
    assert update.status_code == 204
    after = client.get(url, headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["etag"] != etag


@pytest.mark.parametrize(
    ("method", "url", "allowed"),
    [
        ("PUT", "/sparql", {"GET", "HEAD", "POST", "OPTIONS"}),
        ("DELETE", "/id/thing/1", {"GET", "HEAD", "OPTIONS"}),
        ("POST", "/forces", {"GET", "HEAD", "OPTIONS"}),
    ],
)
def test_405_lists_every_allowed_method(client: TestClient, method: str, url: str, allowed: set[str]) -> None:
    response = client.request(method, url)
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["allow"].split(",")} == allowed
    assert response.json()["error"]["code"] == "method_not_allowed"


def _preflight(test_client: TestClient) -> int:
    headers = {
        "Origin": "https://tool.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    }
    return test_client.options("/sparql", headers=headers).status_code


def test_cors_preflight_allows_authorization_only_with_updates(client: TestClient) -> None:
    assert _preflight(client) == 200
    store = OxigraphStore(None)
    with TestClient(create_app(settings(), store=store)) as read_only:
        assert _preflight(read_only) == 400
    store.close()


def test_if_modified_since_answers_304_for_a_url_not_seen_before(client: TestClient) -> None:
    modified = client.get("/forces").headers["last-modified"]
    response = client.get("/forces?limit=7", headers={"If-Modified-Since": modified})
    assert response.status_code == 304 and response.headers["etag"]


@pytest.mark.server
def test_head_406_and_304_over_a_real_server(tmp_path: Path) -> None:
    """The same through uvicorn on loopback: HEAD without a body, 406, 304 and the 303's Vary."""
    store = OxigraphStore(tmp_path / "oxigraph")
    store.replace_graph(f"{BASE}graph/tiny", tiny_graph(5), None)
    store.close()
    with served(tmp_path) as base, httpx.Client(base_url=base, timeout=30) as http:
        head = http.head("/id/thing/1")
        assert head.status_code == 200 and head.content == b"" and int(head.headers["content-length"]) > 0
        assert http.get("/id/thing/1", headers={"Accept": "image/png"}).status_code == 406
        etag = http.get("/id/thing/1").headers["etag"]
        assert http.get("/id/thing/1", headers={"If-None-Match": etag}).status_code == 304
        redirect = http.get("/id/thing/1", headers={"Accept": "text/html"})
        assert redirect.status_code == 303 and "Accept" in redirect.headers["vary"]
        description = http.get("/sparql", headers={"Accept": "text/turtle"})
        assert f"sd:endpoint <{base}/sparql>" in description.text
