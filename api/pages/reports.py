"""``/reports/{id}``: the text of a report with line numbers; ``?from=a&to=b`` highlights lines a–b (every
"lines a–b" on the pages links here, ``#La`` scrolls to them). The report's title, force and file come
from the snapshot; the text from the file itself (:mod:`api.sources`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse
from rdflib import URIRef

from api.deps import SettingsDep, SnapshotDep
from api.pages.common import BaseIri, link_to, render
from api.sources import find_source, search_dirs, source_lines

router = APIRouter()
ReportId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")]


@dataclass(frozen=True)
class ShownLine:
    number: int
    text: str
    page: int | None
    marked: bool
    new_page: bool


@router.get("/reports/{report_id}", response_class=HTMLResponse, include_in_schema=False)
def report_text(
    report_id: ReportId,
    request: Request,
    snap: SnapshotDep,
    base: BaseIri,
    settings: SettingsDep,
    line_from: Annotated[int | None, Query(alias="from", ge=1, le=10_000_000)] = None,
    line_to: Annotated[int | None, Query(alias="to", ge=1, le=10_000_000)] = None,
) -> HTMLResponse:
    """The report's text, numbered as the graph's line references; 404 for an unknown report."""
    report = URIRef(f"{base}report/{report_id}")
    row = snap.pages.reports.get(report_id)
    if row is None or row.iri != str(report):
        message = f"No report {report_id!r} is loaded."
        return render(request, "not_found.html", status_code=404, path=f"reports/{report_id}",
                      iri=str(report), message=message)  # fmt: skip
    name, sha = row.file or "", row.sha or None
    path = find_source(name, sha, search_dirs(settings.graph.data_dir))
    lines = source_lines(path) if path else None
    first, last = line_from, max(line_to or line_from or 0, line_from or 0) or None
    shown: list[ShownLine] = []
    page = None
    for line in lines or ():
        marked = first is not None and last is not None and first <= line.number <= last
        shown.append(
            ShownLine(line.number, line.text, line.page, marked, line.page is not None and line.page != page)
        )
        page = line.page if line.page is not None else page
    marked_pages = sorted({ln.page for ln in shown if ln.marked and ln.page})
    return render(
        request, "report.html", report_id=report_id, title=row.title or report_id,
        force=link_to(URIRef(row.force), base, row.force_label) if row.force is not None else None,
        file=name, found=lines is not None, lines=shown, line_from=first, line_to=last,
        marked_pages=marked_pages, report_page=link_to(report, base, "About this report"),
        pages=[ln.page for ln in shown if ln.new_page],
    )  # fmt: skip
