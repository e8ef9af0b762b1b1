"""Cached, pre-rendered answers are byte for byte what FastAPI renders from the same payload."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.lookup import page
from api.rendered import render
from api.schemas import HelpItem, Page, Shared, SystemDetail


def _fastapi_bytes(model: Any, payload: Any) -> bytes:
    probe = FastAPI()

    @probe.get("/probe", response_model=model)
    def answer() -> Any:
        return payload

    return TestClient(probe).get("/probe").content


@pytest.mark.parametrize(
    ("url", "model"),
    [
        ("/shared", Shared),
        ("/forces/northamptonshire/help?limit=3&offset=1", Page[HelpItem]),
        ("/systems/visor", SystemDetail),
    ],
)
def test_cached_answers_match_fastapi_rendering(sample_client: TestClient, url: str, model: Any) -> None:
    first = sample_client.get(url)
    assert first.status_code == 200
    assert first.headers["content-type"] == "application/json"
    assert sample_client.get(url).content == first.content  # the cached bytes
    payload = first.json()
    assert render(model, payload) == _fastapi_bytes(model, payload) == first.content


def test_help_pages_are_cached_per_page(sample_client: TestClient) -> None:
    whole = sample_client.get("/forces/northamptonshire/help?limit=500").json()
    second = sample_client.get("/forces/northamptonshire/help?limit=1&offset=1").json()
    assert second == page(whole["items"], 1, 1) | {"total": whole["total"]}
