"""Sample reports for the entity, lead and mention tests, parsed by the real parser when it exists.

While ``loaders.hmic2007`` is being written elsewhere, a minimal stand-in builds what entity extraction
needs: the source lines, the glossary, and sections holding their developing-practice blocks.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from loaders.entity_registry import merge_key
from loaders.model import Entity, EntityKind, Force, InspectionReport, Section, SourceSpan

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "data" / "reports"
NOTTS_GOLD = Path("/work/shared/gold/notts.json")
NORTHANTS_EXPECTED = Path(__file__).resolve().parent / "data" / "northants_entities.json"


@functools.cache
def sample_report(name: str) -> InspectionReport:
    """The parsed sample report ``data/reports/<name>.txt``."""
    from loaders.source import read_source

    source = read_source(REPORTS / f"{name}.txt")
    try:
        from loaders.forces import ForceRegister
        from loaders.hmic2007 import parse_report
    except ImportError:
        return _stand_in(source)
    return parse_report(source, ForceRegister.default())


def _stand_in(source) -> InspectionReport:
    from loaders.glossary import GLOSSARY_HEADING, lines_to_glossary
    from loaders.sections import lines_to_sections, raw_to_section

    lines = source.lines
    start = next(i for i, ln in enumerate(lines) if GLOSSARY_HEADING.fullmatch(ln.text.strip()))
    glossary, _ = lines_to_glossary(lines[start + 1 :], source.name)
    sections: list[Section] = [
        raw_to_section(raw, source.name)[0] for raw in lines_to_sections(lines[:start])
    ]
    return InspectionReport(
        source=source,
        force=Force(name=source.name, id=source.name.split("-")[0], ons_code=None),
        year=2007,
        assessment_period=None,
        national_summary=(),
        force_summary=(),
        facts=(),
        developments=(),
        sections=tuple(sections),
        glossary=tuple(glossary),
    )


def notts_gold() -> dict:
    return json.loads(NOTTS_GOLD.read_text(encoding="utf-8"))


def northants_expected() -> dict:
    return json.loads(NORTHANTS_EXPECTED.read_text(encoding="utf-8"))


def span(line: int) -> SourceSpan:
    return SourceSpan("synthetic.txt", line, line)


_PAREN = re.compile(r"\s*\(([^)]*)\)")


def _gold_forms(item: dict) -> set[str]:
    name = item.get("name") or item.get("role") or ""
    forms = {name, _PAREN.sub("", name), *_PAREN.findall(name)}
    forms |= {v for k in ("abbreviation", "expansion") if isinstance(v := item.get(k), str)}
    return {merge_key(f) for f in forms if f.strip()}


def _entity_forms(entity: Entity) -> set[str]:
    forms = {entity.name, entity.expansion or "", *(m.text for m in entity.mentions)}
    return {merge_key(f) for f in forms if f.strip()}


@dataclass(frozen=True)
class Score:
    """Recall against expected items, and which entities matched nothing expected."""

    recall: float
    missed: tuple[str, ...]
    unexpected: tuple[str, ...]


def score(
    expected: list[dict], entities: Sequence[Entity], kind: EntityKind, optional: Sequence[str] = ()
) -> Score:
    """Match expected items (gold JSON dicts) to entities of ``kind`` by name, abbreviation or expansion."""
    mine = [e for e in entities if e.kind is kind]
    forms = {e.id: _entity_forms(e) for e in mine}
    matched: set[str] = set()
    missed: list[str] = []
    for item in expected:
        hits = [eid for eid, f in forms.items() if f & _gold_forms(item)]
        matched.update(hits)
        if not hits:
            missed.append(item.get("name") or item.get("role"))
    allowed = {merge_key(o) for o in optional}
    unexpected = tuple(e.id for e in mine if e.id not in matched and not (forms[e.id] & allowed))
    return Score(1 - len(missed) / len(expected) if expected else 1.0, tuple(missed), unexpected)
