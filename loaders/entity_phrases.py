"""Noun-phrase rules: units, posts and partner bodies named in passing, in lists and in lower case.

Each rule finds a head noun (``team``, ``manager``, ``council`` …) and reads back over the words before it
while they can modify a noun (no function word, verb or punctuation in between): "beat managers",
"the central ViSOR team", "local councillors", "specialist DV adviser". Capitalised names that end in an
organisation noun ("Teesside University", "East Midlands Government Office", "HMP …") are bodies outside the
force. Every scan is a single pass over the text with bounded look-back, so time stays linear.
"""

from __future__ import annotations

import re

from loaders.entity_patterns import JoinedText, singular
from loaders.entity_registry import Registry
from loaders.model import EntityKind
from loaders.vocabulary import Vocabulary

ROLE_HEADS = (
    "manager", "officer", "co-ordinator", "coordinator", "adviser", "advisor", "registrar", "champion",
    "commander", "sergeant", "inspector", "dispatcher", "supervisor", "administrator", "warden", "councillor",
    "investigator", "superintendent", "member", "analyst",
)  # fmt: skip
UNIT_HEADS = (
    "unit",
    "team",
    "department",
    "directorate",
    "bureau",
    "desk",
    "office",
    "branch",
    "squad",
    "hub",
)
PARTNER_HEADS = ("council", "partnership", "trust", "authority", "court", "forum", "association", "college")
# Capitalised names ending in one of these are organisations outside the force.
ORG_HEADS = (
    "Office", "University", "Institute", "Inspectorate", "Unit", "Directorate", "Agency", "Service",
    "Council", "Councils", "Trust", "Trusts", "Centre", "Centres", "Group", "Board", "Forum", "Police",
    "Partnership", "Commission", "Society", "Authority", "Authorities", "Court", "Courts", "College",
    "Branch",
)  # fmt: skip
# Words that end a modifier run: function words, prepositions, common verbs, adverbs and judging adjectives.
_STOP = frozenset(
    """the a an its their our his her this that these those all each every any some no not and or of to for
    in on at by with from into as is are was were be been being has have had will would can could should
    may which who whose where when while also only both other such same whole new existing inspection
    more most than then there here it they he she we one two three four five six several many few
    further number including include includes within between across under over through per via among
    about upon how why what least during after before since until like whether against without towards
    around provide provides allow allows enable enables enabling identify identifies communicate brief
    ensure ensures support supports help helps assist train trains use uses make makes give gives attend
    attends effective positive successful strong good close excellent very strengthening improving
    better wide robust clear principal attending responding patrolling understanding all""".split()  # noqa: SIM905
)
# Modifiers that alone do not name a post or unit ("police officers", "specialist staff", "project team").
_GENERIC = frozenset(
    """police senior divisional specialist operational dedicated investigating first named local trained
    additional individual single key appropriate relevant extra another acting experienced current area
    force level staff front-line detective project management response core neighbourhood central former
    overall whole existing team""".split()  # noqa: SIM905
)
_PASSING = frozenset({"central", "current", "former", "overall", "whole", "existing", "roll-out"})
_STAFF_HEADS = frozenset({"officer", "manager", "supervisor", "member", "team", "unit"})
_ALL_HEADS = frozenset((*ROLE_HEADS, *UNIT_HEADS, *PARTNER_HEADS, "staff", "authority"))
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z’'-]*")
_NEXT_WORD_RE = re.compile(r"\s+([a-z][a-z-]*)")
_HEAD_RE = re.compile(
    rf"(?<![\w-])(?P<head>{'|'.join(ROLE_HEADS + UNIT_HEADS + PARTNER_HEADS)})(?P<plural>s|es)?(?![\w-])"
    r"|(?<![\w-])(?P<authorities>authorities)(?![\w-])"
)
_CAP = r"(?:[A-Z][a-z]+(?:’s|'s)?|[A-Z]{2,})"
_ORG_RE = re.compile(
    rf"(?<![\w’'-])(?P<name>HMP\s+[A-Z][a-z]+|(?:{_CAP}\s+(?:and\s+)?){{1,5}}(?:{'|'.join(ORG_HEADS)})"
    rf"(?:\s+(?:of|for)\s+(?:the\s+)?{_CAP}(?:\s+(?:and\s+)?{_CAP}){{0,4}})?)(?![\w-])(?!\s+(?:of\s+)?[A-Z])"
)
ORG_HEADS_LOWER = frozenset(h.casefold() for h in ORG_HEADS) - {
    "unit",
    "office",
    "centre",
    "group",
    "board",
    "forum",
}
_ORG_STARTS = frozenset({"The", "This", "A", "An", "In", "At", "On", "For", "By", "All", "Each", "His"})


