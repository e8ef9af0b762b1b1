"""Remove page furniture: running headers, footers and page numbers, wherever they fall.

Furniture is recognised by shape, never by the text of a particular report:

* page markers: a whole line such as ``Page 34``, ``Page 3 of 40``, ``3 of 40`` or ``- 3 -``;
* bare page numbers at the top or bottom of a page, when their value follows the page number
  (only when lines carry pages, so phone numbers and table cells are left alone);
* running headers: identical short lines (digits ignored) that recur at least twice and either read
  like a drafting or protective marking (two signals among "draft", "final", "revised", "PROTECT",
  "restricted", a date ...) or sit next to page breaks again and again.

Removed lines are absent from the result; the others keep their numbers, so a jump in line numbers marks
where furniture was. Blank lines *between* furniture lines go with it; the blank lines around a block stay
(ordinary blank lines are never dropped). A parser joining wrapped bullets can bridge a blank run that
contains such a jump: the warning for the block says whether it fell inside a paragraph.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Sequence

from loaders.model import Line

_PAGE_MARKER = re.compile(
    r"(?:page\s+\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?|\d{1,4}\s+of\s+\d{1,4}|[-–—]\s*\d{1,4}\s*[-–—])",
    re.IGNORECASE,
)
_PAGE_FOOTER = re.compile(r"page\s+(\d{1,4})(?:\s*(?:of|/)\s*\d{1,4})?", re.IGNORECASE)
_BARE_NUMBER = re.compile(r"\d{1,4}")
_MARKING_WORDS = re.compile(
    r"\b(draft|final|revised|version|protect|restricted|confidential|in confidence|"
    r"not protectively marked|official[- ]sensitive|v\d+(?:\.\d+)*)\b",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"\b(?:\d{1,2}[ ./-]\d{1,2}[ ./-]\d{2,4}|(?:19|20)\d\d[-/.]\d\d[-/.]\d\d|"
    r"\d{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* (?:19|20)\d\d)\b",
    re.IGNORECASE,
)
_EDGE_WINDOW = 2  # non-blank lines either side of a page break that count as "at the page edge"
_MIN_HEADER_REPEATS = 3  # an unmarked running header sits at 3+ page breaks, at half of them at least,
# and rarely anywhere else (3 in 4 of its occurrences at a page break)
_MAX_HEADER_CHARS = 120
_MAX_HEADER_WORDS = 15
_SENTENCE_END = (".", ":", ";", "?", "!")


def is_page_marker(text: str) -> bool:
    """True for a whole line that only states a page number (``Page 4``, ``3 of 40``, ``- 3 -``)."""
    return _PAGE_MARKER.fullmatch(text.strip()) is not None


def page_footer_number(text: str) -> int | None:
    """The N of a whole-line ``Page N`` (or ``Page N of M``) footer, else None."""
    match = _PAGE_FOOTER.fullmatch(text.strip())
    return int(match.group(1)) if match else None


def remove_furniture(lines: Sequence[Line]) -> tuple[tuple[Line, ...], tuple[str, ...]]:
    """Drop page furniture from ``lines``; return the surviving lines and one warning per removed block."""
    lines = tuple(lines)
    nonblank = [i for i, line in enumerate(lines) if line.text.strip()]
    markers = {i for i in nonblank if is_page_marker(lines[i].text)}
    edges = _edge_positions(lines, nonblank, markers)
    near_edge = _near_edges(len(nonblank), edges)
    edge_lines = {nonblank[p] for p in near_edge}
    removed = markers | _page_numbers(lines, edge_lines)
    pages = {line.page for line in lines if line.page is not None}
    breaks = len(pages) if pages else len(markers)
    removed |= _running_headers(lines, nonblank, edge_lines, breaks)
    if not removed:
        return lines, ()
    blocks = _blocks(lines, removed)
    dropped = {i for start, end in blocks for i in range(start, end + 1)}
    kept = tuple(line for i, line in enumerate(lines) if i not in dropped)
    return kept, tuple(_warning(lines, start, end) for start, end in blocks)


def _edge_positions(lines: Sequence[Line], nonblank: list[int], markers: set[int]) -> list[int]:
    """Positions (in the non-blank list) of page breaks: page changes, page markers, and, when lines
    carry pages, the start and end of the text (the first page's header, the last page's footer)."""
    paged = any(line.page is not None for line in lines)
    edges = [0, len(nonblank)] if paged and nonblank else []
    for pos, i in enumerate(nonblank):
        previous = lines[nonblank[pos - 1]].page if pos else None
        if i in markers or (pos and lines[i].page is not None and previous not in (None, lines[i].page)):
            edges.append(pos)
    return sorted(set(edges))


def _near_edges(count: int, edges: list[int]) -> set[int]:
    near: set[int] = set()
    for pos in edges:
        near.update(range(max(0, pos - _EDGE_WINDOW), min(count, pos + _EDGE_WINDOW)))
    return near


def _page_numbers(lines: Sequence[Line], edge_lines: set[int]) -> set[int]:
    """Bare numbers at page edges whose value tracks the page (same offset at least twice)."""
    candidates: dict[int, int] = {}
    for i in edge_lines:
        page = lines[i].page
        if page is not None and _BARE_NUMBER.fullmatch(lines[i].text.strip()):
            candidates[i] = int(lines[i].text) - page
    offsets = Counter(candidates.values())
    if not offsets:
        return set()
    offset, votes = offsets.most_common(1)[0]
    return {i for i, value in candidates.items() if value == offset} if votes >= 2 else set()


def _header_key(text: str) -> str | None:
    """Comparison key of a possible running header (digits ignored), or None if it cannot be one."""
    words = text.split()
    joined = " ".join(words)
    if not words or len(joined) > _MAX_HEADER_CHARS or len(words) > _MAX_HEADER_WORDS:
        return None
    if not any(ch.isalpha() for ch in joined) or joined[0] in "•●▪‣◦-*":
        return None
    return re.sub(r"\d+", "#", joined.casefold())


@functools.lru_cache(maxsize=4096)
def _marking_signals(text: str) -> int:
    words = {match.group(1).casefold() for match in _MARKING_WORDS.finditer(text)}
    return len(words) + (1 if _DATE.search(text) else 0)


def _running_headers(
    lines: Sequence[Line], nonblank: list[int], edge_lines: set[int], breaks: int
) -> set[int]:
    """Repeated short lines that read like drafting markings, or that keep turning up at page breaks."""
    keyed = {i: key for i in nonblank if (key := _header_key(lines[i].text)) is not None}
    counts = Counter(keyed.values())
    at_edges = Counter(key for i, key in keyed.items() if i in edge_lines)
    edge_quorum = max(_MIN_HEADER_REPEATS, math.ceil(breaks / 2))
    removed: set[int] = set()
    for i, key in keyed.items():
        if counts[key] < 2:
            continue
        signals = _marking_signals(lines[i].text)
        marked = signals >= 2 or (signals == 1 and at_edges[key] >= 1)
        running = at_edges[key] >= edge_quorum and at_edges[key] >= 0.75 * counts[key]
        if marked or (i in edge_lines and running):
            removed.add(i)
    return removed


def _blocks(lines: Sequence[Line], removed: set[int]) -> list[tuple[int, int]]:
    """Group removed indices into blocks; blank lines between two removed lines join the block."""
    blocks: list[tuple[int, int]] = []
    for i in sorted(removed):
        if blocks:
            start, end = blocks[-1]
            if all(not lines[j].text.strip() for j in range(end + 1, i)):
                blocks[-1] = (start, i)
                continue
        blocks.append((i, i))
    return blocks


def _warning(lines: Sequence[Line], start: int, end: int) -> str:
    first, last = lines[start].number, lines[end].number
    span = f"line {first}" if start == end else f"lines {first}-{last}"
    where = " inside a paragraph" if _inside_paragraph(lines, start, end) else ""
    return f"line {first}: page furniture removed{where} ({span})"


def _inside_paragraph(lines: Sequence[Line], start: int, end: int) -> bool:
    """True when the text before the block runs on into the text after it."""
    # indices, not slices: a slice copies the report up to the block, once per block (quadratic time)
    before = next((t for i in range(start - 1, -1, -1) if (t := lines[i].text.strip())), "")
    after = next((t for i in range(end + 1, len(lines)) if (t := lines[i].text.strip())), "")
    if not before or not after:
        return False
    return not before.endswith(_SENTENCE_END) or after[0].islower()
