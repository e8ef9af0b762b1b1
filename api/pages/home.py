"""The home page: the forces, the grade matrix (forces x areas) and entry points to the views, from the
snapshot alone."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from rdflib import URIRef

from api.deps import SnapshotDep
from api.lookup import GRADES
from api.pages.common import BaseIri, Link, link_to, local_name, render
from api.snapshot import Judged, Snapshot

router = APIRouter()


@dataclass
class AreaColumn:
    """One area of the matrix and the national distribution printed for it."""

    link: Link
    distribution: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.distribution.values())


@dataclass
class ForceRow:
    link: Link
    path: str
    grades: dict[str, Link] = field(default_factory=dict)  # area IRI -> grade link


@dataclass
class GradeMatrix:
    areas: dict[str, AreaColumn]
    forces: list[ForceRow]


def grade_matrix(cells: Iterable[Judged], base: str) -> GradeMatrix:
    """The judgements of the snapshot (by force label, area label) -> the matrix; the first distribution
    seen for an area is kept."""
    areas: dict[str, AreaColumn] = {}
    forces: dict[str, ForceRow] = {}
    for cell in cells:
        area, force = cell.area, cell.force
        column = areas.setdefault(area, AreaColumn(link_to(URIRef(area), base, cell.area_label)))
        if not column.distribution and cell.national is not None:
            column.distribution = {g: cell.national[g] or 0 for g in GRADES}
        force_link = link_to(URIRef(force), base, cell.force_label)
        entry = forces.setdefault(force, ForceRow(force_link, local_name(force)))
        grade_id = local_name(cell.grade)
        grade = link_to(URIRef(cell.grade), base, cell.grade_label or grade_id.capitalize())
        entry.grades[area] = Link(grade.label, grade.href, grade_id)  # kind: the grade id, for colour
    ordered = dict(sorted(areas.items(), key=lambda item: item[1].link.label))
    return GradeMatrix(ordered, sorted(forces.values(), key=lambda f: f.link.label))


def national(matrix: GradeMatrix, forces: list[dict], area: str | None) -> dict:
    """The tile map for one area (``area``: an area id; default the first area of the matrix)."""
    from api.pages.tiles import tile_map

    choices = [(local_name(iri), column.link.label, iri) for iri, column in matrix.areas.items()]
    chosen = next((c for c in choices if c[0] == area), choices[0] if choices else None)
    links = {f["id"]: f["link"] for f in forces}
    grades = {r.path: r.grades[chosen[2]] for r in matrix.forces if chosen and chosen[2] in r.grades}
    tiles, width, height = tile_map(links, grades)
    return {"tiles": tiles, "width": width, "height": height, "choices": choices,
            "chosen": chosen[0] if chosen else None, "chosen_label": chosen[1] if chosen else ""}  # fmt: skip


def entry_points(cat: Snapshot, base: str) -> tuple[list[dict], list[dict]]:
    """IT systems and unit types with the number of forces behind each, as ``/systems`` and ``/units``
    count them (:mod:`graph.sharing`): equivalent unit types once, under the first of them."""

    def entry(item: dict, label: str) -> dict:
        return {
            "link": link_to(URIRef(item["iri"]), base, label),
            "id": item["id"],
            "forces": len(item["forces"]),
        }

    order = lambda e: (-e["forces"], e["link"].label.casefold())  # noqa: E731
    systems = [entry(s, s["label"]) for s in cat.systems.values()]
    types = [
        entry(u, " / ".join(u["equivalents"]) if len(u["equivalents"]) > 1 else u["label"])
        for u in cat.unit_types.values()
        if not u["same_as"]
    ]
    return sorted(systems, key=order), sorted(types, key=order)


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request, base: BaseIri, snap: SnapshotDep,
         area: Annotated[str | None, Query(max_length=120)] = None) -> HTMLResponse:  # fmt: skip
    """Forces, the national tile map, grade matrix and the ways into the network views."""
    findings = Counter(f.force.id for f in snap.findings.values() if f.force)
    practices = Counter(p.force.id for p in snap.practices.values() if p.force)
    forces = [
        {"link": link_to(URIRef(f.iri), base, f.label), "id": f.id,
         "findings": findings[f.id], "practices": practices[f.id]}
        for f in sorted(snap.forces.values(), key=lambda f: f.label)
    ]  # fmt: skip
    systems, unit_types = entry_points(snap, base)
    matrix = grade_matrix(snap.pages.matrix, base)
    return render(
        request, "home.html", forces=forces, matrix=matrix, grades=GRADES,
        national=national(matrix, forces, area),
        systems=systems, unit_types=unit_types,
    )  # fmt: skip
