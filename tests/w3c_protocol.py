"""The W3C SPARQL 1.1 Protocol test manifest, read with rdflib, and a runner of its HTTP requests.

Nothing of the expectations is copied by hand: each test's requests (method, path, headers, body and its
character encoding) and expected responses (status class, result format, ASK boolean) come from
``tests/data/w3c/sparql11-protocol/manifest.ttl``, as do the graphs its dataset tests load.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDFS

HERE = Path(__file__).resolve().parent / "data" / "w3c" / "sparql11-protocol"
MANIFEST = HERE / "manifest.ttl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"
#: mf:expectedFormat -> media types that fit it (Protocol §2.1.5-2.1.6: XML, JSON, CSV, TSV; RDF forms)
FORMATS = {
    "boolean": ("application/sparql-results+json", "application/sparql-results+xml"),
    "tabular": (
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ),
    "RDF": ("application/rdf+xml", "text/turtle", "application/n-triples", "application/xhtml+xml"),
}


@dataclass(frozen=True)
class Expected:
    status_classes: frozenset[int]  # 2, 3, 4, 5
    format: str | None
    boolean: bool | None


@dataclass(frozen=True)
class ProtocolRequest:
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    expected: Expected


@dataclass(frozen=True)
class ProtocolTest:
    name: str
    title: str
    requests: tuple[ProtocolRequest, ...]
    graph_data: tuple[tuple[str, Path], ...] = field(default=())

    @property
    def is_update(self) -> bool:
        """Whether a request of the test is a SPARQL update (refused by a read-only endpoint)."""
        for request in self.requests:
            types = [v for k, v in request.headers if k.lower() == "content-type"]
            body = (request.body or b"")[:8]
            if (
                any("sparql-update" in t for t in types)
                or body.startswith(b"update=")
                or "update=" in request.path
            ):
                return True
        return False


def _request(graph: Graph, node: URIRef) -> ProtocolRequest:
    listed = graph.value(node, HT.headers)
    items = Collection(graph, listed) if listed is not None else []
    headers = [(str(graph.value(i, HT.fieldName)), str(graph.value(i, HT.fieldValue))) for i in items]
    body_node = graph.value(node, HT.body)
    body = None
    if body_node is not None:
        encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
        body = str(graph.value(body_node, CNT.chars)).encode(encoding)
    response = graph.value(node, HT.resp)
    classes = frozenset(int(str(s).removeprefix(HTS)[0]) for s in graph.objects(response, MF.expectedStatus))
    fmt = graph.value(response, MF.expectedFormat)
    boolean = graph.value(response, MF.expectedBoolean)
    expected = Expected(
        classes, None if fmt is None else str(fmt), None if boolean is None else bool(boolean.toPython())
    )
    return ProtocolRequest(
        str(graph.value(node, HT.methodName)),
        str(graph.value(node, HT.absolutePath)),
        tuple(headers),
        body,
        expected,
    )


def load_manifest(path: Path = MANIFEST) -> list[ProtocolTest]:
    """Every test of the manifest, in the order of its ``mf:entries``."""
    graph = Graph().parse(path, format="turtle", publicID=path.as_uri())
    manifest = next(graph.subjects(MF.entries, None))
    tests = []
    for entry in Collection(graph, graph.value(manifest, MF.entries)):
        action = graph.value(entry, MF.action)
        requests = tuple(_request(graph, r) for r in Collection(graph, graph.value(action, HT.requests)))
        data = tuple(
            (str(graph.value(d, RDFS.label)), Path(str(graph.value(d, UT.graph)).removeprefix("file://")))
            for d in graph.objects(entry, UT.graphData)
        )
        name = str(entry).rsplit("#", 1)[-1]
        tests.append(ProtocolTest(name, str(graph.value(entry, MF.name)), requests, tuple(sorted(data))))
    return tests


def _boolean(response: httpx.Response) -> bool | None:
    media = response.headers.get("content-type", "").split(";")[0].strip()
    if media == "application/sparql-results+json":
        return json.loads(response.content).get("boolean")
    found = re.search(rb"<boolean>\s*(true|false)\s*</boolean>", response.content)
    return None if found is None else found.group(1) == b"true"


def check(request: ProtocolRequest, response: httpx.Response) -> list[str]:
    """What is wrong with ``response`` by the manifest's expectations (empty: it passes)."""
    problems = []
    expected = request.expected
    if response.status_code // 100 not in expected.status_classes:
        classes = "/".join(f"{c}xx" for c in sorted(expected.status_classes))
        problems.append(
            f"{request.method} {request.path}: HTTP {response.status_code}, expected {classes}: "
            f"{response.text[:200]}"
        )
        return problems
    media = response.headers.get("content-type", "").split(";")[0].strip()
    if expected.format is not None and media not in FORMATS[expected.format]:
        problems.append(f"{request.method} {request.path}: {media} is not a {expected.format} format")
    if expected.boolean is not None and _boolean(response) is not expected.boolean:
        problems.append(f"{request.method} {request.path}: expected boolean {expected.boolean}")
    return problems


def run(test: ProtocolTest, base: str, endpoint_path: str = "/sparql", token: str | None = None) -> list[str]:
    """Send the test's requests in order to the server at ``base``; the problems found."""
    problems = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for request in test.requests:
            assert request.path.startswith("/sparql/"), request.path  # as the manifest promises
            path = endpoint_path + request.path.removeprefix("/sparql/")
            headers = dict(request.headers)
            if token:
                headers["Authorization"] = f"Bearer {token}"
            response = client.request(request.method, path, headers=headers, content=request.body)
            problems += check(request, response)
    return problems
