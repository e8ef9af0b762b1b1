"""Unit types: specific types are shared across forces; generic kinds keep each named unit apart."""

from __future__ import annotations

from graph.resolve import Expansions, unit_key, unit_type_of
from loaders.model import Entity, EntityKind
from loaders.vocabulary import Vocabulary


def _unit(name: str, expansion: str | None = None) -> Entity:
    slug = name.lower().replace(" ", "-")
    return Entity(id=f"unit/{slug}", kind=EntityKind.UNIT, name=name, expansion=expansion, mentions=())


def test_divisions_are_units_of_the_generic_kind_division() -> None:
    vocabulary, expansions = Vocabulary.load(), Expansions.of([])
    for name in ("North division", "Q division", "Harbour Divisions"):
        assert unit_type_of(_unit(name), expansions, vocabulary)[:2] == ("division", "division")
    assert unit_key(_unit("North division"), expansions, vocabulary) == "north-division"
    assert unit_key(_unit("Q division"), expansions, vocabulary) == "q-division"


def test_a_specific_unit_type_is_one_unit_per_force() -> None:
    vocabulary = Vocabulary.load()
    expansions = Expansions.of([("DPMU", "dangerous persons management unit")])
    entity = _unit("dangerous persons management unit")
    assert unit_type_of(entity, expansions, vocabulary)[0] == "dpmu"
    assert unit_key(entity, expansions, vocabulary) == "dpmu"


def test_unknown_head_noun_gives_a_type_of_its_own() -> None:
    vocabulary, expansions = Vocabulary.load(), Expansions.of([])
    assert unit_type_of(_unit("Special Branch Annex"), expansions, vocabulary)[0] == "special-branch-annex"
