"""People: practice contacts, ranks printed before names, and appositions (``The Chief Constable, X Y,``).

A person is only recognised where the text says who they are: a rank or post next to a personal name, or a
practice contact. Capitalised pairs elsewhere ("Laming Report", "Bichard Inquiry") are never people.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator

from loaders.entity_patterns import ROLE_HEADS, JoinedText, singular
from loaders.entity_registry import Draft, Registry
from loaders.model import Contact, EntityKind
from loaders.regex_tools import literal_body, word_start_alternation
from loaders.vocabulary import Vocabulary

# A capitalised name word, accents allowed ("Siân", "Zoë", "Ó Briain"), with a Mc/Mac/O’ prefix or a
# hyphenated second part. Patronymic and family particles may join two name words ("Dafydd ap Gruffydd",
# "Ruth van der Berg"): they never start or end a name.
_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zß-öø-ÿ"
_NAME_TOKEN = rf"(?:Mc|Mac|O’|O'|Ó[ \t]?)?[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)?"
_PARTICLE = r"(?:ap|ab|ferch|verch|van|von|de|der|den|du|da|di|le|la|bin|ibn|ní|nic)"
NAME = rf"{_NAME_TOKEN}(?:[ \t]+(?:{_PARTICLE}[ \t]+){{0,2}}{_NAME_TOKEN}){{1,2}}"
_NOT_NAME_WORDS = frozenset(
    [
        "Police",
        "Constabulary",
        "Office",
        "Report",
        "Inquiry",
        "Review",
        "Act",
        "Board",
        "Unit",
        "Team",
        "Service",
        "Authority",
        "Council",
        "Policing",
        "Neighbourhood",
        "Division",
        "Centre",
        "Trust",
        "Court",
        "Group",
        "Force",
        "Chief",
        "Constable",
        "Inspector",
        "Superintendent",
        "Head",
        "Deputy",
        "Assistant",
        "Detective",
        "Sergeant",
        "Protection",
        "Public",
        "Officer",
        "Performance",
        "Information",
        "The",
        "This",
        "That",
        "In",
        "On",
        "At",
        "For",
        "County",
        "City",
        "National",
        "Home",
        "Safer",
        "Strategy",
        "Plan",
        "Programme",
        "Project",
        "Community",
        "Crime",
        "Child",
        "Domestic",
        "Violence",
        "Abuse",
        "Missing",
        "Persons",
        "Development",
        "Contact",
        "Phone",
        "Tel",
        "Management",
        "Intelligence",
        "Department",
        "Directorate",
        "Support",
        "Operations",
        "Crown",
        "Prison",
        "Probation",
        "Commission",
        "Agency",
        "Model",
        "System",
        "Database",
        "Register",
        "Safeguarding",
        "Children",
        "Board",
        "Boards",
        "Framework",
        "Guidance",
        "Standards",
        "Her",
        "Majesty",
        "Majesty’s",
        "Inspectorate",
        "Government",
        "Secretary",
    ]
)
# Courtesy titles: they introduce a personal name but are neither part of it nor a rank.
_TITLES = ("Mr", "Mrs", "Ms", "Miss", "Dr")
_TITLE = rf"(?:{'|'.join(_TITLES)})\.?"
_TITLE_RE = re.compile(rf"^{_TITLE}[ \t]+")
_CONTACT_RE = re.compile(r"CONTACT:\s*(?P<rest>[^–\n]*?)\s*(?:–|-\s|\d|$)")
_APPOSITION_RE = re.compile(
    rf"(?P<role>(?:[\w’'()-]+[ \t]+){{0,3}}[\w’'()-]+),[ \t]+(?P<name>{NAME})(?=[ \t]*[,(])"
)
_COMMA_BEFORE_CAPITAL_RE = re.compile(r",(?=[ \t]+[A-Z])")
_ROLE_WORD = r"([\w’'()-]+)"
_ROLE_WORDS_BACKWARDS_RE = re.compile(
    rf"{_ROLE_WORD}(?:[ \t]+{_ROLE_WORD}(?:[ \t]+{_ROLE_WORD}(?:[ \t]+{_ROLE_WORD})?)?)?"
)
# ``(?<![\w-]){_TITLE}[ \t]+(?P<name>{NAME})\b``, written with word_start_alternation (same matches)
_TITLED_RE = re.compile(rf"(?:{word_start_alternation(_TITLES)})\.?[ \t]+(?P<name>{NAME})\b")
_CONTACT_LABEL_RE = re.compile(r"[\s,;]*\b(?:tel(?:ephone)?|phone|mob(?:ile)?|e-?mail)\b\.?:?.*$", re.I)
_NAME_FIRST_RE = re.compile(
    rf"(?<![\w’'-])(?P<name>{_NAME_TOKEN}(?:[ \t]+{_NAME_TOKEN}){{1,3}}),[ \t]+(?:the|its|their)[ \t]+"
    rf"(?P<role>(?:[\w’'()-]+[ \t]+){{0,3}}[\w’'()-]+)(?=[ \t]*[,;.])"
)
_LEADING_RE = re.compile(r"^.*\b(?:[Tt]he|[Aa]n?|[Ww]hile|[Aa]nd|[Oo]ur|[Ii]ts|[Tt]heir)\s+")


def is_personal_name(name: str) -> bool:
    """Two or three capitalised words (particles such as "ap" aside), none naming an organisation or post."""
    words = [w for w in name.split() if not re.fullmatch(_PARTICLE, w)]
    return 2 <= len(words) <= 3 and not any(w in _NOT_NAME_WORDS for w in words)


def add_contacts(contacts: Iterable[Contact], vocabulary: Vocabulary, registry: Registry) -> None:
    """Register each practice contact with their rank and post."""
    for contact in contacts:
        if is_personal_name(contact.name):
            add_person(registry, vocabulary, contact.name, rank=contact.rank, post=contact.role)


def add_people(joined: JoinedText, vocabulary: Vocabulary, registry: Registry) -> None:
    """Register people named after a rank, in an apposition with a post, or on a ``CONTACT:`` line."""
    text = joined.text
    rank_forms = tuple(f for f in vocabulary.forms("ranks") if f[:1].isupper())
    ranked, rank_prefix = _rank_patterns(rank_forms)
    for match in ranked.finditer(text):
        if is_personal_name(match["name"]):
            add_person(registry, vocabulary, match["name"], rank=match["rank"])
    for match in _TITLED_RE.finditer(text):
        if is_personal_name(match["name"]):
            add_person(registry, vocabulary, match["name"])
    for match in _appositions(text):
        role = _LEADING_RE.sub("", match["role"]).strip()
        if is_personal_name(match["name"]) and _is_post(role, vocabulary):
            rank = role if vocabulary.find("ranks", role) else None
            add_person(registry, vocabulary, match["name"], rank=rank, post=role)
    for match in _NAME_FIRST_RE.finditer(text):  # "Mr Tom Hughes, the missing persons co-ordinator,"
        words = match["name"].split()
        introduced = words[0] in _NOT_NAME_WORDS or re.fullmatch(_TITLE, words[0]) is not None
        name = " ".join(words[1:] if introduced else words)
        known = introduced or registry.get(EntityKind.PERSON, name) is not None
        if known and is_personal_name(name) and _is_post(match["role"], vocabulary):
            add_person(registry, vocabulary, name, post=match["role"])
    for match in _CONTACT_RE.finditer(text):
        rest = match["rest"]
        rank_match = rank_prefix.match(rest)
        rank = rank_match["rank"] if rank_match else None
        name, _, post = rest[rank_match.end() if rank_match else 0 :].partition(",")
        name = _CONTACT_LABEL_RE.sub("", _TITLE_RE.sub("", name.strip()))  # "Jo Bloggs Tel:" names Jo Bloggs
        post = _CONTACT_LABEL_RE.sub("", post)
        if is_personal_name(name.strip()):
            add_person(registry, vocabulary, name.strip(), rank=rank, post=post.strip() or None)


@functools.lru_cache(maxsize=16)
def _rank_patterns(forms: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A rank then a personal name, anywhere; and a rank opening a contact line. Built once per vocabulary.

    The first is ``(?<![\\w-])(?P<rank>...)`` written with :func:`word_start_alternation` (same matches).
    """
    ranks = "|".join(map(literal_body, forms))
    return (
        re.compile(rf"(?P<rank>{word_start_alternation(forms)})[ \t]+(?P<name>{NAME})\b"),
        re.compile(rf"(?P<rank>{ranks})[ \t]+"),
    )


