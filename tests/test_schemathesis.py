"""Schemathesis over the OpenAPI schema (in-process ASGI, sample reports): no request gives a 5xx.

The app is created at import (creating it opens nothing); the sample store is swapped in with
``dependency_overrides`` before the generated requests run.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from api.app import create_app
from api.deps import get_store
from graph.store_oxigraph import OxigraphStore
from tests.conftest_api import settings as api_settings

pytest_plugins = ["tests.conftest_api"]

APP = create_app(api_settings(query_timeout_s=3.0))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(autouse=True)
def _serve_sample_store(sample_store: OxigraphStore) -> Iterator[None]:
    APP.dependency_overrides[get_store] = lambda: sample_store
    yield
    APP.dependency_overrides.clear()


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: schemathesis.Case) -> None:
    response = case.call(allow_redirects=False)
    assert response.status_code < 500, (case.method, case.formatted_path, case.query, response.text[:300])
