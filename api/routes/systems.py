"""``/systems``: IT systems, the forces that use them, and the findings and practices naming them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from api.catalogue import Catalogue
from api.deps import ID_PATTERN, CatalogueDep, PageDep
from api.errors import not_found
from api.lookup import page
from api.rendered import cached_json
from api.schemas import Page, SystemDetail, SystemSummary

router = APIRouter(prefix="/systems", tags=["systems"])
SystemId = Annotated[str, Path(pattern=ID_PATTERN, description="IT system id (slug)", examples=["visor"])]


@router.get("", response_model=Page[SystemSummary], summary="List IT systems")
def list_systems(cat: CatalogueDep, paging: PageDep) -> Response:
    """Every IT system named in a report, with the forces that use it."""

    def build() -> dict[str, Any]:
        items = sorted(cat.systems.values(), key=lambda s: (-len(s["forces"]), s["label"].lower()))
        return page(items, paging.limit, paging.offset)

    return cached_json(cat, ("systems", paging.limit, paging.offset), Page[SystemSummary], build)


@router.get("/{system_id}", response_model=SystemDetail, summary="One IT system")
def get_system(system_id: SystemId, cat: CatalogueDep) -> Response:
    """The forces using the system and the findings and practices that mention it."""
    system = cat.systems.get(system_id)
    if system is None:
        raise not_found("IT system", system_id, known=cat.systems)
    return cached_json(cat, ("system", system_id), SystemDetail, lambda: _system_detail(cat, system))


def _mentioning(cat: Catalogue) -> dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """Entity IRI -> the findings and the practices that mention it (catalogue order), built once."""
    found: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
    for iri_, finding in cat.findings.items():
        for entity in cat.mentions.get(iri_, ()):
            found.setdefault(entity, ([], []))[0].append(finding)
    for practice in cat.practices.values():
        for entity in cat.mentions.get(practice["iri"], ()):
            found.setdefault(entity, ([], []))[1].append(practice)
    return found


def _system_detail(cat: Catalogue, system: dict[str, Any]) -> dict[str, Any]:
    findings, practices = cat.derived(("mentioning",), lambda: _mentioning(cat)).get(system["iri"], ([], []))
    return {**system, "findings": findings, "practices": practices}
