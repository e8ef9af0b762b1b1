"""``/search?q=``: findings, practices and named things whose text contains ``q`` (case-insensitive).

Searches the in-process catalogue (no SPARQL text is built from ``q``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from api import negotiation as neg
from api.deps import PageDep, SettingsDep, SnapshotDep
from api.errors import ApiError
from api.lookup import page
from api.schemas import Page, SearchHit
from api.snapshot import Snapshot

router = APIRouter(tags=["search"])
SEARCH_CACHE = 256  # searches whose hits are kept per store generation
Kind = Literal["finding", "practice", "force", "system", "unit-type", "person", "area"]


def _snippet(text: str, needle: str, width: int = 80) -> str:
    at = text.lower().find(needle)
    start = max(0, at - width // 2)
    return ("…" if start else "") + text[start : start + width] + ("…" if start + width < len(text) else "")


def _documents(cat: Snapshot) -> Iterator[tuple[str, dict[str, Any], str]]:
    """(kind, hit without snippet, searchable text) for everything searchable."""
    for f in cat.forces.values():
        yield "force", {"iri": f["iri"], "label": f["label"], "id": f["id"]}, f["label"]
    for s in cat.systems.values():
        yield (
            "system",
            {"iri": s["iri"], "label": s["label"], "id": s["id"]},
            f"{s['label']} {s['expansion'] or ''}",
        )
    for u in cat.unit_types.values():
        yield (
            "unit-type",
            {"iri": u["iri"], "label": u["label"], "id": u["id"]},
            f"{u['label']} {u['expansion'] or ''}",
        )
    for p in cat.people.values():
        yield "person", {"iri": p["iri"], "label": p["name"], "id": p["id"]}, f"{p['name']} {p['rank'] or ''}"
    for a in cat.areas.values():
        yield "area", {"iri": a["iri"], "label": a["label"], "id": a["id"]}, a["label"]
    for p in cat.practices.values():
        text = " ".join(filter(None, (p["title"], p["problem"], p["solution"], p["outcomes"])))
        yield "practice", {"iri": p["iri"], "label": p["title"], "id": p["id"], "force": p["force"]}, text
    for f in cat.findings.values():
        yield "finding", {"iri": f["iri"], "label": f["text"][:100], "force": f["force"]}, f["text"]


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
    hits = cat.derived(("search", needle, kind), lambda: _search(cat, needle, kind), SEARCH_CACHE)
    return page(hits, paging.limit, paging.offset)


def _search(cat: Snapshot, needle: str, kind: str | None) -> list[dict[str, Any]]:
    documents = cat.derived(("search-documents",), lambda: [(*d, d[2].lower()) for d in _documents(cat)])
    return [
        {"kind": k, **hit, "snippet": _snippet(text, needle)}
        for k, hit, text, lowered in documents
        if (kind is None or k == kind) and needle in lowered
    ]
