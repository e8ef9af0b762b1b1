"""Attach entity mentions to the findings and practices whose line span contains them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from loaders.model import Entity, Finding, InspectionReport, Mention, Practice, SourceSpan


def attach_mentions(report: InspectionReport, entities: Sequence[Entity]) -> InspectionReport:
    """A copy of ``report`` whose findings and practices list the entities named inside their spans."""
    by_line: dict[int, list[Mention]] = {}
    for entity in entities:
        for found in entity.mentions:
            span = SourceSpan(report.source.name, found.line, found.line, found.page)
            by_line.setdefault(found.line, []).append(Mention(entity.id, found.text, span))

    def within(span: SourceSpan) -> tuple[Mention, ...]:
        mentions = (m for line in range(span.line_from, span.line_to + 1) for m in by_line.get(line, ()))
        return tuple(dict.fromkeys(mentions))

    def finding(item: Finding) -> Finding:
        return replace(item, mentions=within(item.span))

    def practice(item: Practice) -> Practice:
        return replace(item, mentions=within(item.span))

    sections = tuple(
        replace(s, findings=tuple(map(finding, s.findings)), practices=tuple(map(practice, s.practices)))
        for s in report.sections
    )
    return replace(report, sections=sections)
