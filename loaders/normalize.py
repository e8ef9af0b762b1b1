"""One normalisation stage before structure parsing: the text as the report's author typed it.

* Characters: mojibake (UTF-8 read as cp1252 or latin-1) and typographic ligatures (``ﬁ ﬂ ﬀ ﬃ``) are
  repaired by ``ftfy``; no-break and other fixed-width spaces become spaces; soft hyphens and zero-width
  characters are dropped. Curly quotes, dashes and bullet glyphs are kept (the parser reads them).
* Line-end hyphenation ("Neighbour-" / "hood"), and the same split left inside a line by an extractor that
  joined the lines ("Neighbour- hood"), is decided from the document's own evidence: the hyphenated form
  printed elsewhere keeps the hyphen (a compound: "front-line"), the joined word printed elsewhere joins it,
  otherwise the hyphenation dictionary (``pyphen``) decides whether the split is a syllable break.

Only the text of lines changes: every line keeps its number and page, so spans still point at the file.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from loaders.model import Line

# Lines that may hold mojibake or compatibility characters: UTF-8 read as cp1252/latin-1 always shows a
# character of U+0080-U+00FF; ligatures are U+FB00-U+FB06. Other lines skip the (slower) ftfy pass.
_SUSPECT = re.compile("[\u0080-\u00ff\ufb00-\ufb06]")
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u2002\u2003\u2009"), " ")
_DROPPED = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
_LIGATURES = dict(zip(range(0xFB00, 0xFB07), ("ff", "fi", "fl", "ffi", "ffl", "st", "st"), strict=True))
_TABLE = {**_SPACES, **_DROPPED, **_LIGATURES}
_HIDDEN = re.compile("[" + "".join(map(chr, _TABLE)) + "]")
# a UTF-8 lead byte read as cp1252 (Â-ô) followed by a continuation byte read as cp1252 or latin-1
_MOJIBAKE_SIGN = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u2018-\u203a\u20ac\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc]"
)

_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
_LINE_END = re.compile(r"(?<![A-Za-z-])([A-Za-z]+(?:-[A-Za-z]+)*)-$")
_LINE_START = re.compile(r"\s*([a-z]+(?:-[a-z]+)*)(?![A-Za-z-])([^\s\w]*)")  # the tail and its punctuation
_INLINE = re.compile(r"(?<![A-Za-z-])([A-Za-z]+(?:-[A-Za-z]+)*)- ([a-z]+(?:-[a-z]+)*)(?![A-Za-z-])")
_NOT_A_TAIL = frozenset({"and", "or", "to", "nor", "as", "but"})  # "short- and long-term"
_BLANKS_BRIDGED = 2


def normalize_lines(lines: Sequence[Line]) -> tuple[tuple[Line, ...], tuple[str, ...]]:
    """The lines with characters repaired and line-end hyphenation resolved; and warnings."""
    fixed: list[Line] = []
    repaired = 0
    for line in lines:
        text = _fix_characters(line.text)
        if text != line.text:
            repaired += _MOJIBAKE_SIGN.search(line.text) is not None
            line = replace(line, text=text)
        fixed.append(line)
    warnings = [f"mojibake repaired on {repaired} line(s) (UTF-8 text read as cp1252)"] if repaired else []
    return tuple(_join_hyphenation(fixed)), tuple(warnings)


def repair_mojibake(text: str) -> tuple[str, int]:
    """``text`` with its mojibake lines repaired (ftfy), and how many lines were; for whole decoded files,
    before control characters are cleaned (a C1 byte may be part of the mojibake)."""
    if _MOJIBAKE_SIGN.search(text) is None:
        return text, 0
    import ftfy

    lines = text.split("\n")
    repaired = 0
    for i, line in enumerate(lines):
        if _MOJIBAKE_SIGN.search(line):
            fixed = ftfy.fix_text(line, uncurl_quotes=False, fix_character_width=False, unescape_html=False)
            repaired += fixed != line
            lines[i] = fixed
    return "\n".join(lines), repaired


def _fix_characters(text: str) -> str:
    if _SUSPECT.search(text):
        import ftfy  # imported on first need: most lines never reach this

        text = ftfy.fix_text(text, uncurl_quotes=False, fix_character_width=False, unescape_html=False)
    return text.translate(_TABLE) if _HIDDEN.search(text) else text


@functools.cache
def _dictionary() -> object:
    import pyphen

    return pyphen.Pyphen(lang="en_GB")


@functools.lru_cache(maxsize=65536)
def _syllable_break(word: str, at: int) -> bool:
    return at in _dictionary().positions(word.casefold())  # type: ignore[attr-defined]


class Evidence:
    """Word forms printed in the document (lower case), to decide "head-" + "tail"."""

    def __init__(self, lines: Sequence[Line]) -> None:
        self.counts: Counter[str] = Counter(_WORD.findall("\n".join(line.text for line in lines).casefold()))

    def joined(self, head: str, tail: str) -> str:
        """``head + tail`` for a syllable split, ``head-tail`` for a compound."""
        hyphenated, whole = f"{head}-{tail}".casefold(), f"{head}{tail}".casefold()
        if self.counts[hyphenated]:
            return f"{head}-{tail}"
        if self.counts[whole]:
            return head + tail
        last, first = head.rsplit("-", 1)[-1], tail.split("-", 1)[0]
        return head + tail if _syllable_break(last + first, len(last)) else f"{head}-{tail}"


def _join_hyphenation(lines: list[Line]) -> list[Line]:
    candidates = [i for i, line in enumerate(lines) if line.text.rstrip().endswith("-") or "- " in line.text]
    if not candidates:
        return lines
    evidence = Evidence(lines)
    for i in candidates:
        text = lines[i].text
        if "- " in text:
            text = _INLINE.sub(lambda m: _inline(m, evidence), text)
        end = _LINE_END.search(text.rstrip())
        following = _next_text_line(lines, i)
        if end and following is not None:
            start = _LINE_START.match(lines[following].text)
            if start:
                head, tail = end.group(1), start.group(1)
                text = text.rstrip()[: end.start()] + evidence.joined(head, tail) + start.group(2)
                rest = lines[following].text[start.end() :].lstrip()
                lines[following] = replace(lines[following], text=rest)
        if text != lines[i].text:
            lines[i] = replace(lines[i], text=text)
    return lines


def _inline(match: re.Match[str], evidence: Evidence) -> str:
    head, tail = match.group(1), match.group(2)
    if tail in _NOT_A_TAIL:
        return match.group(0)
    return evidence.joined(head, tail)


def _next_text_line(lines: Sequence[Line], i: int) -> int | None:
    for j in range(i + 1, min(len(lines), i + 2 + _BLANKS_BRIDGED)):
        if lines[j].text.strip():
            return j
    return None
