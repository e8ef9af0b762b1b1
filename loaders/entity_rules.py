"""Discovery rules: evidence in the text that something is an IT system, unit, role or partner body.

Each rule reads the joined report text (and the glossary) and records what it finds in a
:class:`~loaders.entity_registry.Registry`. Names are never listed here: they come from definitions
(``"case tracking and referral system (CTRS)"``), the glossary, and the patterns below.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable

from loaders.entity_patterns import (
    SYSTEM_HEADS,
    JoinedText,
    definition_phrase,
    is_expansion,
    kind_of_phrase,
    normalise,
    words_of_the_text,
)
from loaders.entity_phrases import split_list
from loaders.entity_registry import Registry
from loaders.model import EntityKind, GlossaryEntry
from loaders.regex_tools import lowered_for_search, search_from_word, word_start
from loaders.vocabulary import Term, Vocabulary

_HEADS = "|".join(sorted(SYSTEM_HEADS))
# A system-like name: ALL-CAPS / CamelCase / iCamel tokens, optionally followed by more caps or a number.
# At most four more words: an unbounded run would be rescanned from each of its words ("AB 1 AB 1 ...",
# quadratic), while a bounded one keeps every pattern linear in the text.
_TOKEN = r"(?:[A-Z][A-Z0-9]+|[A-Z][a-z]+[A-Z][A-Za-z]*|[a-z]+[A-Z][A-Za-z]+)"
_NAME = rf"{_TOKEN}(?:\s+(?:[A-Z]{{2,}}|\d+)){{0,4}}"
_CAPWORD = r"[A-Z][a-z]+(?:\s+\d+)?"
_MODIFIER = r"(?:(?:[a-z][a-z-]*|IT)\s+)"
_LEAD_IN = r"(?:\b(?:the|a|an|its|their|standalone|new|existing|dedicated|in-house|force(?:’s|'s))\s+)"

SYSTEM_PATTERNS = (
    # "the HALO system", "the TRAK DV dedicated IT system", "the ATLAS demographic lifestyle package"
    re.compile(rf"(?<![\w-])(?P<name>{_NAME})\s+{_MODIFIER}{{0,3}}(?:{_HEADS})s?\b"),
    # "the Kestrel database", "standalone Acme spreadsheet", "the Red 5 mapping system"
    re.compile(rf"{_LEAD_IN}(?P<name>{_CAPWORD})\s+{_MODIFIER}{{0,3}}(?:{_HEADS})\b"),
    # "A database, GEMINI, is used", "ORION, the force intelligence system"
    re.compile(rf"\b(?:{_HEADS}),\s+(?P<name>{_NAME}),"),
    re.compile(rf"(?<![\w-])(?P<name>{_NAME}|{_CAPWORD}),\s+(?:the|a|an|its)\s+(?:force(?:’s|'s)\s+)?"
               rf"{_MODIFIER}{{0,4}}(?:{_HEADS})\b"),
    # "recorded on Guardian, the force missing persons database": a plain capitalised word needs a lead-in
    re.compile(rf"(?<![\w-])(?:on|onto|into|via|using|uses|called|named)\s+(?P<name>{_CAPWORD}),\s+"
               rf"(?:the|a|an|its)\s+{_MODIFIER}{{0,4}}(?:{_HEADS})\b"),
    # "a computer system, called HERON", "known as X", "a system such as PERSEUS"
    re.compile(rf"\b(?:{_HEADS})s?,?\s+(?:called|named|known\s+as|such\s+as)\s+(?P<name>{_NAME}|{_CAPWORD})\b"),
    # "TRAK DV is currently a database"
    re.compile(rf"(?<![\w-])(?P<name>{_NAME})\s+is\s+(?:\w+\s+)?(?:a|an)\s+{_MODIFIER}{{0,3}}(?:{_HEADS})\b"),
    # "on the TRX", "onto HALO", "via ORION": only for names the text never defines as something else
    re.compile(rf"\b(?:on|onto|via|into)\s+(?:the\s+)?(?P<name>{_TOKEN})(?![\w-])(?!\s+\()", ),
)  # fmt: skip
_WEAK_PATTERN = SYSTEM_PATTERNS[-1]

_DEFINITION_RE = re.compile(r"\((?P<abbr>[A-Za-z][A-Za-z&]*[A-Z][A-Za-z&]*)\)\s*(?P<next>[\w-]*)")
_STOP_MODIFIERS = frozenset(
    {
        "the", "a", "an", "its", "their", "our", "his", "her", "this", "that", "these", "those", "all",
        "each", "every", "any", "some", "no", "not", "and", "or", "of", "to", "for", "in", "on", "at",
        "by", "with", "from", "into", "as", "is", "are", "was", "were", "be", "been", "being", "has",
        "have", "had", "will", "would", "can", "could", "should", "may", "which", "who", "whose", "where",
        "when", "while", "also", "only", "both", "other", "such", "same", "whole", "new", "existing",
        "inspection",
    }
)  # fmt: skip
_UNIT_RE = re.compile(
    r"\b(?:[Tt]he|an?|its|each|their)\s+(?P<mods>(?:[a-z][a-z’'-]*\s+){1,4}?)(?P<head>unit|team|department"
    r"|directorate|bureau|desk)(?P<plural>s?)(?![\w-])"
)
_DIVISION_RE = re.compile(r"(?<![\w-])(?P<name>(?:[A-Z]|[A-Z][a-z]+)\s+division)(?![\w-])")
_VERBS = (
    "the|a|an|and|of|to|for|in|on|at|by|with|from|as|is|are|was|has|have|who|which|while|how|aims|leads|attends"
    "|chairs|holds|sits|takes|provides|ensures|reports|meets|works|makes|oversees|manages|monitors|retains|receives"
    "|champions|heads|runs|commands|is|are|attend|meet|provide|ensure|report|work|oversee|manage|monitor"
    "|receive|hold|sit|take|chair|have|will|should|can|may|must|were|was"
)
_POST_WORD = rf"(?:(?!(?:{_VERBS})\b)(?!(?!missing\b)[a-z]+ing\b)[a-z]+|policing|[A-Z]{{2,}})"
_POST_RE = re.compile(
    rf"\b(?P<post>(?:deputy\s+)?heads?\s+of\s+(?:the\s+)?{_POST_WORD}(?:\s+{_POST_WORD}){{0,2}}"
    rf"(?:\s+and\s+{_POST_WORD}(?:\s+{_POST_WORD}){{1,2}})?"
    rf"|director\s+of\s+{_POST_WORD}(?:\s+{_POST_WORD}){{0,2}}(?:\s+and\s+{_POST_WORD}(?:\s+{_POST_WORD}){{1,2}})?"
    rf"|chief\s+executive\s+of\s+the\s+police\s+authority"
    rf"|(?:chief\s+officer|ACPO|force)\s+lead\s+for\s+(?:[A-Z][a-z]+\s+[A-Z][a-z]+|{_POST_WORD}(?:\s+{_POST_WORD}){{0,2}}))"
    rf"(?![\w-])"
)
_ROLE_NOUN_RE = re.compile(
    r"\b(?:the|a|an|one|each|its)\s+(?P<mods>(?:[a-z][a-z’'-]*\s+|[A-Z]{2,}\s+){1,3}?)(?P<head>manager|officer"
    r"|co-ordinator|adviser|registrar|champion|commander|sergeant|inspector|dispatcher|chair)(?![\w-])"
)
_ACC_RE = re.compile(
    r"\b(?:ACC|[Aa]ssistant\s+[Cc]hief\s+[Cc]onstable)(?:\s+\((?P<full>[a-z][a-z ]+)\))?(?:\s+\(ACC\))?"
    r"\s*\((?:ACC\s+\()?(?P<qual>[a-z][a-z ]+|[A-Z]{2,4})\)?\)"
)
_GENERIC_ROLE_MODS = frozenset(
    {
        "police", "senior", "divisional", "specialist", "detective", "operational", "dedicated",
        "investigating", "first", "named", "local", "trained", "additional", "front-line", "area",
        "individual", "single", "key", "appropriate", "relevant", "extra", "another", "acting",
    }
)  # fmt: skip
_PARTNER_RE = re.compile(
    r"\b(?P<name>(?:multi-agency|inter-agency|regional)\s+(?:[a-z-]+\s+){0,4}?(?:group|panel|forum|conference)s?"
    r"|[A-Z][a-z]+(?:\s+(?:and\s+)?[A-Z][a-z]+){0,5}\s+(?:Council|Councils|Forum|Partnership|Trust|Service)"
    r"|(?<=the\s|its\s)(?:[a-z-]+\s+){1,4}partnerships?|local\s+(?:[a-z-]+\s+){1,3}partnerships?)(?![\w-])"
)


def add_vocabulary(joined: JoinedText, vocabulary: Vocabulary, registry: Registry) -> None:
    """Register vocabulary terms that the text mentions (any surface form)."""
    groups = (
        ("it_systems", EntityKind.IT_SYSTEM),
        ("unit_types", EntityKind.UNIT),
        ("posts", EntityKind.ROLE),
        ("partners", EntityKind.PARTNER),
    )
    for group, kind in groups:
        for term in _mentioned(joined, vocabulary, group):
            forms = term.alt_labels + term.hidden_labels
            same = _present_equivalent(term, kind, vocabulary, registry)
            if same is not None:  # "Neighbourhood Policing teams" in a report whose teams are SCTs
                registry.add(kind, same.labels[0], forms=forms)
                continue
            registry.add(kind, term.label, abbreviation=_abbreviation(term), expansion=term.expansion,
                         forms=forms)  # fmt: skip
    for term in _mentioned(joined, vocabulary, "ranks", full_only=True):
        registry.add(EntityKind.ROLE, term.label.lower())


def _present_equivalent(term: Term, kind: EntityKind, vocabulary: Vocabulary, registry: Registry):
    """The draft of an equivalent term (``skos:closeMatch``) the report defines, when it does not define
    ``term`` itself: one report's kind of team keeps its own name."""
    if registry.get(kind, term.label) or (term.expansion and registry.get(kind, term.expansion)):
        return None
    for other in vocabulary.equivalents(term.key):
        for text in (other.label, other.expansion):
            if text and (draft := registry.get(kind, text)) is not None:
                return draft
    return None


