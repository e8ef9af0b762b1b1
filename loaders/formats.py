"""The registry of report formats: which parser reads a text.

Every format in :data:`FORMATS` scores the text (:attr:`ReportFormat.detect`); the best score wins.
When none recognises the text (every score 0) the first format, the default, parses it, so its parser
explains what it missed ("not an HMIC inspection report: …"). Adding a format: docs/architecture.md,
"Adding a report format".
"""

from __future__ import annotations

from collections.abc import Sequence

from loaders.errors import LoaderError
from loaders.forces import ForceRegister
from loaders.format_base import ReportFormat
from loaders.format_hmic2007 import HMIC2007
from loaders.model import InspectionReport, SourceText

#: every known format; the first is the default
FORMATS: tuple[ReportFormat, ...] = (HMIC2007,)


def choose(source: SourceText, formats: Sequence[ReportFormat] | None = None) -> ReportFormat:
    """The format whose detector scores ``source`` highest (the first one on a tie, or if none scores).

    Raises :class:`LoaderError` naming the file when a format's shipped vocabulary cannot be read.
    """
    candidates = FORMATS if formats is None else formats
    if not candidates:
        raise LoaderError(source.path, "no report formats are registered")
    try:
        scores = [fmt.detect(source) for fmt in candidates]
    except (OSError, ValueError, SyntaxError) as error:  # a broken format file is a setup fault
        raise LoaderError(source.path, f"cannot read a report format's vocabulary: {error}") from error
    return candidates[scores.index(max(scores))]


def parse(
    source: SourceText, register: ForceRegister, formats: Sequence[ReportFormat] | None = None
) -> InspectionReport:
    """Parse ``source`` with the format :func:`choose` picks."""
    return choose(source, formats).parse(source, register)


def by_key(key: str, formats: Sequence[ReportFormat] | None = None) -> ReportFormat:
    """A format by its key (``KeyError`` naming the known ones)."""
    formats = FORMATS if formats is None else formats
    for fmt in formats:
        if fmt.key == key:
            return fmt
    raise KeyError(f"unknown report format {key!r}; known: {', '.join(f.key for f in formats)}")
