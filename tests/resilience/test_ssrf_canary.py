"""Server-side request forgery through SERVICE and LOAD: a real canary HTTP server on 127.0.0.1 must see
**no** request, whatever the spelling (a status code proves nothing: an engine that really tried the
connection to a closed port answers 400 too).

Three layers are attacked separately:

* the whole endpoint (GET and POST, updates with the token): guard + worker fence;
* the query workers alone, with the guard bypassed (the query is handed to the pool as it is): the OS fence
  (network namespace / seccomp) must hold on its own;
* a control: the same query in an unfenced pyoxigraph does reach the canary, so the canary works.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.query_pool import QueryPool
from api.sparql_worker import INLINE_BYTES
from graph.store_oxigraph import OxigraphStore
from tests.conftest_api import settings

TOKEN = "canary-update-token"
SECRET = "canary-secret-body-7f3a"


class Canary:
    """An HTTP server on loopback that logs every request line and answers with a secret body."""

    def __init__(self) -> None:
        log: list[str] = []
        self.log = log

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                log.append(f"{self.command} {self.path}")
                body = f'{{"head":{{"vars":["x"]}},"results":{{"bindings":[]}}, "s":"{SECRET}"}}'.encode()
                self.send_response(500)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    server = Canary()
    yield server
    server.close()


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    store = OxigraphStore(None, meta_graph_iri="http://x/meta")
    store.update("INSERT DATA { GRAPH <http://x/g> { <http://x/s> <http://x/p> 'o' } }")
    app = create_app(settings(query_timeout_s=5.0, update_token=TOKEN), store=store)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
    store.close()


def spellings(url: str) -> list[str]:
    """Every SERVICE spelling the probe and this suite know of, aimed at ``url``."""
    host = url.rsplit("/", 1)[0] + "/"
    return [
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ #x\rSERVICE <{url}> {{ ?s ?p ?o }} }}",  # comment ended by CR
        f"SELECT * WHERE {{ #x\nSERVICE <{url}> {{ ?s ?p ?o }} }}",  # comment ended by LF
        f"SELECT * WHERE {{ #x\x0cSERVICE <{url}> {{ ?s ?p ?o }} }}",  # form feed inside a comment
        f"SELECT * WHERE {{ BIND(<http://x/\\u0041#> AS ?z) SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND(<http://x/\\U00000041#> AS ?z) SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f'SELECT * WHERE {{ BIND("\\u0022#" AS ?z) SERVICE <{url}> {{ ?s ?p ?o }} }}',
        f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"PREFIX c: <{host}> SELECT * WHERE {{ SERVICE c:sparql {{ ?s ?p ?o }} }}",
        f"PREFIX c: <{host}> SELECT * WHERE {{ SERVICEc:sparql {{ ?s ?p ?o }} }}",  # no word boundary
        f"PREFIX c: <{host}> SELECT * WHERE {{ ?s ?p c:.SERVICE c:sparql {{ }} }}",
        f"PREFIX c: <{host}> SELECT * WHERE {{ ?s ?p c:a\\#b SERVICE c:sparql {{ }} }}",
        f"PREFIX c: <{host}> SELECT * WHERE {{ FILTER(?a<?b)SERVICEc:sparql#>\n{{ }} }}",
        "SELECT * WHERE { { SELECT ?s WHERE { { SELECT ?s WHERE { "
        f"SERVICE <{url}> {{ ?s ?p ?o }} }} }} }} }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE SILENT <{url}> {{ ?s ?p ?x }} }} }}",
        f"SELECT * WHERE {{ BIND(<{url}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        f"select*where{{service<{url}>{{?s ?p ?o}}}}",
        f"ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE\xa0{{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"PREFIX : <{host}> SELECT * WHERE {{ ?s ?p _:b:.SERVICE :sparql {{ }} }}",
    ]


def update_spellings(url: str) -> list[str]:
    host = url.rsplit("/", 1)[0] + "/"
    return [
        f"LOAD <{url}>",
        f"LOAD SILENT <{url}> INTO GRAPH <http://x/g2>",
        f"INSERT DATA {{ }} ;\rLOAD <{url}>",
        f"INSERT DATA {{ }} ; #x\rLOAD <{url}>",
        f"PREFIX c: <{host}> LOADc:sparql",
        f"\\u004cOAD <{url}>",
        f"INSERT {{ GRAPH <http://x/g> {{ ?s ?p ?o }} }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"INSERT {{ GRAPH <http://x/g> {{ ?s ?p ?o }} }} WHERE {{ #x\rSERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"DELETE {{ ?s ?p ?o }} WHERE {{ BIND(<http://x/\\u0041#> AS ?z) SERVICE <{url}> {{ ?s ?p ?o }} }}",
    ]


def test_the_canary_sees_an_unfenced_engine(canary: Canary) -> None:
    """Control: pyoxigraph in this (unfenced) process does send the request, so a silent canary means
    something."""
    before = len(canary.log)
    with pytest.raises(OSError):
        list(ox.Store().query(f"SELECT * WHERE {{ SERVICE <{canary.url}> {{ ?s ?p ?o }} }}"))
    assert len(canary.log) > before


@pytest.mark.parametrize("index", range(len(spellings("http://127.0.0.1:1/sparql"))))
def test_no_service_spelling_reaches_the_canary(client: TestClient, canary: Canary, index: int) -> None:
    query = spellings(canary.url)[index]
    before = len(canary.log)
    for response in (
        client.get("/sparql", params={"query": query}),
        client.post("/sparql", data={"query": query}),
        client.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"}),
    ):
        assert 400 <= response.status_code < 500, (query, response.status_code, response.text[:300])
        assert SECRET not in response.text
    assert canary.log[before:] == [], query


@pytest.mark.parametrize("index", range(len(update_spellings("http://127.0.0.1:1/sparql"))))
def test_no_update_with_the_token_reaches_the_canary(client: TestClient, canary: Canary, index: int) -> None:
    update = update_spellings(canary.url)[index]
    before = len(canary.log)
    response = client.post("/sparql", data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert 400 <= response.status_code < 500, (update, response.status_code, response.text[:300])
    assert SECRET not in response.text
    assert canary.log[before:] == [], update


def test_the_worker_fence_holds_without_the_guard(canary: Canary) -> None:
    """Every spelling handed straight to a worker (no guard): the OS fence alone stops the request."""
    pool = QueryPool(1)
    try:
        fences = pool.status()["fences"]
        assert fences, "the worker runs without a network fence"
        before = len(canary.log)
        for query in spellings(canary.url):
            job = {
                "sparql": query,
                "table_format": "json",
                "graph_format": "turtle",
                "max_rows": 10,
                "max_answer_bytes": INLINE_BYTES,
            }
            reply = pool.run(job, 10.0)
            assert SECRET not in str(reply.get("message", "")) + str(reply.get("body", ""))
        assert canary.log[before:] == [], "a worker reached the canary"
    finally:
        pool.close()


def test_the_fence_holds_for_a_non_root_user(canary: Canary) -> None:
    """The worker's fences do not need root: as ``nobody`` (when the suite runs as root; as the suite's
    own user otherwise) the fences go up and the canary sees nothing."""
    import os
    import subprocess
    import sys

    script = (
        "import socket, sys; from api.sandbox import isolate_network; print(','.join(isolate_network()));\n"
        "try:\n"
        f"    socket.create_connection(('127.0.0.1', {canary.server.server_address[1]}), timeout=3)\n"
        "    print('connected')\n"
        "except OSError as exc:\n"
        "    print('refused', exc.errno)\n"
    )
    as_user = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.geteuid() == 0 else []
    root = str(Path(__file__).resolve().parents[2])
    before = len(canary.log)
    done = subprocess.run(
        [*as_user, sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=root,
        env={**os.environ, "PYTHONPATH": root},
        check=False,
    )
    fences, outcome = done.stdout.split()[:2]
    assert fences and outcome == "refused", done.stdout + done.stderr
    assert canary.log[before:] == []


@pytest.mark.server
def test_the_served_process_cannot_open_outbound_connections(tmp_path: Path) -> None:
    """``hmic-kg serve`` over an embedded store fences itself too (seccomp, after opening its listening
    socket): an authorised update's LOAD would find no network either; queries still work."""
    from tests.conftest_resilience import Server

    token_file = tmp_path / "token"
    token_file.write_text(TOKEN, encoding="utf-8")
    token_file.chmod(0o600)
    server = Server(tmp_path / "kg", "--allow-updates-token-file", str(token_file))
    try:
        status = Path(f"/proc/{server.process.pid}/status").read_text(encoding="ascii")
        assert "Seccomp:\t2" in status, status
        assert "outbound network connections are blocked" in server.log.read_text(encoding="utf-8")
        import httpx

        ask = httpx.get(f"{server.url}/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=60)
        assert ask.status_code == 200, ask.text
        update = httpx.post(
            f"{server.url}/sparql",
            data={"update": "INSERT DATA { GRAPH <http://x/g> { <http://x/s> <http://x/p> 1 } }"},
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=60,
        )
        assert update.status_code == 204, update.text
    finally:
        server.stop()
