"""``/areas``: the inspection areas of the vocabulary."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import CatalogueDep, PageDep
from api.lookup import page
from api.schemas import Area, Page

router = APIRouter(prefix="/areas", tags=["areas"])


@router.get("", response_model=Page[Area], summary="List inspection areas")
def list_areas(cat: CatalogueDep, paging: PageDep) -> dict[str, Any]:
    """Inspection areas (SKOS concepts), with their broader area."""
    return page(list(cat.areas.values()), paging.limit, paging.offset)
