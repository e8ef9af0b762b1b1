"""The W3C SPARQL 1.1 Protocol tests against a real ``hmic-kg serve`` on loopback, read-only and with
updates enabled; tests, requests and expectations all come from the manifest (``tests/w3c_protocol.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import Graph

from graph.store_oxigraph import OxigraphStore
from tests.conftest_servers import served
from tests.w3c_protocol import ProtocolTest, load_manifest, run

pytestmark = pytest.mark.server
TOKEN = "w3c-protocol-update-token"
TESTS = load_manifest()
QUERY_TESTS = [t for t in TESTS if not t.is_update]


def _graph_data() -> dict[str, Path]:
    return {label: path for test in TESTS for label, path in test.graph_data}


def _prepared(data_dir: Path) -> Path:
    """A data directory whose store holds every graph the manifest's dataset tests name."""
    store = OxigraphStore(data_dir / "oxigraph")
    try:
        for label, path in _graph_data().items():
            store.replace_graph(label, Graph().parse(path, format="nt"), None)
    finally:
        store.close()
    return data_dir


@pytest.fixture(scope="module")
def read_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served(_prepared(tmp_path_factory.mktemp("w3c-read-only"))) as base:
        yield base


@pytest.fixture(scope="module")
def writable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = _prepared(tmp_path_factory.mktemp("w3c-updates"))
    token_file = data_dir.parent / "update-token"
    token_file.write_text(TOKEN, encoding="utf-8")
    with served(data_dir, "--allow-updates-token-file", str(token_file)) as base:
        yield base


def _reload(base: str, test: ProtocolTest) -> None:
    """Put the test's graphs back (an earlier update test may have cleared the store)."""
    for label, path in test.graph_data:
        triples = path.read_text(encoding="utf-8")
        update = f"DROP SILENT GRAPH <{label}> ; INSERT DATA {{ GRAPH <{label}> {{ {triples} }} }}"
        response = httpx.post(
            f"{base}/sparql",
            content=update.encode(),
            headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
            timeout=30,
        )
        assert response.status_code == 204, response.text


def test_manifest_is_read_whole() -> None:
    assert len(TESTS) == 34
    assert all(t.requests for t in TESTS)
    assert len(QUERY_TESTS) == 21 and {p.name for p in _graph_data().values()} == {
        "data1.nt",
        "data2.nt",
        "data3.nt",
    }


@pytest.mark.parametrize("test", QUERY_TESTS, ids=[t.name for t in QUERY_TESTS])
def test_query_side_read_only(read_only: str, test: ProtocolTest) -> None:
    assert run(test, read_only) == [], test.title


@pytest.mark.parametrize("test", [t for t in TESTS if t.is_update], ids=lambda t: t.name)
def test_updates_are_refused_read_only(read_only: str, test: ProtocolTest) -> None:
    first = test.requests[0]
    response = httpx.request(
        first.method,
        read_only + "/sparql" + first.path.removeprefix("/sparql/"),
        headers=dict(first.headers),
        content=first.body,
        timeout=30,
    )
    assert 400 <= response.status_code < 500, test.title


@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_every_test_with_updates_enabled(writable: str, test: ProtocolTest) -> None:
    _reload(writable, test)
    assert run(test, writable, token=TOKEN) == [], test.title
