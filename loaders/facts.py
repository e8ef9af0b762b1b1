"""Force facts from the "Force Overview and Context" prose, the assessment period, and the
"Force developments since 2006" reinspection results.

All patterns run over the region's lines joined into one string, so wrapped phrases still match and
each match maps back to its lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from loaders.model import Fact, Grade, Line, Reinspection, SourceSpan
from loaders.text_utils import JoinedText, clean, grade_of, join_lines, label_key, sentences

_NUMBER = r"(?<![\d,.])(\d{1,3}(?:,\d{3})+|\d{1,12})(?:\.\d+)?"  # starts only at a number's start
_INT_FACTS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (key, re.compile(pattern, re.IGNORECASE))
    for key, pattern in (
        ("area_sq_km", _NUMBER + r"\s*(?:square\s+(?:km|kilomet(?:re|er)s)|sq\.?\s*km|km2|km²)"),
        ("area_sq_miles", _NUMBER + r"\s*(?:square|sq\.?)\s+miles"),
        (
            "population",
            r"population\s+of\s+(?:about\s+|around\s+|approximately\s+|some\s+|nearly\s+|over\s+)?"
            r"(\d{1,3}(?:,\d{3})+|\d{4,12})\b",
        ),
        ("households", _NUMBER + r"\s+households"),
        ("police_officers", _NUMBER + r"\s+(?:full[- ]time\s+equivalent\s+)?police\s+officers"),
        ("police_staff", _NUMBER + r"\s+(?:police|support)\s+staff"),
        ("special_constables", _NUMBER + r"\s+special\s+constables"),
        ("pcsos", _NUMBER + r"\s+(?:police\s+community\s+support\s+officers|PCSOs)"),
    )
)
_BUDGET = re.compile(r"budget[^£.]{0,120}?(£\s?\d[\d,.]*(?:\s*(?:million|billion|bn|m)\b)?)", re.IGNORECASE)
_BCUS = re.compile(
    r"(?:BCUs|basic\s+command\s+units|territorial\s+divisions)\s+(?:are|comprise|consist\s+of)\s+([^.]{3,300})"
)
_PARENTHESES = re.compile(r"\s*\([^()]*\)")
_LIST_SPLIT = re.compile(r",\s*(?:and\s+)?|\s+and\s+")
_MAX_BCU_WORDS = 5

_PERIOD = re.compile(
    r"assessment\s+period\s+(?:(?:ran|runs|was|is|extended)\s+)?(?:of\s+|from\s+|covering\s+)?"
    r"((?:[A-Z][a-z]+\s+)?(?:19|20)\d\d\s+(?:to|until|–|-)\s+(?:[A-Z][a-z]+\s+)?((?:19|20)\d\d))"
)

_G = r"(Excellent|Good|Fair|Poor)"
_D = r"(Improved|Improving|Stable|Declined|Declining|Deteriorated)"
_CODED_FRAMEWORK = re.compile(
    r"\b([A-Z][a-z]{0,30}(?:\s+(?:(?:and|of|the|in|for)\s+)?[A-Z][a-z]{0,30}){0,7})\s*\((\d{1,2}[A-Z])\)"
)
_OLD_GRADE_FOR = re.compile(_G + r"\s*(?:and|/)\s*" + _D + r"\s+for\s+(?:the\s+)?([^;.]{1,200})")
_TRANSITION = re.compile(
    r"from\s+" + _G + r"\s*(?:and|/)\s*" + _D + r".{0,30}?\bto\s+" + _G + r"\s*(?:and|/)\s*" + _D
)
_NEW_GRADE = re.compile(
    r"(?:now\s+(?:graded\s+)?(?:as\s+)?|grade\s+of\s+|graded\s+as\s+)" + _G + r"\s*(?:and|/)\s*" + _D
)
_UNCHANGED = re.compile(r"remains?\s+at\s+the\s+(?:same\s+)?grade|grade\s+(?:is\s+)?unchanged", re.IGNORECASE)
_HEADING_MAX_WORDS = 8
_STOP_WORDS = frozenset({"and", "the", "of", "for", "in", "implementation"})

OVERVIEW_HEADING = re.compile(r"force\s+overview(?:\s+and\s+context)?", re.IGNORECASE)
DEVELOPMENTS_HEADING = re.compile(r"force\s+developments\s+since\s+\d{4}", re.IGNORECASE)


def _as_int(digits: str) -> int:
    return int(digits.replace(",", ""))


def overview_to_facts(lines: Sequence[Line], file: str) -> list[Fact]:
    """Facts of the force overview, each the first match of its pattern."""
    joined = join_lines(lines)
    facts: list[Fact] = []
    for key, pattern in _INT_FACTS:
        match = pattern.search(joined.text)
        if match:
            facts.append(Fact(key, _as_int(match.group(1)), joined.span(match.start(), match.end(), file)))
    budget = _BUDGET.search(joined.text)
    if budget:
        value = clean(budget.group(1)).rstrip(".,")
        facts.append(Fact("budget_text", value, joined.span(budget.start(1), budget.end(1), file)))
    bcus = territorial_bcus(joined, file)
    if bcus:
        facts.append(bcus)
    return facts


def territorial_bcus(joined: JoinedText, file: str) -> Fact | None:
    """The BCU names of "The four territorial BCUs are A division, B division … and D division"."""
    for match in _BCUS.finditer(joined.text):
        listed = _PARENTHESES.sub("", match.group(1))
        names = tuple(clean(name) for name in _LIST_SPLIT.split(listed) if clean(name))
        if len(names) >= 2 and all(len(name.split()) <= _MAX_BCU_WORDS for name in names):
            return Fact("territorial_bcus", names, joined.span(match.start(), match.end(), file))
    return None


def assessment_period(joined: JoinedText, file: str) -> tuple[str | None, int | None, SourceSpan | None]:
    """("April 2006 to July 2007", 2007, span) from "the assessment period April 2006 to July 2007"."""
    match = _PERIOD.search(joined.text)
    if not match:
        return None, None, None
    return clean(match.group(1)), int(match.group(2)), joined.span(match.start(1), match.end(1), file)


def _direction(word: str | None) -> str | None:
    return word.capitalize() if word else None


def _subsections(lines: Sequence[Line]) -> list[tuple[str, list[Line]]]:
    """Short unpunctuated lines after a blank line, each heading the lines up to the next one."""
    parts: list[tuple[str, list[Line]]] = []
    previous_blank = True
    for line in lines:
        text = clean(line.text)
        heading = (
            previous_blank
            and text
            and len(text.split()) <= _HEADING_MAX_WORDS
            and text[0].isupper()
            and not text.endswith((".", ":", ";", ","))
        )
        if heading:
            parts.append((text, []))
        elif parts and text:
            parts[-1][1].append(line)
        previous_blank = not text
    return parts


def _words(text: str) -> set[str]:
    return set(label_key(text).split()) - _STOP_WORDS


def _same_framework(a: str, b: str) -> bool:
    wa, wb = _words(a), _words(b)
    return bool(wa and wb) and (wa <= wb or wb <= wa)


def _grades_in(text: str) -> tuple[tuple[Grade | None, str | None], tuple[Grade | None, str | None], bool]:
    """(old, new, unchanged) read from a text about one framework."""
    old: tuple[Grade | None, str | None] = (None, None)
    new: tuple[Grade | None, str | None] = (None, None)
    for match in _TRANSITION.finditer(text):
        old = (grade_of(match.group(1)), _direction(match.group(2)))
        new = (grade_of(match.group(3)), _direction(match.group(4)))
    if new == (None, None):
        for match in _NEW_GRADE.finditer(text):
            new = (grade_of(match.group(1)), _direction(match.group(2)))
    return old, new, _UNCHANGED.search(text) is not None


def developments_to_reinspections(lines: Sequence[Line], file: str) -> list[Reinspection]:
    """Reinspected frameworks with old and new grade/direction where the text states them."""
    joined = join_lines(lines)
    text = joined.text
    frameworks: list[tuple[str, str | None, tuple[int, int]]] = []
    old_grades: dict[int, tuple[Grade | None, str | None]] = {}
    for match in _CODED_FRAMEWORK.finditer(text):
        if all(code != match.group(2) for _, code, _ in frameworks):
            frameworks.append((match.group(1), match.group(2), match.span()))
    subsections = _subsections(lines)
    for match in _OLD_GRADE_FOR.finditer(text):
        name = clean(match.group(3))
        if subsections and not any(_same_framework(name, heading) for heading, _ in subsections):
            continue  # graded in 2006 but not reinspected here
        known = next((i for i, (n, _, _) in enumerate(frameworks) if _same_framework(n, name)), None)
        if known is None:
            frameworks.append((name, None, match.span()))
            known = len(frameworks) - 1
        old_grades[known] = (grade_of(match.group(1)), _direction(match.group(2)))
    results = []
    for index, (name, code, (start, end)) in enumerate(frameworks):
        about, last = _text_about(name, code, text, subsections, joined)
        old, new, unchanged = _grades_in(about)
        old = old if old != (None, None) else old_grades.get(index, (None, None))
        if unchanged and new == (None, None):
            new = (old[0], None)
        span = joined.span(start, max(end, last), file)
        results.append(Reinspection(name, code, old[0], old[1], new[0], new[1], span))
    return results


def _text_about(
    name: str, code: str | None, text: str, subsections: list[tuple[str, list[Line]]], joined: JoinedText
) -> tuple[str, int]:
    """The text about one framework (its subsection, else the sentences naming it) and where it ends."""
    for heading, body in subsections:
        if body and _same_framework(name, heading):
            about = " ".join(clean(line.text) for line in body)
            last_line = body[-1].number
            offset = next(
                (joined.starts[i] for i, line in enumerate(joined.lines) if line.number == last_line), 0
            )
            return about, offset
    chosen = [(a, b) for a, b in sentences(text) if (code and f"({code})" in text[a:b]) or name in text[a:b]]
    if not chosen:
        return "", 0
    return " ".join(text[a:b] for a, b in chosen), chosen[-1][1]
