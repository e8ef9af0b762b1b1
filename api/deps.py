"""Dependencies of the routers as ``Annotated`` aliases (tests swap them with ``dependency_overrides``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request

from api.matching import Matcher
from api.runtime import Runtime
from api.settings import Settings
from api.snapshot import Snapshot
from graph.iris import Iris
from graph.store import Store


def get_runtime(request: Request) -> Runtime:
    """The app's :class:`Runtime` (created by ``create_app``)."""
    return request.app.state.runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_settings(runtime: RuntimeDep) -> Settings:
    return runtime.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_store(runtime: RuntimeDep) -> Store:
    """The graph store (opened on first use)."""
    return runtime.store()


StoreDep = Annotated[Store, Depends(get_store)]


def get_iris(settings: SettingsDep) -> Iris:
    return Iris(settings.base_iri)


IrisDep = Annotated[Iris, Depends(get_iris)]


@dataclass(frozen=True)
class PageParams:
    """``?limit=&offset=`` of every list."""

    limit: int
    offset: int


def get_page(
    limit: Annotated[int, Query(ge=1, le=500, description="Items per page (1–500).")] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip.")] = 0,
) -> PageParams:
    return PageParams(limit, offset)


PageDep = Annotated[PageParams, Depends(get_page)]


def get_snapshot(request: Request, runtime: RuntimeDep, store: StoreDep) -> Snapshot:
    """The read model of the store's current generation (read once per request: FastAPI caches a
    dependency per request, and the HTTP middleware hands over the generation it already read)."""
    generation = getattr(request.state, "store_generation", None)
    return runtime.snapshot(store, generation)


SnapshotDep = Annotated[Snapshot, Depends(get_snapshot)]


def get_matcher(snapshot: SnapshotDep) -> Matcher:
    """The ranking over the snapshot's practices and findings (every force's help is warmed in the
    background once the snapshot is built: :mod:`api.snapshot_warm`)."""
    return snapshot.matcher


MatcherDep = Annotated[Matcher, Depends(get_matcher)]

#: the form of every id in a path: lower-case slug
ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,119}$"
