"""What the search page (:mod:`api.pages.search_page`) searches: one :class:`Doc` per force, system, unit
type, person, post, area, lead, practice and finding, and the :class:`PageIndex` over them.

The index is built once per snapshot by the warm-up (:mod:`api.snapshot_warm`), before it freezes the
heap, and is a few objects whatever the size: every document's lowered text in one UTF-8 blob that a
compiled pattern scans in C, the documents in the page's order (kind, then label) so a needle's answer
is already sorted, and each facet as a column of value numbers (NumPy arrays, one row of numbers per
document) so filters and counts are array operations over the hits. A :class:`Doc` is made again, from
its snapshot record, only for the hits shown. Before, the page built a ``Doc`` (a dataclass, a dict of
lists) per finding after the freeze, about 400,000 objects at 430 reports that every full collection
walked, and matched a needle with a Python loop over every document.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate, pairwise
from typing import Any

import numpy as np

from api.pages.help import clip
from api.pages.statements import kind_key, kind_words
from api.snapshot import Snapshot

FACETS = ("kind", "force", "area", "grade", "mentions")
KIND_ORDER = ("force", "system", "unit-type", "person", "post", "lead", "area", "practice",
              "area-for-improvement", "work-in-progress", "strength")  # fmt: skip
ENTITY_WORDS = {"force": "Police force", "system": "IT system", "unit-type": "Unit type", "person": "Person",
                "post": "Post", "area": "Inspection area", "lead": "Who leads what"}  # fmt: skip
#: between two documents' lowered texts: whitespace, so never in a needle (its spaces are collapsed)
SEPARATOR = "\n"
ENCODING = ("utf-8", "surrogatepass")  # a substring of UTF-8 bytes is a substring of the text
WORD = re.compile(r"\w")


def _after_word(blob: bytes, at: int) -> bool:
    """Whether the character ending just before byte ``at`` of ``blob`` (UTF-8) is a word character."""
    first = at - 1
    while first > 0 and blob[first] & 0xC0 == 0x80:  # back over continuation bytes
        first -= 1
    return WORD.match(blob[first:at].decode(*ENCODING)) is not None


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


@dataclass(frozen=True)
class Context:
    """What making a document from its record needs besides the record (built once per snapshot)."""

    labels: dict[str, str]  # IRI -> label of everything a finding or practice may mention
    grades: dict[tuple[str, str], str]  # (force id, area id) -> grade
    area_labels: dict[str, str]  # area IRI -> label


def context(cat: Snapshot) -> Context:
    labels = {s["iri"]: s["label"] for s in cat.systems.values()}
    labels |= {u["iri"]: u["label"] for u in cat.unit_types.values()}
    labels |= {p["iri"]: p["name"] for p in cat.people.values()}
    grades = {}
    for force_id, facts in cat.facts.items():
        for g in facts.grades:
            if g.grade:
                grades[(force_id, g.area.id)] = str(g.grade).capitalize()
    return Context(labels, grades, {a["iri"]: a["label"] for a in cat.areas.values()})


def _doc(kind: str, iri: str, label: str, body: str, href: str | None = None, **facets: list[str]) -> Doc:
    text = " ".join(body.split())
    return Doc(
        kind, iri, label, text, f"{label} {text}".lower(), {k: v for k, v in facets.items() if v}, href
    )


def _force(cat: Snapshot, ctx: Context, f: Any) -> Doc:
    return _doc("force", f["iri"], f["label"], "", force=[f["label"]])


def _named(kind: str, r: Any) -> Doc:
    return _doc(kind, r["iri"], r["label"], r["expansion"] or "", force=[f["label"] for f in r["forces"]])


def _system(cat: Snapshot, ctx: Context, s: Any) -> Doc:
    return _named("system", s)


def _unit_type(cat: Snapshot, ctx: Context, u: Any) -> Doc:
    return _named("unit-type", u)


def _person(cat: Snapshot, ctx: Context, p: Any) -> Doc:
    kind = "person" if "/person/" in p["iri"] else "post"
    body = " · ".join(filter(None, [p["rank"] or "", *p["roles"]]))
    return _doc(kind, p["iri"], p["name"], body, force=[f["label"] for f in p["forces"]])


def _area(cat: Snapshot, ctx: Context, a: Any) -> Doc:
    return _doc("area", a["iri"], a["label"], "")


def _lead(cat: Snapshot, ctx: Context, lead: Any) -> Doc:
    force = cat.forces.get(lead["force"] or "")
    subject = lead["subject_text"] or ""
    # the lead in its force's who's who (a post's own page is every force's post)
    return _doc("lead", lead["leader"], f"{lead['name']} leads {subject}".strip(),
                " ".join(filter(None, (lead["text"], ctx.area_labels.get(lead["subject"] or "")))),
                f"/page/force/{force['id']}#who" if force else None,
                force=[force["label"]] if force else [])  # fmt: skip


def _statement(kind: str, iri: str, label: str, body: str, r: Any, cat: Snapshot, ctx: Context) -> Doc:
    force, area = r["force"], r["area"]
    mentions = sorted({ctx.labels[e] for e in cat.mentions.get(iri, ()) if e in ctx.labels})
    grade = ctx.grades.get((force["id"], area["id"])) if force and area else None
    text = " ".join(body.split())
    facets = {"kind": [kind_words(kind)], "force": [force["label"]] if force else [],
              "area": [area["label"]] if area else [], "grade": [grade] if grade else [],
              "mentions": mentions}  # fmt: skip
    searched = f"{label} {text} {area['label'] if area else ''}".lower()
    return Doc(kind, iri, label, text, searched, {k: v for k, v in facets.items() if v})


def _practice(cat: Snapshot, ctx: Context, p: Any) -> Doc:
    body = " ".join(filter(None, (p["problem"], p["solution"], p["outcomes"])))
    return _statement("practice", p["iri"], p["title"], body, p, cat, ctx)


def _finding(cat: Snapshot, ctx: Context, f: Any) -> Doc:
    return _statement(kind_key(f["kind"]), f["iri"], clip(f["text"], 110), f["text"], f, cat, ctx)


#: where each kind of document comes from, in the order they were listed before the page's sort
SOURCES: tuple[tuple[Callable[[Snapshot], Any], Callable[[Snapshot, Context, Any], Doc]], ...] = (
    (lambda c: c.forces.values(), _force),
    (lambda c: c.systems.values(), _system),
    (lambda c: c.unit_types.values(), _unit_type),
    (lambda c: c.people.values(), _person),
    (lambda c: c.areas.values(), _area),
    (lambda c: c.leads, _lead),
    (lambda c: c.practices.values(), _practice),
    (lambda c: c.findings.values(), _finding),
)


def documents(cat: Snapshot, ctx: Context | None = None) -> Iterator[tuple[int, Any, Doc]]:
    """Every searchable document: (its source's number in :data:`SOURCES`, its record, the document)."""
    ctx = ctx or context(cat)
    for number, (table, make) in enumerate(SOURCES):
        for record in table(cat):
            yield number, record, make(cat, ctx, record)


def kind_facet(doc: Doc) -> list[str]:
    return doc.facets.get("kind") or [ENTITY_WORDS.get(doc.kind, doc.kind)]


def values(doc: Doc, facet: str) -> list[str]:
    """The document's values of ``facet`` (its kind in words for ``kind``)."""
    return kind_facet(doc) if facet == "kind" else doc.facets.get(facet, [])


@dataclass(frozen=True, eq=False)
class Column:
    """A facet's values per document: document ``i`` has ``values[v]`` for each ``v`` in
    ``ids[offsets[i] : offsets[i + 1]]`` (each value once). ``values`` is sorted by lowered text, then
    text, and ``rank[v]`` numbers the lowered texts (equal for values that differ only in case)."""

    values: tuple[str, ...]
    numbers: dict[str, int]
    rank: np.ndarray
    offsets: np.ndarray
    ids: np.ndarray

    @classmethod
    def build(cls, per_doc: list[list[str]]) -> Column:
        found = sorted({v for vals in per_doc for v in vals}, key=lambda v: (v.lower(), v))
        numbers = {v: i for i, v in enumerate(found)}
        lowered = [v.lower() for v in found]
        rank = np.cumsum([a != b for a, b in pairwise(["", *lowered])], dtype=np.int64)  # order only
        once = [vals if len(vals) < 2 else dict.fromkeys(vals) for vals in per_doc]
        ids = np.asarray([numbers[v] for vals in once for v in vals], dtype=np.int32)
        offsets = np.cumsum([0, *map(len, once)], dtype=np.int64)
        return cls(tuple(found), numbers, rank, offsets, ids)

    def rows(self, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The values of ``docs``: (the position in ``docs`` of each value's document, the value)."""
        starts, ends = self.offsets[docs], self.offsets[docs + 1]
        lengths = ends - starts
        owner = np.repeat(np.arange(len(docs)), lengths)
        first = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        return owner, self.ids[first + np.arange(len(owner))]


@dataclass(frozen=True, eq=False)
class PageIndex:
    """The search page's documents in its order: document ``i`` is made from ``records[i]`` by
    ``SOURCES[sources[i]]``; its lowered text, UTF-8, is ``lowered[starts[i] : starts[i + 1] - 1]``
    (UTF-8: half the memory of a ``str`` holding one character beyond Latin-1, 37 MB at 430 reports)."""

    lowered: bytes
    starts: array
    sources: bytes
    records: tuple[Any, ...]
    columns: dict[str, Column]
    context: Context

    @classmethod
    def build(cls, cat: Snapshot) -> PageIndex:
        ctx = context(cat)
        docs = list(documents(cat, ctx))
        order = {k: i for i, k in enumerate(KIND_ORDER)}
        docs.sort(key=lambda d: (order.get(d[2].kind, len(order)), d[2].label.lower()))  # stable
        texts = [(doc.lowered + SEPARATOR).encode(*ENCODING) for _, _, doc in docs]
        starts = array("Q", [0])
        starts.extend(accumulate(map(len, texts)))
        columns = {f: Column.build([values(doc, f) for _, _, doc in docs]) for f in FACETS}
        sources, records = bytes(s for s, _, _ in docs), tuple(r for _, r, _ in docs)
        return cls(b"".join(texts), starts, sources, records, columns, ctx)

    def find(self, needle: str) -> np.ndarray:
        """The documents (numbers, in order) with a word starting with ``needle`` (lowered, collapsed
        spaces): the old per-document ``(?<!\\w)needle``, as one pattern over every document's text whose
        literal needle comes first, so the scan runs in C and Python steps once per document found."""
        found = array("I")
        if not needle or SEPARATOR in needle:
            return np.frombuffer(found, dtype=np.uint32)
        wanted = needle.encode(*ENCODING)
        # the needle, then "the byte before it is not an ASCII word character" (looked back from its end);
        # after a byte of another character, that character is checked here (rare: "…", "é" before it)
        pattern = re.compile(re.escape(wanted) + b"(?<![A-Za-z0-9_](?s:.){%d})" % len(wanted))
        blob, starts = self.lowered, self.starts
        hit = pattern.search(blob)
        while hit is not None:
            at = hit.start()
            if at and blob[at - 1] >= 0x80 and _after_word(blob, at):
                hit = pattern.search(blob, at + 1)
                continue
            doc = bisect_right(starts, at) - 1
            found.append(doc)
            hit = pattern.search(blob, starts[doc + 1])
        return np.frombuffer(found, dtype=np.uint32)

    def doc(self, number: int, cat: Snapshot) -> Doc:
        """Document ``number``, made again from its record (for the hits shown)."""
        return SOURCES[self.sources[number]][1](cat, self.context, self.records[number])
