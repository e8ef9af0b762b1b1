"""A force's page is rendered once per store generation: it shows the snapshot alone and its template reads
nothing of the request, so later requests are answered with the same bytes (at 430 reports one page is
1.6 MB and took ~150 ms to render, p99 1.9 s with 16 clients)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

import api.pages.nodes as nodes
from api.pages.force import force_page

pytest_plugins = ["tests.conftest_api"]


def _force_path(client: TestClient) -> str:
    force = client.get("/forces").json()["items"][0]
    return f"/page/force/{force['id']}"


def test_force_page_is_rendered_once_and_served_unchanged(
    sample_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _force_path(sample_client)
    calls: list[str] = []

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(str(args[2]))
        return force_page(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(nodes, "force_page", counted)
    first = sample_client.get(path)  # renders it, unless an earlier test of the session did
    calls.clear()
    second = sample_client.get(path, headers={"Accept": "text/html", "X-Other": "ignored"})
    assert first.status_code == second.status_code == 200
    assert first.headers["content-type"] == "text/html; charset=utf-8"
    assert first.content == second.content
    assert calls == []  # the second request did not build the page again
    assert b"<html" in first.content.lower()


def test_each_force_gets_its_own_page(sample_client: TestClient) -> None:
    forces = sample_client.get("/forces").json()["items"]
    bodies = {f["id"]: sample_client.get(f"/page/force/{f['id']}").content for f in forces}
    assert len(set(bodies.values())) == len(forces) >= 2
    for force in forces:
        assert force["label"].encode() in bodies[force["id"]]


def test_force_html_by_accept_is_the_cached_page(sample_client: TestClient) -> None:
    forces = sample_client.get("/forces").json()["items"]
    ident = forces[0]["id"]
    page = sample_client.get(f"/page/force/{ident}")
    negotiated = sample_client.get(f"/forces/{ident}", headers={"Accept": "text/html"})
    assert negotiated.status_code == 200
    assert negotiated.content == page.content
    assert "Accept" in negotiated.headers["vary"]
