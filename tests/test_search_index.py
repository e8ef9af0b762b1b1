"""``/search`` through the snapshot's search index (:mod:`api.routes.search`): the same hits in the same
order as the linear scan it replaced, found without a Python loop over every document."""

from __future__ import annotations

import gc
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.routes.search import KINDS, SearchIndex, _snippet, search_index, search_page
from api.snapshot import Snapshot
from api.snapshot_build import build_snapshot
from graph.iris import Iris
from graph.store_oxigraph import OxigraphStore
from tests.conftest_api import BASE

pytest_plugins = ["tests.conftest_api"]

NEEDLES = ("visor", "training", "domestic violence", "missing persons", "partnership", "the", "e", "police ",
           "nottinghamshire", "crime", "ch", "zzqx", "…", "é", "£", "-", "  ", "airwave")  # fmt: skip


@pytest.fixture(scope="module")
def snap(sample_store: OxigraphStore) -> Snapshot:
    return build_snapshot(sample_store, Iris(BASE), "g")


def scanned(snap: Snapshot, needle: str, kind: str | None) -> list[dict[str, Any]]:
    """The linear scan ``/search`` did before the index (every document, in answer order), as reference."""
    return [
        {"kind": k.name, **k.hit(record), "snippet": _snippet(k.text(record), needle)}
        for k in KINDS
        for record in k.table(snap).values()
        if (kind is None or k.name == kind) and needle in k.text(record).lower()
    ]


@pytest.mark.parametrize("kind", [None, *(k.name for k in KINDS)])
def test_the_index_finds_what_the_linear_scan_found_in_the_same_order(
    snap: Snapshot, kind: str | None
) -> None:
    """Regression (issue 13: ``/search`` p99 129 ms at 430 reports, a Python scan of 70,000 findings per
    needle): the index answers exactly as the scan, every page."""
    for needle in NEEDLES:
        expected = scanned(snap, needle, kind)
        if needle == "visor" and kind is None:
            assert {h["kind"] for h in expected} >= {"system", "finding"}
        for limit, offset in ((50, 0), (3, 2), (500, len(expected) - 1), (10, len(expected) + 5)):
            found = search_page(snap, needle, kind, limit, offset)
            assert found["total"] == len(expected), (needle, kind)
            assert found["items"] == expected[offset : offset + limit], (needle, kind, offset)


def test_a_match_across_two_documents_is_not_a_hit(snap: Snapshot) -> None:
    index = search_index(snap)
    first, second = (KINDS[index.kinds[i]].text(index.records[i]).lower() for i in (0, 1))
    for joint in (first[-3:] + "\x00" + second[:3], first[-2:] + second[:2], first[-2:] + " " + second[:2]):
        found = index.find(joint)
        assert len(found) == len(scanned(snap, joint, None)), repr(joint)
        assert all(joint in KINDS[index.kinds[i]].text(index.records[i]).lower() for i in found)


def warm_ups_done(timeout_s: float = 120.0) -> None:
    """Wait for the test clients' background warm-ups (thread ``snapshot-warm-up``), then unfreeze what
    they froze: ``gc.get_objects`` leaves frozen objects out, so a count taken after a warm-up's
    ``gc.freeze`` would take the whole interpreter (every module, function and type) for new objects."""
    import threading

    for thread in threading.enumerate():
        if thread.name == "snapshot-warm-up":
            thread.join(timeout_s)
    gc.unfreeze()


def built_objects(roots: list[Any], before: set[int]) -> list[Any]:
    """The objects the collector tracks, reachable from ``roots`` and not in ``before`` (ids): what a
    build made, whatever other threads (a test client's warm-up) allocate meanwhile."""
    seen: set[int] = set()
    found, todo = [], list(roots)
    while todo:
        obj = todo.pop()
        if id(obj) in seen or id(obj) in before or not gc.is_tracked(obj):
            continue
        seen.add(id(obj))
        found.append(obj)
        todo.extend(gc.get_referents(obj))
    return found


def test_the_index_and_a_needles_answer_are_nothing_for_the_garbage_collector_to_walk(snap: Snapshot) -> None:
    """Regression: the scan's documents and every needle's hits (300,000 objects at 430 reports) were
    built after the warm-up froze the heap, and each full collection walked them (168 ms). The index is a
    few objects whatever the size (a blob, arrays), and so is each needle's answer."""
    warm_ups_done()
    gc.collect()
    before = {id(o) for o in gc.get_objects()}
    index = SearchIndex.build(snap)
    answers = [index.find(needle) for needle in NEEDLES]
    grown = len(built_objects([index, *answers], before))
    assert len(index.records) > 300 and sum(map(len, answers)) > 300
    assert grown < 60, grown
    assert not gc.is_tracked(index.blob) and all(len(gc.get_referents(a)) <= 1 for a in answers)


def test_search_answers_are_rendered_once_and_unchanged(sample_client: TestClient) -> None:
    first = sample_client.get("/search", params={"q": "ViSOR ", "limit": 5, "offset": 1})
    again = sample_client.get("/search", params={"q": "visor", "limit": 5, "offset": 1})
    assert first.status_code == again.status_code == 200
    assert first.headers["content-type"] == "application/json"
    assert first.content == again.content
    body = first.json()
    assert body["limit"] == 5 and body["offset"] == 1 and len(body["items"]) == 5
    assert all("visor" in (hit["snippet"] or "").lower() for hit in body["items"])
    assert sample_client.get("/search", params={"q": "visor", "kind": "system"}).json()["items"][0][
        "kind"
    ] == ("system")
