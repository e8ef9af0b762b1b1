"""The search page (``/search`` for browsers): forces, findings, practices, systems, unit types, posts and
people whose text contains the words, with facets (kind, force, area, grade, mentions) and their counts.

Searches the in-process catalogue, as the JSON ``/search`` does: no text of the request reaches SPARQL.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from rdflib import URIRef

from api.pages.common import Link, link_to, render
from api.pages.help import clip
from api.pages.statements import kind_key, kind_words
from api.snapshot import Snapshot

FACETS = ("kind", "force", "area", "grade", "mentions")
#: the query parameter of each facet (``kind`` is the JSON search's own parameter, with other values)
PARAM = {"kind": "type", "force": "force", "area": "area", "grade": "grade", "mentions": "mentions"}
FACET_WORDS = {"kind": "Kind", "force": "Force", "area": "Area", "grade": "Grade of the force in the area",
               "mentions": "Mentions"}  # fmt: skip
PAGE_SIZE = 50
KIND_ORDER = ("force", "system", "unit-type", "person", "post", "lead", "area", "practice",
              "area-for-improvement", "work-in-progress", "strength")  # fmt: skip
ENTITY_WORDS = {"force": "Police force", "system": "IT system", "unit-type": "Unit type", "person": "Person",
                "post": "Post", "area": "Inspection area", "lead": "Who leads what"}  # fmt: skip


@dataclass
class Doc:
    """One searchable thing and its facet values."""

    kind: str
    iri: str
    label: str
    text: str
    lowered: str
    facets: dict[str, list[str]] = field(default_factory=dict)
    href: str | None = None  # where the hit links, when not the page of ``iri``


@dataclass
class Hit:
    doc: Doc
    before: str
    match: str
    after: str


def _label_of(cat: Snapshot) -> dict[str, str]:
    """IRI -> label of everything a finding or practice may mention."""
    labels = {s["iri"]: s["label"] for s in cat.systems.values()}
    labels |= {u["iri"]: u["label"] for u in cat.unit_types.values()}
    labels |= {p["iri"]: p["name"] for p in cat.people.values()}
    return labels


def _grades(cat: Snapshot) -> dict[tuple[str, str], str]:
    """(force id, area id) -> grade."""
    found = {}
    for force_id, facts in cat.facts.items():
        for g in facts.grades:
            if g.grade:
                found[(force_id, g.area.id)] = str(g.grade).capitalize()
    return found


def documents(cat: Snapshot) -> list[Doc]:
    """Everything searchable, with facet values (built once per catalogue)."""
    labels, grades = _label_of(cat), _grades(cat)
    docs: list[Doc] = []

    def add(kind: str, iri: str, label: str, body: str, **facets: list[str]) -> None:
        text = " ".join(body.split())
        docs.append(
            Doc(kind, iri, label, text, f"{label} {text}".lower(), {k: v for k, v in facets.items() if v})
        )

    for f in cat.forces.values():
        add("force", f["iri"], f["label"], "", force=[f["label"]])
    for s in cat.systems.values():
        add("system", s["iri"], s["label"], s["expansion"] or "", force=[f["label"] for f in s["forces"]])
    for u in cat.unit_types.values():
        add("unit-type", u["iri"], u["label"], u["expansion"] or "", force=[f["label"] for f in u["forces"]])
    for p in cat.people.values():
        kind = "person" if "/person/" in p["iri"] else "post"
        body = " · ".join(filter(None, [p["rank"] or "", *p["roles"]]))
        add(kind, p["iri"], p["name"], body, force=[f["label"] for f in p["forces"]])
    for a in cat.areas.values():
        add("area", a["iri"], a["label"], "")
    areas_by_iri = {a["iri"]: a["label"] for a in cat.areas.values()}
    for lead in cat.leads:
        force = cat.forces.get(lead["force"] or "")
        subject = lead["subject_text"] or ""
        add("lead", lead["leader"], f"{lead['name']} leads {subject}".strip(),
            " ".join(filter(None, (lead["text"], areas_by_iri.get(lead["subject"] or "")))),
            force=[force["label"]] if force else [])  # fmt: skip
        if force:  # the lead in its force's who's who (a post's own page is every force's post)
            docs[-1].href = f"/page/force/{force['id']}#who"
    for p in cat.practices.values():
        body = " ".join(filter(None, (p["problem"], p["solution"], p["outcomes"])))
        docs.append(
            _statement_doc("practice", p["iri"], p["title"], body, p["force"], p["area"], cat, labels, grades)
        )
    for f in cat.findings.values():
        kind = kind_key(f["kind"])
        docs.append(
            _statement_doc(
                kind, f["iri"], clip(f["text"], 110), f["text"], f["force"], f["area"], cat, labels, grades
            )
        )
    return docs


def _statement_doc(kind: str, iri: str, label: str, body: str, force: dict[str, Any] | None,
                   area: dict[str, Any] | None, cat: Snapshot, labels: dict[str, str],
                   grades: dict[tuple[str, str], str]) -> Doc:  # fmt: skip
    mentions = sorted({labels[e] for e in cat.mentions.get(iri, ()) if e in labels})
    grade = grades.get((force["id"], area["id"])) if force and area else None
    text = " ".join(body.split())
    facets = {"kind": [kind_words(kind)], "force": [force["label"]] if force else [],
              "area": [area["label"]] if area else [], "grade": [grade] if grade else [],
              "mentions": mentions}  # fmt: skip
    searched = f"{label} {text} {area['label'] if area else ''}".lower()
    return Doc(kind, iri, label, text, searched, {k: v for k, v in facets.items() if v})


def _kind_facet(doc: Doc) -> list[str]:
    return doc.facets.get("kind") or [ENTITY_WORDS.get(doc.kind, doc.kind)]


def _values(doc: Doc, facet: str) -> list[str]:
    return _kind_facet(doc) if facet == "kind" else doc.facets.get(facet, [])


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
    needle = " ".join((q or "").split()).lower()
    chosen = {
        f: request.query_params.getlist(PARAM[f]) for f in FACETS if request.query_params.getlist(PARAM[f])
    }
    docs = cat.derived(("search-page-documents",), lambda: documents(cat))
    starts = re.compile(r"(?<!\w)" + re.escape(needle)) if needle else None
    found = [d for d in docs if starts and starts.search(d.lowered)]
    selected = [d for d in found if all(set(vals) & set(_values(d, f)) for f, vals in chosen.items())]
    order = {k: i for i, k in enumerate(KIND_ORDER)}
    selected.sort(key=lambda d: (order.get(d.kind, len(order)), d.label.lower()))
    facets = []
    for facet in FACETS:
        counts = Counter(v for d in selected for v in set(_values(d, facet)))
        if not counts:
            continue
        rows = []
        for value, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].lower()))[:30]:
            on = value in chosen.get(facet, [])
            rows.append(
                {"value": value, "count": count, "on": on, "href": _toggle(q or "", chosen, facet, value)}
            )
        facets.append({"name": facet, "words": FACET_WORDS[facet], "rows": rows})
    active = [{"facet": FACET_WORDS[f], "value": v, "href": _toggle(q or "", chosen, f, v)}
              for f, vals in chosen.items() for v in vals]  # fmt: skip
    hits = [_hit(d, needle) for d in selected[:PAGE_SIZE]]
    shown = [{"hit": h, "link": _link(h.doc, base),
              "kind": kind_words(h.doc.kind) if h.doc.kind not in ENTITY_WORDS else ENTITY_WORDS[h.doc.kind],
              "kind_id": h.doc.kind, "force": ", ".join(h.doc.facets.get("force", [])[:3]),
              "area": ", ".join(h.doc.facets.get("area", []))} for h in hits]  # fmt: skip
    return render(request, "search.html", q=q or "", search_q=q or "", total=len(selected), found=len(found),
                  hits=shown, facets=facets, active=active, page_size=PAGE_SIZE)  # fmt: skip


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
