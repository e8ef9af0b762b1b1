"""Entity extraction: IT systems, units, roles, people and partner bodies named in a report.

Evidence, strongest first: the report's glossary and in-text definitions, practice contacts, the seed
vocabulary, then patterns in the text ("the X system", "database, X,", "Inspector Sam Smith", "The Chief
Constable, Jane Doe,"). All lines are joined so a name wrapped over a line break is still found; every
mention keeps the line where it starts.
"""

from __future__ import annotations

from loaders.entity_patterns import JoinedText
from loaders.entity_phrases import (
    add_area_units_and_responsible_posts,
    add_noun_phrases,
    add_organisations,
)
from loaders.entity_registry import Registry
from loaders.entity_rules import (
    add_bracketed_posts,
    add_definitions,
    add_glossary,
    add_partners,
    add_roles,
    add_systems,
    add_units,
    add_vocabulary,
)
from loaders.entity_systems import add_described_systems, add_vendor_and_suffix_systems
from loaders.model import Entity, InspectionReport
from loaders.people import add_contacts, add_people
from loaders.vocabulary import Vocabulary


def extract_entities(report: InspectionReport, vocabulary: Vocabulary) -> tuple[Entity, ...]:
    """Every named IT system, unit, role, person and partner body in ``report``, sorted by id."""
    joined = JoinedText.from_lines(report.source.lines)
    body = _body(report)  # patterns read the body only: the glossary's run-together lines mislead them
    registry = Registry()
    add_glossary(report.glossary, vocabulary, registry)
    defined = add_definitions(body, vocabulary, registry)
    defined.update({g.abbreviation.strip(): g.expansion for g in report.glossary})
    add_vocabulary(body, vocabulary, registry)
    add_units(body, vocabulary, registry)
    add_roles(body, registry)
    add_bracketed_posts(body, registry)
    add_partners(body, registry)
    add_organisations(body, report.force.name, registry)
    add_area_units_and_responsible_posts(body, registry)
    add_noun_phrases(body, vocabulary, registry)
    contacts = [c for s in report.sections for p in s.practices for c in p.all_contacts if c.is_person]
    add_contacts(contacts, vocabulary, registry)
    add_people(body, vocabulary, registry)
    add_systems(body, vocabulary, registry, defined)
    add_described_systems(body, vocabulary, registry)
    add_vendor_and_suffix_systems(body, vocabulary, registry)
    return registry.entities(joined)


def _body(report: InspectionReport) -> JoinedText:
    """The report's lines without the glossary's line range."""
    if not report.glossary:
        return JoinedText.from_lines(report.source.lines)
    first = min(g.span.line_from for g in report.glossary)
    last = max(g.span.line_to for g in report.glossary)
    return JoinedText.from_lines(ln for ln in report.source.lines if not first <= ln.number <= last)
