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

QUERY_DIR = Path(graph.__file__).resolve().parent / "queries" / "api"
T = TypeVar("T")


@cache
def load_query(name: str) -> str:
    """The text of ``graph/queries/api/{name}.rq``."""
    return (QUERY_DIR / f"{name}.rq").read_text(encoding="utf-8")


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


def text(value: str) -> Literal:
    """A plain string literal to bind."""
    return Literal(value)


def iri(value: str) -> URIRef:
    return URIRef(value)


def local_id(iri_value: str, base: str, kind: str) -> str:
    """The id part of ``{base}{kind}/{id}`` (slashes inside the id become hyphens only for practices)."""
    prefix = f"{base}{kind}/"
    return iri_value[len(prefix) :] if iri_value.startswith(prefix) else iri_value


def page(items: list[T], limit: int, offset: int) -> dict[str, Any]:
    """The pagination envelope every list returns."""
    return {"total": len(items), "limit": limit, "offset": offset, "items": items[offset : offset + limit]}
