"""Leads: who leads what. Practice contacts, and posts or people the text names as responsible.

Responsibility sentences are recognised by a handful of verb frames around a role or person mention:
"X is the chief officer lead for Y", "X has portfolio responsibility for Y", "Y is led by X",
"the lead for Y is X", "Y, chaired by X" and "X chairs Y".
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from loaders.entity_patterns import JoinedText, entity_id, normalise
from loaders.model import Entity, EntityKind, InspectionReport, Lead, SourceSpan
from loaders.regex_tools import compiled, first_char_alternation, literal_body, lowered_for_search
from loaders.vocabulary import Vocabulary

_SENTENCE_RE = re.compile(r"[^.;•]+(?:[.;]|$)")
_SENTENCE_AT_START_RE = re.compile(rf"(?<![^.;•]){_SENTENCE_RE.pattern}")
_DET = r"(?:(?:the|a|an|one|its)\s+)?"
_SUBJECT = (
    r"(?P<subject>[^,.;()]{1,160}?(?:\s*\([^)]{0,60}\))?)"
    r"(?=\s*(?:[,.;]|\s(?:and\s+thus|thus|which|who|while|with|as\s+well)\b|$))"
)
# The holder, optionally inside brackets after a description: "the deputy head (detective chief inspector)".
_WHO = r"(?:[\w\s-]{0,30}?\(\s*)?(?P<who>{who})(?:\s*\([^)]*\)|\s*\))?"
_IS = r"\s+(?:is|are|remains|has\s+become|will\s+be)\s+(?:also\s+|now\s+|currently\s+)?"
_HAS_RESPONSIBILITY = (
    r"\s+(?:also\s+|currently\s+)?(?:has|have|retains|takes)\s+(?:[\w-]+\s+){0,2}?responsibility\s+for\s+"
)
_BY = (
    r",?\s*\(?(?:which\s+|that\s+|and\s+)?(?:(?:is|are|was|were|has\s+been|have\s+(?:now\s+)?been(?:\s+held)?,?)\s+)?"
    r"(?:also\s+|currently\s+|each\s+)?(?:led|overseen|headed|owned|managed|chaired|commanded|run|co-ordinated)"
    r"\s+by\s+"
)
_IS_OPTIONAL = r"(?:(?:is|are)\s+)?(?:also\s+)?"
_VERBS = r"(?:chairs|leads|heads|manages|champions|oversees|commands|co-ordinates|runs)"
_FRAMES = tuple(
    (kind, trigger, re.compile(frame, re.IGNORECASE))
    for kind, trigger, frame in (
        (
            "lead",
            "",
            rf"{_WHO}{_IS}{_DET}(?:[\w-]+\s+){{0,3}}?(?:lead|holder|champion|head|chair)\s+(?:for|of|on)\s+{_SUBJECT}",
        ),
        ("lead", "responsib", rf"{_WHO}{_HAS_RESPONSIBILITY}{_SUBJECT}"),
        ("lead", "ble", rf"{_WHO}\s+{_IS_OPTIONAL}(?:responsible|accountable)\s+for\s+{_SUBJECT}"),
        (
            "lead",
            "for",
            rf"(?:lead|responsibility)\s+for\s+(?P<subject>[^,.;]{{1,160}}?)\s+(?:is|are|rests\s+with)\s+{_DET}{_WHO}",
        ),
        ("lead", "lead for", r"\blead\s+for\s+(?P<subject>[^,.;()]{1,160}?)\s*\(\s*(?P<who>{who})\s*\)"),
        ("lead", " as ", rf"{_WHO}\s+as\s+(?P<subject>[^,.;()]{{1,160}}?)\s+(?:champions|leads)\b"),
        ("by", " by ", rf"(?P<subject>[^,.;•]{{1,160}}?){_BY}{_DET}{_WHO}"),
        ("chair", "", rf"{_WHO}\s+(?:also\s+|currently\s+|now\s+)?{_VERBS}\s+{_SUBJECT}"),
    )
)
_BODY_RE = re.compile(
    r"[^,]*?\b(?:board|group|meetings?|forum|panel|committee|review)\b(?:\s*\([A-Z&]+\))?", re.IGNORECASE
)
_CANDIDATE_RE = re.compile(
    r"\b(?:lead|leads|led|responsib\w*|accountable|holder|head\w*|overseen|oversees|owned|champion\w*|chair\w*"
    r"|manag(?:es|ed)|command(?:s|ed)|runs|run)\b",
    re.IGNORECASE,
)
_CUT_WORDS = frozenset(
    [
        "by",
        "into",
        "the",
        "of",
        "to",
        "for",
        "with",
        "and",
        "in",
        "on",
        "at",
        "from",
        "which",
        "this",
        "that",
        "its",
        "–",
    ]
)
_PRONOUNS = frozenset(
    ["this", "it", "these", "they", "which", "that", "and", "he", "she", "each", "this post"]
)
_PRONOUN_HOLDERS = ("this post", "this officer", "the post holder", "he", "she")
_LEADING_DET_RE = re.compile(r"^(?:the|a|an|this|its|all|weekly|monthly|both)\s+", re.IGNORECASE)
_PREVIOUS_SUBJECT_RE = re.compile(
    r"^\W*(?:the\s+|a\s+|an\s+)?(?P<np>[\w ’'-]{3,60}?)\s+(?:is|are|has|have|was|were)\b", re.I
)
AREA_KEYWORDS = (
    ("neighbourhood policing", "neighbourhood-policing"),
    ("performance", "performance-management"),
    ("child abuse", "child-abuse"),
    ("child protection", "child-abuse"),
    ("domestic violence", "domestic-violence"),
    ("domestic abuse", "domestic-violence"),
    ("public protection", "public-protection"),
    ("missing person", "missing-persons"),
    ("vulnerable", "protecting-vulnerable-people"),
    ("pvp", "protecting-vulnerable-people"),
    ("dv ", "domestic-violence"),
    ("sex offender", "public-protection"),
    ("dangerous offender", "public-protection"),
    ("neighbourhood", "neighbourhood-policing"),
)


def area_of(subject: str) -> str | None:
    """The area id a subject names (``"missing persons"`` -> ``missing-persons``), if any."""
    lowered = f" {normalise(subject)} "
    return next((area for keyword, area in AREA_KEYWORDS if f" {keyword}" in lowered), None)


def extract_leads(report: InspectionReport, entities: Sequence[Entity]) -> tuple[Lead, ...]:
    """Practice-contact leads, then responsibility leads in text order."""
    return _contact_leads(report, entities) + _responsibility_leads(report, entities)


def _contact_leads(report: InspectionReport, entities: Sequence[Entity]) -> tuple[Lead, ...]:
    people = {normalise(e.name): e.id for e in entities if e.kind is EntityKind.PERSON}
    lines = {ln.number: ln.text for ln in report.source.lines}
    leads: list[Lead] = []
    for section in report.sections:
        for practice in section.practices:
            for contact in practice.all_contacts:
                if not contact.is_person:  # a contact point (post, e-mail) leads nothing as a person
                    continue
                person = people.get(normalise(contact.name)) or entity_id(EntityKind.PERSON, contact.name)
                text = " ".join(lines.get(contact.span.line_from, contact.name).split())
                leads.append(
                    Lead(person, practice.title, "practice_contact", contact.span, section.area_id, text)
                )
    return tuple(leads)


def _who_forms(entities: Sequence[Entity]) -> tuple[list[str], dict[str, str]]:
    """Every printed form of role and person entities, longest first, with form -> entity id."""
    owner: dict[str, str] = {}
    for entity in entities:
        if entity.kind in (EntityKind.ROLE, EntityKind.PERSON):
            for form in (entity.name, entity.expansion, *(m.text for m in entity.mentions)):
                if form:
                    owner.setdefault(normalise(form), entity.id)
    return sorted(owner, key=len, reverse=True), owner


def _who_pattern(forms: Sequence[str], sentences: Sequence[str]) -> str | None:
    """Alternation of the forms that can be printed in ``sentences`` (None when none can).

    The frames are only tried on ``sentences`` and ignore case. A form with a word missing from all of them
    can never be the ``who`` of a match, so it is left out, and the remaining forms keep their order: the
    matches are the same, and the patterns (compiled per report) shorter. Grouping the forms by first
    letter also gives the same matches, found faster.
    """
    lowered = lowered_for_search("\n".join(sentences))
    if lowered is not None:
        forms = [f for f in forms if not f.isascii() or all(w.lower() in lowered for w in f.split())]
    if not forms:
        return None
    return first_char_alternation(forms) or "|".join(map(literal_body, forms))


def _responsibility_leads(report: InspectionReport, entities: Sequence[Entity]) -> tuple[Lead, ...]:
    forms, owner = _who_forms(entities)
    if not "|".join(map(literal_body, forms)):
        return ()
    joined = JoinedText.from_lines(report.source.lines)
    all_sentences = list(_sentences(joined.text))
    sentences = []
    for index, sentence in enumerate(all_sentences):
        text = sentence.group(0)
        if _CANDIDATE_RE.search(text):
            sentences.append((index, sentence, text, text.lower()))
    who = _who_pattern([*forms, *_PRONOUN_HOLDERS], [text for *_, text, _ in sentences])
    if who is None:
        return ()
    frames = [(kind, trigger, rx.pattern.replace("{who}", who), rx.flags) for kind, trigger, rx in _FRAMES]
    areas = _AreaFinder(report, entities)
    leads: list[Lead] = []
    seen: set[tuple[str, str]] = set()

    def add(holder: str, subject: str, first: int, last: int, page: int | None, text: str) -> None:
        if (holder, subject.casefold()) in seen:
            return
        seen.add((holder, subject.casefold()))
        span = SourceSpan(report.source.name, first, last, page)
        leads.append(Lead(holder, subject, "responsibility", span, areas.area(subject, first), text))

    for index, sentence, text, lowered in sentences:
        for kind, trigger, pattern, flags in frames:
            if trigger not in lowered:
                continue
            for match in compiled(pattern, flags).finditer(text):  # compiled when first needed, then cached
                printed = normalise(match["who"])
                holder = owner.get(printed)
                if holder is None and printed in _PRONOUN_HOLDERS and index:
                    holder = _last_holder(all_sentences[index - 1].group(0), forms, owner)
                raw = match["subject"]
                if normalise(raw) in _PRONOUNS and index:
                    previous = _PREVIOUS_SUBJECT_RE.match(all_sentences[index - 1].group(0).strip())
                    raw = previous["np"] if previous else raw
                subjects = _subjects(raw, kind)
                if including := _INCLUDING_RE.match(text, match.end()):  # "… matters, including DV"
                    subjects.append(_subject(including["also"], kind))
                for subject in subjects:
                    if holder is None or not subject:
                        continue
                    leading = len(match.group(0)) - len(match.group(0).lstrip())
                    first = joined.line_at(sentence.start() + match.start() + leading)
                    last = joined.line_at(sentence.start() + match.end() - 1)
                    add(holder, subject, first.number, last.number, first.page, " ".join(text.split()))
    for entity in entities:  # posts whose name says what they lead: "head of corporate development"
        subject = _post_subject(entity) if entity.kind is EntityKind.ROLE else None
        if subject and entity.mentions:
            mention = entity.mentions[0]
            if (entity.id, subject.casefold()) not in seen:  # the post's name alone: only an area it names
                seen.add((entity.id, subject.casefold()))
                span = SourceSpan(report.source.name, mention.line, mention.line, mention.page)
                leads.append(Lead(entity.id, subject, "responsibility", span, area_of(subject), mention.text))
    return tuple(sorted(leads, key=lambda lead: lead.span.line_from))


_INCLUDING_RE = re.compile(r",?\s*including\s+(?P<also>[^,.;()]{2,60}?)\s*(?=[,.;]|$)", re.IGNORECASE)
_BRACKETED = re.compile(r"\s*\([^)]*\)")
_CLAUSE_END = re.compile(
    r"\s+(?:and\s+(?:not|also|is|are|has|have|was|were|provides|makes|ensures)|in\s+(?:the|each|all)|on\s+behalf)\b",
    re.IGNORECASE,
)
_BRACKETED_ABBR = re.compile(r"\(([A-Z][A-Za-z&]+)\)")
_POST_SUBJECT_RE = re.compile(
    r"^(?:deputy\s+)?(?:head|chair|director)\s+of\s+(?:the\s+)?(?P<a>.+)$|\blead\s+for\s+(?P<b>.+)$"
    r"|^(?P<c>.+?)\s+champion$",
    re.IGNORECASE,
)


def _post_subject(entity: Entity) -> str | None:
    match = _POST_SUBJECT_RE.search(" ".join(entity.name.split()).strip("‘’'"))
    if match is None:
        return None
    subject = (match["a"] or match["b"] or match["c"] or "").strip("‘’' ")
    return subject if subject and subject.casefold() not in {"department", "departments"} else None


def _last_holder(text: str, forms: Sequence[str], owner: dict[str, str]) -> str | None:
    """The holder printed last in ``text`` (for "This post is the lead for …")."""
    lowered = normalise(text)
    found = [(lowered.rfind(form) + len(form), len(form), form) for form in forms if form in lowered]
    return owner[max(found)[2]] if found else None


class _AreaFinder:
    """The area of a lead: named in its subject, else its unit's or body's, else its area section's."""

    def __init__(self, report: InspectionReport, entities: Sequence[Entity]) -> None:
        self.vocabulary = Vocabulary.load()
        self.bodies = [
            (normalise(form), entity)
            for entity in entities
            if entity.kind in (EntityKind.UNIT, EntityKind.PARTNER)
            for form in sorted({entity.name, entity.expansion or "", *(m.text for m in entity.mentions)})
            if len(form) > 1
        ]
        self.sections = [(s.span.line_from, s.span.line_to, s.area_id) for s in report.sections]
        self.lines = report.source.lines

    def area(self, subject: str, line: int) -> str | None:
        named = area_of(subject)
        if named:
            return named
        lowered = f" {normalise(subject)} "
        for form, entity in self.bodies:
            if f" {form} " in lowered:
                for text in (entity.name, entity.expansion):
                    area = self.vocabulary.area(text) if text else None
                    if area:
                        return area
        return self._section(line) or self._where_named(subject)

    def _section(self, line: int) -> str | None:
        return next((area for first, last, area in self.sections if first <= line <= last), None)

    def _where_named(self, subject: str) -> str | None:
        """The area section where the subject (or its bracketed abbreviation) is named again."""
        names = [n for n in (_BRACKETED.sub("", subject).strip(), *_BRACKETED_ABBR.findall(subject)) if n]
        for name in names:
            pattern = re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])", re.IGNORECASE)
            for line in self.lines:
                if pattern.search(line.text) and (area := self._section(line.number)):
                    return area
        return None


