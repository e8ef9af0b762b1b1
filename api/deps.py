"""Dependencies of the routers as ``Annotated`` aliases (tests swap them with ``dependency_overrides``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request

from api.catalogue import Catalogue, build_catalogue
from api.matching import Matcher, build_matcher
from api.runtime import Runtime
from api.settings import Settings
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


def get_catalogue(runtime: RuntimeDep, store: StoreDep, iris: IrisDep) -> Catalogue:
    """The digest of the store, rebuilt when the store generation changes."""
    return runtime.cached("catalogue", store, lambda: build_catalogue(store, iris))


CatalogueDep = Annotated[Catalogue, Depends(get_catalogue)]


def get_matcher(runtime: RuntimeDep, store: StoreDep, catalogue: CatalogueDep) -> Matcher:
    """The ranking over practices and findings, rebuilt with the catalogue; every force's help is then
    built in the background (:mod:`api.matching_warm`)."""
    return runtime.cached("matcher", store, lambda: build_matcher(catalogue, warm=True))


MatcherDep = Annotated[Matcher, Depends(get_matcher)]

#: the form of every id in a path: lower-case slug
ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,119}$"
