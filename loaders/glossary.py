"""The "Appendix: Glossary of Terms and Abbreviations": one (abbreviation, expansion) per line.

Entries are separated by a tab or two spaces, or by one space when the abbreviation is a single token
(optionally followed by a bracketed qualifier or a number, as in "ACC (TP)" or "RM 2000"). Letter
headers ("A", " D") and blank lines are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from loaders.furniture import is_page_marker
from loaders.model import GlossaryEntry, Line
from loaders.text_utils import clean, span_of

GLOSSARY_HEADING = re.compile(r"(?:appendix\b.{0,20})?glossary(?:\s+of\s+terms.*)?", re.IGNORECASE)
_WIDE_GAP = re.compile(r"\S(\t|\s{2,})\S")
_QUALIFIER = re.compile(r"\([A-Z0-9&/]{1,8}\)|\d{1,5}")
_LETTER_HEADER = re.compile(r"[A-Z]")
_MAX_ABBREVIATION_CHARS = 20
_MAX_ABBREVIATION_TOKENS = 2


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
    """Entries of the glossary appendix (``lines`` follow its heading); unreadable lines are warned about."""
    entries: list[GlossaryEntry] = []
    warnings: list[str] = []
    for line in lines:
        text = clean(line.text)
        if not text or _LETTER_HEADER.fullmatch(text) or is_page_marker(text):
            continue
        entry = split_entry(line.text.replace("\r", ""))
        if entry is None:
            warnings.append(f"line {line.number}: glossary line not understood: {text[:60]!r}")
            continue
        entries.append(GlossaryEntry(entry[0], entry[1], span_of([line], file)))
    return entries, warnings
