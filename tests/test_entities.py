"""Entity extraction: samples scored against hand-checked answers; synthetic sentences with new names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from loaders.entities import extract_entities
from loaders.entity_patterns import entity_id, is_expansion, slugify
from loaders.mentions import attach_mentions
from loaders.model import (
    Contact,
    EntityKind,
    Force,
    GlossaryEntry,
    InspectionReport,
    Line,
    Practice,
    Section,
    SourceText,
)
from loaders.vocabulary import Vocabulary
from tests.entity_samples import northants_expected, notts_gold, sample_report, score, span

SAMPLES = ("nottinghamshire-2007", "northamptonshire-2007")
LOADERS = Path(__file__).resolve().parent.parent / "loaders"
MY_MODULES = ("entities.py", "entity_patterns.py", "entity_registry.py", "entity_rules.py", "people.py",
              "leads.py", "mentions.py", "vocabulary.py", "entity_phrases.py", "entity_systems.py",
              "boilerplate.py")  # fmt: skip


def synthetic_report(*texts: str, glossary: tuple[GlossaryEntry, ...] = (), contact: Contact | None = None):
    """A report whose source lines are ``texts`` (line 1, 2 ...), optionally with one practice contact."""
    lines = tuple(Line(number, text, page=1) for number, text in enumerate(texts, start=1))
    source = SourceText("synthetic.txt", "synthetic.txt", "0" * 64, "text", 1, lines)
    sections = ()
    if contact is not None:
        practice = Practice("Child abuse", "A practice", "", "", "", contact, span(1))
        sections = (Section("child-abuse", "Child Abuse", None, None, (), (practice,), span(1)),)
    return InspectionReport(
        source, Force("Test Police", "test", None), 2007, None, (), (), (), (), sections, glossary
    )


def _entities(*texts: str, **kwargs):
    return {e.id: e for e in extract_entities(synthetic_report(*texts, **kwargs), Vocabulary.load())}


@pytest.fixture(scope="module", params=SAMPLES)
def sample(request):
    report = sample_report(request.param)
    expected = notts_gold() if request.param == SAMPLES[0] else northants_expected()
    return report, expected, extract_entities(report, Vocabulary.load())


# --- samples against the expected answers -----------------------------------------------------------------


def test_it_system_recall_and_precision(sample) -> None:
    _, expected, entities = sample
    result = score(
        expected["it_systems"], entities, EntityKind.IT_SYSTEM, expected.get("optional_it_systems", ())
    )
    assert result.recall >= 0.95, result.missed
    assert len(result.unexpected) <= 1, result.unexpected


def test_people_recall_and_precision(sample) -> None:
    _, expected, entities = sample
    result = score(expected["people"], entities, EntityKind.PERSON)
    assert result.recall >= 0.95, result.missed
    assert not result.unexpected
    assert not any(e.name.endswith(("Report", "Inquiry")) for e in entities if e.kind is EntityKind.PERSON)


# Units, posts and partners are scored leniently in tests/test_entity_eval.py (recall and precision >= 0.90).


def test_every_mention_is_on_a_real_line_where_its_text_starts(sample) -> None:
    report, _, entities = sample
    lines = {ln.number: ln for ln in report.source.lines}
    numbers = sorted(lines)
    following = {n: " ".join(lines[m].text for m in numbers[i : i + 4]) for i, n in enumerate(numbers)}
    for entity in entities:
        assert entity.mentions, entity.id
        for mention in entity.mentions:
            assert mention.line in lines, (entity.id, mention)
            first_word = mention.text.split()[0]
            assert first_word in lines[mention.line].text, (entity.id, mention)
            assert " ".join(mention.text.split()) in " ".join(following[mention.line].split()), (
                entity.id,
                mention,
            )
            assert mention.page == lines[mention.line].page


def test_ids_are_kind_slugs(sample) -> None:
    _, _, entities = sample
    for entity in entities:
        assert re.fullmatch(r"(it-system|unit|role|person|partner)/[a-z0-9]+(?:-[a-z0-9]+)*", entity.id), (
            entity.id
        )
        assert entity.id.startswith(entity.kind.id_prefix + "/")
    assert len({e.id for e in entities}) == len(entities)


def test_notts_details() -> None:
    entities = {e.id: e for e in extract_entities(sample_report(SAMPLES[0]), Vocabulary.load())}
    for item in notts_gold()["it_systems"]:
        entity = entities[entity_id(EntityKind.IT_SYSTEM, item["name"])]
        assert entity.name == item["name"]
        if item["expansion"]:
            assert entity.expansion.casefold() == item["expansion"].casefold()
    people = [e for e in entities.values() if e.kind is EntityKind.PERSON]
    for item in notts_gold()["people"]:
        person = next(p for p in people if p.name == item["name"])
        assert person.roles, person
    head = next(p for p in people if "role/head-of-public-protection" in p.roles)
    assert head.rank.startswith("Detective Sup")
    annotated = attach_mentions(sample_report(SAMPLES[0]), list(entities.values()))
    assert sum(len(f.mentions) for s in annotated.sections
               for f in s.findings) > 50  # fmt: skip


def test_no_sample_answer_is_hard_coded_in_python() -> None:
    names = [
        i["name"]
        for key in ("it_systems", "people")
        for i in (*notts_gold()[key], *northants_expected()[key])
    ]
    source = "\n".join((LOADERS / module).read_text(encoding="utf-8") for module in MY_MODULES)
    for name in names:
        assert not re.search(rf"\b{re.escape(name)}\b", source), name
    assert "shire" not in source.lower()


# --- synthetic text: names never seen before --------------------------------------------------------------


def test_new_system_names_are_found_from_the_text() -> None:
    entities = _entities(
        "Officers record reports on the HALO missing persons system, and a new database,",
        "GEMINI, is used for intelligence. Referrals go onto the case tracking and referral",
        "system (CTRS). Calls are logged on the Storm command and control system.",
        "Mapping uses a package called ORBITAL. Custody uses the Sentinel database.",
    )
    assert entities["it-system/halo"].mentions[0].line == 1
    assert entities["it-system/gemini"].mentions[0].line == 2
    assert entities["it-system/ctrs"].expansion == "case tracking and referral system"
    assert entities["it-system/ctrs"].mentions[0].line == 2
    for name in ("storm", "orbital", "sentinel"):
        assert f"it-system/{name}" in entities


def test_models_and_generic_words_are_not_systems() -> None:
    entities = _entities(
        "Problem solving uses the SARA model and the Compstat model. Risk Matrix 2000 is used.",
        "The force command and control system and the force website are updated.",
        "The SPECSS risk model is applied; the NIM system of tasking is in place.",
    )
    assert not [e for e in entities if e.startswith("it-system/")]


def test_people_from_ranks_appositions_and_contacts() -> None:
    entities = _entities(
        "The Chief Constable, Alice Hartley, has been in post since 2004, while the DCC, Ben",
        "Okafor, joined in 2005. The police authority chair, Carol Ng, was elected. Detective",
        "Inspector Dan Price leads the unit. The Laming Report and the Bichard Inquiry apply.",
        "FORCE CONTACT: Detective Supt Erin Walsh, Head of Public Protection – 01234 567890",
        contact=Contact("Erin Walsh", "Detective Supt", "Head of Public Protection", None, span(1)),
    )
    people = {e.name: e for e in entities.values() if e.kind is EntityKind.PERSON}
    assert set(people) == {"Alice Hartley", "Ben Okafor", "Carol Ng", "Dan Price", "Erin Walsh"}
    assert people["Ben Okafor"].mentions[0].line == 1  # wrapped over a line break, kept on its first line
    assert people["Dan Price"].rank == "Detective Inspector"
    assert people["Alice Hartley"].roles == ("role/chief-constable",)
    assert "role/police-authority-chair" in people["Carol Ng"].roles
    assert people["Erin Walsh"].rank == "Detective Supt"
    assert set(people["Erin Walsh"].roles) == {
        "role/head-of-public-protection",
        "role/detective-superintendent",
    }


def test_units_roles_partners_and_variants_merge() -> None:
    entities = _entities(
        "The dangerous persons management unit (DPMU) works with the DPMUs on each division and",
        "with the child abuse unit. Safer neighbourhood teams (SNTs) work with each SNT. The",
        "ACC (crime) chairs meetings with the Local Safeguarding Children Board (LSCB) and MAPPA.",
        "The sexual exploitation investigation unit reports to the head of public protection.",
    )
    assert [m.text for m in entities["unit/dpmu"].mentions] == [
        "DPMU",
        "DPMUs",
        "dangerous persons management unit",
    ]
    assert entities["unit/snt"].expansion.casefold() == "safer neighbourhood teams"
    assert {m.line for m in entities["unit/snt"].mentions} == {2}
    assert "unit/caiu" in entities
    assert "unit/sexual-exploitation-investigation-unit" in entities
    assert {"role/acc-crime", "role/head-of-public-protection"} <= set(entities)
    assert {"partner/lscb", "partner/mappa"} <= set(entities)


def test_glossary_entries_classify_by_expansion() -> None:
    glossary = (
        GlossaryEntry("BATS", "briefing and tasking system", span(3)),
        GlossaryEntry("QoSC", "quality of service commitment", span(4)),
        GlossaryEntry("TRACER", "IT system", span(5)),
    )
    entities = _entities("The BATS is used; QoSC applies; TRACER is new.", "", "", "", "", glossary=glossary)
    assert entities["it-system/bats"].expansion == "briefing and tasking system"
    assert entities["it-system/tracer"].expansion is None
    assert not any("qosc" in e for e in entities)


def test_slugs_and_acronym_expansions() -> None:
    assert slugify("CATS DV") == "cats-dv"
    assert entity_id(EntityKind.IT_SYSTEM, "ViSOR") == "it-system/visor"
    assert entity_id(EntityKind.ROLE, "ACC (crime)") == "role/acc-crime"
    assert is_expansion("ViSOR", "Violent and Sex Offenders Register")
    assert is_expansion("SNTs", "safer neighbourhood teams")
    assert not is_expansion("VANTAGE", "force command and control system")


def test_time_grows_linearly_with_length() -> None:
    import time

    report = sample_report(SAMPLES[1])
    lines = report.source.lines
    big = tuple(Line(i + 1, ln.text, ln.page) for i, ln in enumerate(lines * 4))
    bigger = synthetic_report().__class__(**{**report.__dict__, "source": report.source.__class__(
        **{**report.source.__dict__, "lines": big})})  # fmt: skip
    start = time.perf_counter()
    extract_entities(report, Vocabulary.load())
    small = time.perf_counter() - start
    start = time.perf_counter()
    extract_entities(bigger, Vocabulary.load())
    assert time.perf_counter() - start < 8 * small + 1.0


def test_systems_named_by_vendor_suffix_or_in_lower_case() -> None:
    """Issue 12/11: "the force's NICHE RMS", "Cadcorp SIS" (not "SIS"), "i2 Analyst's Notebook", "Microsoft
    Access", "Sentinel, the … system", and lower-case systems the text then calls "the system"."""
    entities = _entities(
        "Crime is recorded on the force's NICHE RMS and hot spots are mapped with Cadcorp SIS.",
        "Analysts use i2 Analyst's Notebook and Microsoft Access. Access to the building is limited.",
        "Custody records are kept on Sentinel, the force's custody system.",
        "The force introduced the new offender tracking tool; 40 staff were trained to use the system.",
    )
    systems = {e.id for e in entities.values() if e.kind is EntityKind.IT_SYSTEM}
    assert systems == {
        "it-system/niche-rms",
        "it-system/cadcorp-sis",
        "it-system/i2-analysts-notebook",
        "it-system/microsoft-access",
        "it-system/sentinel",
        "it-system/offender-tracking-tool",
    }
    assert {m.text for m in entities["it-system/niche-rms"].mentions} == {"NICHE RMS"}


def test_people_with_diacritics_and_patronymics() -> None:
    entities = _entities(
        "Detective Inspector Siân Williams leads the unit. The Chief Constable, Dafydd ap Gruffydd, joined",
        "in 2005. Sergeant Seán Ó Briain and Inspector Zoë Müller-Lüdenscheidt attended.",
    )
    people = {e.name for e in entities.values() if e.kind is EntityKind.PERSON}
    assert people == {"Siân Williams", "Dafydd ap Gruffydd", "Seán Ó Briain", "Zoë Müller-Lüdenscheidt"}