def add_glossary(glossary: Iterable[GlossaryEntry], vocabulary: Vocabulary, registry: Registry) -> None:
    """Register glossary entries whose expansion names a system, unit, role or partner body."""
    for entry in glossary:
        abbreviation, expansion = entry.abbreviation.strip(), " ".join(entry.expansion.split())
        if normalise(expansion) in {"it system", "computer system", "system", "database"}:
            kind, expansion_or_none = EntityKind.IT_SYSTEM, None
        else:
            kind = _vocabulary_kind(vocabulary, abbreviation) or kind_of_phrase(expansion)
            expansion_or_none = expansion if is_expansion(abbreviation, expansion) else None
            if expansion_or_none is None and kind is not EntityKind.IT_SYSTEM:
                continue  # a description or a misprint, not an abbreviation of this expansion
        if kind is None or (kind is EntityKind.IT_SYSTEM and vocabulary.is_not_system(abbreviation)):
            continue
        registry.add(kind, abbreviation, abbreviation=abbreviation, expansion=expansion_or_none)


def add_definitions(joined: JoinedText, vocabulary: Vocabulary, registry: Registry) -> dict[str, str]:
    """Register in-text definitions ``"<expansion> (<ABBR>)"``; returns every abbreviation defined."""
    defined: dict[str, str] = {}
    text = joined.text
    counts: Counter[str] | None = None
    for match in _DEFINITION_RE.finditer(text):
        abbreviation = match["abbr"]
        phrase = definition_phrase(text[max(0, match.start() - 160) : match.start()].split(), abbreviation)
        if phrase is None:
            continue
        abbreviation = _singular_abbreviation(abbreviation)
        if counts is None:
            counts = Counter(re.findall(r"[a-z]+", text.lower()))
        if not words_of_the_text(phrase, counts):
            continue  # a misprint ("the olice authority (PA)"): the vocabulary or glossary names it
        defined.setdefault(abbreviation, phrase)
        kind = _vocabulary_kind(vocabulary, abbreviation) or kind_of_phrase(phrase, match["next"])
        if kind is EntityKind.IT_SYSTEM and vocabulary.is_not_system(abbreviation):
            continue
        if kind is not None:
            registry.add(kind, abbreviation, abbreviation=abbreviation, expansion=phrase)
    return defined


