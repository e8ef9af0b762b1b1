"""Renditions of the two sample reports: the same report as other producers, fonts and extractors print it.

A :class:`Rendition` is a list of text edits (other bullet glyphs, paragraph-per-line, ligatures, hidden
characters, mojibake, line-end hyphenation, other grade layouts, no summary tables, a two-column glossary,
contacts in other shapes, another force) and a producer: the edited text itself, a PDF drawn by reportlab,
a PDF from LibreOffice headless, or ``pdftotext -layout`` of a PDF. None of the edits changes what the
report says, so the answers are those of the unmodified sample (its gold or hand list, and its parse),
adjusted only where an edit changes them on purpose (contacts, force, tables); see
:mod:`tests.rendition_scoring`.
"""

from __future__ import annotations

import functools
import html
import itertools
import re
import shutil
import subprocess
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loaders.glossary import split_entry
from tests.heldout import SAMPLES, Variant, rewrite_report

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


# --- renditions -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendition:
    """One rendition of a sample: edits in order, then a producer ("text", "reportlab", "soffice",
    "layout" = ``pdftotext -layout`` of the reportlab PDF, "soffice-text" = ``pdftotext`` of LibreOffice's
    PDF)."""

    name: str
    sample: str
    edits: tuple[Edit, ...] = ()
    producer: str = "text"
    variant: Variant | None = None  # a force rename (tests.heldout), applied before the edits
    contacts: tuple[ContactShape, ...] = ()
    tables: bool = True  # False when the edits drop the summary tables
    glossary_columns: int = 1  # LibreOffice: the glossary as an HTML table of this many entry columns
    slow: bool = False
    notes: dict[str, str] = field(default_factory=dict)

    def text(self) -> str:
        base = rewrite_report(self.variant) if self.variant else SAMPLES[self.sample].read_text("utf-8")
        if self.contacts:
            base = reshape_contacts(self.contacts)(base)
        for edit in self.edits:
            base = edit(base)
        return base


def materialise(rendition: Rendition, directory: Path) -> Path:
    """Write the rendition's file into ``directory`` (reusing one already there) and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    suffix = ".txt" if rendition.producer in ("text", "layout", "soffice-text") else ".pdf"
    path = directory / f"{rendition.name}{suffix}"
    if path.exists():
        return path
    text = rendition.text()
    if rendition.producer == "text":
        path.write_bytes(text.encode("utf-8"))
    elif rendition.producer == "reportlab":
        render_columns_pdf(text.split("\n"), path)
    elif rendition.producer == "layout":
        pdf = render_columns_pdf(text.split("\n"), directory / f"{rendition.name}-source.pdf")
        subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), str(path)], check=True, timeout=60)
    elif rendition.producer == "soffice":
        _soffice_pdf(text, path, rendition.glossary_columns)
    elif rendition.producer == "soffice-text":  # pdftotext's reading order, not -layout
        pdf = directory / f"{rendition.name}-source.pdf"
        _soffice_pdf(text, pdf, rendition.glossary_columns)
        subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), str(path)], check=True, timeout=60)
    else:
        raise ValueError(f"unknown producer {rendition.producer!r}")
    return path


_CELL = re.compile(r"\S(?:.*?\S)??(?=\s{3,}|\s*$)")


def render_columns_pdf(lines: Sequence[str], path: Path, lines_per_page: int = 50) -> Path:
    """As :func:`tests.conftest.render_pdf`, but after the glossary heading every cell of a line (text apart
    by three spaces or more) is drawn at its own x position, so a two-column glossary is two columns on the
    page (pdfplumber then sees words far apart, not space characters)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from tests.conftest import _register_font

    font = _register_font()
    height = A4[1]
    leading = (height - 100) / lines_per_page
    glossary = _glossary_start(lines)
    pdf = canvas.Canvas(str(path), pagesize=A4, pageCompression=1)
    for start in range(0, max(len(lines), 1), lines_per_page):
        pdf.setFont(font, min(9, leading * 0.8))
        for row, text in enumerate(lines[start : start + lines_per_page]):
            y = height - 50 - row * leading
            if start + row <= glossary:
                if text.strip():
                    pdf.drawString(40, y, text.rstrip())
                continue
            for cell in _CELL.finditer(text.rstrip()):
                pdf.drawString(40 + cell.start() * 5.4, y, cell.group(0))
        pdf.showPage()
    pdf.save()
    return path


def soffice_available() -> bool:
    return shutil.which("soffice") is not None


def _soffice_pdf(text: str, path: Path, glossary_columns: int = 1) -> None:
    """The text as an HTML page (one paragraph per line, bullets as list items; the glossary, with two
    columns, as a table of abbreviation and expansion cells), converted by LibreOffice."""
    body = []
    lines = text.split("\n")
    if glossary_columns == 2:
        head, entries = glossary_entries(text)
        half = (len(entries) + 1) // 2
        rows = []
        for left, right in itertools.zip_longest(entries[:half], entries[half:]):
            cells = [*(left or ("", "")), *(right or ("", ""))]
            rows.append("<tr>" + "".join(f"<td valign='top'>{html.escape(c)}</td>" for c in cells) + "</tr>")
        table = '<table style="font-size:8pt" width="100%">' + "".join(rows) + "</table>"
        lines = head
    for line in lines:
        match = _MARKER.match(line)
        if match and match[2] == "•":
            body.append(
                f'<ul style="margin:0"><li style="font-size:8pt">{html.escape(line[match.end() :])}</li></ul>'
            )
        else:
            body.append(f'<p style="margin:0;font-size:8pt">{html.escape(line) or "&nbsp;"}</p>')
    if glossary_columns == 2:
        body.append(table)
    page = "<html><head><meta charset='utf-8'></head><body>" + "\n".join(body) + "</body></html>"
    source = path.with_suffix(".html")
    source.write_text(page, encoding="utf-8")
    profile = path.parent / "soffice-profile"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf:writer_web_pdf_Export",
            "--outdir",
            str(path.parent),
            str(source),
        ],
        check=True,
        timeout=180,
        capture_output=True,
    )
