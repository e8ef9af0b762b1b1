"""The remote backend against our own server: ``hmic-kg load --backend remote`` through a real
``hmic-kg serve --allow-updates-token-file`` on loopback, with the update token as a bearer token."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from graph.config import GraphConfig
from graph.store import StoreError, open_store
from graph.store_remote import RemoteStore
from tests.conftest_servers import ROOT, hmic_kg_command, served

pytestmark = pytest.mark.server
TOKEN = "own-server-update-token"
REPORTS = ROOT / "data" / "reports"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty store served with updates allowed for ``TOKEN``."""
    token_file = tmp_path_factory.mktemp("own-server-token") / "token"
    token_file.write_text(TOKEN + "\n", encoding="utf-8")
    token_file.chmod(0o600)
    with served(tmp_path_factory.mktemp("own-server"), "--allow-updates-token-file", str(token_file)) as base:
        yield base


def load_remote(server: str, cwd: Path, *token: str) -> subprocess.CompletedProcess[str]:
    """``hmic-kg load data/reports --backend remote`` against ``server``'s /sparql."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HMIC_KG_")}
    endpoint = f"{server}/sparql"
    command = hmic_kg_command(
        "load", str(REPORTS), "--backend", "remote", "--query-url", endpoint, "--update-url", endpoint, *token
    )
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_load_without_the_token_is_refused_and_says_why(server: str, tmp_path: Path) -> None:
    result = load_remote(server, tmp_path)
    assert result.returncode != 0
    assert "403" in result.stdout + result.stderr and "--update-token" in result.stdout + result.stderr
    assert httpx.get(f"{server}/forces", timeout=10).json()["total"] == 0


def test_load_both_reports_through_our_server_with_the_token(server: str, tmp_path: Path) -> None:
    result = load_remote(server, tmp_path, "--update-token", TOKEN)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 loaded, 0 failed" in result.stdout
    forces = httpx.get(f"{server}/forces", timeout=30).json()
    assert {f["id"] for f in forces["items"]} >= {"northamptonshire", "nottinghamshire"}
    again = load_remote(server, tmp_path, "--update-token", TOKEN)  # reloading replaces, nothing doubles
    assert again.returncode == 0, again.stdout + again.stderr
    assert httpx.get(f"{server}/forces", timeout=30).json()["total"] == forces["total"]


def test_bridges_through_our_server(server: str, tmp_path: Path) -> None:
    """Regression (issue 15): ``bridges --backend remote`` against our own /sparql crashed on the
    non-standard "truncated" member; the results are standard now and a store larger than the row limit
    is exported in pages (after the load test above)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HMIC_KG_")}
    command = hmic_kg_command(
        "bridges", "--backend", "remote", "--query-url", f"{server}/sparql", "--top", "3"
    )
    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ViSOR" in result.stdout and "Traceback" not in result.stderr


def test_token_goes_on_updates_only() -> None:
    seen: list[tuple[str, str | None]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append((request.headers["content-type"].split(";")[0], request.headers.get("authorization")))
        if "update" in request.headers["content-type"]:
            return httpx.Response(204)
        return httpx.Response(200, json={"head": {}, "boolean": True}, headers={"content-type": RESULTS})

    client = httpx.Client(transport=httpx.MockTransport(answer))
    store = RemoteStore("http://x.invalid/q", "http://x.invalid/u", client=client, update_token=TOKEN)
    store.update("CLEAR SILENT GRAPH <http://x.invalid/g>")
    assert store.query("ASK {}").boolean is True
    assert seen == [
        ("application/sparql-update", f"Bearer {TOKEN}"),
        ("application/x-www-form-urlencoded", None),
    ]


def test_token_from_the_environment_and_kept_out_of_repr(tmp_path: Path) -> None:
    config = GraphConfig.from_env(
        {
            "HMIC_KG_BACKEND": "remote",
            "HMIC_KG_QUERY_URL": "http://x.invalid/q",
            "HMIC_KG_UPDATE_TOKEN": TOKEN,
        },
        data_dir=tmp_path,
    )
    assert config.update_token == TOKEN and TOKEN not in repr(config)
    store = open_store(config)
    try:
        assert isinstance(store, RemoteStore)
        with pytest.raises(StoreError, match="read-only"):  # no update URL: the token alone writes nothing
            store.update("CLEAR ALL")
    finally:
        store.close()


RESULTS = "application/sparql-results+json"