def _appositions(text: str) -> Iterator[re.Match[str]]:
    """``_APPOSITION_RE.finditer(text)``, trying the pattern only where a match can start.

    A match is up to four words of a role (runs of ``[\\w’'()-]`` separated by spaces or tabs), a comma,
    spaces and a capital. The first word runs to a space or comma, so a match starting inside a word would
    also start at that word's first character: the leftmost match starts at a word, except where the
    search resumes at the end of the previous match, which is tried as ``finditer`` would. The words that
    can start a match are the first to fourth before each comma that a capital follows.
    """
    starts = _apposition_starts(text)
    pos = 0
    while True:
        later = (_APPOSITION_RE.match(text, start) for start in starts[bisect_left(starts, pos + 1) :])
        match = _APPOSITION_RE.match(text, pos) or next(filter(None, later), None)
        if match is None:
            return
        yield match
        pos = match.end()  # never empty: the pattern needs at least a comma and a name


def _apposition_starts(text: str) -> list[int]:
    """Offsets of the one to four words before each comma that spaces and a capital follow, in order."""
    backwards = text[::-1]  # the words before a comma, read from the comma
    starts: set[int] = set()
    for comma in _COMMA_BEFORE_CAPITAL_RE.finditer(text):
        words = _ROLE_WORDS_BACKWARDS_RE.match(backwards, len(text) - comma.start())
        if words is not None:
            starts.update(len(text) - words.end(n) for n in range(1, 5) if words.group(n) is not None)
    return sorted(starts)


