"""Cached, pre-rendered answers are byte for byte what FastAPI renders from the same payload."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.lookup import page
from api.rendered import render
from api.schemas import (
    ForceDetail,
    HelpItem,
    Page,
    Person,
    PracticeOut,
    Shared,
    SystemDetail,
    SystemSummary,
    UnitType,
)

pytest_plugins = ["tests.conftest_api"]


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
        ("/systems?limit=2", Page[SystemSummary]),
        ("/units", Page[UnitType]),
        ("/people?force=nottinghamshire", Page[Person]),
        ("/practices?force=northamptonshire&limit=2&offset=1", Page[PracticeOut]),
        ("/forces/nottinghamshire", ForceDetail),
    ],
)
def test_cached_answers_match_fastapi_rendering(sample_client: TestClient, url: str, model: Any) -> None:
    first = sample_client.get(url)
    assert first.status_code == 200
    assert first.headers["content-type"] == "application/json"
    assert sample_client.get(url).content == first.content  # the cached bytes
    payload = first.json()
    assert render(model, payload) == _fastapi_bytes(model, payload) == first.content


def test_each_filter_and_page_is_its_own_answer(sample_client: TestClient) -> None:
    everyone = sample_client.get("/people").json()
    notts = sample_client.get("/people?force=nottinghamshire").json()
    assert 0 < notts["total"] < everyone["total"]
    assert sample_client.get("/people").json() == everyone  # the cached unfiltered answer is unchanged
    first, second = (sample_client.get(f"/practices?limit=1&offset={n}").json() for n in (0, 1))
    assert first["items"] != second["items"]


def test_help_pages_are_cached_per_page(sample_client: TestClient) -> None:
    whole = sample_client.get("/forces/northamptonshire/help?limit=500").json()
    second = sample_client.get("/forces/northamptonshire/help?limit=1&offset=1").json()
    assert second == page(whole["items"], 1, 1) | {"total": whole["total"]}
