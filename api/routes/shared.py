"""``/shared``: what two or more forces have in common."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import SnapshotDep
from api.matching import shared
from api.rendered import cached_json
from api.schemas import Shared

router = APIRouter(tags=["shared practice"])


@router.get("/shared", response_model=Shared, summary="Shared systems, unit types and practice themes")
def get_shared(snap: SnapshotDep) -> Response:
    """IT systems and unit types of 2+ forces, and practice themes: practices of different forces whose
    titles and problems are similar (TF-IDF cosine similarity), labelled by the words they share."""
    return cached_json(snap, ("shared",), Shared, lambda: shared(snap.matcher))
