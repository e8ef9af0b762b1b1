"""Parse an HMIC 2007 force inspection report (extracted text) into an :class:`InspectionReport`.

Structure only: entities, mentions and leads are added by later stages. The stages are small pure
functions over the report's lines: find the landmarks, read the two summary tables, split the rest
into area sections, and read the overview facts, developments and glossary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from loaders.errors import LoaderError
from loaders.facts import (
    DEVELOPMENTS_HEADING,
    OVERVIEW_HEADING,
    assessment_period,
    developments_to_reinspections,
    overview_to_facts,
)
from loaders.forces import ForceRegister, decide_force
from loaders.furniture import remove_furniture
from loaders.glossary import GLOSSARY_HEADING, lines_to_glossary
from loaders.model import (
    Fact,
    Force,
    ForceSummaryRow,
    GlossaryEntry,
    InspectionReport,
    Line,
    NationalSummaryRow,
    Reinspection,
    Section,
    SourceText,
)
from loaders.normalize import normalize_lines
from loaders.sections import (
    first_confirmed_heading,
    heading_area,
    lines_to_sections,
    raw_to_section,
    summary_lines,
)
from loaders.tables import FORCE_SUMMARY, NATIONAL_SUMMARY, force_summary_rows, national_summary_rows
from loaders.text_utils import clean, join_lines

UNKNOWN_FORCE = Force(name="Unknown force", id="unknown", ons_code=None, in_register=False)
_FINDINGS_TITLE = "findings"


@dataclass(frozen=True)
class Landmarks:
    """Line indices of the report's fixed headings (None when absent)."""

    overview: int | None = None
    developments: int | None = None
    findings: int | None = None
    national_summary: int | None = None
    force_summary: int | None = None


def find_landmarks(lines: Sequence[Line]) -> Landmarks:
    """First occurrence of each fixed heading, in one pass."""
    found: dict[str, int] = {}
    checks = (
        ("overview", OVERVIEW_HEADING.fullmatch),
        ("developments", DEVELOPMENTS_HEADING.fullmatch),
        ("national_summary", NATIONAL_SUMMARY.fullmatch),
        ("force_summary", FORCE_SUMMARY.fullmatch),
        ("findings", lambda text: text.casefold() == _FINDINGS_TITLE or None),
    )
    for index, line in enumerate(lines):
        text = clean(line.text)
        if not text or len(text) > 60:
            continue
        for name, check in checks:
            if name not in found and check(text):
                found[name] = index
    return Landmarks(**found)


def _region_end(start: int, marks: Landmarks, limit: int) -> int:
    """Index of the first landmark after ``start`` (or ``limit``)."""
    later = [i for i in vars(marks).values() if i is not None and i > start]
    return min([*later, limit])


def _glossary_start(lines: Sequence[Line], start: int) -> int | None:
    return next(
        (i for i in range(start, len(lines)) if GLOSSARY_HEADING.fullmatch(clean(lines[i].text))), None
    )


def read_tables(
    lines: Sequence[Line], marks: Landmarks, file: str
) -> tuple[tuple[NationalSummaryRow, ...], tuple[ForceSummaryRow, ...], int]:
    """Both summary tables, and the index just after the later of them (0 when neither is found)."""
    national: tuple[NationalSummaryRow, ...] = ()
    force_rows: tuple[ForceSummaryRow, ...] = ()
    national_end = force_end = 0
    if marks.national_summary is not None:
        national, national_end = national_summary_rows(lines, marks.national_summary, file)
    if marks.force_summary is not None:
        force_rows, force_end = force_summary_rows(lines, marks.force_summary, file)
    return national, force_rows, max(national_end, force_end)


def section_bounds(lines: Sequence[Line], tables_end: int) -> tuple[int, int | None]:
    """Index of the first section heading (after the tables) and of the glossary heading, if any."""
    if tables_end:
        first = next((i for i in range(tables_end, len(lines)) if heading_area(lines[i].text)), None)
    else:
        first = first_confirmed_heading(lines)
    start = first if first is not None else len(lines)
    return start, _glossary_start(lines, start)


def read_overview(
    lines: Sequence[Line], marks: Landmarks, sections_start: int, file: str
) -> tuple[tuple[Fact, ...], tuple[Reinspection, ...]]:
    """Force facts from the overview and reinspection results from "Force developments since 2006"."""
    facts: tuple[Fact, ...] = ()
    developments: tuple[Reinspection, ...] = ()
    if marks.overview is not None:
        end = _region_end(marks.overview, marks, sections_start)
        facts = tuple(overview_to_facts(lines[marks.overview + 1 : end], file))
    if marks.developments is not None:
        end = _region_end(marks.developments, marks, sections_start)
        developments = tuple(developments_to_reinspections(lines[marks.developments + 1 : end], file))
    return facts, developments


