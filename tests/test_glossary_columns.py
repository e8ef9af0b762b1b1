"""Glossaries in one or two columns, from text and from PDF word positions, entry by entry."""

from __future__ import annotations

from pathlib import Path

from loaders.glossary import lines_to_glossary
from loaders.model import Line
from loaders.source import read_source

TWO_COLUMNS = """\
A                                      K
ACC      assistant chief constable     KIN      key individual network
ACPO     Association of Chief Police   LAA      local area agreement
         Officers
BCU      basic command unit            MAPPA    multi-agency public
                                                protection arrangements
DV       domestic violence             NIM      National Intelligence Model
"""


def _glossary(text: str) -> list[tuple[str, str]]:
    lines = [Line(n, t) for n, t in enumerate(text.split("\n"), start=1)]
    entries, warnings = lines_to_glossary(lines, "t.txt")
    assert warnings == []
    return [(e.abbreviation, e.expansion) for e in entries]


def test_two_column_glossary_is_read_entry_by_entry_left_column_first() -> None:
    assert _glossary(TWO_COLUMNS) == [
        ("ACC", "assistant chief constable"),
        ("ACPO", "Association of Chief Police Officers"),
        ("BCU", "basic command unit"),
        ("DV", "domestic violence"),
        ("KIN", "key individual network"),
        ("LAA", "local area agreement"),
        ("MAPPA", "multi-agency public protection arrangements"),
        ("NIM", "National Intelligence Model"),
    ]


def test_one_column_with_aligned_capitalised_expansions_is_not_two_columns() -> None:
    text = "\n".join(
        [
            "ACPO      Association of Chief Police Officers",
            "HMIC      Her Majesty’s Inspectorate",
            "NIM       Model",
        ]
    )
    assert [a for a, _ in _glossary(text)] == ["ACPO", "HMIC", "NIM"]


def test_one_column_single_space_entries_still_read() -> None:
    assert _glossary("ACC (TP) assistant chief constable (territorial policing)\nRM 2000 radio system") == [
        ("ACC (TP)", "assistant chief constable (territorial policing)"),
        ("RM 2000", "radio system"),
    ]


def test_two_column_glossary_in_a_pdf_keeps_its_columns(tmp_path: Path) -> None:
    from tests.rendition_producers import render_columns_pdf

    lines = ["Some text before.", "Appendix: Glossary of Terms and Abbreviations", *TWO_COLUMNS.split("\n")]
    source = read_source(render_columns_pdf(lines, tmp_path / "g.pdf"))
    start = next(i for i, ln in enumerate(source.lines) if "Glossary" in ln.text)
    entries, _ = lines_to_glossary(source.lines[start + 1 :], "g.pdf")
    assert [(e.abbreviation, e.expansion) for e in entries][:2] == [
        ("ACC", "assistant chief constable"),
        ("ACPO", "Association of Chief Police Officers"),
    ]
    assert ("KIN", "key individual network") in [(e.abbreviation, e.expansion) for e in entries]
    assert source.lines[0].text == "Some text before."  # pages before the glossary are untouched


def test_vertically_centred_cells_give_each_abbreviation_its_own_lines() -> None:
    """A LibreOffice/Word table centres the abbreviation beside a wrapped expansion."""
    text = "\n".join(
        [
            "SGC        Specific Grading Criteria",
            "           strategic improvement",
            "SIB",
            "           board",
            "           specific, measurable,",
            "SMART      achievable, realistic,",
            "           timely",
        ]
    )
    assert _glossary(text) == [
        ("SGC", "Specific Grading Criteria"),
        ("SIB", "strategic improvement board"),
        ("SMART", "specific, measurable, achievable, realistic, timely"),
    ]


def test_row_broken_by_a_page_continues_at_the_top_of_the_next() -> None:
    lines = [Line(1, "CDD        corporate development", 1), Line(2, "           department", 2)]
    lines.append(Line(3, "CIU        criminal investigation unit", 2))
    entries, _ = lines_to_glossary(lines, "t.pdf")
    assert [(e.abbreviation, e.expansion) for e in entries] == [
        ("CDD", "corporate development department"),
        ("CIU", "criminal investigation unit"),
    ]


def test_pdftotext_layout_joining_the_columns_with_one_space_is_split_at_the_right_abbreviation() -> None:
    """``pdftotext -layout`` of a LibreOffice table in a proportional font: on some rows the left expansion
    and the right abbreviation are one space apart, the right column a few characters off its start."""
    text = "\n".join(
        [
            "DCC    deputy chief constable          PPD   public protection department",
            "DPMU   dangerous persons management PPU      public protection unit",
            "       unit",
            "DV     domestic violence               QoSC quality of service commitment",
            "IPG    improving performance group VANTAGE force command and",
            "                                       control system",
        ]
    )
    assert _glossary(text) == [
        ("DCC", "deputy chief constable"),
        ("DPMU", "dangerous persons management unit"),
        ("DV", "domestic violence"),
        ("IPG", "improving performance group"),
        ("PPD", "public protection department"),
        ("PPU", "public protection unit"),
        ("QoSC", "quality of service commitment"),
        ("VANTAGE", "force command and control system"),
    ]
