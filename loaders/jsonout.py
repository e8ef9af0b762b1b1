"""The inspectable JSON form of a report: the contract of ``hmic-kg parse FILE --json``.

Required keys follow ``shared/gold/PARSE-JSON.md``; extra keys (developments, leads, fact spans) are added.
"""

from __future__ import annotations

from typing import Any

from loaders.model import (
    Contact,
    Entity,
    Finding,
    GradeDistribution,
    InspectionReport,
    Mention,
    Practice,
    Section,
    SourceSpan,
)


def report_to_json(report: InspectionReport) -> dict[str, Any]:
    """Render the document model as plain JSON-compatible data."""
    source = report.source
    return {
        "source": {
            "file": source.name,
            "sha256": source.sha256,
            "format": source.format,
            "pages": source.pages,
        },
        "force": {
            "name": report.force.name,
            "id": report.force.id,
            "ons_code": report.force.ons_code,
            "in_register": report.force.in_register,
            "decided_by": report.force_basis or None,
        },
        "report_id": report.report_id,
        "year": report.year,
        "assessment_period": report.assessment_period,
        "national_summary": [
            {"area_id": row.area_id, "label": row.label, **_distribution(row.distribution)}
            for row in report.national_summary
        ],
        "force_summary": [
            {"area_id": row.area_id, "label": row.label, "grade": row.grade.value}
            for row in report.force_summary
        ],
        "sections": [_section(section) for section in report.sections],
        "entities": [_entity(entity) for entity in report.entities],
        "glossary": [
            {"abbreviation": entry.abbreviation, "expansion": entry.expansion, "span": _span(entry.span)}
            for entry in report.glossary
        ],
        "force_facts": {fact.key: _fact_value(fact.value) for fact in report.facts},
        "force_fact_spans": {fact.key: _span(fact.span) for fact in report.facts},
        "developments": [
            {
                "framework": item.framework,
                "code": item.code,
                "old_grade": item.old_grade.value if item.old_grade else None,
                "old_direction": item.old_direction,
                "new_grade": item.new_grade.value if item.new_grade else None,
                "new_direction": item.new_direction,
                "span": _span(item.span),
            }
            for item in report.developments
        ],
        "leads": [
            {
                "entity_id": lead.entity_id,
                "subject": lead.subject,
                "kind": lead.kind,
                "area_id": lead.area_id,
                "text": lead.text,
                "span": _span(lead.span),
            }
            for lead in report.leads
        ],
        "warnings": list(source.warnings) + [w for w in report.warnings if w not in source.warnings],
    }


def _span(span: SourceSpan) -> dict[str, Any]:
    return {"page": span.page, "line_from": span.line_from, "line_to": span.line_to}


def _distribution(distribution: GradeDistribution | None) -> dict[str, int] | None:
    if distribution is None:
        return None
    return {
        "excellent": distribution.excellent,
        "good": distribution.good,
        "fair": distribution.fair,
        "poor": distribution.poor,
    }


def _mentions(mentions: tuple[Mention, ...]) -> list[dict[str, Any]]:
    return [{"entity_id": m.entity_id, "text": m.text, "line": m.span.line_from} for m in mentions]


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "kind": finding.kind.value,
        "text": finding.text,
        "span": _span(finding.span),
        "mentions": _mentions(finding.mentions),
    }


def _contact(contact: Contact | None) -> dict[str, Any] | None:
    if contact is None:
        return None
    return {
        "name": contact.name or None,
        "rank": contact.rank,
        "role": contact.role,
        "phone": contact.phone,
        "email": contact.email,
        "address": contact.address,
        "is_person": contact.is_person,
        "span": _span(contact.span),
    }


def _practice(practice: Practice) -> dict[str, Any]:
    return {
        "inspection_area": practice.inspection_area,
        "title": practice.title,
        "problem": practice.problem,
        "solution": practice.solution,
        "outcomes": practice.outcomes,
        "contact": _contact(practice.contact),
        "contacts": [_contact(contact) for contact in practice.all_contacts],
        "span": _span(practice.span),
        "mentions": _mentions(practice.mentions),
    }


def _section(section: Section) -> dict[str, Any]:
    return {
        "area_id": section.area_id,
        "title": section.title,
        "grade": section.grade.value if section.grade else None,
        "national_distribution": _distribution(section.national_distribution),
        "span": _span(section.span),
        "findings": [_finding(finding) for finding in section.findings],
        "practices": [_practice(practice) for practice in section.practices],
    }


def _entity(entity: Entity) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": entity.id,
        "kind": entity.kind.value,
        "name": entity.name,
        "expansion": entity.expansion,
        "mentions": [{"line": m.line, "page": m.page, "text": m.text} for m in entity.mentions],
    }
    if entity.rank is not None or entity.roles:
        data["rank"] = entity.rank
        data["roles"] = list(entity.roles)
    return data


def _fact_value(value: int | str | tuple[str, ...]) -> int | str | list[str]:
    return list(value) if isinstance(value, tuple) else value