def add_systems(
    joined: JoinedText, vocabulary: Vocabulary, registry: Registry, defined: dict[str, str]
) -> None:
    """Register names that the text calls a system, database, package or spreadsheet."""
    for pattern in SYSTEM_PATTERNS:
        for match in pattern.finditer(joined.text):
            words = match["name"].split()
            while len(words) > 1 and vocabulary.is_not_system(words[-1]):
                words.pop()
            name = " ".join(words)
            if _inside_expansion(joined.text[match.start("name") : match.end()], registry):
                continue
            before = joined.text[max(0, match.start("name") - 40) : match.start("name")]
            if not _TOKEN_RE.fullmatch(words[0]) and _CAPITALISED_BEFORE_RE.search(before):
                continue  # the last word of a longer capitalised name ("Child Rescue Alert")
            if _not_a_system(name, vocabulary, registry, defined, weak=pattern is _WEAK_PATTERN):
                continue
            registry.add(
                EntityKind.IT_SYSTEM,
                name,
                abbreviation=name if _TOKEN_RE.fullmatch(name.split()[0]) else None,
                forms=_swapped(name),
            )


def _swapped(name: str) -> tuple[str, ...]:
    """``ABC DV`` is also printed ``DV ABC``: two abbreviations in either order name one system."""
    words = name.split()
    return (f"{words[1]} {words[0]}",) if len(words) == 2 and all(w.isupper() for w in words) else ()


