"""``/systems``: IT systems, the forces that use them, and the findings and practices naming them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from api.deps import ID_PATTERN, PageDep, SnapshotDep, StoreDep
from api.lookup import most_shared_page
from api.renderers import NOUNS, RESPONSES, answer
from api.schemas import Page, SystemDetail, SystemSummary

router = APIRouter(prefix="/systems", tags=["systems"])
SystemId = Annotated[str, Path(pattern=ID_PATTERN, description="IT system id (slug)", examples=["visor"])]


@router.get("", response_model=Page[SystemSummary], summary="List IT systems")
def list_systems(snap: SnapshotDep, paging: PageDep) -> Response:
    """Every IT system named in a report, with the forces that use it."""
    return most_shared_page(snap, "systems", snap.systems, paging, Page[SystemSummary])


@router.get("/{system_id}", response_model=SystemDetail, summary="One IT system", responses=RESPONSES)
def get_system(system_id: SystemId, request: Request, snap: SnapshotDep, store: StoreDep) -> Response:
    """The forces using the system and the findings and practices that mention it (JSON; its page for
    browsers, RDF by Accept: :mod:`api.renderers`)."""
    return answer(NOUNS["system"], snap, system_id, request, store)
