"""The national picture: a square tile map of the forces (positions are data, ``data/force-tiles.csv``,
keyed by data.police.uk id), each tile coloured by the force's grade in a chosen area and linking to the
force; forces with no report loaded are shown as such."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from api.pages.common import Link
from loaders.resources import data_file

TILE = 42  # pixels per tile, gap included
GAP = 3


@dataclass(frozen=True)
class TilePlace:
    force_id: str
    col: int
    row: int
    short: str
    name: str


@dataclass(frozen=True)
class Tile:
    place: TilePlace
    x: int
    y: int
    size: int
    link: Link | None  # the force page, when the force has a report
    grade: str  # grade id for colour, "none" (graded nothing here) or "absent" (no report)
    title: str


@cache
def tile_places() -> tuple[TilePlace, ...]:
    """The tile grid of the forces, from the shipped data files."""
    with data_file("police-forces.csv").open(encoding="utf-8") as handle:
        names = {row["police_uk_id"]: row["name"] for row in csv.DictReader(handle)}
    with data_file("force-tiles.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return tuple(
        TilePlace(r["police_uk_id"], int(r["col"]), int(r["row"]), r["short"],
                  names.get(r["police_uk_id"], r["police_uk_id"]))
        for r in rows
    )  # fmt: skip


def tile_map(forces: dict[str, Link], grades: dict[str, Link]) -> tuple[list[Tile], int, int]:
    """Tiles for every force of the grid (``forces``: id -> page link of forces with a report;
    ``grades``: id -> grade in the chosen area, ``kind`` the grade id), and the map's width and height."""
    tiles = []
    for place in tile_places():
        link = forces.get(place.force_id)
        grade = grades.get(place.force_id)
        if link is None:
            state, title = "absent", f"{place.name}: no report loaded"
        elif grade is None:
            state, title = "none", f"{link.label}: not graded in this area"
        else:
            state, title = grade.kind or "none", f"{link.label}: {grade.label}"
        tiles.append(Tile(place, place.col * TILE, place.row * TILE, TILE - GAP, link, state, title))
    width = (max((p.col for p in tile_places()), default=0) + 1) * TILE
    height = (max((p.row for p in tile_places()), default=0) + 1) * TILE
    return tiles, width, height
