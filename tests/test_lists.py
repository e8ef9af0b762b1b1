"""List markers read from the document: glyphs, numbers, mixed and sub-lists, heading and item on one line."""

from __future__ import annotations

from loaders.lists import LETTERED, NUMBERED, item_lines, line_marker, list_openers
from loaders.model import FindingKind, Line
from loaders.sections import RawSection, section_to_findings


def _findings(*texts: str) -> list[tuple[str, str]]:
    body = tuple(Line(n, t) for n, t in enumerate(texts, start=2))
    raw = RawSection(Line(1, "Child abuse"), "child-abuse", body)
    return [(f.kind.value, f.text) for f in section_to_findings(raw, "t.txt")[0]]


def test_line_marker_keys() -> None:
    assert line_marker("§ The force") == ("§", "The force")
    assert line_marker("12. The force") == (NUMBERED, "The force")
    assert line_marker("(b) The force") == (LETTERED, "The force")
    assert line_marker("•The force") == ("•", "The force")
    assert line_marker("A force") == (None, "A force")
    assert line_marker("‘Quoted’ text") == (None, "‘Quoted’ text")


def test_symbol_font_bullets_mixed_in_one_list_each_open_a_finding() -> None:
    found = _findings("Strengths", "Ø First one.", "ü Second one", "wraps here.", "◆ Third one.")
    assert found == [
        ("strength", "First one."),
        ("strength", "Second one wraps here."),
        ("strength", "Third one."),
    ]


def test_sub_bullets_stay_in_their_parent() -> None:
    found = _findings(
        "Strengths", "§ Data is monitored on:", "o referrals;", "o caseload.", "§ Second finding.", "§ Third."
    )
    assert found == [
        ("strength", "Data is monitored on: referrals; caseload."),
        ("strength", "Second finding."),
        ("strength", "Third."),
    ]


def test_heading_and_first_bullet_on_one_line() -> None:
    found = _findings("Strengths · First finding.", "· Second finding.", "Areas for improvement · Third.")
    assert found == [
        ("strength", "First finding."),
        ("strength", "Second finding."),
        (FindingKind.AREA_FOR_IMPROVEMENT.value, "Third."),
    ]


def test_wrapped_clause_starting_with_a_dash_is_not_a_marker() -> None:
    found = _findings(
        "Strengths", "• The force focuses on risk", "– in terms of harm – and so on.", "• Next."
    )
    assert found == [
        ("strength", "The force focuses on risk – in terms of harm – and so on."),
        ("strength", "Next."),
    ]


def test_unknown_symbol_must_repeat_to_be_a_marker() -> None:
    items = item_lines([("+ one", "+ one"), ("text.", "text.")])
    assert list_openers(items) == (frozenset(), frozenset())
    items = item_lines([("+ one.", "+ one."), ("+ two.", "+ two.")])
    assert list_openers(items)[0] == {"+"}


def test_glyph_alone_on_its_line_opens_the_item_below() -> None:
    """LibreOffice draws a symbol-font bullet on its own baseline: the glyph and its text on two lines."""
    assert _findings("Strengths", "❖", "First finding.", "❖", "Second finding.") == [
        ("strength", "First finding."),
        ("strength", "Second finding."),
    ]


def test_private_use_glyph_from_a_symbol_font_is_a_bullet_even_once() -> None:
    assert _findings("Strengths", "\uf0fc Only finding", "wrapped.") == [
        ("strength", "Only finding wrapped.")
    ]
    assert _findings("Strengths", "\uf0fc One.", "\uf0fc Two.") == [
        ("strength", "One."),
        ("strength", "Two."),
    ]
