"""The explorer on the two sample reports (FastAPI test client): first-ten-minutes fixes, force page,
report text, search, entity and person pages, national tile map."""

from __future__ import annotations

from fastapi.testclient import TestClient

pytest_plugins = ["tests.conftest_api"]

HTML = {"Accept": "text/html"}


def test_data_link_downloads_turtle_instead_of_reloading_the_page(sample_client: TestClient) -> None:
    """Regression: the "data" link of every page reloaded the same HTML page in a browser."""
    page = sample_client.get("/page/force/nottinghamshire")
    assert 'href="/id/force/nottinghamshire?format=ttl" download' in page.text
    data = sample_client.get("/id/force/nottinghamshire?format=ttl", headers=HTML)
    assert data.status_code == 200
    assert data.headers["content-type"].startswith("text/turtle")
    assert "attachment" in data.headers["content-disposition"]
    assert "Nottinghamshire" in data.text
    assert sample_client.get("/id/force/nottinghamshire?format=xyz").status_code == 400


def test_unknown_force_and_system_ids_suggest_the_closest(sample_client: TestClient) -> None:
    force = sample_client.get("/forces/nottinghamshir").json()["error"]["message"]
    assert "did you mean 'nottinghamshire'" in force
    assert "did you mean 'nottinghamshire'" in sample_client.get("/forces/notts").json()["error"]["message"]
    system = sample_client.get("/systems/visr").json()["error"]["message"]
    assert "did you mean 'visor'" in system
    assert "did you mean" not in sample_client.get("/forces/zzzzzz").json()["error"]["message"]
