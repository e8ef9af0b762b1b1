"""Helpers shared by the routers and pages: named queries, pagination and list order.

SPARQL lives in ``graph/queries/{api,pages}/*.rq``; parameters are passed to the store as bindings (rdflib
terms), never pasted into the text.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from rdflib.term import Node

import graph
from api.snapshot import last_segment
from graph.queries import plain_rows
from graph.store import Store

if TYPE_CHECKING:
    from fastapi import Response

    from api.deps import PageParams
    from api.snapshot import Snapshot

QUERY_DIR = Path(graph.__file__).resolve().parent / "queries"
T = TypeVar("T")
GRADES: tuple[str, ...] = ("excellent", "good", "fair", "poor")
Row = dict[str, str | None]

__all__ = ["GRADES", "Row", "last_segment", "load_query", "most_shared_page", "page", "rows", "select"]


@cache
def load_query(name: str, folder: str = "api") -> str:
    """The text of ``graph/queries/{folder}/{name}.rq`` (``api`` for the lookups, ``pages`` for pages)."""
    return (QUERY_DIR / folder / f"{name}.rq").read_text(encoding="utf-8")


def select(store: Store, name: str, folder: str = "pages", **bindings: Node) -> list[dict[str, Node | None]]:
    """Rows of a named query as rdflib terms, parameters bound by the store (never pasted into the text)."""
    return store.query(load_query(name, folder), bindings or None).dicts()


def rows(store: Store, name: str) -> list[Row]:
    """Rows of the named query ``graph/queries/api/{name}.rq`` as plain strings (None when unbound)."""
    return plain_rows(store, load_query(name))


def page(items: list[T], limit: int, offset: int) -> dict[str, Any]:
    """The pagination envelope every list returns."""
    return {"total": len(items), "limit": limit, "offset": offset, "items": items[offset : offset + limit]}


def most_shared_page(
    snap: Snapshot, name: str, table: Mapping[str, Any], paging: PageParams, model: Any
) -> Response:
    """A page of ``table`` (systems or unit types), most forces first, then by label; rendered once."""
    from api.rendered import cached_json

    def build() -> dict[str, Any]:
        items = sorted(table.values(), key=lambda s: (-len(s.forces), s.label.lower()))
        return page(items, paging.limit, paging.offset)

    return cached_json(snap, (name, paging.limit, paging.offset), model, build)
