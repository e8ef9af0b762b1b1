"""``/shared``: what two or more forces have in common."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import MatcherDep, RuntimeDep, StoreDep
from api.matching import shared
from api.schemas import Shared

router = APIRouter(tags=["shared practice"])


@router.get("/shared", response_model=Shared, summary="Shared systems, unit types and practice themes")
def get_shared(matcher: MatcherDep, runtime: RuntimeDep, store: StoreDep) -> dict[str, Any]:
    """IT systems and unit types of 2+ forces, and practice themes: practices of different forces whose
    titles and problems are similar (TF-IDF cosine similarity), labelled by the words they share."""
    return runtime.cached("shared", store, lambda: shared(matcher))
