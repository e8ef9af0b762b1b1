"""Lookup routes over the hand-built fixture reports: shapes, pagination, errors, injection, linked data."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

pytest_plugins = ["tests.conftest_api"]

LISTS = ["/forces", "/systems", "/units", "/people", "/areas", "/practices", "/search?q=visor"]


@pytest.mark.parametrize("url", LISTS)
def test_every_list_is_paginated(fixture_client: TestClient, url: str) -> None:
    body = fixture_client.get(url).json()
    assert set(body) == {"total", "limit", "offset", "items"}
    sep = "&" if "?" in url else "?"
    one = fixture_client.get(f"{url}{sep}limit=1&offset=1").json()
    assert one["limit"] == 1 and one["offset"] == 1 and len(one["items"]) <= 1
    assert one["total"] == body["total"]


@pytest.mark.parametrize("params", ["limit=0", "limit=100000", "offset=-1", "limit=abc"])
def test_bad_pagination_is_422_in_the_error_shape(fixture_client: TestClient, params: str) -> None:
    response = fixture_client.get(f"/forces?{params}")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["status"] == 422 and error["code"] == "invalid_parameter" and error["parameter"]


@pytest.mark.parametrize(
    "url",
    [
        "/forces/atlantis",
        "/systems/nothing",
        "/practices/none-2007-9",
        "/practices/none-2007-9/similar",
        "/forces/atlantis/help",
        "/no/such/route",
    ],
)
def test_unknown_ids_are_404(fixture_client: TestClient, url: str) -> None:
    response = fixture_client.get(url)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_force_detail(fixture_client: TestClient) -> None:
    force = fixture_client.get("/forces/nottinghamshire").json()
    assert force["label"] == "Nottinghamshire Police"
    grade = next(g for g in force["grades"] if g["area"]["id"] == "public-protection")
    assert grade["grade"] and set(grade["national"]) == {"excellent", "good", "fair", "poor"}
    assert any(s["id"] == "visor" for s in force["systems"])
    assert force["units"] and force["finding_counts"]


def test_system_detail_lists_forces_findings_and_practices(fixture_client: TestClient) -> None:
    system = fixture_client.get("/systems/visor").json()
    assert {f["id"] for f in system["forces"]} == {"nottinghamshire", "northamptonshire"}
    assert system["findings"] and system["practices"]


def test_practice_ids_round_trip(fixture_client: TestClient) -> None:
    items = fixture_client.get("/practices").json()["items"]
    for item in items:
        assert "/" not in item["id"]
        assert fixture_client.get(f"/practices/{item['id']}").json()["iri"] == item["iri"]


def test_practice_filters(fixture_client: TestClient) -> None:
    by_system = fixture_client.get("/practices?system=visor").json()["items"]
    assert by_system and all("ViSOR" in (p["solution"] or "") + p["title"] for p in by_system)
    by_force = fixture_client.get("/practices?force=northamptonshire").json()["items"]
    assert by_force and all(p["force"]["id"] == "northamptonshire" for p in by_force)
    assert fixture_client.get("/practices?q=PROTOCOL").json()["total"] >= 1


INJECTIONS = [
    '" } ; DROP ALL ; #',
    "x> } UNION { ?s ?p ?o } #",
    "nottinghamshire' || 1=1 --",
    "?force",
    "<http://127.0.0.1:8000/id/force/nottinghamshire>",
    "%22%7D",
]


@pytest.mark.parametrize("value", INJECTIONS)
@pytest.mark.parametrize("name", ["force", "area", "system", "unit", "q"])
def test_injection_through_filters_has_no_effect(fixture_client: TestClient, name: str, value: str) -> None:
    response = fixture_client.get("/practices", params={name: value})
    assert response.status_code in (200, 422)
    if response.status_code == 200:
        assert response.json()["total"] == 0
    assert fixture_client.get("/forces").json()["total"] == 2  # nothing was dropped


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_through_search_and_ids(fixture_client: TestClient, value: str) -> None:
    assert fixture_client.get("/search", params={"q": value}).json()["total"] == 0
    assert fixture_client.get("/forces/" + quote(value, safe="")).status_code in (404, 422)


def test_search_finds_entities_and_findings(fixture_client: TestClient) -> None:
    kinds = {hit["kind"] for hit in fixture_client.get("/search?q=visor").json()["items"]}
    assert {"system", "finding"} <= kinds
    assert fixture_client.get("/search?q=v").status_code == 422


def test_help_and_similar_name_leads_and_reasons(fixture_client: TestClient) -> None:
    # the fixture's two AFIs have no close match in the other force's three items (a supervision gap
    # against sex-offender visits; database access against an information-sharing protocol): help says so
    # rather than pad the list (issue 17), so leads and reasons are checked on /similar, which does match
    items = fixture_client.get("/forces/northamptonshire/help").json()["items"]
    assert items and all(item["matches"] or item["no_match"] for item in items)
    matches = [m for item in items for m in item["matches"]]
    assert all(m["force"]["id"] == "nottinghamshire" for m in matches)
    similar = fixture_client.get("/practices/nottinghamshire-2007-2/similar").json()["items"]
    assert similar and all(m["force"]["id"] != "nottinghamshire" for m in similar)
    assert all(m["lead"] and m["lead"]["name"] for m in matches + similar)
    assert any(m["why"]["same_area"] and m["why"]["summary"] for m in similar)


def test_shared_lists_visor(fixture_client: TestClient) -> None:
    shared = fixture_client.get("/shared").json()
    assert "ViSOR" in [s["label"] for s in shared["systems"]]
    assert {"CAIU", "DPMU"} <= {u["label"] for u in shared["unit_types"]}


@pytest.mark.parametrize(
    ("accept", "media", "marker"),
    [
        ("text/turtle", "text/turtle", b"Nottinghamshire Police"),
        ("application/ld+json", "application/ld+json", b'"@context"'),
        (
            "application/n-triples",
            "application/n-triples",
            b"<http://127.0.0.1:8000/id/force/nottinghamshire>",
        ),
    ],
)
def test_linked_data_by_accept(fixture_client: TestClient, accept: str, media: str, marker: bytes) -> None:
    response = fixture_client.get("/id/force/nottinghamshire", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert marker in response.content


def test_linked_data_sends_browsers_to_the_page(fixture_client: TestClient) -> None:
    response = fixture_client.get(
        "/id/practice/nottinghamshire-2007/1",
        headers={"Accept": "text/html,*/*;q=0.8"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/page/practice/nottinghamshire-2007/1"


@pytest.mark.parametrize(
    "path",
    [
        "/id/%2e%2e/%2e%2e/etc/passwd",
        "/id/force/..%2f..%2fsecret",
        "/id/force/%00x",
        "/id/a%5cb",
        "/id/force/%252e%252e/x",
    ],
)
def test_linked_data_refuses_traversal(fixture_client: TestClient, path: str) -> None:
    response = fixture_client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code in (400, 404)
    assert "error" in response.json()


def test_linked_data_unknown_iri_is_404(fixture_client: TestClient) -> None:
    response = fixture_client.get("/id/force/atlantis", headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_openapi_documents_routes_with_examples(fixture_client: TestClient) -> None:
    schema = fixture_client.get("/openapi.json").json()
    for path in [
        "/forces",
        "/forces/{force_id}",
        "/forces/{force_id}/help",
        "/shared",
        "/practices/{practice_id}",
        "/practices/{practice_id}/similar",
        "/search",
        "/sparql",
        "/id/{path}",
    ]:
        assert path in schema["paths"], path
    assert "examples" in schema["components"]["schemas"]["ForceSummary"]