_TOKEN_RE = re.compile(_TOKEN)
_CAPITALISED_BEFORE_RE = re.compile(r"[A-Z][a-z]+\s+$")


def _inside_expansion(phrase: str, registry: Registry) -> bool:
    """True for ``HALO nominal index`` when that phrase is the expansion of a known system (HNI)."""
    words = phrase.split()
    return any(
        (draft := registry.get(EntityKind.IT_SYSTEM, " ".join(words[i:]))) is not None
        and draft.expansion is not None
        for i in range(len(words) - 1)
    )


def _not_a_system(
    name: str, vocabulary: Vocabulary, registry: Registry, defined: dict[str, str], *, weak: bool
) -> bool:
    first = name.split()[0]
    if vocabulary.is_not_system(name) or vocabulary.is_not_system(first) or vocabulary.find("ranks", name):
        return True
    for kind in (EntityKind.UNIT, EntityKind.ROLE, EntityKind.PARTNER):
        if registry.get(kind, name) or registry.get(kind, first):
            return True
    if registry.get(EntityKind.IT_SYSTEM, name):
        return False
    expansion = defined.get(name) or defined.get(first)
    if expansion is not None and kind_of_phrase(expansion) is not EntityKind.IT_SYSTEM:
        # "DV" (domestic violence) is an abbreviation of something else; a name the glossary merely
        # describes ("HALO  Home Office access to locate offenders") still counts on strong evidence.
        spelled = len(name.split()) == 1 and is_expansion(first, expansion)
        return weak or kind_of_phrase(expansion) is not None or spelled
    return weak and expansion is None and name in defined


