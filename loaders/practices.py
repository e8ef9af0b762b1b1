"""Developing-practice blocks: INSPECTION AREA, TITLE, PROBLEM, SOLUTION, OUTCOME(S), FORCE CONTACT.

Blocks may follow each other directly; a new block starts at "INSPECTION AREA:" or at a second
"TITLE:". The contact line may wrap ("… – 07799" / "656588") and is split into name, rank, role,
phone and e-mail.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from loaders.model import Contact, Line, Practice
from loaders.text_utils import clean, span_of

PRACTICE_LABEL = re.compile(
    r"(?P<label>INSPECTION\s+AREA|TITLE|PROBLEMS?|SOLUTIONS?|OUTCOMES?|OUTCOME\(S\)|FORCE\s+CONTACTS?)\s*:\s*",
    re.IGNORECASE,
)
# Ranks as printed in contact lines; matched longest first so "Detective Chief Inspector" beats "Inspector".
_RANK_NAMES = """
Chief Constable; Deputy Chief Constable; Assistant Chief Constable; ACC; DCC; Commander;
Detective Chief Superintendent; Detective Chief Supt; Det Ch Supt; Chief Superintendent; Chief Supt;
Ch Supt; Detective Superintendent; Detective Supt; Det Supt; DSU; Superintendent; Supt;
Detective Chief Inspector; DCI; Chief Inspector; Ch Insp; Detective Inspector; Det Insp; DI;
Inspector; Insp; Detective Sergeant; Det Sgt; DS; Sergeant; Sgt; PS; Detective Constable; Det Con; DC;
Police Constable; PC; Constable; PCSO; Mr; Mrs; Ms; Miss; Dr
"""
RANKS: tuple[str, ...] = tuple(
    sorted((clean(rank) for rank in _RANK_NAMES.split(";") if clean(rank)), key=len, reverse=True)
)
_TITLES_NOT_RANKS = frozenset({"Mr", "Mrs", "Ms", "Miss", "Dr"})
# "T/" (temporary) and "A/" (acting) may precede any rank: "T/DCI", "A/Inspector".
_RANK = re.compile(r"((?:[AT]/\s?)?(?:" + "|".join(re.escape(r) for r in RANKS) + r"))\.?\s+(?=\S)")
# A label such as "Tel:", "telephone", "e-mail" printed just before the number or address.
_CONTACT_LABEL = re.compile(r"[\s,;(]*\b(?:tel(?:ephone)?|phone|mob(?:ile)?|e-?mail|t|e)\b\.?\s*:?\s*$", re.I)
_PHONE = re.compile(
    r"(?:\+44\s?\(?0?\)?\s?|\(?0)\d{2,5}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}"
    r"(?:\s*,?\s*(?:ext(?:ension)?\.?|x)\s*\d{2,6})?",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
_DASH = re.compile(r"\s+[–—-]\s*|\s*[–—]\s+")
_FIELDS = {
    "inspection area": "inspection_area",
    "title": "title",
    "problem": "problem",
    "solution": "solution",
    "outcome": "outcomes",
    "force contact": "contact",
}
_MAX_CONTACT_WRAPS = 2


def _field_name(label: str) -> str:
    key = " ".join(label.casefold().replace("(s)", "").split()).rstrip("s")
    return _FIELDS.get(key, "problem")


def lines_to_blocks(lines: Sequence[Line]) -> list[list[tuple[str, list[Line]]]]:
    """Group practice lines into blocks of (field, lines) in printed order."""
    blocks: list[list[tuple[str, list[Line]]]] = []
    for line in lines:
        text = clean(line.text)
        label = PRACTICE_LABEL.match(text)
        if label:
            field = _field_name(label.group("label"))
            seen = {name for name, _ in blocks[-1]} if blocks else set()
            if not blocks or field == "inspection_area" or field in seen:
                blocks.append([])
            blocks[-1].append((field, [line]))
        elif blocks and _continues(blocks[-1][-1], text):
            blocks[-1][-1][1].append(line)
    return blocks


def _continues(current: tuple[str, list[Line]], text: str) -> bool:
    """Whether an unlabelled line belongs to the current field (contact lines only wrap briefly)."""
    field, lines = current
    if field != "contact":
        return True
    so_far = clean(" ".join(line.text for line in lines))
    wrapped = so_far[-1:].isdigit() or so_far.endswith((",", "–", "-")) or text[:1] in "–—-0123456789+("
    return wrapped and len(lines) <= _MAX_CONTACT_WRAPS and not _EMAIL.search(so_far)


def field_text(lines: Sequence[Line]) -> str:
    """The text of a field: its label removed, lines joined with single spaces."""
    first = PRACTICE_LABEL.sub("", clean(lines[0].text), count=1)
    return clean(" ".join([first, *(line.text for line in lines[1:])]))


def parse_contact(text: str, lines: Sequence[Line], file: str) -> Contact | None:
    """Split "Detective Supt Sam Smith, Head of Public Protection – 07700 900123"."""
    text = clean(text)
    if not text:
        return None
    phone = _PHONE.search(text)
    email = _EMAIL.search(text)
    cut = min((m.start() for m in (phone, email) if m), default=len(text))
    dash = _DASH.search(text, 0, cut)
    who = text[: dash.start()] if dash else text[:cut]
    who = _CONTACT_LABEL.sub("", who).strip(" ,;:–—-(")
    person, _, role = who.partition(",")
    if _RANK.match(role.strip()) and not _RANK.match(person.strip()):  # "Co-ordinator, Sgt Dan O'Leary"
        person, role = role, person
    rank = None
    rank_match = _RANK.match(person.strip())
    if rank_match:  # a courtesy title ("Ms Jane Doe") is dropped from the name but is not a rank
        rank = None if rank_match.group(1) in _TITLES_NOT_RANKS else rank_match.group(1)
        person = person.strip()[rank_match.end() :]
    return Contact(
        name=clean(person) or who,
        rank=rank,
        role=clean(role) or None,
        phone=clean(phone.group(0)) if phone else None,
        span=span_of(lines, file),
        email=email.group(0) if email else None,
    )


def block_to_practice(block: list[tuple[str, list[Line]]], file: str) -> tuple[Practice | None, list[str]]:
    """A practice from its fields; a block without a title is reported and dropped."""
    fields: dict[str, tuple[str, list[Line]]] = {}
    for name, lines in block:
        if name not in fields:
            fields[name] = (field_text(lines), lines)
    first_line = block[0][1][0]
    if "title" not in fields:
        return None, [f"line {first_line.number}: developing practice without a TITLE was skipped"]
    warnings = []
    contact = None
    if "contact" in fields:
        contact = parse_contact(fields["contact"][0], fields["contact"][1], file)
    else:
        warnings.append(f"line {first_line.number}: developing practice has no FORCE CONTACT")
    last_line = block[-1][1][-1]
    practice = Practice(
        inspection_area=fields["inspection_area"][0] or None if "inspection_area" in fields else None,
        title=fields["title"][0],
        problem=fields.get("problem", ("", []))[0],
        solution=fields.get("solution", ("", []))[0],
        outcomes=fields.get("outcomes", ("", []))[0],
        contact=contact,
        span=span_of([first_line, last_line], file),
    )
    return practice, warnings


def lines_to_practices(lines: Sequence[Line], file: str) -> tuple[list[Practice], list[str]]:
    """All developing-practice blocks in ``lines`` (the non-blank lines after "Developing Practice")."""
    practices: list[Practice] = []
    warnings: list[str] = []
    for block in lines_to_blocks(lines):
        practice, block_warnings = block_to_practice(block, file)
        warnings.extend(block_warnings)
        if practice is not None:
            practices.append(practice)
    return practices, warnings
