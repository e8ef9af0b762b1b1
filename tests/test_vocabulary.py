"""The curated SKOS seed vocabulary: loads, stays small and generic, answers the lookups extraction needs."""

from __future__ import annotations

from pathlib import Path

from loaders.vocabulary import Vocabulary
from tests.entity_samples import notts_gold

VOCABULARY = Path(__file__).resolve().parent.parent / "ontology" / "vocabulary.ttl"


def test_default_load_is_cached() -> None:
    assert Vocabulary.load() is Vocabulary.load()


def test_load_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "tiny.ttl"
    path.write_text(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "@prefix hv: <https://w3id.org/hmic-kg/vocab/> .\n"
        "hv:x a skos:Concept ; skos:inScheme hv:it-systems ;\n"
        '    skos:prefLabel "XYZ" ; skos:definition "x y z" .\n',
        encoding="utf-8",
    )
    vocabulary = Vocabulary.load(path)
    assert [t.label for t in vocabulary.it_systems] == ["XYZ"]
    assert vocabulary.find("it_systems", "x  Y z").label == "XYZ"


def test_rank_abbreviations_are_the_same_rank() -> None:
    vocabulary = Vocabulary.load()
    assert vocabulary.canonical_rank("Detective Supt") == "Detective Superintendent"
    assert vocabulary.canonical_rank("DCI") == "Detective Chief Inspector"
    assert vocabulary.canonical_rank("Sheriff") == "Sheriff"


def test_unit_variants_and_expansions() -> None:
    vocabulary = Vocabulary.load()
    assert vocabulary.find("unit_types", "child abuse unit").label == "CAIU"
    assert vocabulary.find("unit_types", "DPMU").expansion == "dangerous persons management unit"


def test_stop_list_names_models_and_generic_words() -> None:
    vocabulary = Vocabulary.load()
    for name in (
        "SARA",
        "Compstat",
        "Risk Matrix 2000",
        "RM 2000",
        "SPECCS",
        "command and control",
        "force website",
    ):
        assert vocabulary.is_not_system(name), name
    assert not vocabulary.is_not_system("ViSOR")


def test_vocabulary_is_small_and_names_no_people_or_forces() -> None:
    vocabulary = Vocabulary.load()
    terms = [*vocabulary.it_systems, *vocabulary.unit_types, *vocabulary.ranks, *vocabulary.posts,
             *vocabulary.partners, *vocabulary.not_systems]  # fmt: skip
    assert len(terms) < 120
    text = VOCABULARY.read_text(encoding="utf-8")
    for person in notts_gold()["people"]:
        assert person["name"] not in text
    assert "shire" not in text.lower()


def test_equivalents_are_skos_matches_both_ways() -> None:
    from loaders.vocabulary import Vocabulary

    vocabulary = Vocabulary.load()
    assert [t.label for t in vocabulary.equivalents("SNT")] == ["SCT"]
    assert [t.label for t in vocabulary.equivalents("safer community team")] == ["SNT"]
    assert [t.label for t in vocabulary.equivalents("CAIU")] == ["CPU"]
    assert [t.label for t in vocabulary.equivalents("DASU")] == ["DVU"]
    assert [t.label for t in vocabulary.equivalents("ppu")] == ["PPD"]
    assert vocabulary.equivalents("unit") == () and vocabulary.equivalents("no such thing") == ()


def test_local_and_national_bodies_are_vocabulary_data() -> None:
    from loaders.vocabulary import Vocabulary

    vocabulary = Vocabulary.load()
    for local in ("police authority", "LSCB", "CDRP", "probation service", "DAAT"):
        assert vocabulary.scope(local) == "local", local
    for national in ("Home Office", "ACPO", "NPIA", "CPS", "HM Inspector"):
        assert vocabulary.scope(national) == "national", national
    assert vocabulary.scope("made up body") is None


def test_equivalent_team_joins_the_reports_own_unit() -> None:
    """Northants defines SCTs; its "Neighbourhood Policing teams" are those SCTs, not a second unit."""
    from tests.test_entities import _entities

    entities = _entities(
        "Safer community teams (SCTs) work in each area. The Neighbourhood Policing teams meet weekly."
    )
    units = [e for e in entities.values() if e.kind.value == "unit"]
    assert [u.id for u in units] == ["unit/sct"]
    assert {m.text for m in units[0].mentions} >= {"SCTs", "Neighbourhood Policing teams"}
