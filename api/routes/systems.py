"""``/systems``: IT systems, the forces that use them, and the findings and practices naming them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from api.deps import ID_PATTERN, PageDep, SnapshotDep
from api.errors import not_found
from api.lookup import most_shared_page
from api.rendered import cached_json
from api.schemas import Page, SystemDetail, SystemSummary
from api.snapshot import Finding, Practice, Snapshot, System

router = APIRouter(prefix="/systems", tags=["systems"])
SystemId = Annotated[str, Path(pattern=ID_PATTERN, description="IT system id (slug)", examples=["visor"])]


@router.get("", response_model=Page[SystemSummary], summary="List IT systems")
def list_systems(snap: SnapshotDep, paging: PageDep) -> Response:
    """Every IT system named in a report, with the forces that use it."""
    return most_shared_page(snap, "systems", snap.systems, paging, Page[SystemSummary])


@router.get("/{system_id}", response_model=SystemDetail, summary="One IT system")
def get_system(system_id: SystemId, snap: SnapshotDep) -> Response:
    """The forces using the system and the findings and practices that mention it."""
    system = snap.systems.get(system_id)
    if system is None:
        raise not_found("IT system", system_id, known=snap.systems)
    return cached_json(snap, ("system", system_id), SystemDetail, lambda: _system_detail(snap, system))


def _mentioning(snap: Snapshot) -> dict[str, tuple[list[Finding], list[Practice]]]:
    """Entity IRI -> the findings and the practices that mention it (snapshot order), built once."""
    found: dict[str, tuple[list[Finding], list[Practice]]] = {}
    for iri_, finding in snap.findings.items():
        for entity in snap.mentions.get(iri_, ()):
            found.setdefault(entity, ([], []))[0].append(finding)
    for practice in snap.practices.values():
        for entity in snap.mentions.get(practice.iri, ()):
            found.setdefault(entity, ([], []))[1].append(practice)
    return found


def _system_detail(snap: Snapshot, system: System) -> dict[str, Any]:
    findings, practices = snap.derived(("mentioning",), lambda: _mentioning(snap)).get(system.iri, ([], []))
    return {**system, "findings": findings, "practices": practices}
