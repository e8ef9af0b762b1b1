"""The inspectorate's own text in a report: its introduction and the national-context parts of each area.

Recognised by the report's structure, never by a list of sentences: the introduction is everything before
the force's own part (the heading above its first force fact, an "overview" heading), and a national
context is the block under a heading that says "national" and "context", up to the next heading. Entity
mentions in these lines stay mentions of the report, but no fact about the force rests on them alone.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from loaders.model import InspectionReport, Line

_HEADING_RE = re.compile(r"^[A-Z][A-Za-z ,’'()/&-]{2,70}$")
_OVERVIEW_RE = re.compile(r"\boverview\b", re.IGNORECASE)
_NATIONAL_CONTEXT_RE = re.compile(r"^national\b.*\bcontext", re.IGNORECASE)
_GRADE_LINE_RE = re.compile(r"^grade\b", re.IGNORECASE)  # a displaced grade line ends no block


@dataclass(frozen=True)
class Boilerplate:
    """Line ranges (inclusive) of inspectorate text, with a fast membership test."""

    ranges: tuple[tuple[int, int], ...]

    def __contains__(self, line: object) -> bool:
        if not isinstance(line, int):
            return False
        i = bisect_right([r[0] for r in self.ranges], line) - 1
        return i >= 0 and self.ranges[i][0] <= line <= self.ranges[i][1]


def is_heading(text: str) -> bool:
    """A short line that starts with a capital and does not end a sentence."""
    stripped = text.strip()
    return bool(_HEADING_RE.match(stripped)) and not stripped.endswith((".", ",", ";", ":"))


def find_boilerplate(report: InspectionReport) -> Boilerplate:
    """The introduction and national-context line ranges of ``report`` (see the module docstring)."""
    lines = report.source.lines
    if not lines:
        return Boilerplate(())
    ranges: list[tuple[int, int]] = []
    start = _force_part_start(report, lines)
    if start is not None and start > lines[0].number:
        ranges.append((lines[0].number, start - 1))
    ranges.extend(_national_contexts(lines))
    return Boilerplate(tuple(sorted(ranges)))


def _force_part_start(report: InspectionReport, lines: Sequence[Line]) -> int | None:
    """First line of the force's own part: the "overview" heading before its first fact, if any."""
    first_fact = min((fact.span.line_from for fact in report.facts), default=None)
    first_section = min((section.span.line_from for section in report.sections), default=None)
    limit = first_fact if first_fact is not None else first_section
    if limit is None:
        return None
    overview = [
        ln.number
        for ln in lines
        if ln.number <= limit and is_heading(ln.text) and _OVERVIEW_RE.search(ln.text)
    ]
    if overview:
        return overview[-1]
    return first_fact  # no overview heading: the facts start the force's part


def _national_contexts(lines: Sequence[Line]) -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    start: int | None = None
    for line in lines:
        text = line.text.strip()
        ends = is_heading(text) and not _NATIONAL_CONTEXT_RE.match(text) and not _GRADE_LINE_RE.match(text)
        if start is not None and ends:
            ranges.append((start, line.number - 1))
            start = None
        if start is None and _NATIONAL_CONTEXT_RE.match(text) and is_heading(text):
            start = line.number
    if start is not None:
        ranges.append((start, lines[-1].number))
    return ranges


_SENTENCE_END_RE = re.compile(r"[.;•]")
_NOT_LETTERS_RE = re.compile(r"[^a-z]+")


class SentenceKeys:
    """Fingerprints of the sentence around a mention, for finding text repeated across reports.

    The key is a hash of the sentence's letters, lower case, with the words of the report's force name left
    out, so the inspectorate's text printed in two forces' reports (wrapped differently, naming each force)
    gets one key. The graph stores it on each mention (``hmic:sentenceKey``); a query can then tell a mention
    in text that another force's report repeats from one in the force's own text.
    """

    def __init__(self, report: InspectionReport) -> None:
        self.lines = report.source.lines
        self.starts: list[int] = []
        parts: list[str] = []
        offset = 0
        for line in self.lines:
            self.starts.append(offset)
            parts.append(line.text)
            offset += len(line.text) + 1
        self.text = " ".join(parts)
        self.numbers = [line.number for line in self.lines]
        self.force_words = {w for w in _NOT_LETTERS_RE.split(report.force.name.lower()) if w}

    def key(self, line: int, mention: str) -> str | None:
        """The key of the sentence holding ``mention`` on (or wrapped from) ``line``; None if not found."""
        i = bisect_right(self.numbers, line) - 1
        if i < 0 or self.numbers[i] != line:
            return None
        at = self.text.find(mention.split()[0] if mention.split() else mention, self.starts[i])
        if at < 0:
            return None
        start = max((m.end() for m in _SENTENCE_END_RE.finditer(self.text, max(0, at - 600), at)), default=0)
        end_match = _SENTENCE_END_RE.search(self.text, at, at + 600)
        sentence = self.text[start : end_match.end() if end_match else at + 600].lower()
        words = [w for w in _NOT_LETTERS_RE.split(sentence) if w and w not in self.force_words]
        if len(words) < 6:
            return None  # too short to say it was copied
        return hashlib.sha1(" ".join(words).encode()).hexdigest()[:16]
