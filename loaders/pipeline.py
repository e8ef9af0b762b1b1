"""The loader's single entry point: a report file in, a typed ``InspectionReport`` out."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from loaders import formats
from loaders.entities import extract_entities
from loaders.errors import LoaderError
from loaders.forces import ForceRegister
from loaders.leads import extract_leads
from loaders.mentions import attach_mentions
from loaders.model import InspectionReport
from loaders.options import LoadOptions
from loaders.source import read_source
from loaders.vocabulary import Vocabulary


@contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector off while a report is read: the loader builds millions of small
    acyclic objects (lines, spans), and each full collection would walk all of them again, so a large
    report took more than linear time. Reference counting still frees everything; the previous state is
    restored afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_report(path: str | Path, options: LoadOptions | None = None) -> InspectionReport:
    """Read, parse and annotate one report file.

    Raises only :class:`LoaderError`, naming the file and the reason.
    """
    with paused_gc():
        return _load_report(path, options)


def _load_report(path: str | Path, options: LoadOptions | None) -> InspectionReport:
    options = options or LoadOptions()
    source = read_source(path, options)
    register = _register(options)
    report = formats.parse(source, register)  # the format whose detector recognises the text
    if options.force_id is not None:  # the user's word beats the text's
        force = register.by_id(options.force_id)
        note = f"force set by --force to {force.id!r} (the text suggested {report.force.id!r})"
        report = replace(report, force=force, force_basis="--force", warnings=(*report.warnings, note))
    try:
        vocabulary = Vocabulary.load()
    except (OSError, ValueError) as error:  # a broken vocabulary is a setup fault, not the report's
        raise LoaderError(str(path), f"cannot read the curated vocabulary: {error}") from error
    entities = extract_entities(report, vocabulary)
    report = attach_mentions(report, entities)
    leads = extract_leads(report, entities)
    return replace(report, entities=tuple(entities), leads=tuple(leads))


def _register(options: LoadOptions) -> ForceRegister:
    if options.forces_csv is None:
        return ForceRegister.default()
    try:
        return ForceRegister.load(options.forces_csv)
    except (OSError, ValueError) as error:
        raise LoaderError(str(options.forces_csv), f"cannot read the force register: {error}") from error
