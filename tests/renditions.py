"""Renditions of the two sample reports: the same report as other producers, fonts and extractors print it.

The text edits of a rendition (:class:`tests.rendition_producers.Rendition`): other bullet glyphs,
paragraph-per-line, ligatures, hidden characters, mojibake, line-end hyphenation, other grade layouts, no
summary tables, a two-column glossary, contacts in other shapes, another force. None of the edits changes
what the report says, so the answers are those of the unmodified sample (its gold or hand list, and its
parse), adjusted only where an edit changes them on purpose (contacts, force, tables); see
:mod:`tests.rendition_scoring`.
"""

from __future__ import annotations

import functools
import itertools
import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from loaders.glossary import split_entry

Edit = Callable[[str], str]

_MARKER = re.compile(r"^(\s*)([•−])\s*")
_AREA_OR_LIST_HEADING = re.compile(
    r"^\s*(strengths|work in progress|areas? for improvement|neighbourhood policing|performance management|"
    r"protecting vulnerable people.*)\s*$",
    re.IGNORECASE,
)
_FINDING_HEADING = re.compile(r"^\s*(strengths|work in progress|areas? for improvement)\s*$", re.IGNORECASE)
_GRADE = re.compile(r"^(\s*)GRADE (EXCELLENT|GOOD|FAIR|POOR)\s*$")
_LABEL = re.compile(r"^\s*(INSPECTION AREA|TITLE|PROBLEM|SOLUTION|OUTCOME\(S\)|OUTCOMES?|FORCE CONTACT)\s*:")


# --- edits ----------------------------------------------------------------------------------------------


def glyph_bullets(glyphs: str, sub: str | None = None) -> Edit:
    """Bullets "•" printed as ``glyphs`` (cycled item by item: a mixed list), sub-bullets "−" as ``sub``."""

    def edit(text: str) -> str:
        cycle = itertools.cycle(glyphs)

        def swap(match: re.Match[str]) -> str:
            glyph = next(cycle) if match[2] == "•" else (sub or match[2])
            return f"{match[1]}{glyph} "

        return "\n".join(_MARKER.sub(swap, line) for line in text.split("\n"))

    return edit


def same_glyph_sub_bullets(glyph: str, indent: str) -> Edit:
    """Bullets and sub-bullets printed with one ``glyph``, told apart only by ``indent`` (spaces or a tab)
    before a sub-bullet and before the lines it wraps onto."""

    def edit(text: str) -> str:
        out: list[str] = []
        in_sub = False
        for line in text.split("\n"):
            match = _MARKER.match(line)
            if match:
                in_sub = match[2] == "−"
                line = f"{indent if in_sub else ''}{match[1]}{glyph} {line[match.end() :]}"
            elif in_sub and line.strip():
                line = indent + line
            if in_sub and line.rstrip().endswith((".", ";", ":")):
                in_sub = False  # the sub-item ends; what follows belongs to the parent
            out.append(line)
        return "\n".join(out)

    return edit


def numbered(style: str) -> Edit:
    """Bullets as "1." (``style="1."``) or "(a)" (``style="(a)"``), counting again after every heading."""

    def edit(text: str) -> str:
        out, n = [], 0
        for line in text.split("\n"):
            if _AREA_OR_LIST_HEADING.match(line):
                n = 0
            match = _MARKER.match(line)
            if match and match[2] == "•":
                n += 1
                mark = f"{n}." if style == "1." else f"({chr(ord('a') + (n - 1) % 26)})"
                line = f"{match[1]}{mark} {line[match.end() :]}"
            out.append(line)
        return "\n".join(out)

    return edit


def _starts_paragraph(line: str, previous: str) -> bool:
    stripped = line.strip()
    if not previous or _MARKER.match(line) or _LABEL.match(line) or _AREA_OR_LIST_HEADING.match(line):
        return True
    if _GRADE.match(line) or _GRADE.match(previous) or _AREA_OR_LIST_HEADING.match(previous):
        return True
    if stripped[:1].islower():
        return False
    return previous.rstrip().endswith((".", ":", ";", "!", "?")) or len(previous.split()) < 8


