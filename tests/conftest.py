"""Shared test helpers: the sample reports and a PDF renderer for round-trip tests."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

REPORTS = Path(__file__).resolve().parent.parent / "data" / "reports"
NOTTS = REPORTS / "nottinghamshire-2007.txt"
NORTHANTS = REPORTS / "northamptonshire-2007.txt"

# A TrueType font with curly quotes, dashes, bullets and the minus sign (Helvetica's standard encoding
# lacks some of them). DejaVu Sans where the system has it, else Vera, which reportlab ships.
_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
)
_FONT_NAME = "HmicTestSans"


def _register_font() -> str:
    """Register (once) the test font with reportlab and return its name."""
    from reportlab import rl_config
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if _FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        bundled = Path(rl_config.__file__).parent / "fonts" / "Vera.ttf"
        font = next((Path(p) for p in _FONT_CANDIDATES if Path(p).is_file()), bundled)
        pdfmetrics.registerFont(TTFont(_FONT_NAME, str(font)))
    return _FONT_NAME


def render_pdf(lines: Sequence[str], path: Path, lines_per_page: int = 50) -> Path:
    """Write ``lines`` to a PDF at ``path``, one line of text per PDF line, ``lines_per_page`` a page.

    Blank lines keep their slot (so the layout follows the text) but a PDF has no blank lines to extract:
    a reader gets back the non-blank lines, in order. Returns ``path``.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    font = _register_font()
    height = A4[1]
    leading = (height - 100) / lines_per_page
    pdf = canvas.Canvas(str(path), pagesize=A4, pageCompression=1)
    for start in range(0, max(len(lines), 1), lines_per_page):
        pdf.setFont(font, min(9, leading * 0.8))
        for row, text in enumerate(lines[start : start + lines_per_page]):
            if text.strip():
                pdf.drawString(40, height - 50 - row * leading, text.rstrip())
        pdf.showPage()
    pdf.save()
    return path


@pytest.fixture
def pdf_renderer() -> Callable[[Sequence[str], Path], Path]:
    """The :func:`render_pdf` helper, as a fixture for tests that prefer injection."""
    return render_pdf
