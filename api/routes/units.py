"""``/units``: unit types (DPMU, CAIU…) with the forces that have one."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import PageDep, SnapshotDep
from api.lookup import most_shared_page
from api.schemas import Page, UnitType

router = APIRouter(prefix="/units", tags=["units"])


@router.get("", response_model=Page[UnitType], summary="List unit types")
def list_units(snap: SnapshotDep, paging: PageDep) -> Response:
    """Unit types of the vocabulary, each with the forces that have such a unit (most shared first)."""
    return most_shared_page(snap, "units", snap.unit_types, paging, Page[UnitType])
