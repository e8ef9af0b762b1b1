"""Producers of renditions: a :class:`Rendition` is a sample, text edits (:mod:`tests.renditions`) and a
producer — the edited text itself, a PDF drawn by reportlab, a PDF from LibreOffice headless, or
``pdftotext`` (with or without ``-layout``) of such a PDF. Files are written once per directory (LibreOffice
takes seconds a file), so a test session produces each rendition once.
"""

from __future__ import annotations

import html
import itertools
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.heldout import SAMPLES, Variant, rewrite_report
from tests.renditions import _MARKER, ContactShape, Edit, _glossary_start, glossary_entries, reshape_contacts


@dataclass(frozen=True)
class Rendition:
    """One rendition of a sample: edits in order, then a producer ("text", "reportlab", "soffice",
    "layout" = ``pdftotext -layout`` of the reportlab PDF, "soffice-text" = ``pdftotext`` of LibreOffice's
    PDF, "soffice-layout" = ``pdftotext -layout`` of LibreOffice's PDF)."""

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
    suffix = ".txt" if rendition.producer in ("text", "layout", "soffice-text", "soffice-layout") else ".pdf"
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
    elif rendition.producer == "soffice-layout":  # pdftotext -layout: one space may join table columns
        pdf = directory / f"{rendition.name}-source.pdf"
        _soffice_pdf(text, pdf, rendition.glossary_columns)
        subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), str(path)], check=True, timeout=60)
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
