"""Read the bytes of a PDF report into numbered lines, one page at a time.

Text comes from pdfplumber (maintained, built on pdfminer.six, gives the text of each page separately).
Lines are numbered consecutively across pages (1-based) and each keeps its 1-based page; trailing
whitespace is dropped. Before any text is extracted, pypdf checks the file: an encrypted PDF that will not
open without a password is refused, and so is a file whose streams decompress to far more than its size
suggests (a decompression bomb) or that has an absurd page count. Extraction then stops if the text grows
past a budget or takes too long. Every failure becomes a :class:`LoaderError` with a plain reason.
"""

from __future__ import annotations

import hashlib
import io
import logging
import time
import unicodedata
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import PurePath

import pdfplumber
import pypdf
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException
from pypdf.errors import FileNotDecryptedError, LimitReachedError
from pypdf.generic import IndirectObject, NameObject, StreamObject

from loaders.errors import LoaderError
from loaders.model import Line, SourceText
from loaders.pdf_columns import ColumnState, widen_gaps

MAX_PAGES = 2_000
MAX_SECONDS = 300.0
_MB = 1024 * 1024
_STREAM_BUDGET = (100, 20 * _MB, 256 * _MB)  # x file size, floor, ceiling: decompressed non-image streams
_TEXT_BUDGET = (50, 5 * _MB, 200 * _MB)  # x file size, floor, ceiling: characters of extracted text

_ENCRYPTED = "encrypted PDF; decrypt it first"
_CORRUPT = "not a readable PDF (corrupt or truncated)"


def read_pdf_bytes(data: bytes, path: str) -> SourceText:
    """Extract the text of the PDF ``data`` (the bytes of the file at ``path``) page by page."""
    with warnings.catch_warnings(), _quiet_pdf_libraries():
        warnings.simplefilter("ignore")
        page_count = _check_structure(data, path)
        lines, notes = _extract_lines(data, path)
    if not any(line.text for line in lines):
        raise LoaderError(path, "PDF has no extractable text (a scanned image? it needs OCR first)")
    return SourceText(
        path=str(path),
        name=PurePath(str(path)).name,
        sha256=hashlib.sha256(data).hexdigest(),
        format="pdf",
        pages=page_count,
        lines=lines,
        warnings=notes,
    )


@contextmanager
def _quiet_pdf_libraries() -> Iterator[None]:
    """Keep pypdf's and pdfminer's log lines ("EOF marker not found") off stderr while reading: every
    problem they report becomes our one-line LoaderError naming the file."""
    loggers = [logging.getLogger(name) for name in ("pypdf", "pdfminer", "pdfplumber")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _budget(size: int, rule: tuple[int, int, int]) -> int:
    factor, floor, ceiling = rule
    return min(ceiling, max(floor, factor * size))


def _check_structure(data: bytes, path: str) -> int:
    """Page count of the PDF, after refusing encrypted files, bombs and absurd page counts."""
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoaderError(path, _ENCRYPTED)
        pages = len(reader.pages)
    except LoaderError:
        raise
    except (FileNotDecryptedError, NotImplementedError):
        raise LoaderError(path, _ENCRYPTED) from None
    except Exception:  # pypdf raises many types on malformed input; the reason below is what matters
        raise LoaderError(path, _CORRUPT) from None
    if pages > MAX_PAGES:
        raise LoaderError(path, f"PDF has {pages} pages, more than the {MAX_PAGES} a report can have")
    if pages == 0:
        raise LoaderError(path, "PDF has no pages")
    _check_streams(reader, len(data), path)
    return pages


def _check_streams(reader: pypdf.PdfReader, size: int, path: str) -> None:
    """Decompress every non-image stream (pypdf caps each one) and refuse the file if the total is huge."""
    budget = _budget(size, _STREAM_BUDGET)
    refs = {(num, gen) for gen, table in reader.xref.items() for num in table}
    refs |= {(num, 0) for num in reader.xref_objStm}
    total = 0
    for num, gen in sorted(refs):
        try:
            obj = reader.get_object(IndirectObject(num, gen, reader))
            if not isinstance(obj, StreamObject) or obj.get(NameObject("/Subtype")) == "/Image":
                continue
            total += len(obj.get_data())
        except LimitReachedError:
            total = budget + 1
        except Exception:  # a stream pypdf cannot decode is left to pdfplumber to judge
            continue
        if total > budget:
            raise LoaderError(
                path, f"PDF streams decompress to more than {budget // _MB} MB (a decompression bomb?)"
            )


def _extract_lines(data: bytes, path: str) -> tuple[tuple[Line, ...], tuple[str, ...]]:
    """Lines of every page, numbered across pages, within the text and time budgets."""
    budget = _budget(len(data), _TEXT_BUDGET)
    deadline = time.monotonic() + MAX_SECONDS
    lines: list[Line] = []
    chars = 0
    undecoded = 0
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            columns = ColumnState()
            for page_number, page in enumerate(pdf.pages, start=1):
                text = page.extract_text() or ""
                text = widen_gaps(page, text, columns)  # a two-column glossary stays two columns
                page.close()
                chars += len(text)
                if chars > budget:
                    raise LoaderError(path, f"PDF text is over {budget // _MB} MB; refusing to read on")
                if time.monotonic() > deadline:
                    raise LoaderError(path, f"PDF took more than {MAX_SECONDS:.0f} s to read; giving up")
                undecoded += text.count("(cid:")
                for raw in text.split("\n"):
                    lines.append(Line(len(lines) + 1, _clean(raw), page_number))
    except LoaderError:
        raise
    except PdfminerException as error:
        cause = error.args[0] if error.args else None
        reason = _ENCRYPTED if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError) else _CORRUPT
        raise LoaderError(path, reason) from None
    except Exception:  # pdfminer raises many types on malformed input; the reason below is what matters
        raise LoaderError(path, _CORRUPT) from None
    notes = (f"{undecoded} character(s) could not be decoded (the PDF font has no text mapping)",)
    return tuple(lines), notes if undecoded else ()


def _clean(text: str) -> str:
    """One extracted line without control characters or trailing whitespace."""
    text = "".join(" " if unicodedata.category(ch) == "Cc" and ch != "\t" else ch for ch in text)
    return text.rstrip()
