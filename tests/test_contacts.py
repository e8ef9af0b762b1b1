"""Practice contacts in every shape: any subset of name, rank, role, phone, e-mail and address, on one or
several lines, any number per practice; a contact without a personal name is a contact point."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib.namespace import FOAF, RDF

from graph.iris import Iris
from graph.mapping import report_to_graph
from graph.validate import validate
from loaders.jsonout import report_to_json
from loaders.model import Line
from loaders.pipeline import load_report
from loaders.practices import parse_contacts
from tests.hmic2007_support import NOTTS


def _contacts(*texts: str) -> list[tuple]:
    lines = [Line(n, t) for n, t in enumerate(texts, start=1)]
    return [
        (c.name, c.rank, c.role, c.phone, c.email, c.address, c.is_person)
        for c in parse_contacts(list(texts), lines, "t.txt")
    ]


def test_email_only_contact_is_a_contact_point() -> None:
    assert _contacts("npt@force.pnn.police.uk") == [
        ("", None, None, None, "npt@force.pnn.police.uk", None, False)
    ]


def test_title_only_contact_is_a_contact_point_not_a_person() -> None:
    assert _contacts("Performance Information Officer") == [
        ("", None, "Performance Information Officer", None, None, None, False)
    ]


def test_multi_line_block_keeps_phone_and_email_and_the_name_is_clean() -> None:
    assert _contacts(
        "",
        "Detective Inspector Jo Bloggs",
        "Public Protection Unit",
        "Tel: 01234 567890",
        "Email: jo.bloggs@force.pnn.police.uk",
        "Address: Force HQ, Some Road, Town AB1 2CD",
    ) == [
        (
            "Jo Bloggs",
            "Detective Inspector",
            "Public Protection Unit",
            "01234 567890",
            "jo.bloggs@force.pnn.police.uk",
            "Force HQ, Some Road, Town AB1 2CD",
            True,
        )
    ]


def test_second_contact_is_kept() -> None:
    found = _contacts(
        "Detective Supt Sam Smith, Head of PPU – 07700 900123",
        "DS Ann Other, DV Co-ordinator – 0115 967 0999",
    )
    assert [(c[0], c[1], c[2], c[3]) for c in found] == [
        ("Sam Smith", "Detective Supt", "Head of PPU", "07700 900123"),
        ("Ann Other", "DS", "DV Co-ordinator", "0115 967 0999"),
    ]


def test_wrapped_phone_still_joins_its_line() -> None:
    assert _contacts("Detective Supt Sam Smith, Head of PPU – 07799", "656588")[0][3] == "07799 656588"


@pytest.fixture
def email_only_report(tmp_path: Path) -> Path:
    text = NOTTS.read_text(encoding="utf-8").replace(
        "FORCE CONTACT: Inspector Chris Mclean – 0115 9672623", "FORCE CONTACT: npt@notts.pnn.police.uk"
    )
    path = tmp_path / "email-only.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_email_only_contact_loads_and_validates_without_a_person_node(email_only_report: Path) -> None:
    """Regression: an e-mail-only contact made ``load`` fail with "not an entity id: 'person/'"."""
    report = load_report(email_only_report)
    graph = report_to_graph(report, Iris())
    assert validate(graph).conforms
    people = {str(s) for s in graph.subjects(RDF.type, FOAF.Person)}
    assert not any(p.endswith("/person/") for p in people)
    practice = report_to_json(report)["sections"][0]["practices"][0]
    assert practice["contacts"] == [practice["contact"]]
    assert practice["contact"]["name"] is None and practice["contact"]["is_person"] is False
    assert all(lead.entity_id != "person/" for lead in report.leads)


def test_two_contacts_run_together_on_one_line_are_split() -> None:
    """Paragraph-per-line extraction puts both contacts of a practice on one line."""
    found = _contacts(
        "Det Supt Sam Smith, Head of PPU – 07700 900123 DS Ann Other, DV Co-ordinator – 0115 967 0999"
    )
    assert [(c[0], c[1], c[3]) for c in found] == [
        ("Sam Smith", "Det Supt", "07700 900123"),
        ("Ann Other", "DS", "0115 967 0999"),
    ]


def test_name_and_post_run_together_are_split() -> None:
    """A contact block joined into one line: "Detective Inspector Jo Bloggs Public Protection Unit"."""
    found = _contacts("Detective Inspector Jo Bloggs Public Protection Unit Tel: 01234 567890")
    assert [(c[0], c[1], c[2], c[3]) for c in found] == [
        ("Jo Bloggs", "Detective Inspector", "Public Protection Unit", "01234 567890")
    ]
