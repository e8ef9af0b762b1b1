"""``/forces``: police forces, their grades, units, systems and leads, and help from other forces."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from api.catalogue import Catalogue, last_segment
from api.deps import ID_PATTERN, CatalogueDep, MatcherDep, PageDep, RuntimeDep, StoreDep
from api.errors import not_found
from api.lookup import force_grades, iri, page, select
from api.matching import cached_help, help_by_item
from api.rendered import cached_json
from api.schemas import ForceDetail, ForceSummary, HelpGroup, HelpItem, Page
from graph.store import Store

router = APIRouter(prefix="/forces", tags=["forces"])
ForceId = Annotated[
    str, Path(pattern=ID_PATTERN, description="Force id (data.police.uk)", examples=["nottinghamshire"])
]


def _force(cat: Catalogue, force_id: str) -> dict[str, Any]:
    force = cat.forces.get(force_id)
    if force is None:
        raise not_found("force", force_id, known=cat.forces)
    return force


@router.get("", response_model=Page[ForceSummary], summary="List police forces")
def list_forces(cat: CatalogueDep, paging: PageDep) -> dict[str, Any]:
    """Every force with at least one report or mention in the graph."""
    return page(list(cat.forces.values()), paging.limit, paging.offset)


@router.get("/{force_id}", response_model=ForceDetail, summary="One force in detail")
def get_force(force_id: ForceId, cat: CatalogueDep, store: StoreDep) -> Response:
    """Grades per area beside the national distribution, units, IT systems, leads and finding counts."""
    force = _force(cat, force_id)
    return cached_json(cat, ("force", force_id), ForceDetail, lambda: _force_detail(force, store, cat))


def _force_detail(force: dict[str, Any], store: Store, cat: Catalogue) -> dict[str, Any]:
    """The force's systems are those of the catalogue it uses on its own evidence (:mod:`graph.sharing`)."""
    bound = {"force": iri(force["iri"])}
    units = [
        {
            "iri": r["unit"],
            "label": r["label"] or last_segment(r["unit"]),
            "type": {
                "id": last_segment(r["type"]),
                "label": r["typeLabel"] or last_segment(r["type"]),
                "iri": r["type"],
            }
            if r["type"]
            else None,
        }
        for r in select(store, "force_units", bound)
    ]
    systems = sorted(
        (
            {k: system[k] for k in ("id", "iri", "label", "expansion")}
            for system in cat.systems.values()
            if any(f and f["id"] == force["id"] for f in system["forces"])
        ),
        key=lambda s: s["label"],
    )
    leads = [
        {
            "leader": r["leader"],
            "name": r["leaderLabel"] or last_segment(r["leader"]),
            "subject": r["subjectLabel"] or r["subjectText"],
            "text": r["text"],
        }
        for r in select(store, "force_leads", bound)
    ]
    counts = {
        str(r["kind"]).replace("-", "_"): int(r["count"])
        for r in select(store, "force_finding_counts", bound)
    }
    return {
        **force,
        "grades": force_grades(store, force["iri"]),
        "units": units,
        "systems": systems,
        "leads": leads,
        "finding_counts": counts,
    }


Explain = Annotated[bool, Query(description="Add the score's parts to each match's why")]


def without_parts(value: Any) -> Any:
    """``value`` with every ``why.parts`` dropped (the parts are shown only on request)."""
    if isinstance(value, list):
        return [without_parts(v) for v in value]
    if isinstance(value, dict):
        return {k: (None if k == "parts" else without_parts(v)) for k, v in value.items()}
    return value


@router.get("/{force_id}/help", response_model=Page[HelpItem], summary="Help from other forces")
def force_help(
    force_id: ForceId,
    cat: CatalogueDep,
    matcher: MatcherDep,
    paging: PageDep,
    runtime: RuntimeDep,
    store: StoreDep,
    per_finding: Annotated[int, Query(ge=1, le=50, description="Matches per area for improvement")] = 5,
    explain: Explain = False,
) -> Response:
    """For each area for improvement of the force: practices and strengths of OTHER forces that address
    it, best first, each with whom to call, why in words (shared topics, systems, units and words, with
    their places in both texts) and the other areas for improvement it also helps; "no close match in
    the loaded reports" when nothing reaches the relevance floor. ``explain=true`` adds the score's parts.
    """
    _force(cat, force_id)

    def build() -> dict[str, Any]:
        entries = cached_help(runtime, store, matcher, force_id, per_finding)
        return page(entries if explain else without_parts(entries), paging.limit, paging.offset)

    key = ("help", force_id, per_finding, explain, paging.limit, paging.offset)
    return cached_json(cat, key, Page[HelpItem], build)


@router.get("/{force_id}/help/by-item", response_model=Page[HelpGroup], summary="Help, once per item")
def force_help_by_item(
    force_id: ForceId,
    cat: CatalogueDep,
    matcher: MatcherDep,
    paging: PageDep,
    runtime: RuntimeDep,
    store: StoreDep,
    per_finding: Annotated[int, Query(ge=1, le=50, description="Matches per area for improvement")] = 5,
    explain: Explain = False,
) -> Response:
    """The same help as ``/forces/{id}/help``, grouped: each practice or strength of another force once,
    with every area for improvement of this force it helps (its score and why for each)."""
    _force(cat, force_id)

    def build() -> dict[str, Any]:
        groups = help_by_item(cached_help(runtime, store, matcher, force_id, per_finding))
        return page(groups if explain else without_parts(groups), paging.limit, paging.offset)

    key = ("help-by-item", force_id, per_finding, explain, paging.limit, paging.offset)
    return cached_json(cat, key, Page[HelpGroup], build)
