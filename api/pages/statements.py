"""Findings and practices as the pages show them: full text, kind in words, force, area, and a link to the
lines of the report they come from (``/reports/{id}?from=a&to=b#La``)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from rdflib.term import Node

from api.pages.common import Link, link_to, local_name, number, text

#: finding kinds (SKOS notations) and practices, in words for analysts, in the order pages list them
KIND_WORDS: dict[str, str] = {
    "area-for-improvement": "Area for improvement",
    "work-in-progress": "Work in progress",
    "strength": "Strength",
    "practice": "Developing practice",
}
KIND_PLURAL: dict[str, str] = {
    "area-for-improvement": "Areas for improvement",
    "work-in-progress": "Work in progress",
    "strength": "Strengths",
    "practice": "Developing practice",
}


def kind_key(kind: str | None) -> str:
    """``area_for_improvement`` / ``area-for-improvement`` -> ``area-for-improvement``."""
    return (kind or "finding").replace("_", "-")


def kind_words(kind: str | None) -> str:
    key = kind_key(kind)
    return KIND_WORDS.get(key, key.replace("-", " ").capitalize())


@dataclass(frozen=True)
class SourceRef:
    """Where a statement is in its report: a link to the report text with those lines highlighted."""

    report_id: str
    line_from: int | None
    line_to: int | None
    page: int | None = None

    @property
    def label(self) -> str:
        lines = ""
        if self.line_from and self.line_to and self.line_to != self.line_from:
            lines = f"lines {self.line_from}–{self.line_to}"
        elif self.line_from:
            lines = f"line {self.line_from}"
        parts = [p for p in (lines, f"page {self.page}" if self.page else "") if p]
        return ", ".join(parts) or "report"

    @property
    def href(self) -> str:
        return source_href(self.report_id, self.line_from, self.line_to)


def source_href(report_id: str, line_from: int | None, line_to: int | None = None) -> str:
    """``/reports/{id}?from=a&to=b#La`` (the report text, those lines highlighted and scrolled to)."""
    if not line_from:
        return f"/reports/{report_id}"
    query = urlencode({"from": line_from, "to": line_to or line_from})
    return f"/reports/{report_id}?{query}#L{line_from}"


def source_ref(row: dict[str, Node | None]) -> SourceRef | None:
    """The source of a row with ``report``, ``lineFrom``, ``lineTo`` and ``page`` columns."""
    report = row.get("report")
    if report is None:
        return None
    return SourceRef(local_name(str(report)), number(row.get("lineFrom")), number(row.get("lineTo")),
                     number(row.get("page")))  # fmt: skip


@dataclass
class Statement:
    """One finding or practice: its page, kind, text, force, area and source."""

    link: Link
    kind: str
    text: str
    source: SourceRef | None
    force: Link | None = None
    area: Link | None = None
    solved: list[list[Link]] = field(default_factory=list)  # "solved elsewhere" one-liners (AFIs)

    @property
    def kind_label(self) -> str:
        return kind_words(self.kind)


def statement(row: dict[str, Node | None], base: str) -> Statement:
    """A row of ``force_statements.rq`` or ``mentioning.rq`` as a statement."""
    kind = kind_key(text(row.get("kind")))
    title = text(row.get("title"))
    body = text(row.get("text"))
    label = title or kind_words(kind)
    force = link_to(row["force"], base, row.get("forceLabel")) if row.get("force") is not None else None
    area = link_to(row["area"], base, row.get("areaLabel")) if row.get("area") is not None else None
    shown = f"{title}. {body}" if title and body else body or title
    return Statement(link_to(row["item"], base, label), kind, shown, source_ref(row), force, area)


def unique(rows: list[dict[str, Node | None]]) -> list[dict[str, Node | None]]:
    """The first row per ``item`` (optional columns with several values repeat a row)."""
    seen: OrderedDict[str, dict[str, Node | None]] = OrderedDict()
    for row in rows:
        seen.setdefault(text(row.get("item")), row)
    return list(seen.values())


def group_by_kind(items: list[Statement]) -> list[tuple[str, str, list[Statement]]]:
    """``(kind, heading, statements)`` in the order of :data:`KIND_PLURAL`, other kinds last."""
    order = list(KIND_PLURAL)
    kinds = sorted({s.kind for s in items}, key=lambda k: (order.index(k) if k in order else len(order), k))
    return [(k, KIND_PLURAL.get(k, kind_words(k)), [s for s in items if s.kind == k]) for k in kinds]
