"""Hostile requests against the API over real data (``hostile_store`` in tests/conftest_resilience.py),
part 2 (part 1, SPARQL: tests/resilience/test_hostile_requests.py):

* script from report text or from the request is escaped in every page and view (a crawl of the site);
* path traversal in any id or file parameter is refused, encoded or not (literal ``../`` goes over a raw
  socket to a real server, because HTTP clients normalise it away).
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from tests.conftest_resilience import LIVE_MARKUP, SCRIPT, TAG, Server, raw_get, record_figure


@pytest.fixture
def client(hostile_client: TestClient) -> TestClient:
    return hostile_client


# --- script in report text and in requests ---------------------------------------------------------

LINK = re.compile(r"""href="(/(?:page|view)/[^"#?]*)""")
MAX_PAGES = 400


def _assert_escaped(url: str, body: str) -> None:
    for markup in LIVE_MARKUP:
        assert markup not in body, f"{url} contains live {markup!r}"


def test_script_in_report_text_is_escaped_in_every_page_and_view(client: TestClient) -> None:
    """Crawl every page and view reachable from the home page and the variant's pages."""
    start = ["/", "/page/force/cheshire", "/page/report/cheshire-2007", "/view/overview", "/view/shared",
             "/view/force/cheshire", "/sparql-ui"]  # fmt: skip
    seen: set[str] = set()
    queue = list(start)
    carrying = 0
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        body = response.text
        _assert_escaped(url, body)
        carrying += "alert(1)" in body or "alert(2)" in body
        for link in LINK.findall(body):
            if "cheshire" in link or link.startswith("/view/") or len(seen) + len(queue) < MAX_PAGES:
                queue.append(link.replace("&amp;", "&"))
    assert carrying >= 3, "the payload should reach the finding, practice and contact pages (escaped)"
    record_figure(
        "script escaping",
        f"{len(seen)} pages and views crawled, {carrying} of them showing the script payloads, all escaped",
    )


REFLECTED = [  # /page/<script> is test_bug_page_with_a_character_invalid_in_an_iri_is_a_500
    f"/view/{quote(SCRIPT)}",
    f"/view/force/{quote(SCRIPT)}",
    f"/view/ego/{quote(TAG)}",
    f"/sparql-ui?query={quote(SCRIPT)}",
    f"/?q={quote(SCRIPT)}",
    f"/page/force/cheshire?x={quote(TAG)}",
    f"/view/force/cheshire?depth={quote(SCRIPT)}",
    f"/id/{quote(SCRIPT)}",
]


@pytest.mark.parametrize("url", REFLECTED)
def test_script_in_request_is_escaped(client: TestClient, url: str) -> None:
    response = client.get(url, headers={"Accept": "text/html"})
    assert response.status_code < 500, (url, response.status_code)
    _assert_escaped(url, response.text)
    if "json" in response.headers.get("content-type", ""):
        assert SCRIPT not in response.text or response.headers["content-type"].startswith("application/")


# --- path traversal ----------------------------------------------------------------------------------

SECRETS = ("root:x:0:0", "[build-system]", "BEGIN RSA", "hmic-kg resilience")
ENCODED_TRAVERSAL = [
    "/static/%2e%2e/%2e%2e/pyproject.toml",
    "/static/..%2f..%2fpyproject.toml",
    "/static/%2fetc%2fpasswd",
    "/static/%252e%252e%252fpyproject.toml",
    "/static/..%5c..%5cpyproject.toml",
    "/page/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/page/force/..%2f..%2f..%2fetc%2fpasswd",
    "/view/force/..%2f..%2fetc%2fpasswd",
    "/view/%2e%2e/%2e%2e/etc/passwd",
    "/id/%2fetc%2fpasswd",
    "/id/force/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/forces/..%2f..%2fetc%2fpasswd",
    "/practices/%2e%2e%2fetc%2fpasswd",
    "/systems/%2e%2e",
]


@pytest.mark.parametrize("url", ENCODED_TRAVERSAL)
def test_encoded_path_traversal_is_refused(client: TestClient, url: str) -> None:
    response = client.get(url, headers={"Accept": "text/turtle"})
    assert response.status_code in (400, 404, 422), (url, response.status_code)
    assert not any(secret in response.text for secret in SECRETS), url


LITERAL_TRAVERSAL = [
    "/static/../../pyproject.toml",
    "/static/../../../../../../etc/passwd",
    "/static//etc/passwd",
    "/static/./../pyproject.toml",
    "/page/../../../../etc/passwd",
    "/id/../../../../etc/passwd",
    "/view/force/../../../../etc/passwd",
    "/../../../../etc/passwd",
    "/static/..\\..\\pyproject.toml",
]


@pytest.mark.server
@pytest.mark.parametrize("target", LITERAL_TRAVERSAL)
def test_literal_path_traversal_is_refused_by_the_live_server(samples_server: Server, target: str) -> None:
    status, raw = raw_get(samples_server.port, target)
    assert status in (400, 404, 422), (target, status, raw[:300])
    assert not any(secret in raw for secret in SECRETS), target
