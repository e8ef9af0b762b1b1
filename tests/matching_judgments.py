"""The judged help set (``tests/data/help_judgments.json``) and the measures taken against it.

nDCG@3 uses the grade (2, 1, 0) as the gain and log2(rank + 1) as the discount, over the ideal order of
every graded item of that AFI; P@3 is the share of the first three places that hold an item graded 1 or
2 (an empty place counts as not relevant); "irrelevant first" is the share of AFIs whose first suggestion
is graded 0 or, when the AFI has useful items, that get no suggestion at all.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

JUDGMENTS = Path(__file__).resolve().parent / "data" / "help_judgments.json"


@dataclass(frozen=True)
class Scores:
    ndcg3: float
    p3: float
    irrelevant_first: float
    afis: int

    def __str__(self) -> str:
        return (
            f"nDCG@3 {self.ndcg3:.3f}  P@3 {self.p3:.3f}  "
            f"irrelevant first {self.irrelevant_first:.1%}  ({self.afis} AFIs)"
        )


def load_judgments(path: Path = JUDGMENTS) -> dict[str, dict[str, int]]:
    """AFI IRI path -> {item IRI path: grade} (useful items and the judged zeros)."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    out: dict[str, dict[str, int]] = {}
    for entry in doc["judgments"]:
        grades = {item: 0 for item in entry["not_useful"]}
        grades.update({u["item"]: int(u["grade"]) for u in entry["useful"]})
        out[entry["afi"]] = grades
    return out


def ndcg_at(ranked: Sequence[str], grades: Mapping[str, int], k: int = 3) -> float:
    dcg = sum(grades.get(item, 0) / math.log2(i + 2) for i, item in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    best = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / best if best > 0 else 0.0


def precision_at(ranked: Sequence[str], grades: Mapping[str, int], k: int = 3) -> float:
    return sum(1 for item in ranked[:k] if grades.get(item, 0) > 0) / k


def irrelevant_first(ranked: Sequence[str], grades: Mapping[str, int]) -> bool:
    if not ranked:
        return any(g > 0 for g in grades.values())
    return grades.get(ranked[0], 0) == 0


def score(rankings: Mapping[str, Sequence[str]], judgments: Mapping[str, Mapping[str, int]]) -> Scores:
    """Mean measures over the AFIs of ``judgments`` (an AFI missing from ``rankings`` ranks nothing)."""
    afis = list(judgments)
    ranked = {a: list(rankings.get(a, ())) for a in afis}
    n = len(afis) or 1
    return Scores(
        sum(ndcg_at(ranked[a], judgments[a]) for a in afis) / n,
        sum(precision_at(ranked[a], judgments[a]) for a in afis) / n,
        sum(irrelevant_first(ranked[a], judgments[a]) for a in afis) / n,
        len(afis),
    )


def path_of(iri: str, base: str) -> str:
    """``{base}finding/x/y/1`` -> ``finding/x/y/1`` (the judged set's keys)."""
    return iri[len(base) :] if iri.startswith(base) else iri
