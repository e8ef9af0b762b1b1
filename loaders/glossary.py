"""The "Appendix: Glossary of Terms and Abbreviations": one (abbreviation, expansion) per line.

Entries are separated by a tab or two spaces, or by one space when the abbreviation is a single token
(optionally followed by a bracketed qualifier or a number, as in "ACC (TP)" or "RM 2000"). Letter
headers ("A", " D") and blank lines are skipped.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence

from loaders.furniture import is_page_marker
from loaders.model import GlossaryEntry, Line
from loaders.text_utils import clean, span_of

GLOSSARY_HEADING = re.compile(r"(?:appendix\b.{0,20})?glossary(?:\s+of\s+terms.*)?", re.IGNORECASE)
_WIDE_GAP = re.compile(r"\S(\t|\s{2,})\S")
_QUALIFIER = re.compile(r"\([A-Z0-9&/]{1,8}\)|\d{1,5}")
_LETTER_HEADER = re.compile(r"[A-Z]")
_MAX_ABBREVIATION_CHARS = 20
_MAX_ABBREVIATION_TOKENS = _MAX_TOKENS = 2


def _looks_like_abbreviation(text: str) -> bool:
    return (
        0 < len(text) <= _MAX_ABBREVIATION_CHARS
        and any(ch.isupper() for ch in text)
        and not text.endswith((".", ","))
    )


def split_entry(text: str) -> tuple[str, str] | None:
    """(abbreviation, expansion) of one glossary line, or None if it is not an entry."""
    text = text.strip()
    gap = _WIDE_GAP.search(text)
    if gap and len(text[: gap.start() + 1].split()) <= _MAX_ABBREVIATION_TOKENS:
        abbreviation, expansion = text[: gap.start() + 1], text[gap.end() - 1 :]
    else:
        tokens = text.split()
        taken = 1
        while taken < len(tokens) - 1 and _QUALIFIER.fullmatch(tokens[taken]):
            taken += 1
        abbreviation, expansion = " ".join(tokens[:taken]), " ".join(tokens[taken:])
    abbreviation, expansion = clean(abbreviation), clean(expansion)
    if not expansion or not _looks_like_abbreviation(abbreviation):
        return None
    return abbreviation, expansion


def lines_to_glossary(lines: Sequence[Line], file: str) -> tuple[list[GlossaryEntry], list[str]]:
    """Entries of the glossary appendix (``lines`` follow its heading); unreadable lines are warned about.

    One column or two: in a two-column layout (cells far apart, the right column's abbreviations starting
    at one position, as ``pdftotext -layout`` or :func:`loaders.pdf_columns.widen_gaps` print a page) the
    left column's entries come first, then the right column's, page by page. A cell indented past its
    column's abbreviations, or starting in lower case, continues the expansion above it.
    """
    warnings: list[str] = []
    pages: dict[int | None, list[Line]] = {}
    for line in lines:
        text = clean(line.text)
        if text and not _LETTER_HEADER.fullmatch(text) and not is_page_marker(text):
            pages.setdefault(line.page, []).append(line)
    by_page: list[list[list[GlossaryEntry]]] = []
    for page_lines in pages.values():
        columns, leading, page_warnings = _page_entries(page_lines, file)
        for column, more in enumerate(leading):  # a row broken by the page: its text runs on at the top
            earlier = next((page[column] for page in reversed(by_page) if page[column]), None)
            if more and earlier:
                last = earlier[-1]
                earlier[-1] = GlossaryEntry(
                    last.abbreviation, clean(_joined([last.expansion, *more])), last.span
                )
        by_page.append(columns)
        warnings.extend(page_warnings)
    # Columns page by page, or a two-column table running over pages (all left cells first): a glossary
    # is alphabetical, so the reading order with fewer inversions wins.
    paged = [entry for columns in by_page for column in columns for entry in column]
    tabled = [entry for column in (0, 1) for columns in by_page for entry in columns[column]]
    entries = min((paged, tabled), key=_inversions)
    return entries, warnings


def _inversions(entries: Sequence[GlossaryEntry]) -> int:
    keys = [entry.abbreviation.casefold() for entry in entries]
    return sum(a > b for a, b in itertools.pairwise(keys))


_CELL = re.compile(r"\S(?:.*?\S)??(?=\t|\s{3,}|\s*$)")
_COLUMN_BUCKET = 4
_MIN_COLUMN_ROWS = 2
_INDENTED = 3
_DRIFT = 6  # a proportional font moves a column's cells this many characters at most


def _cells(line: Line) -> list[tuple[int, str]]:
    raw = line.text.replace("\r", "").expandtabs(8)
    return [(m.start(), m.group(0)) for m in _CELL.finditer(raw)]


def _right_column(rows: Sequence[list[tuple[int, str]]]) -> int | None:
    """Where the right column's abbreviations start, if the page has two columns."""
    starts: Counter[int] = Counter()
    positions: dict[int, list[int]] = {}
    for cells in rows:
        for index, (start, text) in enumerate(cells):
            head = text.split()[0]
            followed = len(text.split()) > 1 or index + 1 < len(cells)
            if index and followed and sum(ch.isupper() for ch in head) > 1 and _looks_like_abbreviation(head):
                bucket = start // _COLUMN_BUCKET
                starts[bucket] += 1
                positions.setdefault(bucket, []).append(start)
    if not starts:
        return None
    bucket, count = starts.most_common(1)[0]
    return min(positions[bucket]) if count >= _MIN_COLUMN_ROWS else None


