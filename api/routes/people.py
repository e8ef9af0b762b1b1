"""``/people``: people named in the reports, with rank, force and roles."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from api.deps import ID_PATTERN, PageDep, SnapshotDep, StoreDep
from api.lookup import page
from api.rendered import cached_json
from api.renderers import NOUNS, RESPONSES, answer
from api.schemas import Page, Person

router = APIRouter(prefix="/people", tags=["people"])
PersonId = Annotated[
    str, Path(pattern=ID_PATTERN, description="Person id (slug of the name)", examples=["jackie-alexander"])
]


@router.get("", response_model=Page[Person], summary="List people")
def list_people(
    cat: SnapshotDep,
    paging: PageDep,
    force: Annotated[str | None, Query(max_length=120, description="Force id")] = None,
) -> Response:
    """People (practice contacts and post holders named in the reports)."""

    def build() -> dict[str, Any]:
        items = [
            p for p in cat.people.values() if force is None or any(f["id"] == force for f in p["forces"])
        ]
        return page(sorted(items, key=lambda p: p["name"].lower()), paging.limit, paging.offset)

    return cached_json(cat, ("people", force, paging.limit, paging.offset), Page[Person], build)


@router.get("/{person_id}", response_model=Person, summary="One person", responses=RESPONSES)
def get_person(person_id: PersonId, request: Request, cat: SnapshotDep, store: StoreDep) -> Response:
    """Name, rank, forces and posts of one person, as in ``/people`` (JSON; the page for browsers, RDF by
    Accept: :mod:`api.renderers`)."""
    return answer(NOUNS["person"], cat, person_id, request, store)
