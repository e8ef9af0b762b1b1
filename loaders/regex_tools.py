"""Regex building blocks for printed forms, written so that ``re`` can scan for them quickly.

A form such as ``Chief Constable`` is matched as its words separated by any whitespace, never inside a
longer word: ``(?<![\\w-])Chief\\s+Constable``. Written that way, with the lookbehind first, ``re`` has no
literal to skip ahead to and tries the whole pattern at every character of a report. :func:`word_start`
writes the same test with the lookbehind after the first character, ``C(?<![\\w-]C)hief\\s+Constable``:
at that point the character before the ``C`` is the one the original lookbehind looked at, so both
patterns match the same text at the same places (with or without ``re.IGNORECASE``), but this one starts
with a literal that ``re`` can search for. An alternation of such forms keeps its order, so the alternative
chosen at each place is the same too.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

WORD_START = r"(?<![\w-])"


def literal_body(form: str) -> str:
    """``form`` as a regex: its words escaped, separated by any run of whitespace."""
    return r"\s+".join(map(re.escape, form.split()))


def word_start(form: str) -> str:
    """``(?<![\\w-])`` + :func:`literal_body` of ``form``, the lookbehind moved after the first character."""
    words = form.split()
    if not words:  # nothing to anchor the lookbehind on: keep it in front
        return WORD_START
    first = re.escape(words[0][0])  # re.escape works character by character: the body starts with this
    return f"{first}(?<![\\w-]{first}){literal_body(form)[len(first) :]}"


def word_start_alternation(forms: Iterable[str]) -> str:
    """``(?<![\\w-])(?:f1|f2|...)`` for literal forms, in the given order, written with :func:`word_start`."""
    return "|".join(map(word_start, forms))


@functools.lru_cache(maxsize=256)
def compiled(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile`` with a larger cache than the ``re`` module's own, for patterns built per report."""
    return re.compile(pattern, flags)


def first_char_alternation(forms: Sequence[str]) -> str | None:
    """``(?:f1|f2|...)`` for literal forms matched ignoring case, with the forms grouped by first character.

    ``a(?:ct|rea)|b(?:oard)`` instead of ``act|board|area``: ``re`` then checks one first letter per group
    instead of one per form. The order of the forms is kept within each group, and at any place at most
    one group can match (an ASCII first character matches, ignoring case, only its own upper and lower
    case and a few non-ASCII look-alikes of no other ASCII character), so the form chosen at each place is
    the same. None when a form is empty or starts with a non-ASCII character: then nothing is gained safely.
    """
    groups: dict[str, tuple[str, list[str]]] = {}
    for form in forms:
        words = form.split()
        if not words or not words[0][0].isascii():
            return None
        first = re.escape(words[0][0])
        groups.setdefault(words[0][0].lower(), (first, []))[1].append(literal_body(form)[len(first) :])
    return "|".join(f"{first}(?:{'|'.join(rests)})" for first, rests in groups.values())


# Every non-ASCII character that ``re.IGNORECASE`` matches with an ASCII one: İ, dotless ı, long ſ and the
# Kelvin sign (the tests check this against every code point).
ASCII_LOOKALIKES = "\u0130\u0131\u017f\u212a"
_LOOKALIKE_RE = re.compile(f"[{ASCII_LOOKALIKES}]")


@functools.lru_cache(maxsize=8)  # the same report text is searched for many words in a row
def lowered_for_search(text: str) -> str | None:
    """``text.lower()`` when it can stand in for ``text`` to find ASCII words ignoring case, else None.

    That is when lower-casing kept every character in its place (the lengths agree) and ``text`` has none of
    :data:`ASCII_LOOKALIKES`: then wherever an ASCII word matches ``text`` ignoring case, the lower-cased
    word is in the lower-cased text at the same offset.
    """
    lowered = text.lower()
    if len(lowered) != len(text) or _LOOKALIKE_RE.search(text):
        return None
    return lowered


def search_from_word(pattern: re.Pattern[str], text: str, lowered: str | None, word: str | None) -> bool:
    """True when ``pattern.search(text)`` would find a match.

    ``pattern`` ignores case and every match of it starts with the ASCII ``word`` (lower case); with
    ``lowered`` from :func:`lowered_for_search` only the places where ``lowered`` has that word are tried.
    Without ``lowered`` or ``word``, the whole text is searched.
    """
    if lowered is None or word is None:
        return pattern.search(text) is not None
    start = lowered.find(word)
    while start >= 0:
        if pattern.match(text, start):
            return True
        start = lowered.find(word, start + 1)
    return False
