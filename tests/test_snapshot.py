"""The read model (:mod:`api.snapshot`): built once per store generation, typed and frozen, the facts of
"shared" the same as the SPARQL definition, the generation read once per request, and the previous
snapshot served while the next one is built."""

from __future__ import annotations

import dataclasses
import threading
import time

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.runtime import Runtime
from api.snapshot import Force, Snapshot, plain
from api.snapshot_build import build_snapshot
from graph.iris import Iris
from graph.sharing import query_facts
from graph.sharing_pass import sharing_facts
from graph.store_oxigraph import OxigraphStore
from tests.conftest_api import BASE, settings

pytest_plugins = ["tests.conftest_api"]


def test_sharing_facts_are_the_force_entities_query_on_the_samples(sample_store: OxigraphStore) -> None:
    by_query = query_facts(sample_store)
    by_pass = sharing_facts(sample_store)
    assert by_query, "the samples share something"
    assert set(by_pass) == set(by_query)
    order = lambda facts: [(f.kind, f.entity, f.force) for f in facts]  # noqa: E731
    assert order(by_pass) == order(by_query)  # the query orders by kind, entity, force


def test_snapshot_records_are_frozen_and_read_as_mappings(sample_store: OxigraphStore) -> None:
    snap = build_snapshot(sample_store, Iris(BASE), "g")
    force = next(iter(snap.forces.values()))
    assert isinstance(force, Force)
    with pytest.raises(dataclasses.FrozenInstanceError):
        force.label = "changed"  # type: ignore[misc]
    assert force["label"] == force.label and {**force}["id"] == force.id
    assert plain(snap.facts[force.id])["finding_counts"] == dict(snap.facts[force.id].finding_counts)


def test_force_labels_have_one_source(sample_client: TestClient) -> None:
    """Regression: the lookups labelled forces by skos:prefLabel, the home page by rdfs:label."""
    forces = sample_client.get("/forces").json()["items"]
    home = sample_client.get("/", headers={"Accept": "text/html"}).text
    for force in forces:
        assert f"/page/force/{force['id']}" in home and force["label"] in home


def test_the_generation_is_read_once_per_request(
    sample_store: OxigraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    original = Runtime.generation

    def counting(self: Runtime, store: object) -> str:
        calls.append(1)
        return original(self, store)  # type: ignore[arg-type]

    monkeypatch.setattr(Runtime, "generation", counting)
    with TestClient(create_app(settings(), store=sample_store)) as client:
        force = client.get("/forces").json()["items"][0]["id"]
        calls.clear()
        assert client.get(f"/forces/{force}").status_code == 200
        assert len(calls) == 1


def test_a_new_generation_is_answered_at_once_on_a_small_store(sample_store: OxigraphStore) -> None:
    """Regression: a lookup right after a load must see the load (tests/test_remote_own_server.py)."""
    runtime = Runtime(settings(), sample_store)
    first = runtime.snapshot(sample_store)
    assert runtime.snapshot(sample_store) is first  # one build per generation
    runtime.note_update()  # a new generation
    fresh = runtime.snapshot(sample_store)
    assert fresh is not first and fresh.generation == runtime.generation(sample_store)


def test_the_previous_snapshot_is_served_while_a_slow_build_runs(
    sample_store: OxigraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import api.runtime
    import api.snapshot_build

    release = threading.Event()
    build = api.snapshot_build.build_snapshot

    def slow(*args: object, **kwargs: object) -> Snapshot:
        release.wait(60)
        return build(*args, **kwargs)  # type: ignore[arg-type]

    runtime = Runtime(settings(), sample_store)
    first = runtime.snapshot(sample_store)
    monkeypatch.setattr(api.snapshot_build, "build_snapshot", slow)
    monkeypatch.setattr(api.runtime, "FRESH_WAIT_S", 0.05)
    runtime.note_update()
    assert runtime.snapshot(sample_store) is first  # the next is being built: the previous answers
    release.set()
    deadline = time.monotonic() + 60
    while (current := runtime.snapshot(sample_store)) is first and time.monotonic() < deadline:
        time.sleep(0.05)
    assert current is not first and current.generation == runtime.generation(sample_store)
    assert current.forces == first.forces


def test_a_started_server_loads_its_read_model_before_the_first_request(sample_store: OxigraphStore) -> None:
    """Regression: the read model was loaded by the first request, so on a just-started server with two
    workers the first /forces and /help each waited for a worker's load (bench: /help 6.6 s after start)."""
    runtime = Runtime(settings(), sample_store)
    runtime.preload().join(timeout=120)
    preloaded = runtime._snapshot
    assert preloaded is not None
    assert runtime.snapshot(sample_store) is preloaded


def test_a_failed_preload_is_one_warning_and_the_request_reports_it(
    sample_store: OxigraphStore, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import api.snapshot_build

    def broken(*args: object, **kwargs: object) -> Snapshot:
        raise RuntimeError("store unreadable\nsecond line")

    monkeypatch.setattr(api.snapshot_build, "build_snapshot", broken)
    runtime = Runtime(settings(), sample_store)
    runtime.preload().join(timeout=60)
    assert [r.getMessage() for r in caplog.records if r.name == "api.runtime"] == [
        "the read model was not preloaded: store unreadable"
    ]
    with pytest.raises(RuntimeError):
        runtime.snapshot(sample_store)
