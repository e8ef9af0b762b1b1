"""Hand-written hostile PDFs (zlib-compressed content streams), built the way the probe built them."""

from __future__ import annotations

import zlib

TEXT_OPERATORS = b"BT /F1 12 Tf 72 720 Td (Inspection finding text) Tj ET\n"


def pdf_with_content(content: bytes, *, subtype: bytes | None = None) -> bytes:
    """A one-page PDF whose page content stream is ``content`` (Flate-compressed), optionally labelled
    with a ``/Subtype`` (``b"/Image"`` hides it from checks that trust the label)."""
    stream = zlib.compress(content, 9)
    extra = b" /Subtype " + subtype if subtype else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode%s >>\nstream\n" % (len(stream), extra) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def hostile_pdfs() -> dict[str, bytes]:
    """name -> bytes: the three bombs of the probe."""
    return {
        "image-labelled-text-2mb.pdf": pdf_with_content(
            TEXT_OPERATORS * (2_000_000 // len(TEXT_OPERATORS)), subtype=b"/Image"
        ),
        "image-labelled-text-50mb.pdf": pdf_with_content(
            TEXT_OPERATORS * (50_000_000 // len(TEXT_OPERATORS)), subtype=b"/Image"
        ),
        "text-operators-8mb.pdf": pdf_with_content(TEXT_OPERATORS * (8_000_000 // len(TEXT_OPERATORS))),
    }
