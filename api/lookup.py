"""Helpers shared by the lookup routers: named queries, term conversion, ids, pagination.

SPARQL lives in ``graph/queries/api/*.rq``; parameters are passed to the store as bindings (rdflib
terms), never pasted into the text.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from rdflib import Literal, URIRef
from rdflib.term import Node

import graph
from graph.store import Bindings, Store

QUERY_DIR = Path(graph.__file__).resolve().parent / "queries"
T = TypeVar("T")
GRADES: tuple[str, ...] = ("excellent", "good", "fair", "poor")


@cache
def load_query(name: str, folder: str = "api") -> str:
    """The text of ``graph/queries/{folder}/{name}.rq`` (``api`` for the lookups, ``pages`` for pages)."""
    return (QUERY_DIR / folder / f"{name}.rq").read_text(encoding="utf-8")


def select(store: Store, name: str, bindings: Bindings | None = None) -> list[dict[str, Any]]:
    """Rows of a named SELECT query as dicts of Python values (IRIs as strings, literals as values)."""
    result = store.query(load_query(name), dict(bindings or {}))
    return [{k: py(v) for k, v in row.items()} for row in result.dicts()]


def py(node: Node | None) -> Any:
    """An rdflib term as a JSON-friendly Python value."""
    if node is None:
        return None
    if isinstance(node, Literal):
        value = node.toPython()
        return value if isinstance(value, str | int | float | bool) else str(node)
    return str(node)


def iri(value: str) -> URIRef:
    return URIRef(value)


def last_segment(iri_value: str) -> str:
    """The last path segment of an IRI (``…/force/nottinghamshire`` -> ``nottinghamshire``)."""
    return iri_value.rstrip("/").rsplit("/", 1)[-1]


def force_grades(store: Store, force_iri: str) -> list[dict[str, Any]]:
    """A force's grade per area beside the national distribution (``/forces/{id}`` and the force page)."""
    grades = []
    for row in select(store, "judgements", {"force": URIRef(force_iri)}):
        area_id = last_segment(row["area"])
        grades.append(
            {
                "area": {"id": area_id, "label": row["areaLabel"] or area_id, "iri": row["area"]},
                "grade": row["grade"],
                "assessment_period": row["period"],
                "national": {k: row[k] for k in GRADES},
            }
        )
    return grades


def page(items: list[T], limit: int, offset: int) -> dict[str, Any]:
    """The pagination envelope every list returns."""
    return {"total": len(items), "limit": limit, "offset": offset, "items": items[offset : offset + limit]}
