"""Read a report file (text or PDF) into a :class:`SourceText` with page furniture removed.

The file's content decides how it is read, not its name: bytes starting with ``%PDF-`` are a PDF, a
known binary signature (ZIP, gzip, images, Office documents) is refused, anything else is read as text.
Every problem (missing file, directory, broken link, unreadable, empty, too large, binary, corrupt or
encrypted PDF) becomes a :class:`LoaderError` naming the file and the reason.
"""

from __future__ import annotations

import dataclasses
import os
import stat
from pathlib import Path

from loaders.errors import LoaderError
from loaders.furniture import remove_furniture
from loaders.model import SourceText
from loaders.options import LoadOptions
from loaders.pdf import read_pdf_bytes
from loaders.text import read_text_bytes

_PDF_MAGIC = b"%PDF-"
_PDF_HEADER_WINDOW = 1024  # the PDF spec lets a few bytes of junk precede the header
_BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive"),
    (b"PK\x05\x06", "a ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document"),
    (b"\x7fELF", "an executable program"),
)


def read_source(path: str | Path, options: LoadOptions = LoadOptions()) -> SourceText:
    """Read the report at ``path`` (text or PDF), remove page furniture, and return its lines."""
    data = _read_bytes(Path(path), options.max_bytes)
    shown = str(path)
    source = read_pdf_bytes(data, shown) if _is_pdf(data) else _read_text(data, shown)
    lines, removed = remove_furniture(source.lines)
    warnings = source.warnings + removed
    return dataclasses.replace(source, lines=lines, warnings=warnings, furniture_removed=True)


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular, readable, non-empty file no larger than ``max_bytes``."""
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            target = os.readlink(path)
            raise LoaderError(str(path), f"broken symbolic link (target {target} does not exist)") from None
        raise LoaderError(str(path), "no such file") from None
    except PermissionError:
        raise LoaderError(str(path), "permission denied (cannot look up the file)") from None
    except OSError as error:
        raise LoaderError(str(path), f"cannot open the file ({error.strerror or 'system error'})") from None
    if stat.S_ISDIR(info.st_mode):
        raise LoaderError(str(path), "is a directory, not a report file")
    if not stat.S_ISREG(info.st_mode):
        raise LoaderError(str(path), "not a regular file (a device, pipe or socket?)")
    if info.st_size == 0:
        raise LoaderError(str(path), "empty file")
    if info.st_size > max_bytes:
        raise LoaderError(str(path), f"file is {info.st_size:,} bytes, over the limit of {max_bytes:,} bytes")
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except PermissionError:
        raise LoaderError(str(path), "permission denied (file is not readable)") from None
    except OSError as error:
        raise LoaderError(str(path), f"cannot read the file ({error.strerror or 'system error'})") from None
    if len(data) > max_bytes:  # the file grew after stat()
        raise LoaderError(str(path), f"file is over the limit of {max_bytes:,} bytes")
    if not data:
        raise LoaderError(str(path), "empty file")
    return data


def _is_pdf(data: bytes) -> bool:
    return _PDF_MAGIC in data[:_PDF_HEADER_WINDOW]


def _read_text(data: bytes, path: str) -> SourceText:
    """Read non-PDF bytes as text, refusing known binary formats by name."""
    for signature, kind in _BINARY_SIGNATURES:
        if data.startswith(signature):
            pretends = " (named .pdf but has no PDF header)" if path.lower().endswith(".pdf") else ""
            raise LoaderError(path, f"{kind}, not a text report or a PDF{pretends}")
    source = read_text_bytes(data, path)
    if path.lower().endswith(".pdf"):
        note = "named .pdf but contains plain text; read as text"
        source = dataclasses.replace(source, warnings=(note, *source.warnings))
    return source
