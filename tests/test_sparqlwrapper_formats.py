"""SPARQLWrapper, the most used Python SPARQL client, against a real ``hmic-kg serve``: every format it
offers for every query form it fits (SPARQLWrapper sends ``format`` more than once; same value = one)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from graph.store_oxigraph import OxigraphStore
from tests.conftest_servers import served

pytestmark = pytest.mark.server
EX = "http://example.org/"
SELECT = f"SELECT ?s ?o WHERE {{ ?s <{EX}p> ?o }} ORDER BY ?s"
ASK = f"ASK {{ <{EX}s1> <{EX}p> ?o }}"
CONSTRUCT = f"CONSTRUCT {{ ?s <{EX}p> ?o }} WHERE {{ ?s <{EX}p> ?o }}"
DESCRIBE = f"DESCRIBE <{EX}s1>"


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir: Path = tmp_path_factory.mktemp("sparqlwrapper")
    graph = Graph()
    for i in range(3):
        graph.add((URIRef(f"{EX}s{i}"), URIRef(f"{EX}p"), Literal(f"value {i}")))
    store = OxigraphStore(data_dir / "oxigraph")
    store.replace_graph(f"{EX}graph", graph, None)
    store.close()
    with served(data_dir) as base:
        yield f"{base}/sparql"


def _ask(endpoint: str, query: str, fmt: str, method: str = "GET") -> object:
    client = SPARQLWrapper(endpoint)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    return client.query().convert()


def _rows(result: object, fmt: str) -> int:
    if fmt == JSON:
        return len(result["results"]["bindings"])  # type: ignore[index]
    if fmt == XML:
        return len(result.getElementsByTagName("result"))  # type: ignore[attr-defined]
    lines = [line for line in result.decode("utf-8").splitlines() if line]  # type: ignore[attr-defined]
    return len(lines) - 1


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_select_in_every_table_format(endpoint: str, fmt: str, method: str) -> None:
    assert _rows(_ask(endpoint, SELECT, fmt, method), fmt) == 3


@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_ask_in_every_table_format(endpoint: str, fmt: str) -> None:
    result = _ask(endpoint, ASK, fmt)
    if fmt == JSON:
        assert result["boolean"] is True  # type: ignore[index]
    elif fmt == XML:
        assert result.getElementsByTagName("boolean")[0].firstChild.data == "true"  # type: ignore[attr-defined]
    else:
        assert b"true" in result  # type: ignore[operator]


@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["construct", "describe"])
@pytest.mark.parametrize("fmt", [JSONLD, RDFXML, XML, TURTLE, N3])
def test_graph_forms_in_every_rdf_format(endpoint: str, query: str, fmt: str) -> None:
    result = _ask(endpoint, query, fmt)
    if isinstance(result, bytes):  # SPARQLWrapper hands Turtle and N3 back as text
        result = Graph().parse(data=result, format="n3")
    assert isinstance(result, Graph)
    assert (URIRef(f"{EX}s1"), URIRef(f"{EX}p"), Literal("value 1")) in result
    assert len(result) == (3 if query == CONSTRUCT else 1)


@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["construct", "describe"])
def test_n_triples_by_accept(endpoint: str, query: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setQuery(query)
    client.setOnlyConneg(True)  # no format= parameter: the Accept header decides
    client.addCustomHttpHeader("Accept", "application/n-triples")
    response = client.query().response
    assert response.headers["Content-Type"].startswith("application/n-triples")
    graph = Graph().parse(data=response.read(), format="nt")
    assert (URIRef(f"{EX}s1"), URIRef(f"{EX}p"), Literal("value 1")) in graph


def test_json_is_exactly_the_standard(endpoint: str) -> None:
    result = _ask(endpoint, SELECT, JSON)
    assert set(json.loads(json.dumps(result))) == {"head", "results"}
