"""Page furniture removal: on the sample reports and on synthetic pages."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from loaders.furniture import is_page_marker, page_footer_number, remove_furniture
from loaders.model import Line
from loaders.source import read_source
from loaders.text import read_text_bytes
from tests.conftest import NORTHANTS, NOTTS


def _numbers(lines: tuple[Line, ...]) -> set[int]:
    return {line.number for line in lines}


def test_notts_footer_inside_a_bullet_is_removed_and_neighbours_kept() -> None:
    source = read_text_bytes(NOTTS.read_bytes(), str(NOTTS))
    lines, warnings = remove_furniture(source.lines)
    numbers = _numbers(lines)
    assert numbers.isdisjoint({1626, 1627, 1628})
    assert {1625, 1629} <= numbers
    warning = next(w for w in warnings if "1626" in w)
    assert warning.startswith("line 1626:") and "inside a paragraph" in warning


def test_notts_header_between_paragraphs_is_removed() -> None:
    lines, warnings = remove_furniture(read_text_bytes(NOTTS.read_bytes(), str(NOTTS)).lines)
    assert _numbers(lines).isdisjoint({172, 173, 174})
    assert {171, 175} <= _numbers(lines)
    assert any(w.startswith("line 172:") and "inside" not in w for w in warnings)
    assert len(warnings) == 2


def test_notts_keeps_everything_else() -> None:
    original = read_text_bytes(NOTTS.read_bytes(), str(NOTTS)).lines
    lines, _ = remove_furniture(original)
    assert len(original) - len(lines) == 6
    assert "656588" in {line.text for line in lines}  # a wrapped phone number is not a page number


def test_read_source_removes_furniture() -> None:
    source = read_source(NOTTS)
    assert not any("Final Draft" in line.text or line.text == "Page 34" for line in source.lines)
    assert any("1626" in w for w in source.warnings)


def test_northants_loses_no_text() -> None:
    original = read_text_bytes(NORTHANTS.read_bytes(), str(NORTHANTS)).lines
    lines, warnings = remove_furniture(original)
    assert [ln for ln in original if ln.text.strip()] == [ln for ln in lines if ln.text.strip()]
    assert warnings == ()


def _paged(pages: list[list[str]]) -> list[Line]:
    lines: list[Line] = []
    for page, texts in enumerate(pages, start=1):
        lines.extend(Line(len(lines) + 1, text, page) for text in texts)
    return lines


def test_running_header_and_page_numbers_on_every_page() -> None:
    header = "Westshire Constabulary – Inspection of Protective Services"
    body = [f"Body text line {k} runs on" for k in range(8)]
    pages = [[header, *body, str(n + 2)] for n in range(1, 7)]
    pages[1][1] = pages[4][1] = "Strengths"  # a body heading that happens to open two pages
    pages[2][5] = "07700 900123"
    lines, warnings = remove_furniture(_paged(pages))
    texts = [line.text for line in lines]
    assert header not in texts
    assert not any(t.isdigit() for t in texts)
    assert texts.count("Strengths") == 2
    assert "07700 900123" in texts
    assert len(texts) == 6 * 8
    assert len(warnings) == 6 + 1  # header+footer blocks merge across each page break, plus first and last


def test_bare_number_that_does_not_track_the_page_is_kept() -> None:
    lines, _ = remove_furniture(_paged([["Table", "43"], ["Table", "17"], ["More"]]))
    assert [line.text for line in lines] == ["Table", "43", "Table", "17", "More"]


def test_blank_lines_between_furniture_go_but_around_it_stay() -> None:
    texts = ["a sentence that", "", "PROTECT - Draft", "", "Page 7", "", "runs on.", "PROTECT - Draft"]
    lines, warnings = remove_furniture([Line(i, t) for i, t in enumerate(texts, start=1)])
    assert [line.number for line in lines] == [1, 2, 6, 7]
    assert warnings == (
        "line 3: page furniture removed inside a paragraph (lines 3-5)",
        "line 8: page furniture removed (line 8)",
    )


def test_repeated_heading_without_marking_is_kept() -> None:
    texts = ["Final outcomes", "text.", "", "Final outcomes", "more text."]
    lines, warnings = remove_furniture([Line(i, t) for i, t in enumerate(texts, start=1)])
    assert len(lines) == 5 and warnings == ()


def test_page_marker_shapes() -> None:
    assert all(is_page_marker(t) for t in ["Page 4 ", "page 3 of 40", "3 of 40", "- 12 -", "PAGE 7/9"])
    assert not any(is_page_marker(t) for t in ["Page 4 shows", "656588", "1 13 27 2", "Pages"])
    assert page_footer_number(" Page 34 ") == 34 and page_footer_number("Page 2 of 9") == 2
    assert page_footer_number("34") is None


_lines = st.lists(
    st.builds(
        Line,
        st.integers(1, 10_000),
        st.one_of(
            st.text(max_size=40),
            st.sampled_from(["", "Page 3", "3", "Final Draft 07 09 26", "- 2 -", "Header", "1 of 2"]),
        ),
        st.one_of(st.none(), st.integers(1, 5)),
    ),
    max_size=60,
)


@given(_lines)
def test_remove_furniture_never_raises_and_never_invents(lines: list[Line]) -> None:
    kept, warnings = remove_furniture(lines)
    remaining = iter(lines)
    assert all(any(line is other for other in remaining) for line in kept)  # an ordered subsequence
    assert all(w.startswith("line ") for w in warnings)
    assert bool(warnings) == (len(kept) < len(lines))


def test_second_pass_removes_nothing_more() -> None:
    for path in (NOTTS, NORTHANTS):
        once = read_source(path)
        again, warnings = remove_furniture(once.lines)
        assert again == once.lines and warnings == ()
