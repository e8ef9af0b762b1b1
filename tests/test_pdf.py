"""PDF reports: a round trip of the Nottinghamshire sample, and hostile or broken PDFs."""

from __future__ import annotations

import zlib
from pathlib import Path

import pypdf
import pytest

from loaders import pdf as pdf_module
from loaders.errors import LoaderError
from loaders.model import SourceText
from loaders.pdf import read_pdf_bytes
from loaders.source import read_source
from tests.conftest import NOTTS, render_pdf


def _squash(text: str) -> str:
    return " ".join(text.split())  # a PDF keeps words, not runs of spaces


@pytest.fixture(scope="module")
def notts_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    lines = NOTTS.read_text(encoding="utf-8").split("\n")
    return render_pdf(lines, tmp_path_factory.mktemp("pdf") / "notts.pdf")


@pytest.fixture(scope="module")
def notts_source(notts_pdf: Path) -> SourceText:
    return read_pdf_bytes(notts_pdf.read_bytes(), str(notts_pdf))


def _error(path: Path) -> str:
    with pytest.raises(LoaderError) as caught:
        read_source(path)
    message = str(caught.value)
    assert message.startswith(str(path)) and "\n" not in message
    return message


def _hand_made_pdf(content: bytes, filters: str = "") -> bytes:
    """A one-page PDF whose page content stream is ``content`` (already encoded with ``filters``)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d %s >>\nstream\n" % (len(content), filters.encode()) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# --- round trip ---------------------------------------------------------------------------------------


def test_notts_round_trip_keeps_every_line_in_order(notts_source: SourceText) -> None:
    source = notts_source
    expected = [_squash(t) for t in NOTTS.read_text(encoding="utf-8").split("\n") if t.strip()]
    assert [_squash(line.text) for line in source.lines if line.text.strip()] == expected
    assert (source.format, source.name, source.pages) == ("pdf", "notts.pdf", 45)
    assert [line.number for line in source.lines] == list(range(1, len(source.lines) + 1))


def test_notts_round_trip_keeps_pages_and_punctuation(notts_source: SourceText) -> None:
    source = notts_source
    pages = [line.page for line in source.lines]
    assert pages == sorted(pages) and pages[0] == 1 and pages[-1] == 45
    text = "\n".join(line.text for line in source.lines)
    assert "Her Majesty’s Inspectorate" in text and "information – including" in text
    assert "• DV is regarded as a priority" in text
    line = next(ln for ln in source.lines if ln.text.startswith("the level of importance attached"))
    assert line.page == 1629 // 50 + 1  # report line 1629 was drawn on page 33


def test_read_source_on_a_pdf_removes_furniture(notts_pdf: Path) -> None:
    source = read_source(notts_pdf)
    assert source.format == "pdf"
    assert not any(line.text in ("Page 4", "Page 34") or "Final Draft" in line.text for line in source.lines)
    assert len(source.warnings) == 2 and "inside a paragraph" in source.warnings[1]


def test_render_pdf_pages_by_lines_per_page(tmp_path: Path) -> None:
    path = render_pdf([f"line {n}" for n in range(1, 8)], tmp_path / "small.pdf", lines_per_page=3)
    source = read_pdf_bytes(path.read_bytes(), str(path))
    assert [(ln.text, ln.page) for ln in source.lines][::3] == [("line 1", 1), ("line 4", 2), ("line 7", 3)]


# --- bad PDFs -----------------------------------------------------------------------------------------


def test_encrypted_pdf(tmp_path: Path, notts_pdf: Path) -> None:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(notts_pdf))
    writer.encrypt(user_password="secret", owner_password="owner")
    target = tmp_path / "locked.pdf"
    with target.open("wb") as handle:
        writer.write(handle)
    assert "encrypted PDF; decrypt it first" in _error(target)


def test_owner_password_only_pdf_is_read(tmp_path: Path) -> None:
    plain = render_pdf(["Protected but readable"], tmp_path / "plain.pdf")
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(plain))
    writer.encrypt(user_password="", owner_password="owner")
    target = tmp_path / "owner.pdf"
    with target.open("wb") as handle:
        writer.write(handle)
    assert [line.text for line in read_source(target).lines] == ["Protected but readable"]


@pytest.mark.parametrize("keep", [0.5, 0.1])
def test_truncated_pdf_is_corrupt(tmp_path: Path, notts_pdf: Path, keep: float) -> None:
    data = notts_pdf.read_bytes()
    target = tmp_path / "truncated.pdf"
    target.write_bytes(data[: int(len(data) * keep)])
    assert "not a readable PDF (corrupt or truncated)" in _error(target)


def test_header_only_pdf_is_corrupt(tmp_path: Path) -> None:
    target = tmp_path / "stub.pdf"
    target.write_bytes(b"%PDF-1.7\n" + b"garbage " * 100)
    assert "not a readable PDF" in _error(target)


def test_pdf_without_text(tmp_path: Path) -> None:
    target = render_pdf(["", ""], tmp_path / "blank.pdf")
    assert "no extractable text" in _error(target)


def test_decompression_bomb_is_refused(tmp_path: Path) -> None:
    bomb = zlib.compress(b"BT ET " * 5_000_000, 9)  # 30 MB of content from a file of a few dozen KB
    target = tmp_path / "bomb.pdf"
    target.write_bytes(_hand_made_pdf(bomb, "/Filter /FlateDecode"))
    assert target.stat().st_size < 100_000
    assert "decompression bomb" in _error(target)


def test_hand_made_pdf_is_read(tmp_path: Path) -> None:
    content = b"BT /F1 12 Tf 72 700 Td (Hello from a hand-made PDF) Tj ET"
    pdf = _hand_made_pdf(content).replace(
        b"/Contents 4 0 R",
        b"/Contents 4 0 R /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 "
        b"/BaseFont /Helvetica >> >> >>",
    )
    source = read_pdf_bytes(pdf, "hand.pdf")
    assert [line.text for line in source.lines] == ["Hello from a hand-made PDF"]


def test_too_many_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = render_pdf(["a", "b", "c"], tmp_path / "three.pdf", lines_per_page=1)
    monkeypatch.setattr(pdf_module, "MAX_PAGES", 2)
    assert "3 pages" in _error(target)


def test_text_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = render_pdf(["a line of text"] * 20, tmp_path / "text.pdf")
    monkeypatch.setattr(pdf_module, "_TEXT_BUDGET", (0, 100, 100))
    assert "refusing to read on" in _error(target)