def add_person(
    registry: Registry, vocabulary: Vocabulary, name: str, *, rank: str | None = None, post: str | None = None
) -> Draft:
    """Register one person; a rank held is also a role, and so is a post (``Head of Public Protection``)."""
    draft = registry.get(EntityKind.PERSON, name) or registry.add(EntityKind.PERSON, name, forms=(name,))
    if rank and draft.rank is None:
        draft.rank = " ".join(rank.split())
    for role in (post, rank):
        if role and (role_draft := _role(registry, vocabulary, role)) not in draft.roles:
            draft.roles.append(role_draft)
    return draft


def _role(registry: Registry, vocabulary: Vocabulary, printed: str) -> Draft:
    term = vocabulary.find("ranks", printed) or vocabulary.find("posts", printed)
    label = term.label.lower() if term and vocabulary.find("ranks", printed) else printed
    for candidate in (printed, label):
        if found := registry.get(EntityKind.ROLE, candidate):
            return found
    return registry.add(
        EntityKind.ROLE, label if label.isupper() else label.lower() if term else _lower_post(label)
    )


def _lower_post(post: str) -> str:
    """Posts are recorded lower-case like the text prints them (acronyms kept)."""
    return " ".join(w if sum(c.isupper() for c in w) > 1 else w.lower() for w in post.split())


def _is_post(role: str, vocabulary: Vocabulary) -> bool:
    if not role or len(role.split()) > 4:
        return False
    if vocabulary.find("ranks", role) or vocabulary.find("posts", role):
        return True
    return singular(role.split()[-1].casefold()) in ROLE_HEADS
