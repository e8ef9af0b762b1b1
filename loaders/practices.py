"""Developing-practice blocks: INSPECTION AREA, TITLE, PROBLEM, SOLUTION, OUTCOME(S), FORCE CONTACT.

Blocks may follow each other directly; a new block starts at "INSPECTION AREA:" or at a second
"TITLE:". The FORCE CONTACT field holds any number of contacts, each any subset of name, rank, role,
phone, e-mail and address, on one line ("DCI Sam Smith, Head of PPU – 0115 123456") or several (a name
line, a post line, "Tel: …", "Email: …", "Address: …"); a line may wrap ("… – 07799" / "656588"). A
contact that names no person (a post, an e-mail address) is a contact point: its ``name`` is empty.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from loaders.model import Contact, Line, Practice, SourceSpan
from loaders.people import is_personal_name
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
_MAX_CONTACT_LINES = 10
_MAX_WHO_WORDS = 12
_FIELD_LABEL = re.compile(
    r"(?P<label>tel(?:ephone)?|phone|mob(?:ile)?|fax|e-?mail|address|t|e|m)\s*[.:]\s*", re.IGNORECASE
)


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
    """Whether an unlabelled line belongs to the current field: any line of a text field; for the contact
    field only lines that read as contact lines (a wrap, a labelled phone/e-mail/address, a phone or
    e-mail, or a short name or post line), up to a few lines."""
    field, lines = current
    if field != "contact":
        return True
    if len(lines) >= _MAX_CONTACT_LINES:
        return False
    return _wraps(clean(lines[-1].text), text) or _contact_line(text)


def _wraps(above: str, text: str) -> bool:
    """A contact line wrapped onto the next ("… – 07799" / "656588"; "… 700700," / "ext 8009")."""
    if text[:1] in "–—-0123456789+(":
        return True
    return above.endswith((",", "–", "-")) and not _EMAIL.search(above) and not _RANK.match(text)


def _contact_line(text: str) -> bool:
    if _FIELD_LABEL.match(text) or _PHONE.search(text) or _EMAIL.search(text):
        return True
    words = text.split()
    return 0 < len(words) <= _MAX_WHO_WORDS and text[:1].isupper() and not text.endswith((".", ":"))


def field_text(lines: Sequence[Line]) -> str:
    """The text of a field: its label removed, lines joined with single spaces."""
    first = PRACTICE_LABEL.sub("", clean(lines[0].text), count=1)
    return clean(" ".join([first, *(line.text for line in lines[1:])]))


def parse_contact(text: str, lines: Sequence[Line], file: str) -> Contact | None:
    """The first contact of a contact field's text ("Det Supt Sam Smith, Head of PPU – 07700 900123")."""
    contacts = parse_contacts([clean(text)], lines, file)
    return contacts[0] if contacts else None


def parse_contacts(texts: Sequence[str], lines: Sequence[Line], file: str) -> tuple[Contact, ...]:
    """Every contact of a contact field, from its lines' texts (the FORCE CONTACT label removed)."""
    records: list[list[str]] = []
    for text in (part for whole in texts for part in _split_line(clean(whole))):
        if not text:
            continue
        if records and _wraps(records[-1][-1], text) and not _FIELD_LABEL.match(text):
            records[-1][-1] = f"{records[-1][-1]} {text}"
        elif records and (_FIELD_LABEL.match(text) or not _starts_contact(records[-1], text)):
            records[-1].append(text)
        else:
            records.append([text])
    span = span_of(lines, file)
    return tuple(contact for record in records if (contact := _record(record, span)) is not None)


_NEXT_WHO = re.compile(r"[\s;,]*(?:and\s+)?(?=[A-Z])")


