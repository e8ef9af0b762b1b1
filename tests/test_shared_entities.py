"""The shared-entities query on both samples: equivalent unit types count as one kind; generic kinds and
boilerplate never make two forces share something."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from tests.test_ownership import _graph

QUERY = Path(__file__).resolve().parent.parent / "graph" / "queries" / "shared-entities.rq"


def _shared() -> set[tuple[str, str]]:
    union = Graph()
    for name in ("nottinghamshire-2007", "northamptonshire-2007"):
        for triple in _graph(name):
            union.add(triple)
    rows = union.query(QUERY.read_text(encoding="utf-8"))
    return {(str(row.kind), str(row.label)) for row in rows}


def test_shared_entities_equivalents_generic_kinds_and_boilerplate() -> None:
    shared = _shared()
    # SNT (Notts) ≈ SCT (Northants), CAIU ≈ CPU, PPD ≈ PPU: each counts for both forces
    assert {("unit type", "SNT"), ("unit type", "SCT"), ("unit type", "CAIU"), ("unit type", "CPU")} <= shared
    assert ("unit type", "DPMU") in shared and ("IT system", "ViSOR") in shared
    generic = {("unit type", kind) for kind in ("team", "unit", "division", "department", "directorate")}
    assert not generic & shared
    # named only in the inspectorate's introduction or national context of one report
    assert not {("IT system", "iQuanta"), ("IT system", "COMPACT"), ("partner", "Jobcentre Plus")} & shared
    # local bodies are per force: never shared
    assert not {("partner", "police authority"), ("partner", "LSCB"), ("partner", "CDRP")} & shared
