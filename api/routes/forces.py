"""``/forces``: police forces, their grades, units, systems and leads, and help from other forces."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from api.deps import ID_PATTERN, PageDep, SnapshotDep, StoreDep
from api.lookup import page
from api.matching import cached_help, help_by_item
from api.rendered import cached_json, rendered
from api.renderers import NOUNS, RESPONSES, answer, json_body
from api.schemas import ForceDetail, ForceSummary, HelpGroup, HelpItem, Page
from api.snapshot import Snapshot

router = APIRouter(prefix="/forces", tags=["forces"])
ForceId = Annotated[
    str, Path(pattern=ID_PATTERN, description="Force id (data.police.uk)", examples=["nottinghamshire"])
]


FORCE = NOUNS["force"]


def force_json(snap: Snapshot, force_id: str) -> bytes:
    """The body of ``/forces/{id}`` (rendered once per generation; warmed by :mod:`api.snapshot_warm`)."""
    return json_body(FORCE, snap, force_id)


@router.get("", response_model=Page[ForceSummary], summary="List police forces")
def list_forces(snap: SnapshotDep, paging: PageDep) -> Response:
    """Every force with at least one report or mention in the graph."""
    build = lambda: page(list(snap.forces.values()), paging.limit, paging.offset)  # noqa: E731
    return cached_json(snap, ("forces", paging.limit, paging.offset), Page[ForceSummary], build)


@router.get("/{force_id}", response_model=ForceDetail, summary="One force in detail", responses=RESPONSES)
def get_force(force_id: ForceId, request: Request, snap: SnapshotDep, store: StoreDep) -> Response:
    """Grades per area beside the national distribution, units, IT systems, leads and finding counts
    (JSON; its page for browsers, RDF by Accept: :mod:`api.renderers`)."""
    return answer(FORCE, snap, force_id, request, store)


def without_parts(value: Any) -> Any:
    """``value`` with every ``why.parts`` dropped (the parts are shown only on request)."""
    if isinstance(value, list):
        return [without_parts(v) for v in value]
    if isinstance(value, dict):
        return {k: (None if k == "parts" else without_parts(v)) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class HelpParams:
    """The parameters of ``/forces/{id}/help`` and ``/forces/{id}/help/by-item``."""

    per_finding: int = 5
    explain: bool = False
    limit: int = 50
    offset: int = 0


def get_help_params(
    paging: PageDep,
    per_finding: Annotated[int, Query(ge=1, le=50, description="Matches per area for improvement")] = 5,
    explain: Annotated[bool, Query(description="Add the score's parts to each match's why")] = False,
) -> HelpParams:
    return HelpParams(per_finding, explain, paging.limit, paging.offset)


HelpDep = Annotated[HelpParams, Depends(get_help_params)]
HELP_VIEWS: dict[str, tuple[Any, Callable[[list[dict[str, Any]]], list[dict[str, Any]]]]] = {
    "help": (Page[HelpItem], lambda entries: entries),
    "help-by-item": (Page[HelpGroup], help_by_item),
}


def help_json(snap: Snapshot, force_id: str, params: HelpParams, view: str = "help") -> bytes:
    """The body of ``/forces/{id}/help`` (``view`` "help") or ``…/help/by-item`` ("help-by-item")."""
    FORCE.find(snap, force_id)
    model, shape = HELP_VIEWS[view]

    def build() -> dict[str, Any]:
        found = shape(cached_help(snap.matcher, force_id, params.per_finding))
        return page(found if params.explain else without_parts(found), params.limit, params.offset)

    key = (view, force_id, params.per_finding, params.explain, params.limit, params.offset)
    return rendered(snap, key, model, build)


@router.get("/{force_id}/help", response_model=Page[HelpItem], summary="Help from other forces")
def force_help(force_id: ForceId, snap: SnapshotDep, params: HelpDep) -> Response:
    """For each area for improvement of the force: practices and strengths of OTHER forces that address
    it, best first, each with whom to call, why in words (shared topics, systems, units and words, with
    their places in both texts) and the other areas for improvement it also helps; "no close match in
    the loaded reports" when nothing reaches the relevance floor. ``explain=true`` adds the score's parts.
    """
    return Response(content=help_json(snap, force_id, params), media_type="application/json")


@router.get("/{force_id}/help/by-item", response_model=Page[HelpGroup], summary="Help, once per item")
def force_help_by_item(force_id: ForceId, snap: SnapshotDep, params: HelpDep) -> Response:
    """The same help as ``/forces/{id}/help``, grouped: each practice or strength of another force once,
    with every area for improvement of this force it helps (its score and why for each)."""
    body = help_json(snap, force_id, params, "help-by-item")
    return Response(content=body, media_type="application/json")


__all__ = ["HelpParams", "force_json", "help_json", "router", "without_parts"]
