"""HTTP hardening of ``hmic-kg serve``: slow clients, ambiguous framing, undecodable headers, security
headers on HTML, the update token kept off the command line, and a 503 while a load holds the store."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.cli.serve_cmd import read_token_file, server_update_token
from api.settings import SERVER_TOKEN_VARIABLE, Settings
from graph.config import GraphConfig
from graph.store_oxigraph import OxigraphStore
from tests.conftest_resilience import HMIC_KG, ROOT, Server, cli_env, record_figure

TOKEN = "hardening-update-token"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """An empty store served with a 2 s request deadline (the default is 20 s)."""
    running = Server(tmp_path_factory.mktemp("hardening") / "kg", "--request-timeout", "2")
    try:
        yield running
    finally:
        running.stop()


def _raw(server: Server, data: bytes, wait_s: float = 5.0) -> tuple[bytes, bool]:
    """Send ``data`` on a fresh connection; what came back, and whether the server closed it."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=wait_s) as sock:
        sock.sendall(data)
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except TimeoutError:
            return received, False
        return received, True


@pytest.mark.server
def test_slow_clients_are_dropped_and_others_are_served(server: Server) -> None:
    sockets = []
    for _ in range(100):
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        sock.sendall(b"GET /forces HTTP/1.1\r\nHost: x\r\nX-Slow: ")  # headers never finished
        sockets.append(sock)
    started = time.monotonic()
    assert httpx.get(f"{server.url}/forces", timeout=5).status_code == 200
    closed = 0
    for sock in sockets:
        try:
            closed += sock.recv(1) == b""
        except (ConnectionResetError, TimeoutError):
            closed += 1
        sock.close()
    elapsed = time.monotonic() - started
    record_figure("slow clients", f"100 unfinished requests all dropped after {elapsed:.1f} s (deadline 2 s)")
    assert closed == 100 and elapsed < 10


@pytest.mark.server
def test_content_length_with_transfer_encoding_is_refused_and_closed(server: Server) -> None:
    smuggled = (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
        b"GET /forces HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    received, closed = _raw(server, smuggled)
    assert received.startswith(b"HTTP/1.1 400"), received[:200]
    assert closed and received.count(b"HTTP/1.1 ") == 1, received


@pytest.mark.server
def test_non_ascii_authorization_is_a_400(server: Server) -> None:
    request = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \xff\xfe\xe9\r\n\r\n"
    received, _ = _raw(server, request)
    assert received.startswith(b"HTTP/1.1 400"), received[:200]
    assert b"Authorization header must be ASCII" in received


@pytest.mark.server
def test_html_answers_carry_security_headers(server: Server) -> None:
    page = httpx.get(f"{server.url}/", headers={"Accept": "text/html"}, timeout=10)
    assert page.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert (
        "'unsafe-inline'" not in page.headers["content-security-policy"].split("script-src")[1].split(";")[0]
    )
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert httpx.get(f"{server.url}/forces", timeout=10).headers["x-content-type-options"] == "nosniff"


def test_update_token_on_the_command_line_is_refused(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(HMIC_KG), "serve", "--data-dir", str(tmp_path), "--allow-updates-token", TOKEN],
        cwd=ROOT,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "--allow-updates-token-file" in result.stderr and TOKEN not in result.stderr


def test_update_token_file(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(f"{TOKEN}\n", encoding="utf-8")
    token_file.chmod(0o600)
    assert read_token_file(token_file) == TOKEN


def test_server_and_client_token_variables_never_enable_each_other(tmp_path: Path) -> None:
    """HMIC_KG_UPDATE_TOKEN is the client's outbound token; HMIC_KG_SERVER_UPDATE_TOKEN opens the server."""
    client_only = {"HMIC_KG_UPDATE_TOKEN": TOKEN, "HMIC_KG_DATA_DIR": str(tmp_path)}
    assert server_update_token(None, client_only) is None
    assert GraphConfig.from_env(client_only).update_token == TOKEN
    server_only = {SERVER_TOKEN_VARIABLE: TOKEN, "HMIC_KG_DATA_DIR": str(tmp_path)}
    assert server_update_token(None, server_only) == TOKEN
    assert GraphConfig.from_env(server_only).update_token is None


@pytest.mark.server
def test_served_with_the_client_variable_only_refuses_updates(tmp_path: Path) -> None:
    env = {**cli_env(), "HMIC_KG_UPDATE_TOKEN": TOKEN}
    env.pop(SERVER_TOKEN_VARIABLE, None)
    running = Server(tmp_path / "kg", env=env)
    try:
        response = httpx.post(
            f"{running.url}/sparql",
            data={"update": "INSERT DATA { <http://x/s> <http://x/p> 1 }"},
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=10,
        )
        assert response.status_code == 403
    finally:
        running.stop()


def test_a_store_locked_by_a_load_answers_503(tmp_path: Path) -> None:
    data_dir = tmp_path / "kg"
    loading = OxigraphStore(data_dir / "oxigraph")  # holds the RocksDB lock, as a running load does
    try:
        settings = Settings(graph=GraphConfig(data_dir=data_dir))
        with TestClient(create_app(settings), raise_server_exceptions=False) as client:
            for path in ("/forces", "/sparql?query=ASK%7B%7D"):
                response = client.get(path)
                assert response.status_code == 503, (path, response.text)
                assert response.json()["error"]["code"] == "store_busy"
                assert "being loaded" in response.json()["error"]["message"]
    finally:
        loading.close()


def test_csv_answers_neutralise_formula_cells() -> None:
    store = OxigraphStore(None)
    store.update(
        "INSERT DATA { GRAPH <http://x/g> { <http://x/a> <http://x/p> "
        "'=HYPERLINK(\"http://evil/\")', '@SUM(1)', '+1 and more', '-5', 'plain' } }"
    )
    app = create_app(
        Settings(graph=GraphConfig(backend="memory", data_dir=Path("/nonexistent"))), store=store
    )
    with TestClient(app) as client:
        response = client.get(
            "/sparql",
            params={"query": "SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o"},
            headers={"Accept": "text/csv"},
        )
    store.close()
    cells = response.text.splitlines()[1:]
    assert sorted(cells) == sorted(
        ["'+1 and more", "-5", '"\'=HYPERLINK(""http://evil/"")"', "'@SUM(1)", "plain"]
    ), cells