def _words_before(text: str, end: int, limit: int = 4) -> list[str]:
    """Up to ``limit`` modifier words immediately before ``end`` (stops at punctuation or a function word).

    ``and`` joins two modifiers ("crime and community department") when a modifier stands on each side.
    """
    window = text[max(0, end - 100) : end].split(" ")
    if end > 100:
        window = window[1:]  # its first word may be cut
    words: list[str] = []
    for raw in reversed(window):
        if not raw:
            continue
        if not _WORD_RE.fullmatch(raw) or len(words) >= limit:
            break
        lowered = raw.casefold()
        if lowered == "and" and words and words[0] != "and" and singular(words[0]) not in _ALL_HEADS:
            words.insert(0, raw)
            continue
        if lowered in _STOP or lowered.endswith("ly") or lowered in ORG_HEADS_LOWER:
            break
        if singular(lowered) in _ALL_HEADS:
            break
        words.insert(0, raw)
    if words and words[0] == "and":
        words = words[1:]
    while words and (words[0].casefold() in _PASSING or words[0].casefold().endswith(("ed", "-wide"))):
        words = words[1:]  # "planned", "dedicated", "central": they describe, they do not name
    if words and words[0] == "and":
        words = words[1:]
    return words


def add_noun_phrases(joined: JoinedText, vocabulary: Vocabulary, registry: Registry) -> None:
    """Register posts, units and partners read back from their head nouns (see the module docstring)."""
    text = joined.text
    for match in _HEAD_RE.finditer(text):
        head = match["head"] or "authority"
        following = _NEXT_WORD_RE.match(text, match.end())
        if following and singular(following.group(1)) in _ALL_HEADS:
            continue  # "partnership superintendent": the later head names the thing
        mods = _words_before(text, match.start())
        kind = _kind_of(head)
        if not _names_something(mods, head, kind, registry):
            continue
        if match["plural"] and "and" in mods and kind is EntityKind.ROLE:
            cut = mods.index("and")  # "business and HR managers": business managers, HR managers
            for part in (mods[:cut], mods[cut + 1 :]):
                if _names_something(part, head, kind, registry):
                    registry.add(kind, " ".join([*part, head]))
            continue
        name = " ".join([*mods, head])
        if kind is EntityKind.UNIT and vocabulary.find("partners", name + (match["plural"] or "")):
            kind = EntityKind.PARTNER
        if kind is EntityKind.UNIT and (known := registry.get(kind, f"force {name}")):
            name = known.labels[0]
        if any(registry.get(other, name) for other in EntityKind if other is not kind):
            continue
        registry.add(kind, name, forms=(" ".join([*mods, head]),))


def _names_something(mods: list[str], head: str, kind: EntityKind, registry: Registry) -> bool:
    """False for generic phrases: no modifier, only generic ones, or a unit's staff ("DPMU officers")."""
    if not mods or (len(mods) == 1 and len(mods[0]) <= 2 and not mods[0].isupper()):
        return False
    if head == "member" and not any(w in {"authority", "board", "panel"} for w in mods):
        return False
    if kind is not EntityKind.PARTNER and all(w.casefold() in _GENERIC for w in mods):
        return False
    if len(mods) == 1 and mods[0].isupper() and head in _STAFF_HEADS:
        return not any(registry.get(k, mods[0]) for k in (EntityKind.UNIT, EntityKind.PARTNER))
    return True


def add_organisations(joined: JoinedText, own_force: str, registry: Registry) -> None:
    """Register capitalised names of outside bodies ("Teesside University", "HMP …", "Government Office")."""
    own = {w.casefold() for w in own_force.split()}
    for match in _ORG_RE.finditer(joined.text):
        words = match["name"].split()
        while words and words[0] in _ORG_STARTS:
            words = words[1:]
        if len(words) > 2 and words[1] == "and" and words[0].isupper():
            words = words[2:]  # "HMIC and Her Majesty's Inspectorate of Prisons": a list
        for part in _split_list(words):
            if len(part) < 2 or part[0] in {"of", "for", "and"}:
                continue
            if part[-1] == "Police" and {w.casefold() for w in part} <= own | {"police"}:
                continue  # the report's own force
            name = " ".join(part)
            kind = EntityKind.UNIT if part[-1] == "Branch" else EntityKind.PARTNER
            if not any(registry.get(k, name) for k in EntityKind if k is not kind):
                registry.add(kind, name)


def _split_list(words: list[str]) -> list[list[str]]:
    """``NHS Trusts and NHS Foundation Trusts`` -> two names; ``Police and Crime Standards …`` stays one."""
    if "and" in words:
        cut = words.index("and")
        if words[cut - 1] in ORG_HEADS:
            return [words[:cut], words[cut + 1 :]]
    return [words]


def _kind_of(head: str) -> EntityKind:
    word = singular(head)
    if word in ROLE_HEADS:
        return EntityKind.ROLE
    if word in UNIT_HEADS:
        return EntityKind.UNIT
    return EntityKind.PARTNER


_FREE = r"(?!(?:the|a|an|and|or|of|to|for|in|on|by|with|is|are|was)\\s)"
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

    "the new business objects performance tool … trained to use the system", "a child protection
    database … (named again later)": a descriptive phrase counts when the next sentences refer back to it
    as "the system"/"the database"/"this facility", or when the same phrase is printed again.
    """
    text = joined.text
    counts: dict[str, int] = {}
    found: dict[str, int] = {}
    for match in _SYSTEM_PHRASE_RE.finditer(text):
        words = match["name"].split()
        if any(w in _STOP for w in words[:-1]) or vocabulary.is_not_system(match["name"]):
            continue
        if all(w in _GENERIC for w in words[:-1]) or len(words) < 2:
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
    """True for "case tracking system" when a system "CATS" is known (its initials, in order, inside it)."""
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
