"""IT systems named without a system-like name: lower-case descriptions the text treats as systems
("the new offender tracking tool … trained to use the system"), vendor and product ("Acme Mapper Pro",
a vendor listed as data followed by a capitalised product) and names with a system suffix ("the force's
ORCA RMS"). Vendors and suffixes are
SKOS data (``hv:software-vendors``, ``hv:system-suffixes``); every scan is one linear pass.
"""

from __future__ import annotations

import re

from loaders.entity_patterns import JoinedText
from loaders.entity_phrases import GENERIC, STOP
from loaders.entity_registry import Registry
from loaders.model import EntityKind
from loaders.vocabulary import Vocabulary

_FREE = r"(?!(?:the|a|an|and|or|of|to|for|in|on|by|with|is|are|was)\s)"
_SYSTEM_PHRASE_RE = re.compile(
    rf"(?<![\w-])(?:the|a|an|its|their)\s+(?:new\s+|force(?:’s|'s)?\s+)?"
    rf"(?P<name>(?:{_FREE}[a-z][a-z-]*\s+){{1,4}}?"
    rf"(?:database|system|tool|software|(?<=online\s)(?:{_FREE}[a-z]+\s+){{0,3}}service))(?![\w-])"
)
_ANAPHOR_RE = re.compile(
    r"\b(?:the|this|that)\s+(?:system|database|tool|software|application|facility)\b", re.IGNORECASE
)


def add_described_systems(joined: JoinedText, vocabulary: Vocabulary, registry: Registry) -> None:
    """Register systems named by a lower-case description that the text then treats as a system.

    "the new offender tracking tool … trained to use the system", "a custody referral
    database … (named again later)": a descriptive phrase counts when the next sentences refer back to it
    as "the system"/"the database"/"this facility", or when the same phrase is printed again.
    """
    text = joined.text
    counts: dict[str, int] = {}
    found: dict[str, int] = {}
    for match in _SYSTEM_PHRASE_RE.finditer(text):
        words = match["name"].split()
        if any(w in STOP for w in words[:-1]) or vocabulary.is_not_system(match["name"]):
            continue
        if all(w in GENERIC for w in words[:-1]) or len(words) < 3:  # "custody system" describes
            continue
        name = " ".join(words)
        if _initials_of_known_system(words, registry):
            continue
        counts[name] = counts.get(name, 0) + 1
        found.setdefault(name, match.end())
    for name, end in found.items():
        referred = _ANAPHOR_RE.search(text, end, end + 400) is not None
        if (referred or counts[name] > 1) and not any(registry.get(k, name) for k in EntityKind):
            registry.add(EntityKind.IT_SYSTEM, name)


def _initials_of_known_system(words: list[str], registry: Registry) -> bool:
    """True for "case tracking system" when a system "CTRS" is known (its initials, in order, inside it)."""
    initials = "".join(w[0] for w in words).upper()
    for draft in registry.drafts():
        if draft.kind is EntityKind.IT_SYSTEM:
            for abbreviation in draft.abbreviations:
                letters = iter(abbreviation.upper())
                same_start = abbreviation[:1].upper() == initials[:1]
                if (
                    same_start
                    and len(abbreviation) <= len(initials) + 1
                    and all(c in letters for c in initials)
                ):
                    return True
    return False


_PRODUCT_WORD = r"(?:[A-Z][\w’'-]*|[a-z]+[A-Z][\w-]*|\d+)"


def add_vendor_and_suffix_systems(joined: JoinedText, vocabulary: Vocabulary, registry: Registry) -> None:
    """Systems printed as vendor and product (a listed vendor, then a capitalised product) or with a system
    abbreviation after a name ("the force's ORCA RMS"); vendors and suffixes are vocabulary data."""
    vendors = "|".join(re.escape(t.label) for t in vocabulary.software_vendors)
    suffixes = "|".join(re.escape(t.label) for t in vocabulary.system_suffixes)
    text = joined.text
    if vendors:
        pattern = (
            rf"(?<![\w-])(?P<vendor>{vendors})\s+(?P<product>{_PRODUCT_WORD}(?:\s+{_PRODUCT_WORD}){{0,2}})"
        )
        for match in re.finditer(pattern, text):
            product = " ".join(match["product"].split())
            if vocabulary.is_not_system(product) or vocabulary.find("ranks", product):
                continue
            distinctive = any(c.isupper() or c.isdigit() for c in product[1:]) or " " in product
            registry.add(
                EntityKind.IT_SYSTEM,
                f"{match['vendor']} {product}",
                forms=(product,) if distinctive else (),
            )
    if suffixes:
        name = r"(?:[A-Z][A-Z0-9]+|[A-Z][a-z]+[A-Z][A-Za-z]*|[a-z]+[A-Z][A-Za-z]+|[A-Z][a-z]+)"
        for match in re.finditer(rf"(?<![\w-])(?P<name>{name})\s+(?P<suffix>{suffixes})(?![\w-])", text):
            first = match["name"]
            if first in {"The", "A", "An", "This", "Its"} or vocabulary.is_not_system(first):
                continue
            if any(registry.get(kind, first) for kind in EntityKind if kind is not EntityKind.IT_SYSTEM):
                continue
            label = f"{first} {match['suffix']}"
            registry.add(EntityKind.IT_SYSTEM, label, forms=(first,) if first.isupper() else ())
