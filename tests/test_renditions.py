"""Every rendition of a sample report reads the same as the sample (issue 11's acceptance figures).

Run ``python -m tests.test_renditions`` to print the per-rendition table.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from loaders.pipeline import load_report
from tests.heldout import Variant
from tests.rendition_producers import Rendition, materialise, soffice_available
from tests.rendition_scoring import HEADER, Figures, score_rendition, stores_and_validates
from tests.renditions import (
    ContactAnswer,
    ContactShape,
    crlf,
    drop_summary_tables,
    glyph_bullets,
    grade_layout,
    heading_case,
    heading_colons,
    hidden_characters,
    hyphenate_line_ends,
    insert_after,
    ligatures,
    mojibake,
    numbered,
    paragraph_per_line,
    same_glyph_sub_bullets,
    tabs_and_indents,
    two_column_glossary,
)

NOTTS_CONTACTS = (
    ContactShape(
        "Chris Mclean",
        ("FORCE CONTACT: neighbourhood.policing@notts.pnn.police.uk",),
        (ContactAnswer(None, email="neighbourhood.policing@notts.pnn.police.uk"),),
    ),
    ContactShape(
        "Melinda Lee",
        ("FORCE CONTACT: Performance Information Officer",),
        (ContactAnswer(None, role="Performance Information Officer"),),
    ),
    ContactShape(
        "Dave Taylor",
        (
            "FORCE CONTACT:",
            "Detective Inspector Dave Taylor",
            "Public Protection Unit",
            "Tel: 07970 263204",
            "Email: dave.taylor@notts.pnn.police.uk",
        ),
        (
            ContactAnswer(
                "Dave Taylor",
                "Detective Inspector",
                "Public Protection Unit",
                "07970 263204",
                "dave.taylor@notts.pnn.police.uk",
            ),
        ),
    ),
    ContactShape(
        "Jackie Alexander",
        (
            "FORCE CONTACTS: Detective Supt Jackie Alexander, Head of Public Protection – 07799 656588",
            "DS Ann Whitfield, Domestic Violence Co-ordinator – 0115 967 0999",
        ),
        (
            ContactAnswer("Jackie Alexander", "Detective Supt", "Head of Public Protection", "07799 656588"),
            ContactAnswer("Ann Whitfield", "DS", "Domestic Violence Co-ordinator", "0115 967 0999"),
        ),
    ),
)
NORTHANTS_CONTACTS = (
    ContactShape(
        "Sarah Butterworth",
        (
            "FORCE CONTACT: Sarah Butterworth",
            "Telephone: 08453 700700, ext 8009",
            "E-mail: s.butterworth@example.org",
        ),
        (
            ContactAnswer(
                "Sarah Butterworth", None, None, "08453 700700, ext 8009", "s.butterworth@example.org"
            ),
        ),
    ),
)
WESSEX = Variant(
    name="wessex", sample="notts", force="Wessex Constabulary", county="Wessex", force_id="wessex"
)
WESSEX_NORTHANTS = Variant(
    name="mercia", sample="northants", force="Mercia Police", county="Mercia", force_id="mercia"
)
_METROPOLITAN = (
    "The force has learned from the Metropolitan Police Muslim contact unit and its outreach work."
)

RENDITIONS: tuple[Rendition, ...] = tuple(
    Rendition(name=f"{sample}-{name}", sample=sample, **spec)
    for sample in ("notts", "northants")
    for name, spec in {
        "plain": {},
        "glyph-middot": {"edits": (glyph_bullets("·", "o"),)},
        "glyph-wingdings": {"edits": (glyph_bullets("§", "o"),)},
        "glyph-mixed": {"edits": (glyph_bullets("Øü◆❖▪", "–"),)},
        "glyph-o-star": {"edits": (glyph_bullets("o*"), tabs_and_indents)},
        "same-glyph-sub-spaces": {"edits": (same_glyph_sub_bullets("•", "    "),)},
        "same-glyph-sub-tab": {"edits": (same_glyph_sub_bullets("§", "\t"), crlf)},
        "numbered": {"edits": (numbered("1."),)},
        "lettered": {"edits": (numbered("(a)"), crlf)},
        "paragraph-per-line": {"edits": (paragraph_per_line,)},
        "ligatures-hidden": {"edits": (ligatures, hidden_characters)},
        "mojibake": {"edits": (mojibake,)},
        "hyphenated": {"edits": (hyphenate_line_ends(2), heading_case(str.upper))},
        "grade-two-lines": {"edits": (grade_layout("GRADE\n{GRADE}"),)},
        "grade-dash-no-tables": {
            "edits": (grade_layout("Grade – {Grade}"), drop_summary_tables, heading_case(str.lower)),
            "tables": False,
        },
        "glossary-two-columns": {"edits": (two_column_glossary,)},
        "contacts": {"contacts": NOTTS_CONTACTS if sample == "notts" else NORTHANTS_CONTACTS},
        "unregistered-force": {
            "variant": WESSEX if sample == "notts" else WESSEX_NORTHANTS,
            "edits": (insert_after("Contextual factors", _METROPOLITAN),),
        },
        "reportlab": {"producer": "reportlab", "edits": (glyph_bullets("▪", "o"), ligatures), "slow": True},
        "reportlab-glossary-2col": {"producer": "reportlab", "edits": (two_column_glossary,), "slow": True},
        "layout": {
            "producer": "layout",
            "edits": (two_column_glossary, hyphenate_line_ends(3)),
            "slow": True,
        },
        "soffice": {"producer": "soffice", "edits": (ligatures,), "slow": True},
        "soffice-glyphs-glossary-table": {
            "producer": "soffice",
            "edits": (glyph_bullets("❖", "o"), hyphenate_line_ends(3)),
            "glossary_columns": 2,
            "slow": True,
        },
        "soffice-layout-glossary-table": {
            "producer": "soffice-layout",
            "glossary_columns": 2,
            "slow": True,
        },
        "combined-paragraphs-glyphs-crlf": {
            "edits": (paragraph_per_line, glyph_bullets("·§", "o"), ligatures, hidden_characters, crlf),
        },
        "soffice-pdftotext": {
            "producer": "soffice-text",
            "edits": (glyph_bullets("§", "o"), heading_case(str.upper)),
            "slow": True,
        },
        "contacts-paragraphs": {
            "contacts": NOTTS_CONTACTS if sample == "notts" else NORTHANTS_CONTACTS,
            "edits": (paragraph_per_line,),
        },
        "contacts-reportlab": {
            "contacts": NOTTS_CONTACTS if sample == "notts" else NORTHANTS_CONTACTS,
            "producer": "reportlab",
            "slow": True,
        },
        "headings-colons-blank-lines": {
            "edits": (
                heading_colons,
                tabs_and_indents,
                grade_layout("Grade: {Grade}"),
                heading_case(str.title),
            ),
        },
    }.items()
)


@pytest.fixture(scope="session")
def rendition_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One directory per session: each rendition (LibreOffice's in particular) is produced once."""
    return tmp_path_factory.mktemp("renditions")


