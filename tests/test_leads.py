"""Leads: practice contacts and sentences that name a post or person as responsible for something."""

from __future__ import annotations

from loaders.entities import extract_entities
from loaders.leads import area_of, extract_leads
from loaders.mentions import attach_mentions
from loaders.vocabulary import Vocabulary
from tests.entity_samples import notts_gold, sample_report
from tests.test_entities import synthetic_report


def _leads(name: str):
    report = sample_report(name)
    entities = extract_entities(report, Vocabulary.load())
    return extract_leads(attach_mentions(report, entities), entities)


def test_notts_practice_contacts_are_leads() -> None:
    gold = [p for s in notts_gold()["sections"] for p in s["practices"]]
    contacts = [lead for lead in _leads("nottinghamshire-2007") if lead.kind == "practice_contact"]
    assert len(contacts) == len(gold)
    assert {(c.subject, c.entity_id.split("/")[1]) for c in contacts} == {
        (p["title"], p["contact_name"].lower().replace(" ", "-")) for p in gold
    }
    busiest = max({c.entity_id for c in contacts}, key=lambda e: sum(c.entity_id == e for c in contacts))
    assert sum(c.entity_id == busiest for c in contacts) == 3
    assert all(c.area_id for c in contacts)


def test_notts_acc_crime_has_responsibility_leads() -> None:
    leads = [lead for lead in _leads("nottinghamshire-2007") if lead.kind == "responsibility"]
    acc = {(lead.subject, lead.area_id) for lead in leads if lead.entity_id == "role/acc-crime"}
    assert ("missing persons", "missing-persons") in acc
    assert any(area == "public-protection" for _, area in acc)
    assert any(lead.entity_id == "role/dcc" and lead.area_id == "performance-management" for lead in leads)


def test_chaired_bodies_are_subjects() -> None:
    leads = _leads("northamptonshire-2007")
    chaired = {lead.subject for lead in leads if lead.entity_id == "role/dcc"}
    assert any("board" in subject or "Group" in subject for subject in chaired)
    for lead in leads:
        assert lead.span.line_from <= lead.span.line_to
        assert lead.text


def test_synthetic_sentences() -> None:
    report = synthetic_report(
        "The deputy chief constable (DCC) has overall command.",
        "Performance management is led by the DCC. The ACC (crime) has portfolio",
        "responsibility for missing persons, thus ensuring a link.",
        "The force lead for domestic abuse is the DCC.",
    )
    entities = extract_entities(report, Vocabulary.load())
    leads = {
        (lead.entity_id, lead.subject, lead.area_id, lead.span.line_from)
        for lead in extract_leads(report, entities)
    }
    assert ("role/dcc", "Performance management", "performance-management", 2) in leads
    assert ("role/acc-crime", "missing persons", "missing-persons", 2) in leads
    assert ("role/dcc", "domestic abuse", "domestic-violence", 4) in leads


def test_area_keywords() -> None:
    assert area_of("all four PVP elements") == "protecting-vulnerable-people"
    assert area_of("Neighbourhood Policing") == "neighbourhood-policing"
    assert area_of("strategic budget group") is None
