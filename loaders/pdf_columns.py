"""Keep the columns of a PDF page apart: wide gaps between words become runs of spaces.

``pdfplumber``'s plain text joins every word of a line with one space, so the two columns of a glossary
page ("BCU  basic command unit      KIN  key individual network") run together. For such pages the words'
positions are read back (``extract_words``, the same words in the same order as the text) and every gap
wider than a few characters is printed as spaces in proportion to its width, as ``pdftotext -layout``
does; a line whose words do not match is left as it was. Only pages from the glossary appendix on are
treated (the report's other pages are running text, where one space is right).
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from typing import Any

_GLOSSARY = re.compile(r"glossary", re.IGNORECASE)
_WIDE = 3.0  # a gap wider than this many average character widths separates cells
_MIN_ALIGNED = 3  # words of this many lines starting at one x position mark a column


class ColumnState:
    """Whether the glossary appendix has begun (pages are read in order)."""

    def __init__(self) -> None:
        self.active = False


def widen_gaps(page: Any, text: str, state: ColumnState) -> str:
    """``text`` (the page's extracted text) with wide word gaps and indents kept, once the glossary has
    begun (on the page where it begins, from its heading on)."""
    lines = text.split("\n")
    first = 0
    if not state.active:
        first = next((i for i, line in enumerate(lines) if _GLOSSARY.search(line)), -1)
        if first < 0:
            return text
        state.active = True
    try:
        words = page.extract_words()
    except Exception:  # positions are a refinement: the plain text stands if they cannot be read
        return text
    if not words:
        return text
    width = sum(w["x1"] - w["x0"] for w in words) / max(1, sum(len(w["text"]) for w in words))
    left = min(w["x0"] for w in words)
    # where cells start: x positions reached after a wide gap on several lines (a table column)
    starts = Counter(
        round(word["x0"])
        for before, word in itertools.pairwise(words)
        if word["x0"] - before["x1"] > _WIDE * width
    )
    columns = {x for x, n in starts.items() if n >= _MIN_ALIGNED}
    out: list[str] = []
    at = 0
    for index, line in enumerate(lines):
        tokens = line.split()
        chunk = words[at : at + len(tokens)]
        if [w["text"] for w in chunk] != tokens:  # out of step with the words: leave the rest as extracted
            return "\n".join([*out, *lines[index:]])
        at += len(tokens)
        out.append(_spaced(chunk, width, left, columns) if tokens and index >= first else line)
    return "\n".join(out)


def _spaced(words: list[dict[str, Any]], width: float, left: float, columns: set[int]) -> str:
    """The words at their columns: an indent, and wide gaps as spaces, in average character widths. A word
    that starts where words of other lines start too (a table column) begins a cell however close."""
    text = " " * round((words[0]["x0"] - left) / width) + words[0]["text"]
    for before, word in itertools.pairwise(words):
        x = round(word["x0"])
        aligned = bool(columns & {x - 1, x, x + 1})
        if word["x0"] - before["x1"] > _WIDE * width or aligned:
            text += " " * max(3, round((word["x0"] - left) / width) - len(text))
        else:
            text += " "
        text += word["text"]
    return text