def _page_entries(
    lines: Sequence[Line], file: str
) -> tuple[list[list[GlossaryEntry]], list[list[str]], list[str]]:
    """Each column's entries of one page, each column's lines before its first entry, and warnings."""
    rows = [_cells(line) for line in lines]
    right = _right_column(rows)
    columns: list[list[list]] = [[], []]  # items: ["entry", abbreviation, text, line] or ["more", text]
    warnings: list[str] = []
    left_start = min((cells[0][0] for cells in rows if cells), default=0)
    for line, cells in zip(lines, rows, strict=True):
        split = right - _COLUMN_BUCKET if right is not None else None
        if right is not None:
            cells = _split_straddling(cells, right)
        parts = [
            [c for c in cells if split is None or c[0] < split],
            [c for c in cells if split and c[0] >= split],
        ]
        for column, (part, start) in enumerate(zip(parts, (left_start, right or 0), strict=True)):
            if part and not _read_cell(part, start, columns[column], line):
                warnings.append(
                    f"line {line.number}: glossary line not understood: {clean(line.text)[:60]!r}"
                )
    leading = [_leading(column) for column in columns]
    entries = [
        [
            GlossaryEntry(abbreviation, clean(expansion), span_of([line], file))
            for abbreviation, expansion, line in _resolve(column)
        ]
        for column in columns
    ]
    return entries, leading, warnings


def _split_straddling(cells: list[tuple[int, str]], right: int) -> list[tuple[int, str]]:
    """Split a left cell that runs on into the right column: ``pdftotext -layout`` of a proportional font
    sometimes joins the two with one space ("dangerous persons management PPU"). The right cell starts at
    the abbreviation-like token (two capitals or more) nearest the right column's start, within the drift of
    a proportional font; it is placed in the right column."""
    out: list[tuple[int, str]] = []
    for start, text in cells:
        if start >= right - _COLUMN_BUCKET or start + len(text) <= right - _DRIFT:
            out.append((start, text))
            continue
        tokens = [(start + m.start(), m.group(0)) for m in re.finditer(r"\S+", text)][1:]
        near = [
            (at, token)
            for at, token in tokens
            if abs(at - right) <= _DRIFT
            and sum(ch.isupper() for ch in token) > 1
            and _looks_like_abbreviation(token)
        ]
        if not near:
            out.append((start, text))
            continue
        at = min(near, key=lambda t: abs(t[0] - right))[0]
        out.extend([(start, text[: at - start].rstrip()), (max(at, right), text[at - start :])])
    return out


def _leading(items: list[list]) -> list[str]:
    """Take the continuation lines before the column's first entry off the column: they end a row that
    began on the page before (with centred cells, but for the first entry's own upper half)."""
    count = next((i for i, item in enumerate(items) if item[0] == "entry"), len(items))
    if count < len(items) and _centred(items):
        count -= min(count, _centred_heads(items)[0])
    taken = [item[1] for item in items[:count]]
    del items[:count]
    return taken


