"""Leads: who leads what. Practice contacts, and posts or people the text names as responsible.

Responsibility sentences are recognised by a handful of verb frames around a role or person mention:
"X is the chief officer lead for Y", "X has portfolio responsibility for Y", "Y is led by X",
"the lead for Y is X", "Y, chaired by X" and "X chairs Y".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from loaders.entity_patterns import JoinedText, entity_id, normalise
from loaders.model import Entity, EntityKind, InspectionReport, Lead, SourceSpan

_SENTENCE_RE = re.compile(r"[^.;•]+(?:[.;]|$)")
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
            contact = practice.contact
            if contact is None:
                continue
            person = people.get(normalise(contact.name)) or entity_id(EntityKind.PERSON, contact.name)
            text = " ".join(lines.get(contact.span.line_from, contact.name).split())
            leads.append(
                Lead(person, practice.title, "practice_contact", contact.span, section.area_id, text)
            )
    return tuple(leads)


def _who_pattern(entities: Sequence[Entity]) -> tuple[str, dict[str, str]]:
    """Alternation of every printed form of role and person entities, with form -> entity id."""
    owner: dict[str, str] = {}
    for entity in entities:
        if entity.kind in (EntityKind.ROLE, EntityKind.PERSON):
            for form in (entity.name, entity.expansion, *(m.text for m in entity.mentions)):
                if form:
                    owner.setdefault(normalise(form), entity.id)
    forms = sorted(owner, key=len, reverse=True)
    return "|".join(r"\s+".join(map(re.escape, f.split())) for f in forms), owner


def _responsibility_leads(report: InspectionReport, entities: Sequence[Entity]) -> tuple[Lead, ...]:
    who, owner = _who_pattern(entities)
    if not who:
        return ()
    frames = [
        (kind, trigger, re.compile(rx.pattern.replace("{who}", who), rx.flags))
        for kind, trigger, rx in _FRAMES
    ]
    joined = JoinedText.from_lines(report.source.lines)
    leads: list[Lead] = []
    seen: set[tuple[str, str]] = set()
    for sentence in _SENTENCE_RE.finditer(joined.text):
        text = sentence.group(0)
        lowered = text.lower()
        if "chair" not in lowered and not _mentions_lead(text):
            continue
        for kind, trigger, frame in frames:
            if trigger not in lowered:
                continue
            for match in frame.finditer(text):
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


_LEAD_WORDS_RE = re.compile(
    r"\b(?:lead|led|responsibility|holder|headed|overseen|owned|champion)\b", re.IGNORECASE
)


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