def add_units(joined: JoinedText, vocabulary: Vocabulary, registry: Registry) -> None:
    """Register ``the <modifiers> unit/team/department`` phrases and lettered or named divisions.

    Longer names go first so that a variant without its leading ``force`` (``crime directorate``) or with a
    passing adjective (``current``, ``central``) joins the full name instead of becoming a unit of its own.
    """
    names: dict[str, EntityKind] = {}
    for match in _UNIT_RE.finditer(joined.text):
        mods = match["mods"].split()
        while mods and (mods[0].endswith("ed") or mods[0] in _PASSING_MODS):
            mods = mods[1:]  # "planned", "dedicated", "current" describe, they do not name
        if not mods or any(w in _STOP_MODIFIERS for w in mods) or mods[0] in _GENERIC_ROLE_MODS:
            continue
        if len(mods) == 1 and match["head"] in {"team", "unit", "desk"}:
            continue
        name = " ".join([*mods, match["head"]])
        partner = vocabulary.find("partners", mods[0]) or vocabulary.find("partners", name + match["plural"])
        names.setdefault(name, EntityKind.PARTNER if partner else EntityKind.UNIT)
    for name, kind in sorted(names.items(), key=lambda item: -len(item[0])):
        bare = name.removeprefix("force ")
        known = registry.get(kind, bare) or registry.get(kind, f"force {bare}")
        registry.add(kind, known.labels[0] if known else name, forms=(name,))
    for match in _DIVISION_RE.finditer(joined.text):
        first = match["name"].split()[0]
        if first not in {"The", "This", "Each", "A"} or len(first) == 1:
            registry.add(EntityKind.UNIT, match["name"])
    for match in _DIVISION_ALIAS_RE.finditer(
        joined.text
    ):  # "C division (often referred to as the City division)"
        registry.add(EntityKind.UNIT, match["name"], abbreviation=" ".join(match["alias"].split()))


_DIVISION_ALIAS_RE = re.compile(
    r"(?<![\w-])(?P<name>[A-Z]\w*\s+division)\s*\((?:often\s+|also\s+|commonly\s+)?(?:referred\s+to\s+as"
    r"|known\s+as|called)\s+(?:the\s+)?(?P<alias>[A-Z]\w*\s+division)\)"
)
_PASSING_MODS = frozenset({"current", "central", "former", "overall", "whole", "existing", "roll-out"})
_VAGUE_ENDS = frozenset({"matters", "issues", "work", "purposes", "generally"})


def add_roles(joined: JoinedText, registry: Registry) -> None:
    """Register posts: ``head of X``, ``director of X``, ``X lead for Y``, ``ACC (crime)``, ``X manager``."""
    text = joined.text
    for match in _POST_RE.finditer(text):
        words = match["post"].split()
        if len(words) > 4 and words[-1] in _VAGUE_ENDS:  # "lead for public protection matters"
            words = words[:-1]
        registry.add(EntityKind.ROLE, " ".join(words), forms=(match["post"],))
    for match in _ACC_RE.finditer(text):
        qualifier = match["qual"].strip()
        full = match["full"]
        label = f"ACC ({qualifier})"
        expansion = (
            f"assistant chief constable ({full or qualifier})" if full or qualifier.islower() else None
        )
        registry.add(EntityKind.ROLE, label, abbreviation=label, expansion=expansion)
    for match in _ROLE_NOUN_RE.finditer(text):
        mods = match["mods"].split()
        if any(w in _STOP_MODIFIERS for w in mods) or mods[0] in _GENERIC_ROLE_MODS:
            continue
        if match["head"] in {"officer", "inspector", "sergeant"} and len(mods) == 1 and mods[0].islower():
            continue
        registry.add(EntityKind.ROLE, " ".join([*mods, match["head"]]))


_BRACKETED_ACC_RE = re.compile(
    r"\((?:ACC|[Aa]ssistant\s+[Cc]hief\s+[Cc]onstable)\s+(?P<qual>[a-z]+(?:\s+[a-z]+)?)\)"
)


