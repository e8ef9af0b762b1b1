"""The search page (``/search`` for browsers) through the snapshot's :class:`PageIndex`
(:mod:`api.pages.search_docs`): the same hits, order, facets, counts and toggles as the linear scan it
replaced, for many needles and facet choices, without a Python loop over every document and without
long-lived objects made after the warm-up's freeze."""

from __future__ import annotations

import gc
import re
from array import array
from collections import Counter
from itertools import accumulate
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from api.pages.search_docs import FACETS, KIND_ORDER, Column, Doc, PageIndex, documents, values
from api.pages.search_page import (
    FACET_WORDS,
    PAGE_SIZE,
    _hit,
    _link,
    _toggle,
    facet_counts,
    page_index,
    page_view,
)
from api.snapshot import Snapshot
from api.snapshot_build import build_snapshot
from graph.iris import Iris
from graph.store_oxigraph import OxigraphStore
from tests.conftest_api import BASE
from tests.test_search_index import built_objects, warm_ups_done

pytest_plugins = ["tests.conftest_api"]

NEEDLES = ("visor", "training", "domestic violence", "  Missing   PERSONS ", "ch", "e", "the", "police ",
           "ing", "tion", "in", "nottinghamshire", "crime", "zzqx", "…", "é", "£", "-", "(", "'s", "&",
           "a b", "<script>", "chief constable", "leads", "north", "s.", "airwave", "co-", "  ")  # fmt: skip
HTML = {"accept": "text/html"}


@pytest.fixture(scope="module")
def snap(sample_store: OxigraphStore) -> Snapshot:
    return build_snapshot(sample_store, Iris(BASE), "g")


def scanned(snap: Snapshot, q: str, chosen: dict[str, list[str]]) -> dict[str, Any]:
    """The page as the linear scan made it before the index (a Doc per document, a regex per document,
    Counter facets), as reference."""
    needle = " ".join(q.split()).lower()
    docs = [doc for _, _, doc in documents(snap)]
    starts = re.compile(r"(?<!\w)" + re.escape(needle)) if needle else None
    found = [d for d in docs if starts and starts.search(d.lowered)]
    chosen_docs = [d for d in found if all(set(vals) & set(values(d, f)) for f, vals in chosen.items())]
    order = {k: i for i, k in enumerate(KIND_ORDER)}
    chosen_docs.sort(key=lambda d: (order.get(d.kind, len(order)), d.label.lower()))
    facets = []
    for facet in FACETS:
        counts = Counter(v for d in chosen_docs for v in set(values(d, facet)))
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].lower()))[:30]
        rows = [{"value": value, "count": count, "on": value in chosen.get(facet, []),
                 "href": _toggle(q, chosen, facet, value)} for value, count in ranked]  # fmt: skip
        if rows:
            facets.append({"name": facet, "words": FACET_WORDS[facet], "rows": rows})
    hits = [_hit(d, needle) for d in chosen_docs[:PAGE_SIZE]]
    return {"total": len(chosen_docs), "found": len(found), "facets": facets, "hits": hits}


def comparable(view: dict[str, Any], base: str) -> dict[str, Any]:
    hits = [(h.doc.kind, h.doc.iri, h.doc.label, h.doc.facets, h.before, h.match, h.after, _link(h.doc, base))
            for h in (s["hit"] if isinstance(s, dict) else s for s in view["hits"])]  # fmt: skip
    return {"total": view["total"], "found": view["found"], "facets": view["facets"], "hits": hits}


def choices(view: dict[str, Any]) -> list[dict[str, list[str]]]:
    """Facet choices to try on a page: one value, two values of a facet, values of two facets, unknown."""
    rows = {f["name"]: [r["value"] for r in f["rows"]] for f in view["facets"]}
    tried: list[dict[str, list[str]]] = [
        {"force": ["No such force"]},
        {"kind": ["Police force"], "grade": ["Good"]},
    ]
    for facet, vals in rows.items():
        tried += [{facet: vals[:1]}, {facet: vals[-1:]}, {facet: vals[:2]}]
        for other, more in rows.items():
            if other != facet:
                tried.append({facet: vals[:1], other: more[-1:]})
    return tried


def test_the_page_is_what_the_linear_scan_made(snap: Snapshot) -> None:
    """Regression (issue 13: each worker built a Doc per finding, 400,000 objects at 430 reports, on its
    first browser search after the warm-up had frozen the heap, and every full collection walked them;
    and each needle was a Python scan of every document): the index shows exactly the same page."""
    compared = 0
    for q in NEEDLES:
        first = page_view(snap, BASE, q, {})
        assert comparable(first, BASE) == comparable(scanned(snap, q, {}), BASE), q
        for chosen in choices(first):
            view = page_view(snap, BASE, q, chosen)
            assert comparable(view, BASE) == comparable(scanned(snap, q, chosen), BASE), (q, chosen)
            compared += 1
    assert compared > 300
    visor = page_view(snap, BASE, "visor", {})
    assert visor["found"] > 5 and {h["kind_id"] for h in visor["hits"]} >= {"system"}
    assert page_view(snap, BASE, "isor", {})["found"] == 0  # a word must start with the needle


