"""``/search?q=``: findings, practices and named things whose text contains ``q`` (case-insensitive).

Searches the in-process read model (no SPARQL text is built from ``q``), through a :class:`SearchIndex`
built once per snapshot by the warm-up (:mod:`api.snapshot_warm`): every document's lowered text in one
UTF-8 blob that ``bytes.find`` scans in C, so a new needle costs milliseconds at 430 reports instead of
a Python loop over 70,000 findings. The index is a handful of objects (frozen with the snapshot, so the
garbage collector never walks it); a needle's answer is kept as an array of document numbers, and hits
(snippets included) are made only for the page returned, whose JSON is rendered once
(:mod:`api.rendered`). Results and their order: named things first, then practices, then findings, each
in the snapshot's order.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from api import negotiation as neg
from api.deps import PageDep, SettingsDep, SnapshotDep
from api.errors import ApiError
from api.lookup import page
from api.rendered import cached_json
from api.schemas import Page, SearchHit
from api.snapshot import Snapshot

router = APIRouter(tags=["search"])
SEARCH_CACHE = 256  # needles whose matching documents are kept per store generation
Kind = Literal["finding", "practice", "force", "system", "unit-type", "person", "area"]
SEPARATOR = b"\x00"  # between two documents' texts in the blob (a match across it is refused anyway)
ENCODING = ("utf-8", "surrogatepass")  # a substring of UTF-8 bytes is a substring of the text


def _snippet(text: str, needle: str, width: int = 80) -> str:
    at = text.lower().find(needle)
    start = max(0, at - width // 2)
    return ("…" if start else "") + text[start : start + width] + ("…" if start + width < len(text) else "")


def _joined(*parts: str | None) -> str:
    return " ".join(filter(None, parts))


@dataclass(frozen=True)
class _Kind:
    """A kind of search result: its table in the snapshot, its searchable text and its hit (no snippet)."""

    name: str
    table: Callable[[Snapshot], Mapping[str, Any]]
    text: Callable[[Any], str]
    hit: Callable[[Any], dict[str, Any]]


def _named(r: Any, label: str = "label") -> dict[str, Any]:
    return {"iri": r["iri"], "label": r[label], "id": r["id"]}


#: every kind, in the order of the answer
KINDS: tuple[_Kind, ...] = (
    _Kind("force", lambda c: c.forces, lambda f: f["label"], _named),
    _Kind("system", lambda c: c.systems, lambda s: f"{s['label']} {s['expansion'] or ''}", _named),
    _Kind("unit-type", lambda c: c.unit_types, lambda u: f"{u['label']} {u['expansion'] or ''}", _named),
    _Kind(
        "person", lambda c: c.people, lambda p: f"{p['name']} {p['rank'] or ''}", lambda p: _named(p, "name")
    ),
    _Kind("area", lambda c: c.areas, lambda a: a["label"], _named),
    _Kind(
        "practice",
        lambda c: c.practices,
        lambda p: _joined(p["title"], p["problem"], p["solution"], p["outcomes"]),
        lambda p: {**_named(p, "title"), "force": p["force"]},
    ),
    _Kind(
        "finding",
        lambda c: c.findings,
        lambda f: f["text"],
        lambda f: {"iri": f["iri"], "label": f["text"][:100], "force": f["force"]},
    ),
)


@dataclass(frozen=True, eq=False)
class SearchIndex:
    """Every searchable document of a snapshot, in answer order: document ``i`` is ``records[i]`` of kind
    ``KINDS[kinds[i]]``, its lowered text ``blob[starts[i] : starts[i + 1] - 1]`` (a separator follows)."""

    blob: bytes
    starts: array  # one more than the documents: where the next would start
    kinds: bytes
    records: tuple[Any, ...]
    spans: Mapping[str, tuple[int, int]]  # kind -> (its first document, one past its last)

    @classmethod
    def build(cls, snap: Snapshot) -> SearchIndex:
        texts: list[bytes] = []
        kinds, records, spans = bytearray(), [], {}
        starts, at = array("Q", [0]), 0
        for number, kind in enumerate(KINDS):
            first = len(records)
            for record in kind.table(snap).values():
                text = kind.text(record).lower().encode(*ENCODING) + SEPARATOR
                texts.append(text)
                at += len(text)
                starts.append(at)
                kinds.append(number)
                records.append(record)
            spans[kind.name] = (first, len(records))
        return cls(b"".join(texts), starts, bytes(kinds), tuple(records), spans)

    def find(self, needle: str, kind: str | None = None) -> array:
        """The documents (numbers, in order) whose lowered text contains ``needle`` (already lowered)."""
        first, end = (0, len(self.records)) if kind is None else self.spans.get(kind, (0, 0))
        found, starts, blob = array("I"), self.starts, self.blob
        pattern = needle.encode(*ENCODING)
        stop = starts[end]
        at = blob.find(pattern, starts[first], stop)
        while at >= 0:
            doc = bisect_right(starts, at, first, end) - 1
            text_end = starts[doc + 1] - len(SEPARATOR)
            if at + len(pattern) <= text_end:  # inside document ``doc``: on to the next one
                found.append(doc)
                at = blob.find(pattern, text_end, stop)
            else:  # across the separator: look further in the same document
                at = blob.find(pattern, at + 1, stop)
        return found

    def hit(self, doc: int, needle: str) -> dict[str, Any]:
        """Document ``doc`` as a search hit, with its snippet around ``needle``."""
        kind, record = KINDS[self.kinds[doc]], self.records[doc]
        return {"kind": kind.name, **kind.hit(record), "snippet": _snippet(kind.text(record), needle)}


def search_index(snap: Snapshot) -> SearchIndex:
    """The snapshot's search index (built once; the warm-up builds it before freezing the heap)."""
    return snap.derived(("search-index",), lambda: SearchIndex.build(snap))


def search_page(snap: Snapshot, needle: str, kind: str | None, limit: int, offset: int) -> dict[str, Any]:
    """One page of the hits for ``needle`` (lowered, not empty): the pagination envelope of every list."""
    index = search_index(snap)
    docs = snap.derived(("search", needle, kind), lambda: index.find(needle, kind), SEARCH_CACHE)
    items = [index.hit(doc, needle) for doc in docs[offset : offset + limit]]
    return {"total": len(docs), "limit": limit, "offset": offset, "items": items}


@router.get(
    "/search",
    response_model=Page[SearchHit],
    summary="Search findings, practices and entities",
    responses={200: {"content": {"text/html": {}}, "description": "JSON, or the search page for browsers"}},
)
def search(
    request: Request,
    cat: SnapshotDep,
    paging: PageDep,
    settings: SettingsDep,
    q: Annotated[
        str | None,
        Query(min_length=2, max_length=200, description="Text to find (case-insensitive); required"),
    ] = None,
    kind: Annotated[Kind | None, Query(description="Only this kind of result")] = None,
) -> dict[str, Any] | Response:
    """Everything whose label or text contains ``q``; named things first, then practices, then findings.
    Browsers (Accept: text/html) get the search page, with facets."""
    if neg.prefers_html(request.headers.get("accept")):
        from api.pages.search_page import search_html

        return search_html(request, cat, settings.base_iri, q)
    if q is None:
        raise ApiError(422, "invalid_parameter", "q: Field required", "q")
    needle = q.strip().lower()
    if not needle:
        return page([], paging.limit, paging.offset)
    limit, offset = paging.limit, paging.offset
    return cached_json(
        cat,
        ("search", needle, kind, limit, offset),
        Page[SearchHit],
        lambda: search_page(cat, needle, kind, limit, offset),
    )
