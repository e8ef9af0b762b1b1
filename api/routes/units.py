"""``/units``: unit types (DPMU, CAIU…) with the forces that have one."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from api.deps import CatalogueDep, PageDep
from api.lookup import page
from api.rendered import cached_json
from api.schemas import Page, UnitType

router = APIRouter(prefix="/units", tags=["units"])


@router.get("", response_model=Page[UnitType], summary="List unit types")
def list_units(cat: CatalogueDep, paging: PageDep) -> Response:
    """Unit types of the vocabulary, each with the forces that have such a unit (most shared first)."""

    def build() -> dict[str, Any]:
        items = sorted(cat.unit_types.values(), key=lambda u: (-len(u["forces"]), u["label"].lower()))
        return page(items, paging.limit, paging.offset)

    return cached_json(cat, ("units", paging.limit, paging.offset), Page[UnitType], build)