def test_facet_ties_are_ordered_by_lowered_value_then_first_document() -> None:
    column = Column.build([["b", "Niche"], ["NICHE", "a"], ["a", "a"], ["b"], ["NICHE"], ["Niche"]])
    index = PageIndex("", None, b"", (), {"mentions": column}, None)  # type: ignore[arg-type]
    docs = np.arange(6)
    # a: 2, b: 2, NICHE: 2, Niche: 2 -> count, then lowered value, then the document that has it first
    assert facet_counts(index, docs, "mentions") == [("a", 2), ("b", 2), ("Niche", 2), ("NICHE", 2)]
    assert facet_counts(index, docs[1:], "mentions") == [("a", 2), ("NICHE", 2), ("b", 1), ("Niche", 1)]


def test_a_match_across_two_documents_is_not_a_hit(snap: Snapshot) -> None:
    index = page_index(snap)
    texts = index.lowered.decode().split("\n")
    for i in range(len(texts) - 2):
        if texts[i] and texts[i + 1] and re.search(r"\w", texts[i + 1][:1]) is not None:
            joint = texts[i][-3:] + " " + texts[i + 1][:3]
            expected = [n for n, t in enumerate(texts[:-1]) if re.search(r"(?<!\w)" + re.escape(joint), t)]
            assert list(index.find(joint)) == expected, joint
            break
    assert len(index.find("\n")) == 0


def test_the_index_and_a_needles_answer_are_few_objects(snap: Snapshot) -> None:
    """Regression: the page's documents (a Doc and a dict of lists each) lived after the freeze. The
    index is a few dozen objects whatever the size, and each needle's answer one array."""
    index = PageIndex.build(snap)
    warm_ups_done()
    gc.collect()
    before = {id(o) for o in gc.get_objects()}
    again = PageIndex.build(snap)
    answers = [again.find(" ".join(n.split()).lower()) for n in NEEDLES]
    grown = len(built_objects([again, *answers], before))
    assert len(index.records) > 300 and sum(map(len, answers)) > 300
    assert grown < 60, grown  # the index, its columns and the context's dicts; none per document
    assert not gc.is_tracked(again.lowered) and all(len(gc.get_referents(a)) <= 1 for a in answers)


def test_the_page_renders_the_index_hits_escaped(sample_client: TestClient) -> None:
    page = sample_client.get("/search", params={"q": "ViSOR", "type": "IT system"}, headers=HTML).text
    assert 'class="hit kind-system"' in page and 'href="/page/system/visor">ViSOR</a>' in page
    assert 'id="search-count">1 result of' in page
    page = sample_client.get("/search", params={"q": "visor"}, headers=HTML).text
    assert "<mark>ViSOR</mark>" in page
    hostile = sample_client.get("/search", params={"q": "<b>x</b>", "force": '"><i>'}, headers=HTML).text
    assert "<b>x</b>" not in hostile and "<i>" not in hostile and "&lt;b&gt;x&lt;/b&gt;" in hostile


def test_documents_are_made_again_from_their_records(snap: Snapshot) -> None:
    index = page_index(snap)
    made = {doc.iri + doc.kind + doc.label: doc for _, _, doc in documents(snap)}
    for number in range(0, len(index.records), max(1, len(index.records) // 50)):
        doc = index.doc(number, snap)
        assert isinstance(doc, Doc) and made[doc.iri + doc.kind + doc.label] == doc
        assert index.lowered[index.starts[number] : index.starts[number + 1] - 1].decode() == doc.lowered


def test_a_search_page_is_rendered_once_per_query_and_filters(sample_client: TestClient) -> None:
    """The page for a query and filters is kept as bytes (as the JSON answers are): the same request
    gets the same page, another spelling of ``q`` or another filter its own."""
    params = {"q": "Training", "force": "Nottinghamshire Police"}
    first = sample_client.get("/search", params=params, headers=HTML)
    again = sample_client.get("/search", params=params, headers=HTML)
    assert first.status_code == again.status_code == 200 and first.content == again.content
    assert first.headers["content-type"] == "text/html; charset=utf-8"
    lower = sample_client.get("/search", params={**params, "q": "training"}, headers=HTML).text
    assert "Search: “Training”" in first.text and "Search: “training”" in lower
    other = sample_client.get("/search", params={**params, "force": "Northamptonshire Police"}, headers=HTML)
    assert other.text != first.text and "Northamptonshire Police ✕" in other.text


def test_a_word_start_after_a_character_beyond_ascii_is_judged_as_the_old_pattern_did() -> None:
    """The blob is UTF-8 and its pattern looks back at one byte: after a non-ASCII byte the character
    itself is checked (``é`` is a word character, ``…`` and ``’`` are not)."""
    texts = ["caféine x", "…training", "ätraining", "training", "xtraining", "_training", "é training",
             "straining then training", "’s and ’s", "naïve", "ïve", "日本training",
             "\U0001d400training"]  # fmt: skip
    blobs = [(t + "\n").encode() for t in texts]
    starts = array("Q", [0])
    starts.extend(accumulate(map(len, blobs)))
    index = PageIndex(b"".join(blobs), starts, b"", (), {}, None)  # type: ignore[arg-type]
    for needle in ("training", "ine", "éine", "s and", "’s", "ïve", "ve", "本t", "t", "n"):
        expected = [i for i, t in enumerate(texts) if re.search(r"(?<!\w)" + re.escape(needle), t)]
        assert list(index.find(needle)) == expected, needle
    assert list(index.find("training")) == [1, 3, 6, 7]
