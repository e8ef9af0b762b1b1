"""Small text helpers shared by the HMIC 2007 parser, and the report format's own vocabulary.

The vocabulary (area labels, grade words, bullet characters) is the schema of the report format, kept
here as data in one place so that tables, section headings and findings agree on it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from loaders.model import Grade, Line, SourceSpan

# Area labels as printed in the summary tables and section headings, normalised by ``label_key``.
AREA_BY_LABEL: dict[str, str] = {
    "neighbourhood policing": "neighbourhood-policing",
    "performance management": "performance-management",
    "protecting vulnerable people": "protecting-vulnerable-people",
    "child abuse": "child-abuse",
    "domestic violence": "domestic-violence",
    "public protection": "public-protection",
    "missing persons": "missing-persons",
    # wordings other forces' reports may print for the same frameworks
    "domestic abuse": "domestic-violence",
    "vulnerable missing persons": "missing-persons",
    "missing people": "missing-persons",
    "child abuse investigation": "child-abuse",
    "child protection": "child-abuse",
}
PVP_PREFIX = "protecting vulnerable people"
PVP_OVERVIEW_SUFFIXES = ("overview", "")

BULLETS = frozenset("•●▪■►➢✓\uf0b7\uf0a7\uf0d8\uf076")  # a new bullet (finding)
SUB_BULLETS = frozenset("−◦‣")  # a sub-list item inside a bullet

GRADE_BY_WORD: dict[str, Grade] = {grade.value: grade for grade in Grade}

_WS = re.compile(r"\s+")
_KEY_JUNK = re.compile(r"[^a-z0-9]+")
_PARENTHESES = re.compile(r"\([^)]*\)")


def clean(text: str) -> str:
    """Collapse every run of whitespace to one space and strip the ends."""
    return " ".join(text.split())


def label_key(text: str) -> str:
    """Case-, dash- and punctuation-insensitive key of a heading or table label."""
    return _KEY_JUNK.sub(" ", text.casefold()).strip()


def area_for_label(label: str) -> str | None:
    """Area id of a summary-table label or section heading (``Child abuse`` -> ``child-abuse``)."""
    key = label_key(_PARENTHESES.sub(" ", label))  # "Protecting Vulnerable People (PVP) – Overview"
    if key.startswith(PVP_PREFIX + " "):
        rest = key[len(PVP_PREFIX) :].strip()
        return AREA_BY_LABEL[PVP_PREFIX] if rest in PVP_OVERVIEW_SUFFIXES else AREA_BY_LABEL.get(rest)
    return AREA_BY_LABEL.get(key)


def grade_of(word: str) -> Grade | None:
    return GRADE_BY_WORD.get(word.strip().casefold())


def span_of(lines: Sequence[Line], file: str) -> SourceSpan:
    """Span from the first to the last of ``lines`` (which must not be empty)."""
    return SourceSpan(file, lines[0].number, lines[-1].number, lines[0].page)


@dataclass(frozen=True)
class JoinedText:
    """Lines joined into one string with one space at each line break, remembering where each line starts:
    a pattern then matches across line wraps, and an offset maps back to its line.

    Two joinings: :meth:`from_lines` keeps every line as printed (right-stripped; the entity rules' text),
    :func:`join_lines` drops blank lines and collapses white space (the parser's facts)."""

    text: str
    starts: tuple[int, ...]
    lines: tuple[Line, ...]

    @classmethod
    def from_lines(cls, lines: Iterable[Line]) -> JoinedText:
        """Every line, right-stripped, joined with single spaces."""
        kept = tuple(lines)
        parts: list[str] = []
        starts: list[int] = []
        offset = 0
        for line in kept:
            text = line.text.rstrip()
            starts.append(offset)
            parts.append(text)
            offset += len(text) + 1
        return cls(" ".join(parts), tuple(starts), kept)

    def line_at(self, offset: int) -> Line:
        """The line on which character ``offset`` of the joined text lies."""
        return self.lines[max(bisect_right(self.starts, offset) - 1, 0)]

    def span(self, start: int, end: int, file: str) -> SourceSpan:
        """Span of the lines holding characters ``start`` to ``end`` (exclusive) of ``text``."""
        first, last = self.line_at(start), self.line_at(max(start, end - 1))
        return SourceSpan(file, first.number, last.number, first.page)


def join_lines(lines: Sequence[Line]) -> JoinedText:
    """Join the non-blank ``lines`` into one string for pattern matching across line wraps."""
    parts: list[str] = []
    starts: list[int] = []
    kept: list[Line] = []
    offset = 0
    for line in lines:
        text = clean(line.text)
        if not text:
            continue
        starts.append(offset)
        kept.append(line)
        parts.append(text)
        offset += len(text) + 1
    return JoinedText(" ".join(parts), tuple(starts), tuple(kept))


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of ``text`` (a break after "." before a capital or digit)."""
    bounds = [0, *(m.end() for m in _SENTENCE_BREAK.finditer(text)), len(text)]
    return [(a, b) for a, b in pairwise(bounds) if text[a:b].strip()]


_SENTENCE_BREAK = re.compile(r"(?<=[.])\s+(?=[A-Z0-9‘“(])")
