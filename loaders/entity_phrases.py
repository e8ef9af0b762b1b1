"""Noun-phrase rules: units, posts and partner bodies named in passing, in lists and in lower case.

Each rule finds a head noun (``team``, ``manager``, ``council`` …) and reads back over the words before it
while they can modify a noun (no function word, verb or punctuation in between): "beat managers",
"the central HALO team", "local councillors", "specialist DV adviser". Capitalised names that end in an
organisation noun ("Teesside University", "East Midlands Government Office", "HMP …") are bodies outside the
force. Every scan is a single pass over the text with bounded look-back, so time stays linear.
"""

from __future__ import annotations

import re

from loaders.entity_patterns import JoinedText, singular
from loaders.entity_registry import Draft, Registry, merge_key
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
STOP = frozenset(
    """the a an its their our his her this that these those all each every any some no not and or of to for
    in on at by with from into as is are was were be been being has have had will would can could should
    may which who whose where when while also only both other such same whole new existing inspection
    more most than then there here it they he she we one two three four five six several many few
    further number including include includes within between across under over through per via among
    about upon how why what least during after before since until like whether against without towards
    around out provide provides allow allows enable enables enabling identify identifies communicate brief
    ensure ensures support supports help helps assist train trains use uses make makes give gives attend
    attends effective positive successful strong good close excellent very strengthening improving
    better wide robust clear principal attending responding patrolling understanding all implement
    develop deliver establish introduce create extant relevant specific extra another additional eight
    nine ten twelve""".split()  # noqa: SIM905
)
# Modifiers that alone do not name a post or unit ("police officers", "specialist staff", "project team").
GENERIC = frozenset(
    """police senior divisional specialist operational dedicated investigating first named local trained
    additional individual single key appropriate relevant extra another acting experienced current area
    force level staff front-line detective project management core central former
    overall whole existing team inter-agency multi-agency joint""".split()  # noqa: SIM905
)
_NAMED_BY_PLACE = frozenset({"college", "council", "court"})
_PASSING = frozenset({"central", "current", "former", "overall", "whole", "existing", "roll-out"})
_STAFF_HEADS = frozenset({"officer", "manager", "supervisor", "member", "team", "unit", "staff"})
_ALL_HEADS = frozenset((*ROLE_HEADS, *UNIT_HEADS, *PARTNER_HEADS, "staff", "authority", "service"))
# Posts that name one job even with a generic modifier ("area commander", "local councillor").
_SPECIFIC_HEADS = frozenset({"commander", "councillor", "warden", "champion", "registrar", "co-ordinator"})
# Boards, panels and groups are outside bodies only with one of these words (or a partner) in front.
_BODY_HEADS = ("board", "panel", "committee", "group", "centre", "service")
_BODY_QUALIFIERS = frozenset({"multi-agency", "inter-agency", "joint", "regional", "national", "independent"})
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z’'-]*")
_BRACKETED_ABBR_RE = re.compile(r"\(([A-Z][A-Za-z]*[A-Z]s?)\)")
_NEXT_WORD_RE = re.compile(r"\s+([a-z][a-z-]*)")
_HEADS = "|".join(ROLE_HEADS + UNIT_HEADS + PARTNER_HEADS + _BODY_HEADS)
_HEAD_RE = re.compile(
    rf"(?<![\w-])(?P<head>{_HEADS})(?P<plural>s|es)?(?![\w-])"
    r"|(?<![\w-])(?P<authorities>authorities)(?![\w-])"
)
_CAP = r"(?:[A-Z][a-z]+(?:’s|'s)?|[A-Z]{2,})"
_TAIL = rf"(?:\s+(?:of|for|to)\s+(?:the\s+)?{_CAP}(?:\s+{_CAP}){{0,3}}){{1,3}}"
# A capitalised run ending in a document noun: the name before it is the document's ("… Courts Services Act")
_DOCUMENT = r"(?:\s+[A-Z][a-z]+){0,3}?\s+(?:Act|Report|Review|Inquiry|Strategy|Plan|Bill)\b"
_ORG_RE = re.compile(
    rf"(?<![\w’'-])(?<![A-Z][a-z]\s)(?<!\sof\s)(?<!\sfor\s)(?<!\sto\s)(?P<name>HMP\s+[A-Z][a-z]+|(?:{_CAP}\s+(?:and\s+)?){{1,5}}(?:{'|'.join(ORG_HEADS)})"
    rf"(?:{_TAIL})?)(?![\w-])(?!\s+(?:of|for)\s+[A-Z])(?!{_DOCUMENT})"
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

    ``and`` joins two modifiers ("crime and community department") when a modifier stands on each side;
    after a noun that is itself a head or a plural ("fire service and housing associations") it ends a list.
    """
    window = [w.strip('‘’“”"') for w in text[max(0, end - 100) : end].split(" ")]
    if end > 100:
        window = window[1:]  # its first word may be cut
    window = [w for w in window if w]
    words: list[str] = []
    for position in range(len(window) - 1, -1, -1):
        raw = window[position]
        if len(words) >= limit:
            break
        if bracketed := _BRACKETED_ABBR_RE.fullmatch(raw):  # "unit (OPU) sergeant": the abbreviation
            if not words:
                words.insert(0, bracketed.group(1))
            break
        if raw.isdigit() and len(raw) <= 2 and position and window[position - 1].isalpha():
            words.insert(0, raw)  # "level 2 senior analyst"
            continue
        if not _WORD_RE.fullmatch(raw):
            break
        lowered = raw.casefold()
        if lowered == "and":
            before = window[position - 1].casefold() if position else ""
            plural = before != singular(before)
            if not words or plural or singular(before) in _ALL_HEADS or before in STOP:
                break
            words.insert(0, raw)
            continue
        if lowered in STOP or lowered.endswith("ly") or (raw[0].isupper() and lowered in ORG_HEADS_LOWER):
            break
        if singular(lowered) in ROLE_HEADS:
            break  # another post ("PCSOs and beat managers")
        words.insert(0, raw)
    while words and (words[0] == "and" or words[0].casefold().endswith(("ed", "-wide"))):
        words = words[1:]  # "planned", "dedicated": they describe, they do not name
    return words


def add_noun_phrases(joined: JoinedText, vocabulary: Vocabulary, registry: Registry) -> None:
    """Register posts, units and partners read back from their head nouns (see the module docstring)."""
    text = joined.text
    prefixed = _GenericPrefixIndex(registry)
    for match in _HEAD_RE.finditer(text):
        head = match["head"] or "authority"
        following = _NEXT_WORD_RE.match(text, match.end())
        if following and singular(following.group(1)) in _ALL_HEADS:
            continue  # "partnership superintendent": the later head names the thing
        mods = _words_before(text, match.start())
        kind = _kind_of(head)
        printed = " ".join([*mods, match.group(0)])
        if mods and (defined := _defined_after(registry, text, match.end())) is not None:
            registry.add(defined.kind, defined.labels[0], forms=(printed,))  # "… teams (SNTs)": its own words
            continue
        if mods and _known(registry, vocabulary, prefixed, mods, head, printed):
            continue
        if len(mods) > 2 and mods[0].casefold() in _PASSING:
            mods = mods[1:]  # "central crime directorate"; "central HALO team" keeps its word
        if not _names_something(mods, head, kind, registry):
            continue
        if "and" in mods and kind is EntityKind.ROLE:
            cut = mods.index("and")  # "business and HR managers": business managers, HR managers
            for part in (mods[:cut], mods[cut + 1 :]) if match["plural"] else (mods[cut + 1 :],):
                if _names_something(part, head, kind, registry):
                    registry.add(kind, " ".join([*part, head]))
            continue
        if head in {"centre", "service"}:
            before = text[: match.start()].rstrip()[: -len(mods[-1])].rstrip()
            if not before or before.endswith((".", "•", ":")):
                continue  # a capitalised word that only starts a sentence ("Protective services will …")
            mods, printed = mods[-1:], " ".join([mods[-1], match.group(0)])
        name = " ".join([*mods, head])
        partner_first = registry.get(EntityKind.PARTNER, mods[0]) is not None
        if kind is EntityKind.UNIT and (
            vocabulary.find("partners", name + (match["plural"] or "")) or partner_first
        ):
            kind = EntityKind.PARTNER  # "drug and alcohol action team", "ACPO national … team"
        if head in _BODY_HEADS or (kind is EntityKind.UNIT and _outside_service(vocabulary, mods)):
            kind = EntityKind.PARTNER  # "secure mental health unit": another service's unit
        if kind is EntityKind.UNIT and (known := registry.get(kind, f"force {name}")):
            name = known.labels[0]
        if any(registry.get(other, name) for other in EntityKind if other is not kind):
            continue
        at = None
        if mods[0].isupper() and (opening := text.rfind("(", max(0, match.start() - 20), match.start())) >= 0:
            at = (opening, text[opening : match.end()])  # "unit (OPU) sergeant": printed with its brackets
        prefixed.add(registry.add(kind, name, forms=(printed,), printed_at=at))


_ABBR_AFTER_RE = re.compile(r"\s*\(([A-Z][A-Za-z&]*[A-Z]s?)\)")


def _defined_after(registry: Registry, text: str, end: int) -> Draft | None:
    """The known entity whose abbreviation is printed in brackets right after a phrase, if any."""
    after = _ABBR_AFTER_RE.match(text, end)
    if after is None:
        return None
    return next((d for kind in EntityKind if (d := registry.get(kind, after.group(1))) is not None), None)


def _outside_service(vocabulary: Vocabulary, mods: list[str]) -> bool:
    """True when a modifier (or two) names another public service (``hv:outside-services``)."""
    words = [w.casefold() for w in mods]
    pairs = [" ".join(words[i : i + 2]) for i in range(len(words) - 1)]
    return any(vocabulary.find("outside_services", w) for w in (*words, *pairs))


def _known(
    registry: Registry,
    vocabulary: Vocabulary,
    prefixed: _GenericPrefixIndex,
    mods: list[str],
    head: str,
    printed: str,
) -> bool:
    """Add ``printed`` to a known entity it names, and say so: "local neighbourhood policing team" (the
    SNT's hidden label after a generic word), "SNTs team", "probation offices" (the partner itself),
    "central crime directorate" (the force crime directorate), "domestic abuse officers" (the specialist
    ones the report defines)."""
    for start in range(len(mods)):
        rest = mods[start:]
        if start and not all(w.casefold() in GENERIC | _PASSING for w in mods[:start]):
            break
        phrase = " ".join([*rest, head])
        for kind in (EntityKind.UNIT, EntityKind.PARTNER, EntityKind.ROLE):
            whole = registry.get(kind, phrase) or _via_vocabulary(registry, vocabulary, kind, phrase)
            alone = None
            if head in {"team", "unit", "office", "desk"}:
                alone = registry.get(kind, " ".join(rest)) or _via_vocabulary(
                    registry, vocabulary, kind, " ".join(rest)
                )
            draft = whole or alone or prefixed.get(kind, phrase)
            if draft is not None:
                registry.add(draft.kind, draft.labels[0], forms=(printed,))
                return True
    return False


class _GenericPrefixIndex:
    """Known entities by the name they keep after leading generic words ("force crime directorate" is
    found as "crime directorate"); built once per report and extended as phrases are registered."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.by_key: dict[tuple[EntityKind, str], Draft] = {}
        for draft in registry.drafts():
            self.add(draft)

    def add(self, draft: Draft) -> None:
        for label in (*draft.labels, draft.expansion or ""):
            words = merge_key(label).split()
            for start in range(1, len(words)):
                if words[start - 1] not in GENERIC | _PASSING:
                    break
                self.by_key.setdefault((draft.kind, " ".join(words[start:])), draft)

    def get(self, kind: EntityKind, phrase: str) -> Draft | None:
        draft = self.by_key.get((kind, merge_key(phrase)))
        return draft.root() if draft is not None else None


def _names_something(mods: list[str], head: str, kind: EntityKind, registry: Registry) -> bool:
    """False for generic phrases: no modifier, only generic ones, or a unit's staff ("DPMU officers")."""
    if not mods or (len(mods) == 1 and len(mods[0]) <= 2 and not mods[0].isupper()):
        return False
    if head == "member" and not any(w in {"authority", "board", "panel"} for w in mods):
        return False
    if head in _BODY_HEADS:
        return _outside_body(mods, head, registry)
    if mods[0].endswith("ing") and len(mods) > 1 and all(w.casefold() in GENERIC for w in mods[1:]):
        return False  # "hosting police officers", "patrolling officers"
    if (
        kind is EntityKind.PARTNER
        and head not in _NAMED_BY_PLACE
        and all(w.casefold() in GENERIC for w in mods)
    ):
        return False  # "local forums", "inter-agency partnerships"
    bodies = (EntityKind.UNIT,) if head == "manager" else (EntityKind.UNIT, EntityKind.PARTNER)
    known_unit = [w for w in mods if w.rstrip("s").isupper() and any(registry.get(k, w) for k in bodies)]
    generic = [w for w in mods if w.casefold() in GENERIC]
    if kind is not EntityKind.PARTNER and head not in _SPECIFIC_HEADS and len(generic) == len(mods):
        return False
    # "DPMU officers", "BCU senior managers", "PPU team": the unit's staff, or the unit itself
    return not (head in _STAFF_HEADS and known_unit and len(known_unit) + len(generic) == len(mods))


def _outside_body(mods: list[str], head: str, registry: Registry) -> bool:
    """Boards, panels, groups, services and centres count when a partner or qualifier names them outside."""
    if head in {"centre", "service"}:  # "Sunflower centres", "Connexions service": a name just before
        capitalised = [w for w in mods if w[:1].isupper() and not w.isupper()]
        return capitalised == mods[-1:] and bool(capitalised)
    lowered = [w.casefold() for w in mods]
    if any(w in _BODY_QUALIFIERS for w in lowered):
        return True
    return any(registry.get(EntityKind.PARTNER, " ".join(mods[: i + 1])) for i in range(min(len(mods), 3)))


def add_organisations(joined: JoinedText, own_force: str, registry: Registry) -> None:
    """Register capitalised names of outside bodies ("Teesside University", "HMP …", "Government Office")."""
    own = {w.casefold() for w in own_force.split()}
    for match in _ORG_RE.finditer(joined.text):
        words = match["name"].split()
        while words and words[0] in _ORG_STARTS:
            words = words[1:]
        if len(words) > 2 and words[1] == "and" and words[0].isupper():
            words = words[2:]  # "HMIC and Her Majesty's Inspectorate of Prisons": a list
        parts = split_list(words)
        for part in parts:
            if len(part) < 2 or part[0] in {"of", "for", "and"}:
                continue
            printed = (" ".join(part[:-1]),) if len(parts) > 1 and part is parts[0] else ()
            if part[-1] == "Police" and {w.casefold() for w in part} <= own | {"police"}:
                continue  # the report's own force
            name = " ".join(part)
            kind = EntityKind.UNIT if part[-1] == "Branch" else EntityKind.PARTNER
            if not any(registry.get(k, name) for k in EntityKind if k is not kind):
                registry.add(kind, name, forms=printed)


def split_list(words: list[str]) -> list[list[str]]:
    """Two bodies printed as one phrase become two names; ``Police and Crime Standards …`` stays one.

    ``NHS Trusts and NHS Foundation Trusts`` -> both; ``X City and Y County Councils`` -> ``X City
    Council``, ``Y County Council`` (a plural head after ``and`` joining two names of two words or more).
    """
    if "and" not in words:
        return [words]
    cut = words.index("and")
    left, right = words[:cut], words[cut + 1 :]
    if len(left) >= 2 and left[-1] in ORG_HEADS:
        return [left, right]
    head = right[-1] if right else ""
    if len(left) >= 2 and len(right) >= 3 and head.endswith("s") and head[:-1] in ORG_HEADS:
        return [[*left, head[:-1]], [*right[:-1], head[:-1]]]
    return [words]


def _kind_of(head: str) -> EntityKind:
    word = singular(head)
    if word in ROLE_HEADS:
        return EntityKind.ROLE
    if word in UNIT_HEADS:
        return EntityKind.UNIT
    return EntityKind.PARTNER


def _via_vocabulary(registry: Registry, vocabulary: Vocabulary, kind: EntityKind, text: str) -> Draft | None:
    """The draft of the term printed as ``text`` or of an equivalent term, if the report has one."""
    term = vocabulary.term(text)
    if term is None:
        return None
    for candidate in (term, *vocabulary.equivalents(term.key)):
        for form in (candidate.label, candidate.expansion):
            if form and (draft := registry.get(kind, form)) is not None:
                return draft
    return None


_AREA_UNIT_RE = re.compile(
    r"(?<![\w-])(?P<name>(?:North|South|East|West|Central|Northern|Southern|Eastern|Western)\s+Area)(?![\w-])"
)
_RESPONSIBLE_POST_RE = re.compile(
    r"(?<![\w-])(?P<post>(?:chief\s+)?(?:inspector|superintendent|sergeant|officer|manager))\s+responsible\s+for\s+"
    r"(?P<what>[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)"
)


_ENUMERATED_RE = re.compile(
    r"(?<![\w-])(?:two|three|both)\s+(?P<q>[A-Z]{2,}|[a-z]+)\s+(?P<head>division|department|directorate|command)s,"
    r"\s+(?P<a>[a-z]+)\s+and\s+(?P<b>[a-z]+)(?![\w-])"
)


def add_area_units_and_responsible_posts(joined: JoinedText, registry: Registry) -> None:
    """Territorial areas named by compass point ("North Area"), units named by enumeration ("the two HQ
    divisions, operations and support"), and posts defined by what they are responsible for ("chief
    inspector responsible for Neighbourhood Policing")."""
    for match in _ENUMERATED_RE.finditer(joined.text):
        printed = (match.start(), match.group(0))
        for part in (match["a"], match["b"]):
            registry.add(EntityKind.UNIT, f"{match['q']} {part} {match['head']}", printed_at=printed)
    for match in _AREA_UNIT_RE.finditer(joined.text):
        registry.add(EntityKind.UNIT, match["name"])
    for match in _RESPONSIBLE_POST_RE.finditer(joined.text):
        registry.add(EntityKind.ROLE, " ".join(match.group(0).split()))