def parse_report(source: SourceText, register: ForceRegister) -> InspectionReport:
    """Read the structure of one report; raise :class:`LoaderError` if the text is not a report."""
    file = source.name
    kept, furniture_warnings = (
        (source.lines, ()) if source.furniture_removed else remove_furniture(source.lines)
    )
    lines, normalize_warnings = normalize_lines(kept)
    source = replace(source, lines=lines)  # later stages (entities, leads) read the normalised text
    warnings: list[str] = [*furniture_warnings, *normalize_warnings]
    marks = find_landmarks(lines)
    national, force_rows, tables_end = read_tables(lines, marks, file)
    sections_start, glossary_at = section_bounds(lines, tables_end)
    sections_end = glossary_at if glossary_at is not None else len(lines)
    raw_sections = lines_to_sections(lines[sections_start:sections_end])
    if not national and not force_rows and not raw_sections:
        raise LoaderError(
            source.path, "not an HMIC inspection report: no summary tables and no area sections"
        )

    sections: list[Section] = []
    for raw in raw_sections:
        section, section_warnings = raw_to_section(raw, file)
        sections.append(section)
        warnings.extend(section_warnings)

    whole = join_lines(lines)
    decision = decide_force(
        register,
        _title_text(lines),
        _text(lines[marks.overview + 1 : _region_end(marks.overview, marks, sections_start)])
        if marks.overview is not None
        else "",
        [_text(summary_lines(raw)) for raw in raw_sections],
        whole.text,
    )
    force = decision.force
    warnings.extend(decision.warnings)
    if force is None:
        warnings.append("the report's force could not be identified")
    period, year, _ = assessment_period(whole, file)
    facts, developments = read_overview(lines, marks, sections_start, file)

    glossary: tuple[GlossaryEntry, ...] = ()
    if glossary_at is not None:
        entries, glossary_warnings = lines_to_glossary(lines[glossary_at + 1 :], file)
        glossary = tuple(entries)
        warnings.extend(glossary_warnings)

    warnings.extend(_missing(marks, national, force_rows, sections, period, glossary_at, facts))
    warnings.extend(_disagreements(force_rows, sections))
    return InspectionReport(
        source=source,
        force=force or UNKNOWN_FORCE,
        year=year,
        assessment_period=period,
        national_summary=national,
        force_summary=force_rows,
        facts=facts,
        developments=developments,
        sections=tuple(sections),
        glossary=glossary,
        warnings=tuple(warnings),
        force_basis=decision.basis if force else "",
    )


_TITLE_LINES = 10
_TITLE_MAX_WORDS = 14


def _text(lines: Sequence[Line]) -> str:
    return join_lines(lines).text


def _title_text(lines: Sequence[Line]) -> str:
    """The report's title block: its first short lines, before the first paragraph of prose."""
    title: list[Line] = []
    for line in lines:
        words = line.text.split()
        if len(words) > _TITLE_MAX_WORDS or len(title) >= _TITLE_LINES:
            break
        if words:
            title.append(line)
    return _text(title)


def _missing(
    marks: Landmarks,
    national: Sequence[NationalSummaryRow],
    force_rows: Sequence[ForceSummaryRow],
    sections: Sequence[Section],
    period: str | None,
    glossary_at: int | None,
    facts: Sequence[Fact],
) -> list[str]:
    """Warnings for the parts of a complete report that were not found."""
    checks = (
        (not national, "no national summary table found"),
        (
            not force_rows,
            "no force summary table found"
            + ("; section grades read from the sections" if any(s.grade for s in sections) else ""),
        ),
        (not sections, "no area sections found"),
        (period is None, "no assessment period found"),
        (marks.overview is None, "no force overview found"),
        (marks.overview is not None and not facts, "no force facts found in the force overview"),
        (glossary_at is None, "no glossary appendix found"),
    )
    return [message for missing, message in checks if missing]


def _disagreements(force_rows: Sequence[ForceSummaryRow], sections: Sequence[Section]) -> list[str]:
    """Warnings where a section's GRADE line and the force summary table disagree."""
    table = {row.area_id: row.grade for row in force_rows}
    return [
        f"section {section.title!r}: GRADE {section.grade.value} but the force summary says "
        f"{table[section.area_id].value}"
        for section in sections
        if section.grade is not None and section.area_id in table and table[section.area_id] != section.grade
    ]