#: renditions whose store-and-validate check stays in the fast lane: it is ~5 CPU-s of SHACL for each
#: rendition, so the others' run with ``make test`` (slow); these two take the most edits at once
VALIDATED_IN_THE_FAST_LANE = ("notts-combined-paragraphs-glyphs-crlf", "northants-contacts-paragraphs")


def _param(rendition: Rendition, *, validates: bool = False) -> object:
    slow = rendition.slow or (validates and rendition.name not in VALIDATED_IN_THE_FAST_LANE)
    marks = [pytest.mark.slow] if slow else []
    if rendition.producer.startswith("soffice"):
        marks.append(
            pytest.mark.skipif(not soffice_available(), reason="LibreOffice (soffice) not installed")
        )
    return pytest.param(rendition, id=rendition.name, marks=marks)


@pytest.mark.parametrize("rendition", [_param(r) for r in RENDITIONS])
def test_rendition_reads_like_the_sample(rendition: Rendition, rendition_dir: Path) -> None:
    figures = score_rendition(rendition, materialise(rendition, rendition_dir), store=False)
    assert figures.passed, f"{figures.row()}\n" + "\n".join(figures.problems)


@pytest.mark.parametrize("rendition", [_param(r, validates=True) for r in RENDITIONS])
def test_rendition_loads_into_a_store_and_validates(rendition: Rendition, rendition_dir: Path) -> None:
    path = materialise(rendition, rendition_dir)
    assert stores_and_validates(load_report(path), path)


def main(names: list[str]) -> int:
    """Print the per-rendition figures table (all renditions, or those named)."""
    import tempfile

    chosen = [r for r in RENDITIONS if not names or any(n in r.name for n in names)]
    print(HEADER)
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for rendition in chosen:
            if rendition.producer.startswith("soffice") and not soffice_available():
                continue
            figures: Figures = score_rendition(rendition, materialise(rendition, Path(tmp)))
            print(figures.row(), flush=True)
            for problem in figures.problems:
                print("    ", problem[:300])
            failed += not figures.passed
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
