"""``hmic-kg parse``: show what the loader understood of one report."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from api.cli.app import app, fail
from loaders.errors import LoaderError
from loaders.jsonout import report_to_json
from loaders.model import InspectionReport
from loaders.options import DEFAULT_MAX_BYTES, LoadOptions
from loaders.pipeline import load_report


@app.command()
def parse(
    file: Path = typer.Argument(..., help="A report file: .txt (UTF-8 or cp1252) or .pdf."),
    as_json: bool = typer.Option(False, "--json", help="Print the document model as one JSON object."),
    max_mb: float = typer.Option(
        DEFAULT_MAX_BYTES / 1024 / 1024, "--max-mb", help="Refuse files larger than this many megabytes."
    ),
    force: str | None = typer.Option(
        None, "--force", help="The report's force id (e.g. nottinghamshire), overriding what the text says."
    ),
) -> None:
    """Parse one inspection report and print what was found.

    Examples:

      hmic-kg parse data/reports/nottinghamshire-2007.txt

      hmic-kg parse report.pdf --json > report.json
    """
    if max_mb <= 0:
        raise fail(f"--max-mb must be positive, not {max_mb}", code=2)
    try:
        options = LoadOptions(max_bytes=int(max_mb * 1024 * 1024), force_id=force)
    except ValueError as error:
        raise fail(f"--force: {error}", code=2) from None
    try:
        report = load_report(file, options)
    except LoaderError as error:
        raise fail(str(error)) from None
    if as_json:
        typer.echo(json.dumps(report_to_json(report), ensure_ascii=False, indent=2))
        return
    print_summary(report, Console())


def print_summary(report: InspectionReport, console: Console) -> None:
    """A human summary: force, grades, finding counts, practices, entities, warnings."""
    force = report.force
    console.print(f"[bold]{force.name}[/bold] ({force.id}, ONS {force.ons_code or 'unknown'})")
    if report.force_basis:
        console.print(f"Force decided by: {report.force_basis}")
    console.print(f"Report {report.report_id}; assessment period: {report.assessment_period or 'not stated'}")
    table = Table("Area", "Grade", "National E/G/F/P", "Strengths", "In progress", "To improve", "Practices")
    for section in report.sections:
        kinds = Counter(finding.kind.value for finding in section.findings)
        dist = section.national_distribution
        table.add_row(
            section.area_id,
            section.grade.value if section.grade else "-",
            f"{dist.excellent}/{dist.good}/{dist.fair}/{dist.poor}" if dist else "-",
            str(kinds["strength"]),
            str(kinds["work_in_progress"]),
            str(kinds["area_for_improvement"]),
            str(len(section.practices)),
        )
    console.print(table)
    for section in report.sections:
        for practice in section.practices:
            contact = practice.contact
            parts = (contact.rank, contact.name, contact.role, contact.phone) if contact else ()
            who = ", ".join(part for part in parts if part) or "-"
            console.print(f"  practice: {practice.title} [dim]({who})[/dim]")
    kinds = Counter(entity.kind.value for entity in report.entities)
    console.print("Entities: " + (", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "none"))
    console.print(f"Glossary entries: {len(report.glossary)}; leads: {len(report.leads)}")
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}")
