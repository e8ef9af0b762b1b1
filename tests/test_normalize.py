"""The normalisation stage: characters repaired, line-end hyphenation decided from the document's evidence."""

from __future__ import annotations

from loaders.model import Line
from loaders.normalize import normalize_lines


def _texts(*texts: str) -> list[str]:
    lines, _ = normalize_lines([Line(n, t, 1) for n, t in enumerate(texts, start=1)])
    return [line.text for line in lines]


def test_ligatures_nbsp_soft_hyphen_and_zero_width_are_removed() -> None:
    assert _texts("The ﬁrst oﬃcer\u00a0of the ﬂeet, a prac\u00adtice, zero\u200bwidth\u2060ed") == [
        "The first officer of the fleet, a practice, zerowidthed"
    ]


def test_mojibake_is_repaired_and_warned() -> None:
    lines, warnings = normalize_lines([Line(1, "the forceâ€™s â€˜beaconâ€™ â€“ Ã©tÃ©")])
    assert lines[0].text == "the force’s ‘beacon’ – été"
    assert warnings and "mojibake" in warnings[0]


def test_line_end_hyphenation_joined_when_the_word_is_printed_elsewhere() -> None:
    assert _texts("Neighbour-", "hood teams", "Neighbourhood") == ["Neighbourhood", "teams", "Neighbourhood"]


def test_compound_keeps_its_hyphen_without_the_space() -> None:
    assert _texts("the front-", "line staff", "front-line") == ["the front-line", "staff", "front-line"]
    assert _texts("co-", "ordination of", "better co-ordination") == [
        "co-ordination",
        "of",
        "better co-ordination",
    ]


def test_dictionary_decides_without_evidence() -> None:
    assert _texts("strategic manage-", "ment plan") == ["strategic management", "plan"]


def test_split_left_inside_a_line_by_an_extractor_is_joined() -> None:
    assert _texts("the Neighbour- hood teams and short- and long-term aims") == [
        "the Neighbourhood teams and short- and long-term aims"
    ]


def test_line_numbers_and_pages_are_kept() -> None:
    lines, _ = normalize_lines([Line(10, "a danger-", 3), Line(11, "", 3), Line(12, "ous man", 4)])
    assert [(ln.number, ln.page, ln.text) for ln in lines] == [
        (10, 3, "a dangerous"),
        (11, 3, ""),
        (12, 4, "man"),
    ]


def test_tail_that_is_itself_a_compound() -> None:
    assert _texts("costing, activ-", "ity-based costing", "activity") == [
        "costing, activity-based",
        "costing",
        "activity",
    ]


def test_mojibake_with_a_c1_byte_survives_control_cleaning() -> None:
    """Regression: "”" read as cp1252 leaves "â€" plus the C1 byte 0x9D, which control cleaning turned into a
    space before the mojibake could be repaired."""
    from loaders.text import read_text_bytes

    garbled = "“what have you learnt?”".encode().decode("latin-1")
    source = read_text_bytes(garbled.encode("utf-8"), "m.txt")
    assert source.lines[0].text == "“what have you learnt?”"
    assert any("mojibake" in w for w in source.warnings)
