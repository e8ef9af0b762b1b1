"""Text helpers shared by entity and lead extraction: joined text with line lookup, slugs, acronym tests.

A report's lines are joined into one string (one space at each line break) so that a name wrapped over a
line break is still found; :meth:`JoinedText.line_at` maps an offset back to the line where it starts
(:class:`loaders.text_utils.JoinedText`, re-exported here for the entity rules).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from loaders.model import EntityKind
from loaders.text_utils import JoinedText as JoinedText  # re-exported: the entity rules import it from here

# Head nouns (last word of a phrase, singular) that say what kind of thing a phrase names.
SYSTEM_HEADS = frozenset({"system", "database", "index", "register", "software", "package", "spreadsheet"})
UNIT_HEADS = frozenset(
    {"unit", "team", "department", "directorate", "division", "bureau", "command", "squad", "desk", "centre"}
)
ROLE_HEADS = frozenset(
    {
        "officer", "constable", "inspector", "superintendent", "sergeant", "manager", "commander",
        "co-ordinator", "coordinator", "adviser", "advisor", "director", "champion", "registrar", "analyst",
        "chair", "dispatcher", "investigator", "head", "executive",
    }
)  # fmt: skip
PARTNER_HEADS = frozenset(
    {
        "partnership", "agency", "trust", "council", "authority", "court", "forum", "arrangements",
        "inspectorate", "association", "conference", "service", "commission", "society",
    }
)  # fmt: skip
# Boards, groups and panels are internal governance unless qualified by one of these words.
PARTNER_QUALIFIERS = (
    "multi-agency",
    "inter-agency",
    "safeguarding",
    "criminal justice",
    "regional",
    "national",
)
GOVERNANCE_HEADS = frozenset({"board", "group", "panel", "committee"})

FUNCTION_WORDS = frozenset({"and", "of", "the", "for", "in", "on", "to", "a", "&"})

_SLUG_RE = re.compile(r"[^a-z0-9]+")
_CAPS_RE = re.compile(r"[A-Z]")
_PAREN_RE = re.compile(r"\([^)]*\)")
_OF_RE = re.compile(r"\s+(?:of|for)\s+")
_WORD_SPLIT_RE = re.compile(r"[\s/()]+|(?<=\w)-(?=\w)")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


def slugify(text: str) -> str:
    """Lower-case ASCII slug with hyphens: ``"TRAK DV"`` -> ``"trak-dv"``."""
    text = text.translate(_APOSTROPHES).replace("'", "")  # "O'Neill" and "O’Neill" both give "oneill"
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _SLUG_RE.sub("-", ascii_text.lower()).strip("-")


def entity_id(kind: EntityKind, name: str) -> str:
    """``<kind prefix>/<slug>``, e.g. ``it-system/visor``."""
    return f"{kind.id_prefix}/{slugify(name)}"


def normalise(text: str) -> str:
    """Case-folded, single-spaced, straight-quoted form of a phrase, used as a merge key."""
    return " ".join(text.translate(_APOSTROPHES).split()).casefold()


def singular(word: str) -> str:
    """Naive singular of an English noun (``teams`` -> ``team``, ``SNTs`` -> ``SNT``)."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "sis")) and len(word) > 3:
        return word[:-1]
    return word


def head_noun(phrase: str) -> str:
    """Head of a noun phrase, lower-case and singular: its last word, or the word before ``of``/``for``.

    ``"safer neighbourhood teams"`` -> ``"team"``; ``"Association of Chief Police Officers"`` ->
    ``"association"``.
    """
    words = _OF_RE.split(phrase, maxsplit=1)[0].split()
    return singular(words[-1].casefold().strip(".,;:’'")) if words else ""


def abbreviation_letters(abbreviation: str) -> str:
    """The letters an expansion must supply: capitals only, plural ``s`` dropped (``SNTs`` -> ``SNT``)."""
    letters = "".join(
        _CAPS_RE.findall(abbreviation.rstrip("s") if abbreviation[:-1].isupper() else abbreviation)
    )
    return letters or abbreviation.upper()


def is_expansion(abbreviation: str, phrase: str) -> bool:
    """True when ``phrase`` spells ``abbreviation`` by its words' initials (function words optional)."""
    letters = abbreviation_letters(abbreviation)
    words = tuple(w for w in _WORD_SPLIT_RE.split(phrase.translate(_APOSTROPHES)) if w and w[0].isalnum())
    return (
        bool(letters) and bool(words) and _spells(letters.upper(), tuple(w.casefold() for w in words), True)
    )


@lru_cache(maxsize=4096)
def _spells(letters: str, words: tuple[str, ...], first: bool) -> bool:
    if not words:
        return not letters
    word, rest = words[0], words[1:]
    if not first and word in FUNCTION_WORDS and _spells(letters, rest, False):
        return True
    return bool(letters) and word[0].upper() == letters[0] and _spells(letters[1:], rest, False)


def definition_phrase(words_before: Sequence[str], abbreviation: str) -> str | None:
    """The shortest run of trailing words that spells ``abbreviation`` (for ``"... (TRAK)"``), if any."""
    for size in range(1, min(len(words_before), 12) + 1):
        phrase = " ".join(words_before[-size:])
        if is_expansion(abbreviation, phrase):
            return phrase.strip(" ,;:‘’'\"“”")
    return None


def kind_of_phrase(phrase: str, next_word: str = "") -> EntityKind | None:
    """What an expansion or noun phrase names, judged by its head noun (or a following ``system``)."""
    bare = _PAREN_RE.sub(" ", phrase)
    head = head_noun(bare)
    lowered = normalise(bare)
    if singular(next_word.casefold()) in SYSTEM_HEADS or head in SYSTEM_HEADS:
        return EntityKind.IT_SYSTEM
    if head in UNIT_HEADS:
        return EntityKind.UNIT
    if head in ROLE_HEADS:
        return EntityKind.ROLE
    if head in PARTNER_HEADS and not lowered.startswith("police service"):
        return EntityKind.PARTNER
    if head in GOVERNANCE_HEADS and any(q in lowered for q in PARTNER_QUALIFIERS):
        return EntityKind.PARTNER
    return None


def words_of_the_text(phrase: str, counts: Counter[str]) -> bool:
    """False for a definition whose first word is a misprint: printed once, and a letter short of a word
    the text prints often ("the olice authority (PA)" beside "police" everywhere)."""
    first = phrase.split()[0]
    if not first.islower() or len(first) < 4 or counts[first] > 1:
        return True
    longer = {first[:i] + c + first[i:] for i in range(len(first) + 1) for c in "abcdefghijklmnopqrstuvwxyz"}
    return not any(counts[w] > 2 for w in longer)
