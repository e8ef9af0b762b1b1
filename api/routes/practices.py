"""``/practices``: developing practice, filtered, in detail, and similar practice elsewhere.

Practice ids are ``{report-id}-{n}`` (e.g. ``nottinghamshire-2007-3``) for the IRI
``practice/{report-id}/{n}``: a path segment without a slash.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from api.deps import ID_PATTERN, MatcherDep, PageDep, SnapshotDep, StoreDep
from api.lookup import page
from api.matching import similar_page
from api.rendered import cached_json
from api.renderers import NOUNS, RESPONSES, answer
from api.routes.forces import without_parts
from api.schemas import Match, Page, PracticeOut
from api.snapshot import Snapshot

router = APIRouter(prefix="/practices", tags=["practices"])
PracticeId = Annotated[
    str, Path(pattern=ID_PATTERN, description="{report-id}-{n}", examples=["nottinghamshire-2007-1"])
]
Filter = Annotated[str | None, Query(max_length=120, pattern=r"^[a-z0-9-]*$")]


def _mentions(cat: Snapshot, practice: dict[str, Any], kind: str, ident: str) -> bool:
    for entity in cat.mentions.get(practice["iri"], ()):
        try:
            entity_kind, parts = cat.iris.parse(entity)
        except ValueError:
            continue
        if entity_kind == kind and parts[-1] == ident:
            return True
    return False


def _matches(
    cat: Snapshot,
    p: dict[str, Any],
    force: str | None,
    area: str | None,
    system: str | None,
    unit: str | None,
    q: str | None,
) -> bool:
    if force and (p["force"] or {}).get("id") != force:
        return False
    if area and (p["area"] or {}).get("id") != area:
        return False
    if system and not _mentions(cat, p, "system", system):
        return False
    if unit and not _mentions(cat, p, "unit", unit):
        return False
    if q:
        haystack = " ".join(filter(None, (p["title"], p["problem"], p["solution"], p["outcomes"]))).lower()
        return q.lower() in haystack
    return True


@router.get("", response_model=Page[PracticeOut], summary="List developing practice")
def list_practices(
    cat: SnapshotDep,
    paging: PageDep,
    force: Annotated[Filter, Query(description="Force id")] = None,
    area: Annotated[Filter, Query(description="Area id")] = None,
    system: Annotated[Filter, Query(description="IT system id")] = None,
    unit: Annotated[Filter, Query(description="Unit type id")] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Text in title, problem, solution, outcomes")
    ] = None,
) -> Response:
    """Developing practice of every force; filters combine with AND."""

    def build() -> dict[str, Any]:
        items = [p for p in cat.practices.values() if _matches(cat, p, force, area, system, unit, q)]
        return page(items, paging.limit, paging.offset)

    key = ("practices", force, area, system, unit, q, paging.limit, paging.offset)
    return cached_json(cat, key, Page[PracticeOut], build)


PRACTICE = NOUNS["practice"]


@router.get("/{practice_id}", response_model=PracticeOut, summary="One practice", responses=RESPONSES)
def get_practice(practice_id: PracticeId, request: Request, cat: SnapshotDep, store: StoreDep) -> Response:
    """Title, problem, solution, outcomes and the contact of one practice (JSON; its page for browsers,
    RDF by Accept: :mod:`api.renderers`)."""
    return answer(PRACTICE, cat, practice_id, request, store)


@router.get("/{practice_id}/similar", response_model=Page[Match], summary="Similar practice elsewhere")
def similar_practices(
    practice_id: PracticeId,
    cat: SnapshotDep,
    matcher: MatcherDep,
    paging: PageDep,
    explain: Annotated[bool, Query(description="Add the score's parts to each match's why")] = False,
) -> Response:
    """Practices and strengths of OTHER forces on the same problem, ranked by the same code as
    ``/forces/{id}/help``, with why in words and whom to call (an empty page when nothing is close)."""
    practice = PRACTICE.find(cat, practice_id)

    def build() -> dict[str, Any]:
        answer = similar_page(matcher, practice, paging.limit, paging.offset)
        return answer if explain else without_parts(answer)

    return cached_json(
        cat, ("similar", practice_id, explain, paging.limit, paging.offset), Page[Match], build
    )
