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

_SENTENCE_RE = re.compile(r"[^.;•]+(?:[.;]|$)")
_SENTENCE_AT_START_RE = re.compile(rf"(?<![^.;•]){_SENTENCE_RE.pattern}")
_DET = r"(?:(?:the|a|an)\s+)?"
_SUBJECT = (
    r"(?P<subject>[^,.;()]+?(?:\s*\([^)]*\))?)(?=\s*(?:[,.;]|\s(?:and\s+thus|thus|which|who|while)\b|$))"
)
_WHO = "(?P<who>{who})"
_IS_LEAD = r"\s+(?:is|are|remains|has\s+become)\s+"
_HAS_RESPONSIBILITY = r"\s+(?:has|have|retains|takes)\s+(?:[\w-]+\s+){0,2}?responsibility\s+for\s+"
_LED_BY = r"\s+(?:is|are)\s+(?:led|overseen|headed|owned)\s+by\s+"
_CHAIRED_BY = r",?\s+(?:which\s+is\s+|is\s+|are\s+|have\s+(?:now\s+)?been\s+held,\s+)?chaired\s+by\s+"
_FRAMES = tuple(
    (kind, trigger, re.compile(frame, re.IGNORECASE))
    for kind, trigger, frame in (
        (
            "lead",
            "",
            rf"{_WHO}{_IS_LEAD}{_DET}(?:[\w-]+\s+){{0,3}}?(?:lead|holder|champion|head)\s+(?:for|of)\s+{_SUBJECT}",
        ),
        ("lead", "responsib", rf"{_WHO}{_HAS_RESPONSIBILITY}{_SUBJECT}"),
        (
            "lead",
            "for",
            rf"(?:lead|responsibility)\s+for\s+(?P<subject>[^,.;]+?)\s+(?:is|are|rests\s+with)\s+{_DET}{_WHO}",
        ),
        ("lead", " by ", rf"(?P<subject>[^,.;]+?){_LED_BY}{_DET}{_WHO}"),
        ("chair", "chaired", rf"(?P<subject>[^,.;]+?){_CHAIRED_BY}{_DET}{_WHO}"),
        ("chair", "chairs", rf"{_WHO}\s+(?:also\s+|currently\s+)?chairs\s+{_SUBJECT}"),
    )
)
_BODY_RE = re.compile(
    r"[^,]*?\b(?:board|group|meetings?|forum|panel|committee|review)\b(?:\s*\([A-Z&]+\))?", re.IGNORECASE
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
_PRONOUNS = frozenset(["this", "it", "these", "they", "which", "that", "and", "he", "she"])
_LEADING_DET_RE = re.compile(r"^(?:the|a|an|this|its|all|weekly|monthly)\s+", re.IGNORECASE)
AREA_KEYWORDS = (
    ("neighbourhood policing", "neighbourhood-policing"),
    ("performance", "performance-management"),
    ("child abuse", "child-abuse"),
    ("child protection", "child-abuse"),
    ("domestic violence", "domestic-violence"),
    ("domestic abuse", "domestic-violence"),
    ("public protection", "public-protection"),
    ("missing person", "missing-persons"),
    ("vulnerable people", "protecting-vulnerable-people"),
    ("pvp", "protecting-vulnerable-people"),
)


def area_of(subject: str) -> str | None:
    """The area id a subject names (``"missing persons"`` -> ``missing-persons``), if any."""
    lowered = normalise(subject)
    return next((area for keyword, area in AREA_KEYWORDS if keyword in lowered), None)


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
    sentences = []
    for sentence in _sentences(joined.text):
        text = sentence.group(0)
        lowered = text.lower()
        if "chair" in lowered or _mentions_lead(text):
            sentences.append((sentence, text, lowered))
    who = _who_pattern(forms, [text for _, text, _ in sentences])
    if who is None:
        return ()
    frames = [(kind, trigger, rx.pattern.replace("{who}", who), rx.flags) for kind, trigger, rx in _FRAMES]
    leads: list[Lead] = []
    seen: set[tuple[str, str]] = set()
    for sentence, text, lowered in sentences:
        for kind, trigger, pattern, flags in frames:
            if trigger not in lowered:
                continue
            for match in compiled(pattern, flags).finditer(text):  # compiled when first needed, then cached
                subject = _subject(match["subject"], kind)
                person_or_role = owner.get(normalise(match["who"]))
                if not subject or person_or_role is None or (person_or_role, subject) in seen:
                    continue
                seen.add((person_or_role, subject))
                leading = len(match.group(0)) - len(match.group(0).lstrip())
                first = joined.line_at(sentence.start() + match.start() + leading)
                last = joined.line_at(sentence.start() + match.end() - 1)
                span = SourceSpan(report.source.name, first.number, last.number, first.page)
                leads.append(Lead(person_or_role, subject, "responsibility", span, area_of(subject),
                                  " ".join(text.split())))  # fmt: skip
    return tuple(leads)


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


def _subject(raw: str, kind: str) -> str:
    """The subject as printed, trimmed; for chairing, the body chaired (``strategic improvement board``)."""
    subject = " ".join(raw.split()).strip(" ,:–-")
    if kind == "chair" and (body := _BODY_RE.match(subject)):
        subject = body.group(0)
    words = subject.split()
    cut = max((i + 1 for i, w in enumerate(words[:-1]) if w.casefold() in _CUT_WORDS), default=0)
    words = _LEADING_DET_RE.sub("", " ".join(words[cut:])).split()
    if not words or (len(words) == 1 and words[0].casefold() in _PRONOUNS):
        return ""
    return " ".join(words) if len(words) <= 10 else ""
