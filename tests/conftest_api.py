"""Fixtures of the API tests: stores loaded once per session and in-process clients.

Import the fixtures a module uses by name (``from tests.conftest_api import sample_client``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef

from api.app import create_app
from api.settings import Settings
from graph.config import GraphConfig
from graph.iris import Iris
from graph.store_oxigraph import OxigraphStore

REPORTS = Path(__file__).resolve().parent.parent / "data" / "reports"
BASE = "http://127.0.0.1:8000/id/"
TOKEN = "s3cret-update-token"


@pytest.fixture(scope="session")
def sample_store() -> Iterator[OxigraphStore]:
    """An in-memory Oxigraph store holding the two sample reports (loaded with ``load_paths``)."""
    from graph.loading import load_paths

    store = OxigraphStore(None)
    summary = load_paths(store, [REPORTS], Iris(BASE))
    assert summary.files_failed == 0, [r.error for r in summary.results if not r.ok]
    yield store
    store.close()


@pytest.fixture(scope="session")
def fixture_store() -> Iterator[OxigraphStore]:
    """The small hand-built reports of ``tests/graph_fixtures.py``, mapped to RDF (no loader needed)."""
    store = OxigraphStore(None)
    write_fixture_reports(store)
    yield store
    store.close()


def write_fixture_reports(store: OxigraphStore) -> None:
    """Write the vocabulary and the hand-built reports of ``tests/graph_fixtures.py`` into ``store``."""
    from graph.loading import load_vocabulary
    from graph.mapping import report_metadata, report_to_graph
    from tests.graph_fixtures import reports

    iris = Iris(BASE)
    load_vocabulary(store, iris)
    for report in reports():
        triples = report_to_graph(report, iris)
        metadata = report_metadata(
            report, iris, loader_version="test", loaded_at=datetime.now(UTC), triple_count=len(triples)
        )
        store.replace_graph(
            str(iris.report_graph(report.report_id)),
            triples,
            metadata,
            meta_graph_iri=str(iris.meta_graph()),
        )


def tiny_graph(n: int = 300) -> Graph:
    graph = Graph()
    for i in range(n):
        graph.add((URIRef(f"{BASE}thing/{i}"), URIRef("http://example.org/p"), Literal(f"value {i}")))
    return graph


@pytest.fixture(scope="session")
def tiny_store() -> Iterator[OxigraphStore]:
    """300 hand-made triples in one named graph."""
    store = OxigraphStore(None)
    store.replace_graph(f"{BASE}graph/tiny", tiny_graph(), None)
    yield store
    store.close()


def settings(**overrides: object) -> Settings:
    values: dict[str, object] = {"graph": GraphConfig(backend="memory", data_dir=Path("/nonexistent"))}
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def sparql_client(tiny_store: OxigraphStore) -> Iterator[TestClient]:
    """Client of an app over the tiny store: 2 s time limit, 100 rows, updates with ``TOKEN``."""
    app = create_app(settings(query_timeout_s=2.0, max_rows=100, update_token=TOKEN), store=tiny_store)
    with TestClient(app) as client:
        yield client


@pytest.fixture(scope="session")
def fixture_client(fixture_store: OxigraphStore) -> Iterator[TestClient]:
    with TestClient(create_app(settings(), store=fixture_store)) as client:
        yield client


@pytest.fixture(scope="session")
def sample_client(sample_store: OxigraphStore) -> Iterator[TestClient]:
    with TestClient(create_app(settings(), store=sample_store)) as client:
        yield client


@pytest.fixture(scope="module")
def loaded_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir with the two samples loaded by ``hmic-kg load`` (which saves the read model and the
    matching index too); one per test module."""
    from typer.testing import CliRunner

    from api.cli import app

    data = tmp_path_factory.mktemp("kg") / "data"
    result = CliRunner().invoke(app, ["load", str(REPORTS), "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    return data


@pytest.fixture
def data_dir(loaded_dir: Path, tmp_path: Path) -> Path:
    """A fresh copy of :func:`loaded_dir` (for tests that change its saved files)."""
    import shutil

    copy = tmp_path / "data"
    shutil.copytree(loaded_dir, copy)
    return copy
