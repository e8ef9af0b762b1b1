"""``hmic-kg serve --workers N``: workers on read-only checkpoints, writes through the owner, no orphans."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from multiprocessing import Pipe
from pathlib import Path

import httpx
import psutil
import pytest

from api.matching_saved import index_path
from api.snapshot_store import snapshot_path
from api.worker_store import KEEP, StoreOwner, WorkerStore
from graph.store import QueryError
from graph.store_oxigraph import OxigraphStore
from tests.conftest import eventually
from tests.conftest_api import BASE, tiny_graph
from tests.conftest_servers import ROOT, hmic_kg_command, start_server, stop_process

pytest_plugins = ["tests.conftest_api"]

TOKEN = "worker-test-token-1234"
#: the triples outside the metadata graph (where each update through /sparql also writes change stamps)
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER (!STRENDS(STR(?g), '/graph/meta')) }"
INSERT = "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/a> <http://example.org/b> 'c' } }"


def _tiny_store(data_dir: Path) -> OxigraphStore:
    store = OxigraphStore(data_dir / "oxigraph")
    store.replace_graph(f"{BASE}graph/tiny", tiny_graph(50), None)
    return store


def _count(store: OxigraphStore) -> int:
    return int(store.query(COUNT).rows[0][0])


def test_a_write_through_one_worker_store_is_seen_by_every_worker(tmp_path: Path) -> None:
    owner = StoreOwner(_tiny_store(tmp_path / "kg"), tmp_path)
    ends = [Pipe() for _ in range(2)]

    for _, owner_end in ends:
        threading.Thread(target=owner.serve, args=(owner_end,), daemon=True).start()
    first, second = (WorkerStore(tmp_path, worker_end) for worker_end, _ in ends)
    assert _count(first) == _count(second) == 50
    before = second.change_count
    first.update(INSERT)
    assert _count(first) == 51  # the writer reads its write at once
    assert second.change_count > before and _count(second) == 51  # the other worker on its next look
    with pytest.raises(QueryError):
        second.update("INSERT DATA { this is not sparql }")
    assert _count(first) == _count(second) == 51
    owner.store.close()


def test_worker_store_backup_is_a_readable_copy(tmp_path: Path) -> None:
    owner = StoreOwner(_tiny_store(tmp_path / "kg"), tmp_path / "pub")
    worker = WorkerStore(tmp_path / "pub", None)
    assert worker.backup_to(tmp_path / "copy")
    assert _count(OxigraphStore(tmp_path / "copy", read_only=True)) == 50
    with pytest.raises(Exception, match="read-only"):
        worker.update(INSERT)  # no owner to forward to
    owner.store.close()


def test_superseded_checkpoints_are_removed_after_a_while(tmp_path: Path, monkeypatch) -> None:
    import api.worker_store as worker_store

    monkeypatch.setattr(worker_store, "RETIRE_AFTER_S", 0.0)
    owner = StoreOwner(_tiny_store(tmp_path / "kg"), tmp_path / "pub")
    for _ in range(KEEP + 3):
        owner.publish()
    assert len(list((tmp_path / "pub").glob("gen-*"))) == KEEP
    owner.store.close()


@pytest.mark.parametrize(
    "options",
    [
        ("--workers", "0"),
        ("--workers", "two"),
        ("--workers", "-3"),
        ("--query-workers", "0"),
        ("--workers", "2", "--backend", "memory"),
    ],
)
def test_bad_worker_counts_exit_2_with_one_line(tmp_path: Path, options: tuple[str, ...]) -> None:
    command = hmic_kg_command("serve", "--data-dir", str(tmp_path), "--port", "0", *options)
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and options[0] in result.stderr


def _descendants(pid: int) -> list[psutil.Process]:
    return psutil.Process(pid).children(recursive=True)


def _gone(process: psutil.Process) -> bool:
    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.fixture
def two_workers(tmp_path: Path):
    _tiny_store(tmp_path / "kg").close()
    token = tmp_path / "token"
    token.write_text(TOKEN, encoding="utf-8")
    token.chmod(0o600)
    options = ("--workers", "2", "--allow-updates-token-file", str(token))

    def command(port: int) -> list[str]:
        serve = ("serve", "--data-dir", str(tmp_path / "kg"), "--host", "127.0.0.1", "--port", str(port))
        return hmic_kg_command(*serve, *options)

    def ready(base: str) -> bool:
        return httpx.get(f"{base}/openapi.json", timeout=1).status_code == 200

    process, base = start_server(command, ready, cwd=ROOT, stderr=subprocess.DEVNULL)
    try:
        yield process, base
    finally:
        stop_process(process)


def _sparql_count(base: str) -> int:
    with httpx.Client() as client:  # a new connection: any worker may accept it
        answer = client.get(f"{base}/sparql", params={"query": COUNT}, timeout=10).json()
    return int(answer["results"]["bindings"][0]["n"]["value"])


def _http_workers(pid: int) -> list[psutil.Process]:
    return [p for p in psutil.Process(pid).children() if "api.serve_workers" in " ".join(p.cmdline())]


@pytest.mark.server
def test_two_workers_serve_and_an_update_is_seen_by_every_worker(two_workers) -> None:
    process, base = two_workers
    assert len(_http_workers(process.pid)) == 2
    assert httpx.get(f"{base}/forces", timeout=10).status_code == 200
    assert {_sparql_count(base) for _ in range(12)} == {50}
    refused = httpx.post(f"{base}/sparql", data={"update": INSERT}, timeout=10)
    assert refused.status_code == 403
    headers = {"Authorization": f"Bearer {TOKEN}"}
    assert httpx.post(f"{base}/sparql", data={"update": INSERT}, headers=headers, timeout=30).is_success
    assert {_sparql_count(base) for _ in range(20)} == {51}  # fresh connections, spread over the workers


@pytest.mark.server
def test_kill_9_of_the_server_leaves_no_worker(two_workers) -> None:
    process, base = two_workers
    _sparql_count(base)  # the query workers exist too
    _sparql_count(base)
    family = _descendants(process.pid)
    assert len(family) >= 3
    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not all(_gone(p) for p in family):
        time.sleep(0.1)
    assert [p.pid for p in family if not _gone(p)] == []


@pytest.mark.server
def test_the_server_token_variable_stops_at_the_serve_process(tmp_path: Path) -> None:
    """With ``HMIC_KG_SERVER_UPDATE_TOKEN``, the workers get the token in their settings: updates work,
    and neither they nor their query workers have it in their environment."""
    from api.settings import SERVER_TOKEN_VARIABLE

    _tiny_store(tmp_path / "kg").close()
    serve = ("serve", "--data-dir", str(tmp_path / "kg"), "--host", "127.0.0.1", "--workers", "2")
    env = {**os.environ, SERVER_TOKEN_VARIABLE: TOKEN}

    def ready(base: str) -> bool:
        return httpx.get(f"{base}/openapi.json", timeout=1).status_code == 200

    process, base = start_server(
        lambda port: hmic_kg_command(*serve, "--port", str(port)), ready, cwd=ROOT, env=env
    )
    try:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        assert httpx.post(f"{base}/sparql", data={"update": INSERT}, headers=headers, timeout=30).is_success
        assert _sparql_count(base) == 51
        family = _descendants(process.pid)
        assert len(family) >= 3
        for member in family:
            assert SERVER_TOKEN_VARIABLE not in member.environ()
    finally:
        stop_process(process)


@pytest.mark.server
def test_one_worker_is_the_single_process_server(tmp_path: Path) -> None:
    _tiny_store(tmp_path / "kg").close()
    serve = ("serve", "--data-dir", str(tmp_path / "kg"), "--host", "127.0.0.1", "--workers", "1")

    def ready(base: str) -> bool:
        return httpx.get(f"{base}/openapi.json", timeout=1).status_code == 200

    process, base = start_server(lambda port: hmic_kg_command(*serve, "--port", str(port)), ready, cwd=ROOT)
    try:
        assert _sparql_count(base) == 50
        assert _http_workers(process.pid) == []  # it serves itself; its only children are query workers
        owners = Path(tempfile.gettempdir()).glob("hmic-kg-snapshots-serve-*/owner")
        assert str(process.pid) not in {
            owner.read_text(encoding="ascii") for owner in owners
        }  # no checkpoints
    finally:
        stop_process(process)


def _listening_inode(worker: psutil.Process, port: int) -> str:
    (listening,) = [c for c in worker.net_connections("tcp") if c.status == "LISTEN" and c.laddr.port == port]
    return os.readlink(f"/proc/{worker.pid}/fd/{listening.fd}")


@pytest.mark.server
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SO_REUSEPORT balancing is Linux's")
def test_a_burst_of_keep_alive_connections_is_spread_over_the_workers(two_workers) -> None:
    """Regression: the workers shared one listening socket, and the worker woken by a burst of
    connections accepted every queued one; a client's keep-alive connections then all stayed on it
    while the other worker idled (``bench_cores``: two CPUs served 1.08× one). Each worker now has its
    own socket on the port, and the kernel spreads the connections (all 16 on one: odds 1 in 32,768)."""
    process, base = two_workers
    port = int(base.rsplit(":", 1)[1])
    workers = _http_workers(process.pid)
    assert len({_listening_inode(w, port) for w in workers}) == 2  # one socket each, one port
    burst = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(16)]
    try:
        for conn in burst:
            conn.sendall(b"GET /openapi.json HTTP/1.1\r\nHost: test\r\n\r\n")
        for conn in burst:
            assert conn.recv(12).startswith(b"HTTP/1.1 200")
        held = {w.pid: sum(c.status == "ESTABLISHED" for c in w.net_connections("tcp")) for w in workers}
        assert all(count > 0 for count in held.values()), held
    finally:
        for conn in burst:
            conn.close()


@pytest.mark.server
def test_a_second_server_on_a_taken_port_exits_1_with_one_line(two_workers, tmp_path: Path) -> None:
    """Regression guard for the per-worker ``SO_REUSEPORT`` sockets: a second server of the same user
    must not quietly share the first one's port (and half its connections)."""
    _, base = two_workers
    port = base.rsplit(":", 1)[1]
    _tiny_store(tmp_path / "other").close()
    serve = ("serve", "--data-dir", str(tmp_path / "other"), "--host", "127.0.0.1", "--port", port)
    second = subprocess.run(
        hmic_kg_command(*serve, "--workers", "2"), cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert second.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in second.stderr.strip().splitlines()[-1]


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


@pytest.mark.server
def test_read_only_workers_share_one_build_in_a_scratch_dir_removed_at_stop(data_dir: Path) -> None:
    """Regression: the workers of a read-only store saved nothing, so each built the read model and the
    matching index itself. One now builds both in a scratch dir in the serve process's private folder,
    which goes at stop; the data dir is not written."""
    snapshot_path(data_dir).unlink()
    index_path(data_dir).unlink()
    before = _files(data_dir)
    serve = ("serve", "--data-dir", str(data_dir), "--host", "127.0.0.1", "--workers", "2")

    def ready(base: str) -> bool:
        return httpx.get(f"{base}/openapi.json", timeout=1).status_code == 200

    env = {**os.environ, "HMIC_KG_READ_ONLY": "1"}
    process, base = start_server(
        lambda port: hmic_kg_command(*serve, "--port", str(port)), ready, cwd=ROOT, env=env
    )
    try:
        owners = Path(tempfile.gettempdir()).glob("hmic-kg-snapshots-serve-*/owner")
        (root,) = [o.parent for o in owners if o.read_text(encoding="ascii") == str(process.pid)]
        scratch = root / "read-model"
        assert scratch.stat().st_mode & 0o777 == 0o700
        for _ in range(4):  # fresh connections: both workers answer
            with httpx.Client() as client:
                assert client.get(f"{base}/forces/northamptonshire/help", timeout=60).status_code == 200
        eventually(lambda: index_path(scratch).exists(), "the matching index saved in the scratch dir")
        assert snapshot_path(scratch).exists()
        assert _files(data_dir) == before, "nothing written in the data dir"
    finally:
        stop_process(process)
    assert process.returncode == 0 and not root.exists(), (
        "the scratch dir went with the serve process's folder"
    )
    assert _files(data_dir) == before