def add_bracketed_posts(joined: JoinedText, registry: Registry) -> None:
    """``The ACPO lead for X (ACC operations)``: an ACC named by portfolio inside brackets."""
    for match in _BRACKETED_ACC_RE.finditer(joined.text):
        label = f"ACC ({match['qual']})"
        registry.add(EntityKind.ROLE, label, abbreviation=label, forms=(f"ACC {match['qual']}",))


def add_partners(joined: JoinedText, registry: Registry) -> None:
    """Register multi-agency groups, named councils/forums/trusts and partnerships."""
    for match in _PARTNER_RE.finditer(joined.text):
        words = match["name"].split()
        while words and (words[0].casefold() in _STOP_MODIFIERS or words[0] in {"The", "This", "A", "All"}):
            words = words[1:]
        if len(words) >= 2 and not any(w in _STOP_MODIFIERS - {"and"} for w in words):
            parts = split_list(words)  # "X City and Y County Councils": two councils
            for part in parts:
                printed = " ".join(part[:-1]) if len(parts) > 1 and part is parts[0] else ""
                registry.add(EntityKind.PARTNER, " ".join(part), forms=(printed,) if printed else ())


_VOCABULARY_KINDS = (
    ("it_systems", EntityKind.IT_SYSTEM),
    ("unit_types", EntityKind.UNIT),
    ("posts", EntityKind.ROLE),
    ("ranks", EntityKind.ROLE),
    ("partners", EntityKind.PARTNER),
)


def _vocabulary_kind(vocabulary: Vocabulary, name: str) -> EntityKind | None:
    return next((kind for group, kind in _VOCABULARY_KINDS if vocabulary.find(group, name)), None)


def _singular_abbreviation(abbreviation: str) -> str:
    """``SNTs`` -> ``SNT``; ``HeLIOS`` and ``ORIs`` unchanged."""
    return abbreviation[:-1] if abbreviation.endswith("s") and abbreviation[:-1].isupper() else abbreviation


def _abbreviation(term: Term) -> str | None:
    for form in (term.label, *term.alt_labels):
        if form.replace(" ", "").isalnum() and sum(c.isupper() for c in form) >= 2 and " " not in form:
            return form
    return None


def _mentioned(
    joined: JoinedText, vocabulary: Vocabulary, group: str, *, full_only: bool = False
) -> list[Term]:
    """Terms of a vocabulary group printed in the text (labels as printed; long phrases ignoring case)."""
    terms: tuple[Term, ...] = getattr(vocabulary, group)
    forms = tuple((term.label,) if full_only else term.surface_forms for term in terms)
    text = joined.text
    lowered = lowered_for_search(text)
    return [
        term
        for term, patterns in zip(terms, _mention_patterns(forms, full_only), strict=True)
        if any(search_from_word(pattern, text, lowered, word) for pattern, word in patterns)
    ]


@functools.lru_cache(maxsize=64)
def _mention_patterns(
    forms: tuple[tuple[str, ...], ...], full_only: bool
) -> tuple[tuple[tuple[re.Pattern[str], str | None], ...], ...]:
    """One compiled pattern per surface form of each term (built once per vocabulary group)."""
    return tuple(tuple(_mention_pattern(form, full_only) for form in term_forms) for term_forms in forms)


def _mention_pattern(form: str, full_only: bool) -> tuple[re.Pattern[str], str | None]:
    """``form`` as a whole word, an ``s`` allowed after it; long lower-case phrases ignore case.

    With the pattern comes, for one that ignores case, its first word in lower case if that is ASCII
    (for :func:`search_from_word`); case-sensitive patterns start with a literal ``re`` finds fast itself.
    """
    flags = re.IGNORECASE if (" " in form and form[1:].islower()) or full_only else 0
    words = form.split()
    first = words[0].lower() if flags and words and words[0].isascii() else None
    return re.compile(rf"{word_start(form)}s?(?![\w-])", flags), first
