"""Answers rendered to JSON once per store generation; repeat requests get the cached bytes.

FastAPI validates and serialises a response against its model on every request, which for the lookups
(``/shared``, ``/forces/{id}/help``, the lists…) costs far more than computing them from the snapshot.
:func:`cached_json` does the same validation and serialisation FastAPI does, once, and keeps the bytes in
the snapshot's memo, so they go when the store changes. The route keeps its ``response_model`` for the
OpenAPI schema.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable
from typing import Any

from fastapi.responses import JSONResponse, Response
from pydantic import TypeAdapter

from api.snapshot import Snapshot, plain

#: rendered answers kept per route and store generation (oldest dropped first)
RENDERED_BOUND = 256


@functools.cache
def _adapter(model: Any) -> TypeAdapter:
    return TypeAdapter(model)


def render(model: Any, payload: Any) -> bytes:
    """``payload`` (dicts or snapshot records) validated against ``model`` and serialised as FastAPI
    would answer it."""
    adapter = _adapter(model)
    content = adapter.dump_python(adapter.validate_python(plain(payload)), mode="json", by_alias=True)
    return JSONResponse(content).body


def rendered(snap: Snapshot, key: tuple[Hashable, ...], model: Any, build: Callable[[], Any]) -> bytes:
    """The JSON body for ``key`` (route name, then parameters), built and rendered once per generation."""
    route, *params = key
    return snap.derived((f"rendered:{route}", *params), lambda: render(model, build()), bound=RENDERED_BOUND)


def rendered_as(snap: Snapshot, key: tuple[Hashable, ...], fmt: str, build: Callable[[], bytes]) -> bytes:
    """The body for ``key`` in another format (``turtle``…, :mod:`api.renderers`), built once per
    generation beside the JSON of the same key."""
    route, *params = key
    return snap.derived((f"rendered:{route}", *params, fmt), build, bound=RENDERED_BOUND)


def cached_json(snap: Snapshot, key: tuple[Hashable, ...], model: Any, build: Callable[[], Any]) -> Response:
    """:func:`rendered` as a response."""
    return Response(content=rendered(snap, key, model, build), media_type="application/json")