def paragraph_per_line(text: str) -> str:
    """One line per paragraph, as paragraph-per-line extractors write; a list heading shares its first
    item's line ("Strengths • Police authority …")."""
    paragraphs: list[str] = []
    lines = text.split("\n")
    glossary = _glossary_start(lines)
    for at, line in enumerate(lines):
        if not line.strip():
            continue
        if paragraphs and at < glossary and not _starts_paragraph(line, paragraphs[-1]):
            paragraphs[-1] = paragraphs[-1].rstrip() + " " + line.strip()
        else:
            paragraphs.append(line.strip())
    out: list[str] = []
    for line in paragraphs:
        if out and _FINDING_HEADING.match(out[-1]) and _MARKER.match(line):
            out[-1] = out[-1].strip() + " " + line
        else:
            out.append(line)
    return "\n".join(out)


_LIGATURES = (("ffi", "ﬃ"), ("ffl", "ﬄ"), ("ff", "ﬀ"), ("fi", "ﬁ"), ("fl", "ﬂ"))


def ligatures(text: str) -> str:
    for plain, ligature in _LIGATURES:
        text = text.replace(plain, ligature)
    return text


def hidden_characters(text: str) -> str:
    """No-break spaces between some words, soft hyphens and zero-width characters inside long words."""
    counter = itertools.count()

    def word(match: re.Match[str]) -> str:
        w = match[0]
        n = next(counter)
        if n % 3 == 0:
            return w[:4] + "\u00ad" + w[4:]
        if n % 3 == 1:
            return w[:3] + ("\u200b" if n % 2 else "\u2060") + w[3:]
        return w

    text = re.sub(r"(?<=[a-z]) (?=[a-z]{3})", lambda m: "\u00a0" if next(counter) % 4 == 0 else " ", text)
    return re.sub(r"\b[a-z]{10,}\b", word, text)


def mojibake(text: str) -> str:
    """UTF-8 bytes read as cp1252 (the "â€™" of a mis-declared file); bytes cp1252 leaves undefined are
    read as latin-1, as Windows does."""
    data = text.encode("utf-8")
    return (
        "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in data)
        if not data.isascii()
        else text
    )


@functools.cache
def _hyphenator() -> Any:
    import pyphen

    return pyphen.Pyphen(lang="en_GB")


def hyphenate_line_ends(every: int = 2) -> Edit:
    """Move the first syllables of a wrapped line's first long word to the end of the line above it
    ("… Neighbour-" / "hood …"); a hyphenated compound is split at its own hyphen ("front-" / "line")."""

    def edit(text: str) -> str:
        lines = text.split("\n")
        count = 0
        for i in range(1, _glossary_start(lines)):  # not inside glossary columns
            above, line = lines[i - 1], lines[i]
            if len(above.split()) < 6 or _LABEL.match(line) or above.rstrip().endswith("-"):
                continue
            match = re.match(r"(\s*)([a-z]{7,}|[a-z]{2,}-[a-z]{3,})\b", line)
            if not match:
                continue
            count += 1
            if count % every:
                continue
            word = match[2]
            if "-" in word:
                head, tail = word.split("-", 1)
            else:
                positions = _hyphenator().positions(word)
                if not positions:
                    continue
                cut = min(positions, key=lambda p: abs(p - len(word) / 2))
                head, tail = word[:cut], word[cut:]
            lines[i - 1] = above.rstrip() + " " + head + "-"
            lines[i] = match[1] + tail + line[match.end() :]
        return "\n".join(lines)

    return edit


def grade_layout(fmt: str) -> Edit:
    """ "GRADE GOOD" printed as ``fmt`` ("GRADE\\n{GRADE}", "Grade – {Grade}", ...)."""

    def edit(text: str) -> str:
        return "\n".join(
            _GRADE.sub(lambda m: m[1] + fmt.format(GRADE=m[2], Grade=m[2].capitalize()), line)
            for line in text.split("\n")
        )

    return edit


def drop_summary_tables(text: str) -> str:
    """The two summary tables removed (a report that prints only the sections)."""
    lines = text.split("\n")
    start = next(i for i, ln in enumerate(lines) if ln.strip().casefold() == "national summary of judgements")
    force = next(i for i, ln in enumerate(lines) if ln.strip().casefold() == "force summary of judgements")
    end = force + 1
    while end < len(lines) and (
        not lines[end].strip()
        or re.search(r"\b(grade|good|fair|poor|excellent)\s*$", lines[end], re.IGNORECASE)
    ):
        end += 1
    return "\n".join(lines[:start] + lines[end:])


