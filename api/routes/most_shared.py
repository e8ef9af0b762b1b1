"""The two routes of a kind of thing that forces share (IT systems, unit types): the list, most shared
first, and one by id through the renderer table (JSON; its page for browsers, RDF by Accept)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response

from api.deps import ID_PATTERN, PageDep, SnapshotDep, StoreDep
from api.lookup import most_shared_page
from api.renderers import NOUNS, RESPONSES, answer
from api.schemas import Page, SystemDetail, SystemSummary, UnitType
from api.snapshot import Snapshot


@dataclass(frozen=True)
class Shared:
    """What differs between the kinds: names, models, the snapshot table and the words of the docs."""

    prefix: str  #: ``/systems``
    noun: str  #: key of :data:`api.renderers.NOUNS`
    id_name: str  #: the path parameter (``system_id``)
    table: Callable[[Snapshot], Mapping[str, Any]]
    summary_model: Any
    detail_model: Any
    id_words: tuple[str, str]  #: the id's description and an example
    list_words: tuple[str, str]  #: the list route's summary and description
    detail_words: tuple[str, str]  #: the by-id route's summary and description


SYSTEMS = Shared("/systems", "system", "system_id", lambda snap: snap.systems, SystemSummary, SystemDetail,
    ("IT system id (slug)", "visor"),
    ("List IT systems", "Every IT system named in a report, with the forces that use it."),
    ("One IT system", "The forces using the system and the findings and practices that mention it (JSON; its "
     "page for browsers, RDF by Accept: :mod:`api.renderers`)."),
)  # fmt: skip
UNIT_TYPES = Shared("/units", "unit-type", "unit_id", lambda snap: snap.unit_types, UnitType, UnitType,
    ("Unit type id (slug)", "dpmu"),
    ("List unit types", "Unit types of the vocabulary, each with the forces that have such a unit (most "
     "shared first)."),
    ("One unit type", "A unit type with each force's unit of that type, as in ``/units`` (JSON; the page "
     "for browsers, RDF by Accept: :mod:`api.renderers`)."),
)  # fmt: skip


def shared_router(kind: Shared) -> APIRouter:
    """The list route (``""``) and the by-id route (``/{id}``) of ``kind``."""
    name = kind.prefix.strip("/")
    router = APIRouter(prefix=kind.prefix, tags=[name])
    ident_path = Path(pattern=ID_PATTERN, description=kind.id_words[0], examples=[kind.id_words[1]])
    Ident = Annotated[str, ident_path]

    def list_all(snap: SnapshotDep, paging: PageDep) -> Response:
        return most_shared_page(snap, name, kind.table(snap), paging, Page[kind.summary_model])

    def get_one(request: Request, snap: SnapshotDep, store: StoreDep, **path: str) -> Response:
        return answer(NOUNS[kind.noun], snap, path[kind.id_name], request, store)

    # the path parameter keeps the kind's own name (``/systems/{system_id}``) in the OpenAPI schema
    keyword = inspect.Parameter.KEYWORD_ONLY
    get_one.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(kind.id_name, keyword, annotation=Ident),
         inspect.Parameter("request", keyword, annotation=Request),
         inspect.Parameter("snap", keyword, annotation=SnapshotDep),
         inspect.Parameter("store", keyword, annotation=StoreDep)],
        return_annotation=Response,
    )  # fmt: skip

    list_all.__doc__, get_one.__doc__ = kind.list_words[1], kind.detail_words[1]
    router.add_api_route(
        "", list_all, methods=["GET"], response_model=Page[kind.summary_model], summary=kind.list_words[0],
        name=f"list_{name}",
    )  # fmt: skip
    router.add_api_route(
        f"/{{{kind.id_name}}}", get_one, methods=["GET"], response_model=kind.detail_model,
        summary=kind.detail_words[0], responses=RESPONSES, name=f"get_{name.removesuffix('s')}",
    )  # fmt: skip
    return router