def _split_line(text: str) -> list[str]:
    """A line holding two contacts ("… – 07799 656588 DS Ann Other, DV Co-ordinator – 0115 …") split after
    the first one's phone or e-mail, where a rank or a name and post begin."""
    parts: list[str] = []
    start = 0
    for match in (*_PHONE.finditer(text), *_EMAIL.finditer(text)):
        rest = _NEXT_WHO.match(text, match.end())
        if rest is None or rest.end() >= len(text):
            continue
        tail = text[rest.end() :]
        who = _DASH.split(tail, 1)[0].split(",", 1)[0]
        if _RANK.match(tail) or ("," in tail[:60] and is_personal_name(who.strip())):
            parts.append(text[start : match.end()])
            start = rest.end()
    parts.append(text[start:])
    return parts


def _name_then_post(text: str) -> tuple[str, str]:
    """A personal name run together with a post (one line from a paragraph extractor) split in two."""
    words = text.split()
    for size in (2, 3):
        name, post = " ".join(words[:size]), " ".join(words[size:])
        if post and is_personal_name(name) and post[:1].isupper() and not is_personal_name(post):
            return name, post
    return text, ""


def _starts_contact(record: list[str], text: str) -> bool:
    """Whether a line opens a second contact: a person (or rank) after a record that has its name."""
    has_who = any(not _FIELD_LABEL.match(line) for line in record)
    complete = any(_PHONE.search(line) or _EMAIL.search(line) for line in record)
    return has_who and (complete or _RANK.match(text) is not None) and not _FIELD_LABEL.match(text)


def _record(record: list[str], span: SourceSpan) -> Contact | None:
    """One contact from its lines: who (name, rank, role) and labelled or inline phone, e-mail, address."""
    phone = email = address = None
    who_lines: list[str] = []
    for line in record:
        label = _FIELD_LABEL.match(line)
        value = line[label.end() :].strip() if label else line
        kind = label.group("label").casefold() if label else ""
        if kind.startswith("a"):
            address = address or value.strip(" ,;") or None
            continue
        found_email, found_phone = _EMAIL.search(value), _PHONE.search(value)
        email = email or (found_email.group(0) if found_email else None)
        phone = phone or (clean(found_phone.group(0)) if found_phone else None)
        if not label:
            who_lines.append(value)
    name, rank, role = _who(who_lines)
    if not any((name, rank, role, phone, email, address)):
        return None
    return Contact(name=name, rank=rank, role=role, phone=phone, span=span, email=email, address=address)


def _who(lines: list[str]) -> tuple[str, str | None, str | None]:
    """(personal name or "", rank, role) from the unlabelled lines of one contact."""
    if not lines:
        return "", None, None
    text = lines[0]
    phone, email = _PHONE.search(text), _EMAIL.search(text)
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
        if not role and not is_personal_name(clean(person)):  # "Dave Taylor Public Protection Unit"
            person, role = _name_then_post(clean(person))
    elif not is_personal_name(clean(person)):  # a post or unit only: a contact point, not a person
        person, role = "", clean(who) if not role else f"{clean(person)}, {clean(role)}"
    posts = [
        clean(_DASH.split(line)[0]) for line in lines[1:] if not (_PHONE.search(line) or _EMAIL.search(line))
    ]
    role = clean(role) or (posts[0] if posts and posts[0] else None)
    return clean(person), rank, role


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
    contacts: tuple[Contact, ...] = ()
    if "contact" in fields:
        contact_lines = fields["contact"][1]
        texts = [PRACTICE_LABEL.sub("", clean(contact_lines[0].text), count=1)]
        contacts = parse_contacts(texts + [line.text for line in contact_lines[1:]], contact_lines, file)
    else:
        warnings.append(f"line {first_line.number}: developing practice has no FORCE CONTACT")
    last_line = block[-1][1][-1]
    practice = Practice(
        inspection_area=fields["inspection_area"][0] or None if "inspection_area" in fields else None,
        title=fields["title"][0],
        problem=fields.get("problem", ("", []))[0],
        solution=fields.get("solution", ("", []))[0],
        outcomes=fields.get("outcomes", ("", []))[0],
        contact=contacts[0] if contacts else None,
        span=span_of([first_line, last_line], file),
        contacts=contacts,
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
