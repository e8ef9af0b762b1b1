"""``/systems``: IT systems, the forces that use them, and the findings and practices naming them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from api.deps import ID_PATTERN, CatalogueDep, PageDep
from api.errors import not_found
from api.lookup import page
from api.schemas import Page, SystemDetail, SystemSummary

router = APIRouter(prefix="/systems", tags=["systems"])
SystemId = Annotated[str, Path(pattern=ID_PATTERN, description="IT system id (slug)", examples=["visor"])]


@router.get("", response_model=Page[SystemSummary], summary="List IT systems")
def list_systems(cat: CatalogueDep, paging: PageDep) -> dict[str, Any]:
    """Every IT system named in a report, with the forces that use it."""
    items = sorted(cat.systems.values(), key=lambda s: (-len(s["forces"]), s["label"].lower()))
    return page(items, paging.limit, paging.offset)


@router.get("/{system_id}", response_model=SystemDetail, summary="One IT system")
def get_system(system_id: SystemId, cat: CatalogueDep) -> dict[str, Any]:
    """The forces using the system and the findings and practices that mention it."""
    system = cat.systems.get(system_id)
    if system is None:
        raise not_found("IT system", system_id)
    findings = [f for iri_, f in cat.findings.items() if system["iri"] in cat.mentions.get(iri_, ())]
    practices = [p for p in cat.practices.values() if system["iri"] in cat.mentions.get(p["iri"], ())]
    return {**system, "findings": findings, "practices": practices}
