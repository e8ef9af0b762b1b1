"""Test support for the HMIC 2007 parser: sample reports as ``SourceText`` without ``loaders.source``."""

from __future__ import annotations

import hashlib
from pathlib import Path

from loaders.model import Line, SourceText

REPORTS = Path(__file__).resolve().parent.parent / "data" / "reports"
NOTTS = REPORTS / "nottinghamshire-2007.txt"
NORTHANTS = REPORTS / "northamptonshire-2007.txt"
GOLD = Path(__file__).resolve().parent / "data" / "notts_gold.json"  # copy of /work/shared/gold/notts.json


def source_from_text(text: str, name: str = "report.txt") -> SourceText:
    """Split on "\\n" only, so CRLF input keeps its "\\r" and the parser must tolerate it."""
    lines = tuple(Line(number, line) for number, line in enumerate(text.split("\n"), start=1))
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return SourceText(path=name, name=name, sha256=digest, format="text", pages=None, lines=lines)


def source_from_file(path: Path) -> SourceText:
    return source_from_text(path.read_text(encoding="utf-8"), path.name)


def first_words(text: str, count: int = 10) -> str:
    """The first ``count`` whitespace-split tokens, as the gold annotation gives findings."""
    return " ".join(text.split()[:count])
