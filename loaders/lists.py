"""List markers read from the document itself, not from a fixed set of bullet characters.

A list item starts with a marker: any non-alphanumeric symbol followed by a space (the "·", "§", "Ø",
"ü", "o", "◆", "❖" … that symbol fonts leave after extraction), a number ("1.", "2)") or a letter in
brackets ("(a)", "b)"). Which markers open a new item is decided per list from how they are used:

* a glyph known as a bullet opens items even when used once; any other symbol, or a lone letter such as
  "o", must start two lines or more of the list;
* a dash ("-", "–", "−") must start lines after the end of a sentence (not a wrapped clause "– in terms");
* several markers may alternate in one list (a mixed-glyph list): all of them open items;
* a marker whose every run follows a line ending in ":" and runs two items or more on average, or that is
  indented deeper than the others, is a sub-list marker: its items stay inside their parent item;
* items in the parent's own glyph, indented deeper than the parent and introduced by a line ending in ":",
  are sub-items too (:func:`nested_by_indent`); depth alone is not enough, as ``pdftotext -layout`` shifts
  a list's indent from page to page.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import mean

from loaders.text_utils import BULLETS, SUB_BULLETS

NUMBERED = "1."
LETTERED = "(a)"
# Glyphs that are bullets wherever they start a line (extracted from symbol fonts or typed).
KNOWN_BULLETS = frozenset(BULLETS | SUB_BULLETS | set("·•◦▪■□◆◇❖►▸➢➤✓✔✗§Øüo*∙⁃"))
_DASHES = frozenset("-–—−")
_NUMBER = re.compile(r"(\d{1,2})[.)]\s+(?=\S)")
_LETTER = re.compile(r"\(?([a-z]|[ivx]{1,4})\)\s+(?=\S)")
_NOT_MARKERS = frozenset("‘“\"'([{£$€#%&@/\\<>,.;:!?)]}’”")  # quotes, brackets, currency, punctuation
_ENDS_SENTENCE = (".", ":", ";", "!", "?")
_MIN_REPEATS = 2
_SUB_RUN = 2
_DEEPER = 2


def line_marker(text: str) -> tuple[str | None, str]:
    """The marker key starting ``text`` (stripped) and the text after it; (None, text) if there is none.

    Keys: the glyph itself, :data:`NUMBERED` for "1." / "2)", :data:`LETTERED` for "(a)" / "b)" / "(iv)".
    """
    if not text:
        return None, text
    first = text[0]
    if first in BULLETS and text[1:2] and not text[1:2].isspace():  # "•Text": a bullet proper needs no space
        return first, text[1:].strip()
    if len(text) > 2 and text[1].isspace() and _glyph(first):
        return first, text[2:].strip()
    if len(text) == 1 and not first.isalnum() and _glyph(first):  # the glyph alone, its text on the next line
        return first, ""
    if first.isdigit() and (match := _NUMBER.match(text)):
        return NUMBERED, text[match.end() :]
    if (first == "(" or first.islower()) and (match := _LETTER.match(text)):
        return LETTERED, text[match.end() :]
    return None, text


def known_bullet(key: str) -> bool:
    """A glyph that is a bullet wherever it starts a line: the usual ones, and any private-use character
    (what a symbol font such as Symbol or Wingdings leaves after extraction, U+F0B7, U+F0A7 …)."""
    return key in KNOWN_BULLETS or (len(key) == 1 and unicodedata.category(key) == "Co")


def _glyph(ch: str) -> bool:
    """A character that can only be a marker when it stands alone at the start of a line."""
    if known_bullet(ch):
        return True
    if ch in _NOT_MARKERS or ch.isdigit():
        return False
    if ch.isalpha():  # a lone letter that is not a word ("o", "Ø", "ü"); "a", "A", "I" are words
        return (ch not in "aAI" and not ch.isascii()) or ch in "oO"
    return unicodedata.category(ch)[0] in "PSC" or unicodedata.category(ch) == "Co"


@dataclass(frozen=True)
class ItemLine:
    """One line of a list region: its marker key (None for a continuation), indent and text."""

    key: str | None
    indent: int
    text: str
    after_sentence: bool  # the line before it ended a sentence (or there was none)


def item_lines(texts: Sequence[tuple[str, str]]) -> list[ItemLine]:
    """``texts`` are (raw, clean) pairs of the non-blank lines of one list region."""
    items: list[ItemLine] = []
    previous = ""
    for raw, text in texts:
        key, _ = line_marker(text)
        indent = len(raw.expandtabs(4)) - len(raw.expandtabs(4).lstrip())
        items.append(ItemLine(key, indent, text, not previous or previous.endswith(_ENDS_SENTENCE)))
        previous = text
    return items


def list_openers(items: Sequence[ItemLine]) -> tuple[frozenset[str], frozenset[str]]:
    """(keys that open a new item, keys of sub-list items that stay in their parent)."""
    counts: dict[str, int] = defaultdict(int)
    settled: dict[str, int] = defaultdict(int)
    for item in items:
        if item.key is not None:
            counts[item.key] += 1
            settled[item.key] += item.after_sentence or item.key not in _DASHES
    valid = {
        key
        for key, n in counts.items()
        if (known_bullet(key) or key in (NUMBERED, LETTERED) or n >= _MIN_REPEATS)
        and (key not in _DASHES or key in BULLETS or settled[key] * 2 >= n)
    }
    if len(valid) < 2:
        return frozenset(valid), frozenset()
    subs = {key for key in valid if _is_sub(key, items, valid)}
    if subs == valid:  # cannot all be sub-lists: the most used marker opens items
        subs.discard(max(valid, key=lambda k: counts[k]))
    return frozenset(valid - subs), frozenset(subs)


def _is_sub(key: str, items: Sequence[ItemLine], valid: set[str]) -> bool:
    runs: list[tuple[bool, int]] = []  # (introduced by a colon, length) of each run of ``key``
    previous_key: str | None = None
    previous_text = ""
    for item in items:
        if item.key == key:
            if previous_key == key and runs:
                runs[-1] = (runs[-1][0], runs[-1][1] + 1)
            else:
                runs.append((previous_text.endswith(":"), 1))
        if item.key is not None and item.key in valid:
            previous_key = item.key
        previous_text = item.text
    colon_led = bool(runs) and all(colon for colon, _ in runs) and mean(n for _, n in runs) >= _SUB_RUN
    mine = [item.indent for item in items if item.key == key]
    others = [item.indent for item in items if item.key in valid and item.key != key]
    deeper = bool(mine and others) and min(mine) >= max(others) + _DEEPER
    return colon_led or deeper


def nested_by_indent(items: Sequence[ItemLine], openers: frozenset[str], lists: Sequence[object]) -> set[int]:
    """Indices of opener items that are sub-items in the parent's own glyph: a run of items indented
    deeper than their parent (the last first-level item of the same list), introduced by a line ending in
    ":". ``lists`` gives each item's list (items of one list are consecutive). Both conditions are needed:
    ``pdftotext -layout`` shifts a list's indent from page to page, so depth alone is noise.
    """
    nested: set[int] = set()
    parent: int | None = None  # the indent of the last first-level item
    in_run = False
    for index, (item, which) in enumerate(zip(items, lists, strict=True)):
        if index == 0 or which != lists[index - 1]:
            parent, in_run = None, False
        if item.key not in openers:
            continue
        introduced = index > 0 and lists[index - 1] == which and items[index - 1].text.endswith(":")
        if parent is not None and item.indent >= parent + _DEEPER and (in_run or introduced):
            nested.add(index)
            in_run = True
        else:
            parent, in_run = item.indent, False
    return nested
