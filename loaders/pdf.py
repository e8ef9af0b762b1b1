"""Read the bytes of a PDF report into numbered lines, one page at a time.

Text comes from pdfplumber (maintained, built on pdfminer.six, gives the text of each page separately).
Lines are numbered consecutively across pages (1-based) and each keeps its 1-based page; trailing
whitespace is dropped. Before any text is extracted, pypdf checks the file: an encrypted PDF that will not
open without a password is refused, and so is a file whose streams decompress to far more than its size
suggests (a decompression bomb) — every stream counts, whatever its ``/Subtype`` claims — or that has an
absurd page count, or a page whose content stream is too large or holds too many text operators. Extraction
then stops if the text grows past a budget or takes too long.

All of it runs in a child process (``python -m loaders.pdf``) with an address-space cap
(``PDF_MEMORY_MB``), a CPU limit and a wall-clock limit, which dies with its parent: a PDF that defeats
every check above still cannot take more than that memory and time, or crash the loader (a segfault in a
PDF library is the child's). Every failure becomes a :class:`LoaderError` with a plain reason.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import pickle
import subprocess
import sys
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
from loaders.limits import die_with_parent, limit_cpu, limit_memory
from loaders.model import Line, SourceText
from loaders.pdf_columns import ColumnState, widen_gaps

MAX_PAGES = 2_000
MAX_SECONDS = 120.0  # wall-clock limit of the whole extraction (the child is killed after it)
PDF_MEMORY_MB = 1024  # address-space cap of the extraction child
MAX_PAGE_CONTENT = 512 * 1024  # decompressed bytes of one page's content streams
MAX_PAGE_TEXT_OPERATORS = 10_000  # Tj/TJ/'/" operators on one page (a word-by-word real page: ~500)
MAX_FILE_TEXT_OPERATORS = 100_000  # … in the whole file (pdfminer needs ~1.5 ms and ~50 KB for each)
#: module limits the child receives from its parent (so a caller's settings, or a test's, reach it)
_LIMITS = (
    "MAX_PAGES",
    "MAX_SECONDS",
    "MAX_PAGE_CONTENT",
    "MAX_PAGE_TEXT_OPERATORS",
    "MAX_FILE_TEXT_OPERATORS",
    "_STREAM_BUDGET",
    "_TEXT_BUDGET",
)
_PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_MB = 1024 * 1024
_STREAM_BUDGET = (100, 20 * _MB, 256 * _MB)  # x file size, floor, ceiling: decompressed non-image streams
_TEXT_BUDGET = (50, 5 * _MB, 200 * _MB)  # x file size, floor, ceiling: characters of extracted text

_ENCRYPTED = "encrypted PDF; decrypt it first"
_CORRUPT = "not a readable PDF (corrupt or truncated)"


def read_pdf_bytes(data: bytes, path: str) -> SourceText:
    """Extract the text of the PDF ``data`` (the bytes of the file at ``path``) page by page, in a child
    process with memory and time limits."""
    page_count, lines, notes = _extract_in_child(data, path)
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


def _extract(data: bytes, path: str) -> tuple[int, tuple[Line, ...], tuple[str, ...]]:
    """Checks and extraction, in this process (the child's work)."""
    with warnings.catch_warnings(), _quiet_pdf_libraries():
        warnings.simplefilter("ignore")
        page_count = _check_structure(data, path)
        lines, notes = _extract_lines(data, path)
    return page_count, lines, notes


def _extract_in_child(data: bytes, path: str) -> tuple[int, tuple[Line, ...], tuple[str, ...]]:
    """:func:`_extract` in ``python -m loaders.pdf`` under the limits; its outcome or a LoaderError."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, (_PROJECT_ROOT, os.environ.get("PYTHONPATH")))),
    }
    command = [sys.executable, "-m", "loaders.pdf", str(os.getpid()), path]
    try:
        limits = {name: globals()[name] for name in _LIMITS}
        done = subprocess.run(
            command,
            input=pickle.dumps((limits, data)),
            capture_output=True,
            timeout=MAX_SECONDS + 5,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise LoaderError(path, f"PDF took more than {MAX_SECONDS:.0f} s to read; giving up") from None
    except OSError as error:
        raise LoaderError(path, f"cannot start the PDF reader ({error.strerror or error})") from None
    if done.returncode == 0:
        try:
            outcome = pickle.loads(done.stdout)
        except Exception:  # a truncated answer: the child died while writing it
            outcome = None
        if isinstance(outcome, tuple) and outcome[0] == "ok":
            return outcome[1]
        if isinstance(outcome, tuple) and outcome[0] == "error":
            raise LoaderError(path, outcome[1])
    if done.returncode in (-9, -24, 152):  # SIGKILL / SIGXCPU: the CPU limit
        raise LoaderError(path, f"PDF took more than {MAX_SECONDS:.0f} s of CPU to read; giving up")
    raise LoaderError(
        path, f"the PDF reader crashed on this file (exit {done.returncode}): malformed or hostile PDF"
    )


def _child_main(parent_pid: int, path: str) -> None:
    """Entry of the extraction child: the PDF on stdin, a pickled outcome on stdout."""
    die_with_parent(parent_pid)
    limits, data = pickle.loads(sys.stdin.buffer.read())
    globals().update({name: limits[name] for name in _LIMITS if name in limits})
    limit_memory(PDF_MEMORY_MB)
    limit_cpu(int(MAX_SECONDS) + 10)
    try:
        outcome: tuple = ("ok", _extract(data, path))
    except LoaderError as error:
        outcome = ("error", error.reason)
    except MemoryError:
        outcome = ("error", f"PDF needs more than {PDF_MEMORY_MB} MB to read (a decompression bomb?)")
    sys.stdout.buffer.write(pickle.dumps(outcome))
    sys.stdout.buffer.flush()


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
    except (LoaderError, MemoryError):
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
    _check_pages(reader, path)
    return pages


def _check_streams(reader: pypdf.PdfReader, size: int, path: str) -> None:
    """Decompress every stream (pypdf caps each one) and refuse the file if the total is huge.

    Image streams count too: a ``/Subtype /Image`` label is the file's claim, and a bomb can make it."""
    budget = _budget(size, _STREAM_BUDGET)
    refs = {(num, gen) for gen, table in reader.xref.items() for num in table}
    refs |= {(num, 0) for num in reader.xref_objStm}
    total = 0
    for num, gen in sorted(refs):
        try:
            obj = reader.get_object(IndirectObject(num, gen, reader))
            if not isinstance(obj, StreamObject):
                continue
            total += len(obj.get_data())
        except LimitReachedError:
            total = budget + 1
        except MemoryError:
            raise
        except Exception:  # a stream pypdf cannot decode is left to pdfplumber to judge
            continue
        if total > budget:
            raise LoaderError(
                path, f"PDF streams decompress to more than {budget // _MB} MB (a decompression bomb?)"
            )


def _page_contents(page: pypdf.PageObject) -> bytes:
    contents = page.get(NameObject("/Contents"))
    contents = contents.get_object() if contents is not None else None
    streams = contents if isinstance(contents, list) else [contents]
    parts = []
    for stream in streams:
        stream = stream.get_object() if stream is not None else None
        if isinstance(stream, StreamObject):
            parts.append(stream.get_data())
    return b"\n".join(parts)


def _check_pages(reader: pypdf.PdfReader, path: str) -> None:
    """Refuse a page whose content streams are too large or show text too many times to be a report's."""
    total = 0
    for number, page in enumerate(reader.pages, start=1):
        try:
            content = _page_contents(page)
        except (LimitReachedError, MemoryError):
            raise LoaderError(path, f"page {number} content decompresses to too much (a bomb?)") from None
        except Exception:  # left to pdfplumber to judge
            continue
        if len(content) > MAX_PAGE_CONTENT:
            raise LoaderError(
                path,
                f"page {number} has {len(content) // 1024:,} KB of drawing instructions (over "
                f"{MAX_PAGE_CONTENT // 1024:,} KB): not a report page",
            )
        operators = content.count(b"Tj") + content.count(b"TJ") + content.count(b"'") + content.count(b'"')
        if operators > MAX_PAGE_TEXT_OPERATORS:
            raise LoaderError(
                path, f"page {number} has {operators:,} text operators (over {MAX_PAGE_TEXT_OPERATORS:,})"
            )
        total += operators
        if total > MAX_FILE_TEXT_OPERATORS:
            raise LoaderError(path, f"PDF has over {MAX_FILE_TEXT_OPERATORS:,} text operators: not a report")


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
    except (LoaderError, MemoryError):
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


if __name__ == "__main__":
    _child_main(int(sys.argv[1]), sys.argv[2])