def _glossary_start(lines: Sequence[str]) -> int:
    return next(i for i, ln in enumerate(lines) if "glossary of terms" in ln.casefold())


def glossary_entries(text: str) -> tuple[list[str], list[tuple[str, str]]]:
    """The lines before the glossary (heading included) and its (abbreviation, expansion) entries."""
    lines = text.split("\n")
    start = _glossary_start(lines)
    entries = []
    for line in lines[start + 1 :]:
        parts = re.split(r"\s{2,}|\t", line.strip(), maxsplit=1)
        if len(parts) == 2:
            entries.append((parts[0], parts[1]))
        elif len(line.split()) > 1:  # "ACC (TP) assistant chief constable …": split as the sample prints it
            entry = split_entry(line)
            if entry:
                entries.append(entry)
    return lines[: start + 1], entries


def two_column_glossary(text: str, column: int = 46) -> str:
    """The glossary set in two columns, as ``pdftotext -layout`` prints a two-column page; a long expansion
    wraps inside its column."""
    head, entries = glossary_entries(text)
    half = (len(entries) + 1) // 2
    width = max(len(a) for a, _ in entries) + 3

    def cells(part: list[tuple[str, str]]) -> list[str]:
        out: list[str] = []
        for abbreviation, expansion in part:
            wrapped = textwrap.wrap(expansion, column - width) or [""]
            out.append(f"{abbreviation:<{width}}{wrapped[0]}")
            out.extend(" " * width + more for more in wrapped[1:])
            out.append("")
        return out

    left, right = cells(entries[:half]), cells(entries[half:])
    rows = [f"{a:<{column + 4}}{b}".rstrip() for a, b in itertools.zip_longest(left, right, fillvalue="")]
    return "\n".join([*head, "", *rows])


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def tabs_and_indents(text: str) -> str:
    """Tabs for the double spaces, list items indented, an extra blank line after every heading."""
    out = []
    for line in text.split("\n"):
        line = line.replace("  ", "\t")
        if _MARKER.match(line):
            line = "    " + line.lstrip()
        out.append(line)
        if _AREA_OR_LIST_HEADING.match(line):
            out.extend(["", ""])
    return "\n".join(out)


def heading_case(case: Callable[[str], str]) -> Edit:
    def edit(text: str) -> str:
        return "\n".join(
            line.replace(line.strip(), case(line.strip())) if _AREA_OR_LIST_HEADING.match(line) else line
            for line in text.split("\n")
        )

    return edit


def heading_colons(text: str) -> str:
    """Finding headings printed with a colon ("Strengths:")."""
    return "\n".join(
        line.rstrip() + ":" if _FINDING_HEADING.match(line) else line for line in text.split("\n")
    )


def insert_after(anchor: str, sentence: str) -> Edit:
    """``sentence`` added as a paragraph after the first line containing ``anchor``."""

    def edit(text: str) -> str:
        lines = text.split("\n")
        at = next(i for i, ln in enumerate(lines) if anchor in ln)
        return "\n".join([*lines[: at + 1], "", sentence, "", *lines[at + 1 :]])

    return edit


# --- contacts -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactAnswer:
    """One contact a practice must yield (``name`` None: a contact point, not a person)."""

    name: str | None
    rank: str | None = None
    role: str | None = None
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class ContactShape:
    """The FORCE CONTACT lines printed for the sample contact ``old`` (a name in its contact line)."""

    old: str
    printed: tuple[str, ...]
    answers: tuple[ContactAnswer, ...]
    occurrence: int = 1  # which FORCE CONTACT line naming ``old`` (1 = the first)


def reshape_contacts(shapes: Sequence[ContactShape]) -> Edit:
    def edit(text: str) -> str:
        lines = text.split("\n")
        out: list[str] = []
        seen: dict[str, int] = {}
        skip_tail = False
        for line in lines:
            if skip_tail and re.fullmatch(r"\s*[–-]?\s*[\d ]{4,}\s*", line):
                skip_tail = False
                continue
            skip_tail = False
            shape = None
            if line.lstrip().startswith("FORCE CONTACT"):
                for candidate in shapes:
                    if candidate.old in line:
                        seen[candidate.old] = seen.get(candidate.old, 0) + 1
                        if seen[candidate.old] == candidate.occurrence:
                            shape = candidate
            if shape is None:
                out.append(line)
                continue
            out.extend(shape.printed)
            skip_tail = True
        return "\n".join(out)

    return edit
