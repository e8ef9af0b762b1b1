"""Lenient scoring of extracted entities against hand-checked lists (run as a script to print the table).

An expected item matches an extracted entity of the same kind when any of their printed forms agree after
normalising case, quotes and plurals; forms are the name, the part before and inside brackets, the
abbreviation, the expansion and every mention, and an abbreviation also matches a phrase that spells it.
Precision counts the extracted entities that match an expected (or optional) item.

    .venv/bin/python -m tests.entity_eval
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from loaders.entity_patterns import is_expansion
from loaders.entity_registry import merge_key
from loaders.model import Entity, EntityKind

KINDS = (
    ("units", EntityKind.UNIT),
    ("roles", EntityKind.ROLE),
    ("partner_bodies", EntityKind.PARTNER),
    ("it_systems", EntityKind.IT_SYSTEM),
)
_PAREN = re.compile(r"\s*\(([^)]*)\)")
_LEADING = re.compile(r"^(?:the|a|an|force|local|its)\s+", re.IGNORECASE)


def _variants(text: str) -> set[str]:
    text = " ".join(text.split())
    forms = {text, _PAREN.sub("", text), *_PAREN.findall(text)}
    forms |= {_LEADING.sub("", f) for f in forms}
    return {merge_key(f) for f in forms if f.strip()}


def expected_forms(item: dict | str) -> set[str]:
    """Normalised forms of one expected item (a gold dict or a bare name)."""
    if isinstance(item, str):
        return _variants(item)
    forms: set[str] = set()
    for key in ("name", "role", "abbreviation", "expansion"):
        if isinstance(value := item.get(key), str):
            forms |= _variants(value)
    return forms


def entity_forms(entity: Entity) -> set[str]:
    """Normalised forms of an extracted entity: name, expansion, every mention."""
    forms: set[str] = set()
    for text in (entity.name, entity.expansion or "", *(m.text for m in entity.mentions)):
        if text.strip():
            forms |= _variants(text)
    return forms


def _agree(wanted: set[str], got: set[str]) -> bool:
    if wanted & got:
        return True
    short = [f for f in wanted | got if " " not in f]
    return any(
        is_expansion(a.upper(), b) for a in short for b in (got if a in wanted else wanted) if " " in b
    )


@dataclass(frozen=True)
class KindScore:
    """Recall and precision of one kind in one report, with what was missed and what is extra."""

    recall: float
    precision: float
    missed: tuple[str, ...]
    unexpected: tuple[str, ...]
    found: int


def score_kind(
    expected: Sequence[dict], entities: Iterable[Entity], kind: EntityKind, optional: Sequence[str] = ()
) -> KindScore:
    """Lenient recall and precision of ``entities`` of ``kind`` against ``expected`` (+ ``optional``)."""
    mine = [e for e in entities if e.kind is kind]
    got = {e.id: entity_forms(e) for e in mine}
    wanted = [(item.get("name") or item.get("role") or "", expected_forms(item)) for item in expected]
    allowed = [expected_forms(o) for o in optional]
    missed = tuple(name for name, forms in wanted if not any(_agree(forms, g) for g in got.values()))
    right = [
        eid
        for eid, g in got.items()
        if any(_agree(forms, g) for _, forms in wanted) or any(_agree(a, g) for a in allowed)
    ]
    unexpected = tuple(eid for eid in got if eid not in right)
    recall = 1 - len(missed) / len(wanted) if wanted else 1.0
    precision = len(right) / len(got) if got else 1.0
    return KindScore(recall, precision, missed, unexpected, len(got))


def score_report(expected: dict, entities: Sequence[Entity]) -> dict[str, KindScore]:
    """Scores of every kind in :data:`KINDS` for one report."""
    return {
        key: score_kind(expected[key], entities, kind, expected.get(f"optional_{key}", ()))
        for key, kind in KINDS
    }


def main() -> None:
    from loaders.entities import extract_entities
    from loaders.vocabulary import Vocabulary
    from tests.entity_samples import northants_expected, notts_gold, sample_report

    reports = {"nottinghamshire-2007": notts_gold(), "northamptonshire-2007": northants_expected()}
    scores = {
        name: score_report(expected, extract_entities(sample_report(name), Vocabulary.load()))
        for name, expected in reports.items()
    }
    print("| kind | recall Notts / Northants | precision Notts / Northants |")
    print("|---|---|---|")
    for key, _ in KINDS:
        a, b = (scores[name][key] for name in reports)
        print(f"| {key} | {a.recall:.2f} / {b.recall:.2f} | {a.precision:.2f} / {b.precision:.2f} |")
    for name, by_kind in scores.items():
        for key, result in by_kind.items():
            if result.missed or result.unexpected:
                print(f"\n{name} {key}: missed {list(result.missed)}\n  unexpected {list(result.unexpected)}")


if __name__ == "__main__":
    main()
