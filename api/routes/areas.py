"""``/areas``: the inspection areas of the vocabulary."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import PageDep, SnapshotDep
from api.lookup import page
from api.rendered import cached_json
from api.schemas import Area, Page

router = APIRouter(prefix="/areas", tags=["areas"])


@router.get("", response_model=Page[Area], summary="List inspection areas")
def list_areas(snap: SnapshotDep, paging: PageDep) -> Response:
    """Inspection areas (SKOS concepts), with their broader area."""
    build = lambda: page(list(snap.areas.values()), paging.limit, paging.offset)  # noqa: E731
    return cached_json(snap, ("areas", paging.limit, paging.offset), Page[Area], build)
