"""Read the bytes of a plain-text report into numbered lines.

Decoding: UTF-8 (a BOM is stripped), UTF-16 when the file starts with a UTF-16 BOM, else cp1252 and
finally latin-1, each fallback noted in ``SourceText.warnings``. Binary data (NUL bytes, many control
characters) is refused. Line endings CRLF and CR become LF; trailing whitespace is dropped, so a blank
line is a ``Line`` with empty text.

Line numbers count LF-terminated lines, as an editor or ``grep -n`` shows them; a form feed does not
change the numbering. A form feed starts a new page: the text after it is on the next page. If a form
feed falls in mid-line, the text either side becomes two ``Line`` objects that share the line number.
Without form feeds, pages come from printed ``Page N`` footers when every page from the first one has
one (N, N+1, N+2 ...); otherwise ``page`` is None.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from pathlib import PurePath

from loaders.errors import LoaderError
from loaders.furniture import page_footer_number
from loaders.model import Line, SourceText
from loaders.normalize import repair_mojibake

_MAX_CONTROL_RATIO = 0.05
_KEPT_CONTROLS = frozenset("\t\n\f")
_MIN_FOOTERS = 3


def read_text_bytes(data: bytes, path: str) -> SourceText:
    """Decode ``data`` (the bytes of the file at ``path``) into a :class:`SourceText` of numbered lines."""
    text, warnings = _decode(data, path)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text, repaired = repair_mojibake(text)  # before controls go: "â€\x9d" holds a C1 byte of "”"
    if repaired:
        warnings.append(f"mojibake repaired on {repaired} line(s) (UTF-8 text read as cp1252)")
    text, cleaned = _clean_controls(text, path)
    if cleaned:
        warnings.append(f"{cleaned} control character(s) replaced by spaces")
    if not text.strip():
        raise LoaderError(path, "file contains only whitespace, no text")
    lines, pages = _paged_lines(text) if "\f" in text else _footer_paged_lines(text)
    return SourceText(
        path=str(path),
        name=PurePath(str(path)).name,
        sha256=hashlib.sha256(data).hexdigest(),
        format="text",
        pages=pages,
        lines=lines,
        warnings=tuple(warnings),
    )


def _decode(data: bytes, path: str) -> tuple[str, list[str]]:
    """Text of ``data`` and the warnings its decoding raised."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), ["decoded as UTF-16, not UTF-8"]
        except UnicodeDecodeError:
            raise LoaderError(path, "starts with a UTF-16 mark but is not valid UTF-16 text") from None
    if b"\x00" in data:
        raise LoaderError(path, "binary data, not a text report or a PDF (contains NUL bytes)")
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), ["decoded as cp1252, not UTF-8"]
    except UnicodeDecodeError:
        return data.decode("latin-1"), ["decoded as latin-1, not UTF-8"]


def _clean_controls(text: str, path: str) -> tuple[str, int]:
    """Refuse text that is mostly control characters; replace the odd stray one with a space."""
    if _STRAY_CONTROL_RE.search(text) is None:  # the usual case: nothing to replace
        return text, 0
    cleaned, stray = _STRAY_CONTROL_RE.subn(" ", text)
    if stray > _MAX_CONTROL_RATIO * len(text):
        raise LoaderError(path, "binary data, not a text report or a PDF (too many control characters)")
    return cleaned, stray


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) in _CONTROL_CATEGORIES


def _stray_control_class() -> str:
    """A regex character class of every control character (categories Cc, Zl, Zp) except tab, LF and FF.

    Derived once from ``unicodedata`` (these categories hold only U+0000-U+001F, U+007F-U+009F, U+2028 and
    U+2029, so only the Latin-1 range and the two separators are examined).
    """
    candidates = (*map(chr, range(0x100)), "\u2028", "\u2029")
    stray = [ch for ch in candidates if ch not in _KEPT_CONTROLS and _is_control(ch)]
    return "[" + "".join(f"\\U{ord(ch):08x}" for ch in stray) + "]"


_CONTROL_CATEGORIES = ("Cc", "Zl", "Zp")
_STRAY_CONTROL_RE = re.compile(_stray_control_class())


def _physical_lines(text: str) -> list[str]:
    parts = text.split("\n")
    if parts and parts[-1] == "":
        parts.pop()
    if parts and "\f" in parts[-1] and not parts[-1].strip():  # a closing form feed, as pdftotext writes
        parts.pop()
    return parts


def _paged_lines(text: str) -> tuple[tuple[Line, ...], int]:
    """Lines of text with form feeds as page breaks, and the page count."""
    pages = text.count("\f") + 1
    if text.rstrip(" \t\n").endswith("\f"):  # a closing form feed (as pdftotext writes) opens no new page
        pages -= 1
    lines: list[Line] = []
    page = 1
    for number, raw in enumerate(_physical_lines(text), start=1):
        pieces = raw.split("\f")
        first_page, page = page, page + len(pieces) - 1
        kept = [(first_page + k, piece.rstrip()) for k, piece in enumerate(pieces) if piece.strip()]
        for on_page, piece in kept or [(page, "")]:
            lines.append(Line(number, piece, min(on_page, pages)))
    return tuple(lines), pages


def _footer_paged_lines(text: str) -> tuple[tuple[Line, ...], int | None]:
    """Lines without form feeds, paged by printed ``Page N`` footers when they are complete."""
    texts = [raw.rstrip() for raw in _physical_lines(text)]
    footers = [(i, n) for i, t in enumerate(texts) if (n := page_footer_number(t)) is not None]
    numbers = [n for _, n in footers]
    first_text = next(i for i, t in enumerate(texts) if t.strip())
    consecutive = numbers == list(range(numbers[0], numbers[0] + len(numbers))) if numbers else False
    if len(footers) < _MIN_FOOTERS or not consecutive or footers[0][0] == first_text:
        return tuple(Line(i, t) for i, t in enumerate(texts, start=1)), None
    pages: list[int | None] = []
    current: int | None = 1 if numbers[0] == 1 else None  # earlier pages may be unnumbered
    footer_at = dict(footers)
    for i in range(len(texts)):
        if i in footer_at:
            pages.append(footer_at[i])
            current = footer_at[i] + 1
        else:
            pages.append(current)
    last = numbers[-1]
    if any(t.strip() for t in texts[footers[-1][0] + 1 :]):
        last += 1
    else:
        pages = [min(p, last) if p is not None else None for p in pages]
    lines = tuple(Line(i, t, p) for i, (t, p) in enumerate(zip(texts, pages, strict=True), start=1))
    return lines, last