def _centred(items: list[list]) -> bool:
    return any(item[0] == "entry" and not item[2].strip() for item in items)


def _centred_heads(items: list[list]) -> list[int]:
    """With vertically centred cells, how many lines above its abbreviation each entry has: its lines
    above mirror those below, so counting back from the column's last entry (whose lower half is all that
    follows it) splits the lines between two abbreviations between the two."""
    gaps: list[int] = []  # continuation lines before each entry, and (last) after the last entry
    run = 0
    for item in items:
        if item[0] == "more":
            run += 1
        else:
            gaps.append(run)
            run = 0
    gaps.append(run)
    heads = [0] * (len(gaps) - 1)
    below = gaps[-1]
    for k in range(len(heads) - 1, -1, -1):
        heads[k] = min(below, gaps[k])
        below = gaps[k] - heads[k]
    return heads


def _read_cell(cells: list[tuple[int, str]], start: int, column: list[list], line: Line) -> bool:
    """Add the entry (or continuation) of one column of one line; False if it is not understood."""
    text = " ".join(cell for _, cell in cells)
    if _LETTER_HEADER.fullmatch(clean(text)):
        return True
    indented = cells[0][0] >= start + _INDENTED
    paired = len(cells) > 1 and _looks_like_entry_head(cells[0][1])  # "PSU   police standards unit"
    if len(cells) == 1 and cells[0][0] < start + _DRIFT:  # "RSO registered …" a little off its column
        own = split_entry(text)
        paired = own is not None and _looks_like_entry_head(own[0])
    if not paired and (indented or (column and text[:1].islower())):
        column.append(["more", text])
        return True
    entry = (clean(cells[0][1]), text.split(cells[0][1], 1)[1]) if len(cells) > 1 else None
    if (
        entry is None
        or not _looks_like_abbreviation(entry[0])
        or len(entry[0].split()) > _MAX_ABBREVIATION_TOKENS
    ):
        entry = split_entry("  ".join(cell for _, cell in cells))
    if len(cells) == 1 and _looks_like_entry_head(text):
        entry = (clean(text), "")  # an abbreviation whose expansion sits above and below it (a centred cell)
    if entry is None:
        return False
    column.append(["entry", entry[0], entry[1], line])
    return True


def _looks_like_entry_head(text: str) -> bool:
    """An abbreviation alone ("ACPO", "ACC (TP)"): its expansion is printed around it."""
    tokens = text.split()
    return (
        len(tokens) <= _MAX_ABBREVIATION_TOKENS
        and sum(ch.isupper() for ch in tokens[0]) > 1
        and _looks_like_abbreviation(tokens[0])
        and all(_QUALIFIER.fullmatch(token) for token in tokens[1:])
    )


def _resolve(items: list[list]) -> list[tuple[str, str, Line]]:
    """Entries with their continuation lines. Top-aligned cells: a continuation belongs to the entry above.
    Vertically centred cells (an abbreviation printed alone, its expansion around it): see
    :func:`_centred_heads`."""
    heads = iter(_centred_heads(items)) if _centred(items) else None
    entries: list[list] = []  # [abbreviation, head lines, own text, tail lines, line]
    pending: list[str] = []
    for item in items:
        if item[0] == "more":
            pending.append(item[1])
            continue
        head: list[str] = []
        if heads is not None:
            count = next(heads)
            head, pending = pending[len(pending) - count :] if count else [], pending[: len(pending) - count]
        if entries:
            entries[-1][3].extend(pending)
        else:
            head = pending + head
        entries.append([item[1], head, item[2], [], item[3]])
        pending = []
    if entries:
        entries[-1][3].extend(pending)
    return [(a, _joined([*head, own, *tail]), line) for a, head, own, tail, line in entries]


def _joined(parts: list[str]) -> str:
    text = ""
    for part in (p.strip() for p in parts):
        if not part:
            continue
        joint = "" if text.endswith("-") and text[-2:-1].isalpha() else " "  # "co-" / "ordination"
        text = f"{text}{joint}{part}" if text else part
    return text
