"""``/units``: unit types (DPMU, CAIU…) with the forces that have one."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import CatalogueDep, PageDep
from api.lookup import page
from api.schemas import Page, UnitType

router = APIRouter(prefix="/units", tags=["units"])


@router.get("", response_model=Page[UnitType], summary="List unit types")
def list_units(cat: CatalogueDep, paging: PageDep) -> dict[str, Any]:
    """Unit types of the vocabulary, each with the forces that have such a unit (most shared first)."""
    items = sorted(cat.unit_types.values(), key=lambda u: (-len(u["forces"]), u["label"].lower()))
    return page(items, paging.limit, paging.offset)