_LEAD_WORDS = ("lead", "led", "responsibility", "holder", "headed", "overseen", "owned", "champion")
# ``\b(?:lead|led|...)\b``; grouped by first letter (the same matches ignoring case, found faster)
_LEAD_WORDS_RE = re.compile(rf"\b(?:{first_char_alternation(_LEAD_WORDS)})\b", re.IGNORECASE)


def _sentences(text: str) -> Iterator[re.Match[str]]:
    """``_SENTENCE_RE.finditer(text)``, without trying the pattern inside a sentence.

    A match that starts inside a run of ``[^.;•]`` characters would also start at the beginning of the run
    (a ``•`` ends a run without a sentence: without the lookbehind, each of its characters is tried in
    turn to the end of the run). The search resumes at the end of the previous match, which is tried as
    ``finditer`` would, and otherwise only at the start of a run.
    """
    pos = 0
    while sentence := _SENTENCE_RE.match(text, pos) or _SENTENCE_AT_START_RE.search(text, pos + 1):
        yield sentence
        pos = sentence.end()  # never empty: the pattern needs one character at least


def _mentions_lead(text: str) -> bool:
    return _LEAD_WORDS_RE.search(text) is not None


def _subjects(raw: str, kind: str) -> list[str]:
    """The subjects of one match: ``"missing persons and the ‘rape champion’"`` names two."""
    parts = re.split(r"\s+and\s+(?:the\s+)?(?=[‘'\"]?[\w-]+(?:\s+[\w-]+)?\s+(?:champion|lead)\b)", raw)
    subjects = []
    for part in parts:
        part = re.sub(r"\s+(?:champion|lead)\W*$", "", part.strip(" ‘’'\""), flags=re.IGNORECASE)
        subjects.append(_subject(part, kind))
    return subjects


def _subject(raw: str, kind: str) -> str:
    """The subject as printed, trimmed; for chairing, the body chaired (``strategic improvement board``)."""
    subject = " ".join(raw.split()).strip(" ,:–-‘’'")
    if kind == "by":  # the subject ends the clause before "led by": keep what follows its last joint
        words, depth, cut = subject.split(), 0, 0
        for i, word in enumerate(words[:-1]):
            depth += word.count("(") - word.count(")")
            if depth == 0 and word.casefold() in _CUT_WORDS:
                cut = i + 1
        words = words[cut:]
    else:  # the subject follows "lead for": it ends before a new clause or a place
        words = _CLAUSE_END.split(subject, maxsplit=1)[0].split()
    subject = _LEADING_DET_RE.sub("", " ".join(words))
    if kind in {"by", "chair"} and (body := _BODY_RE.match(subject)):
        subject = body.group(0)
    words = subject.split()
    if not words or (len(words) == 1 and words[0].casefold() in _PRONOUNS):
        return ""
    return " ".join(words) if len(words) <= 10 else ""
