"""Issue 13: an update through ``/sparql`` invalidates only the report graphs it touches (change stamps,
:mod:`api.update_stamps`; written graphs read by :mod:`api.sparql_scope`), so the kept rows and the saved
snapshot stay valid across updates and restarts, and the embedded store's default-graph index is kept in
step by touching only the written graphs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.report_rows import report_graphs
from api.runtime import Runtime
from api.snapshot import Snapshot
from api.snapshot_build import build_snapshot
from api.snapshot_store import content_key, save_snapshot
from api.sparql_scope import update_scope
from graph.config import GraphConfig
from graph.iris import Iris
from graph.store import swap_graph_update
from graph.store_oxigraph import OxigraphStore
from tests.conftest_api import BASE, settings

pytest_plugins = ["tests.conftest_api"]
TOKEN = "a-long-update-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
META = str(Iris(BASE).meta_graph())
NOTTS = f"{BASE}graph/nottinghamshire-2007"
NORTHANTS = f"{BASE}graph/northamptonshire-2007"


@pytest.fixture(autouse=True)
def _no_warming(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr("api.snapshot_warm.start_warming", lambda snap: None)
    yield


def keys(store: OxigraphStore) -> dict[str, tuple[str, ...]]:
    return {key[0]: key for key in report_graphs(store)}


def encoded(snap: Snapshot, folder: Path) -> bytes:
    folder.mkdir(parents=True, exist_ok=True)
    return save_snapshot(snap, "key", folder).read_bytes()


def default_graph_is_the_union(store: OxigraphStore) -> bool:
    default = {q.triple for q in store.store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    named = {
        q.triple for q in store.store.quads_for_pattern(None, None, None) if q.graph_name != ox.DefaultGraph()
    }
    return default == named


@pytest.fixture
def served(data_dir: Path) -> Iterator[tuple[TestClient, Runtime]]:
    """A server on a loaded data dir with updates enabled (as ``serve`` runs it: it opens the store)."""
    app = create_app(settings(update_token=TOKEN, graph=GraphConfig(data_dir=data_dir)))
    with TestClient(app) as client:
        yield client, app.state.runtime


def update(client: TestClient, text: str) -> int:
    return client.post("/sparql", data={"update": text}, headers=AUTH).status_code


# -- which graphs an update writes -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "writes"),
    [
        ("INSERT DATA { GRAPH <http://e/g> { <http://e/a> <http://e/p> 1 } }", {"http://e/g"}),
        ("PREFIX e: <http://e/> DELETE WHERE { GRAPH e:g { ?s ?p ?o } } ; # done;", {"http://e/g"}),
        ("WITH <http://e/w> DELETE { ?s ?p ?o } WHERE { GRAPH <http://e/r> { ?s ?p ?o } }", {"http://e/w"}),
        ("DROP SILENT GRAPH <http://e/g> ; CREATE GRAPH <http://e/h>", {"http://e/g", "http://e/h"}),
        ("MOVE GRAPH <http://e/a> TO <http://e/b>", {"http://e/a", "http://e/b"}),
        ("ADD DEFAULT TO <http://e/b>", {"http://e/b"}),
        ("INSERT DATA { <http://e/a> <http://e/p> 1 }", None),  # the default graph
        ("DELETE { GRAPH <http://e/g> { ?s ?p ?o } } WHERE { GRAPH ?x { ?s ?p ?o } }", None),
        ("INSERT { GRAPH ?g { <http://e/a> <http://e/p> 1 } } WHERE { ?g <http://e/p> 2 }", None),
        ("DROP ALL", None),
        ("CLEAR DEFAULT", None),
        ("COPY <http://e/a> TO DEFAULT", None),
        ("INSERT DATA { GRAPH <relative> { <http://e/a> <http://e/p> 1 } }", None),
        ("LOAD <http://e/x> INTO GRAPH <http://e/g>", None),
    ],
)
def test_the_graphs_an_update_writes_are_read_from_its_text(text: str, writes: set[str] | None) -> None:
    scope = update_scope(text)
    assert scope.writes == (frozenset(writes) if writes is not None else None)


def test_a_remote_loads_swap_writes_its_graph_and_the_metadata_graph_only() -> None:
    from rdflib import Graph, Literal, URIRef

    triples, entry = Graph(), Graph()
    triples.add((URIRef(f"{BASE}a"), URIRef(f"{BASE}p"), Literal("v")))
    entry.add((URIRef(NOTTS), URIRef(f"{BASE}p"), Literal("v")))
    assert update_scope(swap_graph_update(NOTTS, triples, entry, META)).writes == {NOTTS, META}


# -- the server ------------------------------------------------------------------------------------


def test_an_update_touching_one_graph_keeps_the_other_graphs_rows(
    served: tuple[TestClient, Runtime], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, runtime = served
    store = runtime.store()
    assert client.get("/forces").status_code == 200
    before = keys(store)
    text = f"INSERT DATA {{ GRAPH <{NOTTS}> {{ <{BASE}x> <{BASE}y> 'new' }} }}"
    assert update(client, text) == 204
    after = keys(store)
    assert after[NORTHANTS] == before[NORTHANTS] and after[NOTTS] != before[NOTTS]
    assert default_graph_is_the_union(store)
    read: list[list[str] | None] = []
    from graph import report_tables

    original = report_tables.graph_table
    monkeypatch.setattr("api.report_rows.WHOLE_SHARE", 1.0)  # two reports: read graph by graph all the same
    monkeypatch.setattr(
        report_tables, "graph_table", lambda s, n, g=None: read.append(g and sorted(g)) or original(s, n, g)
    )
    rebuilt = runtime.snapshot(store)
    assert all(g is not None and NORTHANTS not in g for g in read), "the untouched graph's rows were kept"
    assert encoded(rebuilt, tmp_path / "a") == encoded(build_snapshot(store, Iris(BASE)), tmp_path / "b")


@pytest.mark.parametrize(
    "text",
    [
        "INSERT { GRAPH ?g { <{B}x> <{B}y> 'v' } } WHERE { GRAPH ?g { ?s ?p ?o } } ",  # a variable graph
        "INSERT DATA { <{B}x> <{B}y> 'v' }",  # the default graph
        "INSERT { GRAPH <{M}> { ?g <{B}y> 'v' } } WHERE { GRAPH <{M}> { ?g ?p ?o } }",  # the metadata graph
    ],
)
def test_an_update_it_cannot_pin_or_to_the_metadata_graph_renews_every_report_key(
    served: tuple[TestClient, Runtime], text: str
) -> None:
    client, runtime = served
    store = runtime.store()
    before = keys(store)
    assert update(client, text.replace("{B}", BASE).replace("{M}", META)) == 204
    after = keys(store)
    assert set(after) == set(before) and all(after[g] != before[g] for g in before)
    assert default_graph_is_the_union(store)


def test_a_failed_update_changes_nothing(served: tuple[TestClient, Runtime]) -> None:
    client, runtime = served
    store = runtime.store()
    before, quads, key = keys(store), len(store.store), content_key(store, BASE)
    # the second operation fails (the graph exists): the first is not applied either
    text = f"INSERT DATA {{ GRAPH <{NOTTS}> {{ <{BASE}x> <{BASE}y> 'v' }} }} ; CREATE GRAPH <{NOTTS}>"
    assert update(client, text) == 400
    bad = client.post("/sparql", data={"update": "INSERT DATA { GRAPH <http://e/g> { <a> }"}, headers=AUTH)
    message = bad.json()["error"]["message"]
    assert bad.status_code == 400 and "line 1, column" in message, message
    assert (keys(store), len(store.store), content_key(store, BASE)) == (before, quads, key)


def test_a_server_with_updates_enabled_loads_the_saved_snapshot_when_nothing_changed(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_build(*_: object, **__: object) -> Snapshot:
        raise AssertionError("built although a matching snapshot was saved")

    monkeypatch.setattr("api.snapshot_build.build_snapshot", no_build)
    runtime = Runtime(settings(update_token=TOKEN, graph=GraphConfig(data_dir=data_dir)))
    try:
        assert runtime.snapshot(runtime.store()).forces
    finally:
        runtime.close()


def test_after_an_update_a_restart_loads_the_snapshot_saved_for_it(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(settings(update_token=TOKEN, graph=GraphConfig(data_dir=data_dir)))
    with TestClient(app) as client:
        assert update(client, f"INSERT DATA {{ GRAPH <{NOTTS}> {{ <{BASE}x> <{BASE}y> 'v' }} }}") == 204
        runtime = app.state.runtime
        assert runtime.snapshot(runtime.store()).forces  # built after the update, and saved
    monkeypatch.setattr("api.snapshot_build.build_snapshot", lambda *a, **k: pytest.fail("built again"))
    again = Runtime(settings(update_token=TOKEN, graph=GraphConfig(data_dir=data_dir)))
    try:
        assert again.snapshot(again.store()).forces
    finally:
        again.close()


def _forces(base: str) -> int:
    import httpx

    with httpx.Client() as client:  # a new connection: any worker may accept it
        return int(client.get(f"{base}/forces", timeout=60).json()["total"])


@pytest.mark.server
def test_with_two_workers_an_update_through_one_is_seen_by_the_other(data_dir: Path) -> None:
    """``serve --workers 2``: the update is forwarded to the serve process and stamped there; every worker
    reads the new key from the store, so none answers from rows or a saved snapshot of before."""
    import subprocess

    import httpx

    from tests.conftest_servers import ROOT, hmic_kg_command, start_server, stop_process

    token = data_dir.parent / "token"
    token.write_text(TOKEN, encoding="utf-8")
    token.chmod(0o600)
    serve = ("serve", "--data-dir", str(data_dir), "--host", "127.0.0.1", "--workers", "2")
    options = ("--allow-updates-token-file", str(token))

    def ready(base: str) -> bool:
        return httpx.get(f"{base}/openapi.json", timeout=1).status_code == 200

    process, base = start_server(
        lambda port: hmic_kg_command(*serve, *options, "--port", str(port)),
        ready,
        cwd=ROOT,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert {_forces(base) for _ in range(8)} == {2}
        drop = f"DROP GRAPH <{NOTTS}> ; DELETE WHERE {{ GRAPH <{META}> {{ <{NOTTS}> ?p ?o }} }}"
        answer = httpx.post(f"{base}/sparql", data={"update": drop}, headers=AUTH, timeout=60)
        assert answer.status_code == 204, answer.text
        assert {_forces(base) for _ in range(12)} == {1}  # fresh connections, spread over the workers
    finally:
        stop_process(process)
    store = OxigraphStore(data_dir / "oxigraph", read_only=True)
    try:
        assert set(keys(store)) == {NORTHANTS} and default_graph_is_the_union(store)
    finally:
        store.close()


def test_the_in_memory_store_records_the_same_stamps() -> None:
    """rdflib runs the stamps' operations too (the in-memory backend, one process)."""
    from rdflib import Graph, Literal, URIRef

    from graph.iris import HMIC
    from graph.store_memory import MemoryStore

    store = MemoryStore(meta_graph_iri=META)
    for graph in (NOTTS, NORTHANTS):
        entry = Graph()
        entry.add((URIRef(graph), HMIC.graphOf, URIRef(graph.replace("/graph/", "/report/"))))
        entry.add((URIRef(graph), HMIC.sha256, Literal("0" * 64)))
        store.replace_graph(graph, Graph().add((URIRef(f"{graph}/a"), HMIC.b, Literal("c"))), entry)
    before = keys(store)  # type: ignore[arg-type]
    with TestClient(create_app(settings(update_token=TOKEN), store=store)) as client:
        assert update(client, f"INSERT DATA {{ GRAPH <{NOTTS}> {{ <{BASE}x> <{BASE}y> 'v' }} }}") == 204
    after = keys(store)  # type: ignore[arg-type]
    assert after[NORTHANTS] == before[NORTHANTS] and after[NOTTS] != before[NOTTS]
