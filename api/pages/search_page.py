"""The search page (``/search`` for browsers): forces, findings, practices, systems, unit types, posts and
people with a word starting with the text, with facets (kind, force, area, grade, mentions) and their counts.

Searches the in-process read model, as the JSON ``/search`` does (no text of the request reaches SPARQL),
through the snapshot's :class:`~api.pages.search_docs.PageIndex`, built by the warm-up before it freezes
the heap: a needle's documents are an array (kept per needle), the filters and counts array operations
over them, and hits are made for the page shown only. Each page is rendered once per store generation
(the template uses nothing of the request but ``q`` and the filters), as the JSON answers are
(:mod:`api.rendered`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import numpy as np
from fastapi import Request
from fastapi.responses import HTMLResponse
from rdflib import URIRef

from api.pages.common import Link, link_to, render
from api.pages.search_docs import ENTITY_WORDS, FACETS, Doc, PageIndex
from api.pages.statements import kind_words
from api.rendered import RENDERED_BOUND
from api.snapshot import Snapshot

#: the query parameter of each facet (``kind`` is the JSON search's own parameter, with other values)
PARAM = {"kind": "type", "force": "force", "area": "area", "grade": "grade", "mentions": "mentions"}
FACET_WORDS = {"kind": "Kind", "force": "Force", "area": "Area", "grade": "Grade of the force in the area",
               "mentions": "Mentions"}  # fmt: skip
PAGE_SIZE = 50
FACET_ROWS = 30  # values listed per facet
SEARCH_CACHE = 256  # needles whose documents are kept per store generation (and pages: RENDERED_BOUND)


@dataclass
class Hit:
    doc: Doc
    before: str
    match: str
    after: str


def page_index(cat: Snapshot) -> PageIndex:
    """The snapshot's search page index (built once; the warm-up builds it before freezing the heap)."""
    return cat.derived(("search-page-index",), lambda: PageIndex.build(cat))


def matching(cat: Snapshot, needle: str) -> np.ndarray:
    """The documents (numbers, in the page's order) with a word starting with ``needle``."""
    index = page_index(cat)
    return cat.derived(("search-page", needle), lambda: index.find(needle), SEARCH_CACHE)


def selected(index: PageIndex, found: np.ndarray, chosen: dict[str, list[str]]) -> np.ndarray:
    """The documents of ``found`` with one of the chosen values of every chosen facet."""
    for facet, vals in chosen.items():
        column = index.columns[facet]
        owner, ids = column.rows(found)
        wanted = [column.numbers[v] for v in vals if v in column.numbers]
        keep = np.zeros(len(found), dtype=bool)
        keep[owner[np.isin(ids, wanted)]] = True
        found = found[keep]
    return found


def facet_counts(index: PageIndex, docs: np.ndarray, facet: str) -> list[tuple[str, int]]:
    """The most frequent values of ``facet`` among ``docs`` and their counts: by count, then lowered
    value, then the first document having it (a value counts once per document)."""
    column = index.columns[facet]
    owner, ids = column.rows(docs)
    present, first = np.unique(ids, return_index=True)
    counts = np.bincount(ids, minlength=len(column.values))[present]
    order = np.lexsort((present, owner[first], column.rank[present], -counts))[:FACET_ROWS]
    return [(column.values[present[i]], int(counts[i])) for i in order]


def _hit(doc: Doc, needle: str, width: int = 220) -> Hit:
    text = doc.text or doc.label
    first = re.search(r"(?<!\w)" + re.escape(needle), text.lower())
    at = first.start() if first else -1
    if at < 0:
        return Hit(doc, text[:width] + ("…" if len(text) > width else ""), "", "")
    start = max(0, at - width // 3)
    if start:  # begin at a word
        space = text.find(" ", start, at)
        start = space + 1 if space >= 0 else start
    end = at + len(needle)
    tail = text[end : end + width - (end - start)]
    return Hit(doc, ("…" if start else "") + text[start:at], text[at:end],
               tail + ("…" if end + len(tail) < len(text) else ""))  # fmt: skip


def search_html(request: Request, cat: Snapshot, base: str, q: str | None) -> HTMLResponse:
    """The search page for ``q`` and the facet filters in the query string."""
    params = request.query_params
    chosen = {f: params.getlist(PARAM[f]) for f in FACETS if params.getlist(PARAM[f])}
    key = ("search-page-html", q, *((f, *vals) for f, vals in chosen.items()))
    build = lambda: render(request, "search.html", **page_view(cat, base, q, chosen)).body  # noqa: E731
    return HTMLResponse(cat.derived(key, build, RENDERED_BOUND))


def page_view(cat: Snapshot, base: str, q: str | None, chosen: dict[str, list[str]]) -> dict[str, Any]:
    """What the search page shows for ``q`` and the ``chosen`` values of each facet (by its name)."""
    needle = " ".join((q or "").split()).lower()
    index = page_index(cat)
    found = matching(cat, needle) if needle else np.zeros(0, dtype=np.uint32)
    shown_docs = selected(index, found, chosen)
    facets = []
    for facet in FACETS:
        rows = [{"value": value, "count": count, "on": value in chosen.get(facet, []),
                 "href": _toggle(q or "", chosen, facet, value)}
                for value, count in facet_counts(index, shown_docs, facet)]  # fmt: skip
        if rows:
            facets.append({"name": facet, "words": FACET_WORDS[facet], "rows": rows})
    active = [{"facet": FACET_WORDS[f], "value": v, "href": _toggle(q or "", chosen, f, v)}
              for f, vals in chosen.items() for v in vals]  # fmt: skip
    hits = [_hit(index.doc(int(n), cat), needle) for n in shown_docs[:PAGE_SIZE]]
    shown = [{"hit": h, "link": _link(h.doc, base),
              "kind": kind_words(h.doc.kind) if h.doc.kind not in ENTITY_WORDS else ENTITY_WORDS[h.doc.kind],
              "kind_id": h.doc.kind, "force": ", ".join(h.doc.facets.get("force", [])[:3]),
              "area": ", ".join(h.doc.facets.get("area", []))} for h in hits]  # fmt: skip
    return {"q": q or "", "search_q": q or "", "total": len(shown_docs), "found": len(found), "hits": shown,
            "facets": facets, "active": active, "page_size": PAGE_SIZE}  # fmt: skip


def _link(doc: Doc, base: str) -> Link:
    return Link(doc.label, doc.href) if doc.href else link_to(URIRef(doc.iri), base, doc.label)


def _toggle(q: str, chosen: dict[str, list[str]], facet: str, value: str) -> str:
    """The search URL with ``facet=value`` switched on or off."""
    pairs = [("q", q)]
    for f, vals in chosen.items():
        pairs += [(PARAM[f], v) for v in vals if not (f == facet and v == value)]
    if value not in chosen.get(facet, []):
        pairs.append((PARAM[facet], value))
    return "/search?" + urlencode(pairs)
