"""``/units``: unit types (DPMU, CAIU…) with the forces that have one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from api.deps import ID_PATTERN, PageDep, SnapshotDep, StoreDep
from api.lookup import most_shared_page
from api.renderers import NOUNS, RESPONSES, answer
from api.schemas import Page, UnitType

router = APIRouter(prefix="/units", tags=["units"])
UnitId = Annotated[str, Path(pattern=ID_PATTERN, description="Unit type id (slug)", examples=["dpmu"])]


@router.get("", response_model=Page[UnitType], summary="List unit types")
def list_units(snap: SnapshotDep, paging: PageDep) -> Response:
    """Unit types of the vocabulary, each with the forces that have such a unit (most shared first)."""
    return most_shared_page(snap, "units", snap.unit_types, paging, Page[UnitType])


@router.get("/{unit_id}", response_model=UnitType, summary="One unit type", responses=RESPONSES)
def get_unit(unit_id: UnitId, request: Request, snap: SnapshotDep, store: StoreDep) -> Response:
    """A unit type with each force's unit of that type, as in ``/units`` (JSON; the page for browsers, RDF
    by Accept: :mod:`api.renderers`)."""
    return answer(NOUNS["unit-type"], snap, unit_id, request, store)
