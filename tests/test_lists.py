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


def test_same_glyph_sub_bullets_told_apart_by_indentation_stay_in_their_parent() -> None:
    """Sub-bullets in the parent's own glyph, indented by spaces or a tab, belong to the parent."""
    for indent in ("    ", "\t"):
        found = _findings(
            "Strengths",
            "• Data is monitored on:",
            f"{indent}• referrals, wrapped",
            f"{indent}  onto a second line;",
            f"{indent}• caseload.",
            "• Second finding.",
            "Areas for improvement",
            f"{indent}• Third.",
            f"{indent}• Fourth.",
        )
        assert found == [
            ("strength", "Data is monitored on: referrals, wrapped onto a second line; caseload."),
            ("strength", "Second finding."),
            (FindingKind.AREA_FOR_IMPROVEMENT.value, "Third."),
            (FindingKind.AREA_FOR_IMPROVEMENT.value, "Fourth."),
        ]


def test_uniformly_indented_list_is_not_nested() -> None:
    """Every item at one indent (``pdftotext -layout``, an indented list): each opens a finding; a shallower
    item later in the list does not make the others sub-items."""
    assert _findings("Strengths", "    • One.", "    • Two.", "  • Three.", "    • Four.") == [
        ("strength", "One."),
        ("strength", "Two."),
        ("strength", "Three."),
        ("strength", "Four."),
    ]


def test_deeper_item_without_a_colon_before_it_is_not_nested() -> None:
    """``pdftotext -layout`` shifts a list's indent from page to page: depth alone does not nest an item."""
    assert _findings("Strengths", "  • One ends here.", "      • Two, on the next page.", "  • Three.") == [
        ("strength", "One ends here."),
        ("strength", "Two, on the next page."),
        ("strength", "Three."),
    ]
