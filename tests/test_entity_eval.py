"""Both sample reports scored leniently (tests/entity_eval.py) against their hand-checked lists."""

from __future__ import annotations

import functools

import pytest

from loaders.entities import extract_entities
from loaders.vocabulary import Vocabulary
from tests.entity_eval import KindScore, score_report
from tests.entity_samples import northants_expected, notts_gold, sample_report

REPORTS = ("nottinghamshire-2007", "northamptonshire-2007")


@functools.cache
def _scores(name: str) -> dict[str, KindScore]:
    expected = notts_gold() if name == REPORTS[0] else northants_expected()
    return score_report(expected, extract_entities(sample_report(name), Vocabulary.load()))


@pytest.mark.parametrize("name", REPORTS)
@pytest.mark.parametrize("key", ["units", "roles", "partner_bodies"])
def test_units_posts_partners_recall_and_precision(name: str, key: str) -> None:
    result = _scores(name)[key]
    assert result.recall >= 0.90, result.missed
    assert result.precision >= 0.90, result.unexpected


@pytest.mark.parametrize("name", REPORTS)
def test_it_system_recall(name: str) -> None:
    result = _scores(name)["it_systems"]
    assert result.recall >= 0.95, result.missed


def test_lenient_matcher_accepts_plural_abbreviation_and_expansion() -> None:
    from loaders.model import Entity, EntityKind, EntityMention

    entity = Entity("unit/snt", EntityKind.UNIT, "SNT", None, (EntityMention("SNTs", 1),))
    for expected in ({"name": "SNTs"}, {"name": "safer neighbourhood teams"}, {"name": "x (SNT)"}):
        assert score_report_one(expected, entity).recall == 1.0, expected
    assert score_report_one({"name": "dangerous persons unit"}, entity).recall == 0.0


def score_report_one(item: dict, entity) -> KindScore:
    from tests.entity_eval import score_kind

    return score_kind([item], [entity], entity.kind)
