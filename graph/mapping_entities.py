"""Entities, mentions, system uses, units and leads of one report (called by ``graph.mapping``).

Shared nodes (systems, unit types, roles, people, partners) get resolved IRIs (``graph.resolve``), so two
reports describing the same thing describe one node, each in its own named graph.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import RDF, URIRef

from graph.iris import slugify
from graph.mapping_base import FOAF, HMIC, OA, ORG, SCHEMA, SKOS, MappingContext
from graph.resolve import (
    canonical_rank,
    entity_slug,
    is_local,
    owned_slug,
    person_key,
    role_slug,
    unit_key,
    unit_type_of,
)
from loaders.boilerplate import Boilerplate, SentenceKeys, find_boilerplate
from loaders.model import Entity, EntityKind, SourceSpan


@dataclass(frozen=True)
class _Support:
    """A node supporting a derived fact, with its span (for the fact's provenance)."""

    node: URIRef
    span: SourceSpan


def map_entities(ctx: MappingContext) -> None:
    """Entity nodes, practice leads (contacts), mention annotations, system uses and force units.

    Force facts ("uses", "has unit", "works with") need a mention outside the inspectorate's boilerplate
    (:mod:`loaders.boilerplate`); mentions inside it are kept, marked ``hmic:inBoilerplate``.
    """
    boilerplate = find_boilerplate(ctx.report)
    own = {
        e.id
        for e in ctx.report.entities
        if e.kind is not EntityKind.UNIT or any(m.line not in boilerplate for m in e.mentions)
    }
    for entity in sorted(ctx.report.entities, key=lambda e: _KIND_ORDER.index(e.kind)):
        if entity.kind is EntityKind.UNIT:
            _unit(ctx, entity, of_force=entity.id in own)
        else:
            _ENTITY_MAPPERS[entity.kind](ctx, entity)
    _contacts(ctx)
    support = _mentions(ctx, boilerplate)
    for iri, supporters in support.items():
        kind, parts = ctx.iris.parse(str(iri))
        if kind == "system":
            _system_use(ctx, iri, parts[0], supporters)
        elif kind == "unit":
            for supporter in supporters:
                ctx.add(iri, HMIC.supportedBy, supporter.node)
        elif kind == "partner":
            ctx.add(ctx.force_iri, HMIC.worksWith, iri)


def _system(ctx: MappingContext, entity: Entity) -> None:
    node = ctx.entity(entity.id)
    term = ctx.vocabulary.find("it_systems", entity.name) if ctx.vocabulary else None
    label = term.label if term else entity.name
    ctx.node(node, HMIC.ITSystem, label=label)
    pref_label(ctx, node, label)
    for variant in sorted({entity.name, *(m.text for m in entity.mentions)} - {label}):
        if slugify(variant) == slugify(label):
            ctx.add(node, SKOS.altLabel, variant)
    ctx.add(node, HMIC.expansion, entity.expansion or (term.expansion if term else None))


def _unit(ctx: MappingContext, entity: Entity, *, of_force: bool = True) -> None:
    slug, label, expansion = unit_type_of(entity, ctx.expansions, ctx.vocabulary)
    unit_type = ctx.iris.unit_type(slug)
    ctx.node(unit_type, HMIC.UnitType, SKOS.Concept, label=label)
    ctx.add(unit_type, SKOS.inScheme, HMIC.UnitTypes)
    pref_label(ctx, unit_type, label)
    ctx.add(unit_type, HMIC.expansion, expansion)
    key = unit_key(entity, ctx.expansions, ctx.vocabulary)
    unit_label = label if key == slug else " ".join(entity.name.split())
    unit = ctx.iris.unit(ctx.force_id, key)
    ctx.node(unit, ORG.OrganizationalUnit, label=f"{unit_label} ({ctx.report.force.name})")
    pref_label(ctx, unit, unit_label)
    ctx.add(unit, HMIC.unitType, unit_type)
    if vocabulary_kind(ctx, label):
        ctx.add(unit_type, RDF.type, HMIC.GenericUnitKind)  # types a unit; never a thing forces share
    for equivalent in ctx.vocabulary.equivalents(label) if ctx.vocabulary else ():
        ctx.add(unit_type, SKOS.closeMatch, ctx.iris.unit_type(slugify(equivalent.label)))  # SNT ≈ SCT
    if of_force:  # not when every mention is in the inspectorate's boilerplate
        ctx.add(unit, ORG.unitOf, ctx.force_iri)
        ctx.add(ctx.force_iri, ORG.hasUnit, unit)


def vocabulary_kind(ctx: MappingContext, label: str) -> bool:
    """True when a unit type is only a generic head noun ("team", "division") of ``hv:unit-kinds``."""
    return ctx.vocabulary is not None and ctx.vocabulary.find("unit_kinds", label) is not None


def _role(ctx: MappingContext, entity: Entity) -> None:
    local = is_local(entity, ctx.vocabulary)
    _role_node(ctx, ctx.entity(entity.id), entity.name, entity.expansion, local=local)


def _role_node(
    ctx: MappingContext, node: URIRef, name: str, expansion: str | None = None, *, local: bool = True
) -> URIRef:
    """A post: one per force (``hmic:force``) unless the vocabulary lists it as national."""
    label = " ".join(name.split())
    ctx.node(node, ORG.Role, label=f"{label} ({ctx.report.force.name})" if local else label)
    pref_label(ctx, node, label)
    if expansion and expansion.casefold() != name.casefold():
        ctx.add(node, SKOS.altLabel, expansion)
    if local:
        ctx.add(node, HMIC.force, ctx.force_iri)
    return node


def _person(ctx: MappingContext, entity: Entity) -> None:
    roles = [
        _ensure_entity(ctx, role_id, role_id.partition("/")[2].replace("-", " ")) for role_id in entity.roles
    ]
    _person_node(ctx, entity.name, entity.rank, roles, ctx.slugs.get(entity.id, entity.id).partition("/")[2])


def _person_node(
    ctx: MappingContext, name: str, rank: str | None, roles: list[URIRef], slug: str | None = None
) -> URIRef:
    slug = slug or person_key(name)
    node = ctx.iris.person(slug)
    ctx.node(node, FOAF.Person, SCHEMA.Person, label=name)
    ctx.add(node, FOAF.name, name)
    if rank:
        ctx.add(node, HMIC.rank, canonical_rank(rank, ctx.vocabulary))
        ctx.add(node, HMIC.rankAsPrinted, rank)
    ctx.add(node, ORG.memberOf, ctx.force_iri)
    force_name = ctx.report.force.name
    for role in roles or [None]:
        role_slug_ = ctx.iris.parse(str(role))[1][0] if role is not None else None
        membership = ctx.iris.membership(ctx.force_id, slug, role_slug_)
        ctx.node(membership, ORG.Membership, label=f"{name} in {force_name}")
        ctx.add(membership, ORG.member, node)
        ctx.add(membership, ORG.organization, ctx.force_iri)
        ctx.add(membership, ORG.role, role)
        ctx.add(node, HMIC.holdsRole, role)
    return node


def _partner(ctx: MappingContext, entity: Entity) -> None:
    node = ctx.entity(entity.id)
    term = ctx.vocabulary.find("partners", entity.name) if ctx.vocabulary else None
    label = term.label if term else " ".join(entity.name.split())
    local = is_local(entity, ctx.vocabulary)
    ctx.node(
        node,
        HMIC.PartnerBody,
        ORG.Organization,
        label=f"{label} ({ctx.report.force.name})" if local else label,
    )
    pref_label(ctx, node, label)
    ctx.add(node, HMIC.expansion, entity.expansion or (term.expansion if term else None))
    if local:  # each force's own police authority, LSCB, council …
        ctx.add(node, HMIC.force, ctx.force_iri)


_KIND_ORDER = (EntityKind.IT_SYSTEM, EntityKind.UNIT, EntityKind.ROLE, EntityKind.PARTNER, EntityKind.PERSON)
_ENTITY_MAPPERS = {
    EntityKind.IT_SYSTEM: _system,
    EntityKind.UNIT: _unit,
    EntityKind.ROLE: _role,
    EntityKind.PERSON: _person,
    EntityKind.PARTNER: _partner,
}


def _contacts(ctx: MappingContext) -> None:
    """Each practice contact becomes (or joins) a person node that ``hmic:lead``s the practice."""
    n = 0
    for section in ctx.report.sections:
        for practice in section.practices:
            n += 1
            for contact in practice.all_contacts:
                if not contact.is_person:  # a contact point (post, e-mail, phone) is not a person
                    continue
                roles = []
                if contact.role:
                    slug = owned_slug(ctx.force_id, role_slug(contact.role, ctx.expansions))
                    roles.append(_role_node(ctx, ctx.iris.role(slug), contact.role))
                person = _person_node(ctx, contact.name, contact.rank, roles)
                ctx.add(ctx.iris.practice(ctx.report_id, n), HMIC.lead, person)


def _ensure_entity(ctx: MappingContext, entity_id: str, text: str) -> URIRef:
    """The node of a mentioned entity the loader did not list (described minimally from the mention)."""
    if entity_id not in ctx.slugs:
        prefix, _, key = entity_id.partition("/")
        entity = Entity(
            id=entity_id, kind=EntityKind(prefix.replace("-", "_")), name=text, expansion=None, mentions=()
        )
        slug = (
            key if entity.kind is EntityKind.PERSON else entity_slug(entity, ctx.expansions, ctx.vocabulary)
        )
        if is_local(entity, ctx.vocabulary):
            slug = owned_slug(ctx.force_id, slug)
        ctx.slugs[entity_id] = f"{prefix}/{slug}"
        _ENTITY_MAPPERS[entity.kind](ctx, entity)
    return ctx.entity(entity_id)


def _mentions(ctx: MappingContext, boilerplate: Boilerplate) -> dict[URIRef, list[_Support]]:
    """Mention annotations (statement mentions first, then the entities' other mentions).

    Returns, per mentioned entity node, the findings/practices naming it, or failing those its mentions
    outside the boilerplate; an entity named only in boilerplate is left out (it supports no force fact).
    """
    statements: dict[URIRef, list[_Support]] = {}
    loose: dict[URIRef, list[_Support]] = {}
    seen: set[tuple[str, int]] = set()
    sentences = SentenceKeys(ctx.report)
    n = 0

    def annotate(entity_id: str, text: str, span: SourceSpan, context: URIRef | None) -> None:
        nonlocal n
        n += 1
        entity = _ensure_entity(ctx, entity_id, text)
        node = ctx.iris.mention(ctx.report_id, n)
        ctx.node(node, HMIC.Mention, OA.Annotation, label=f"“{text}” (line {span.line_from})")
        ctx.add(node, HMIC.entity, entity)
        ctx.add(node, HMIC.text, text)
        ctx.add(node, HMIC.report, ctx.report_iri)
        ctx.add(node, HMIC.mentionedIn, context)
        ctx.provenance(node, span)
        ctx.add(ctx.report_iri, HMIC.mentions, entity)
        if context is not None:
            ctx.add(context, HMIC.mentions, entity)
        ctx.add(node, HMIC.sentenceKey, sentences.key(span.line_from, text))  # repeated across reports?
        if span.line_from in boilerplate:
            ctx.add(node, HMIC.inBoilerplate, True)
        else:
            loose.setdefault(entity, []).append(_Support(node, span))
        seen.add((entity_id, span.line_from))

    for statement in ctx.statements:
        for mention in statement.mentions:
            annotate(mention.entity_id, mention.text, mention.span, statement.node)
            supporters = statements.setdefault(ctx.entity(mention.entity_id), [])
            if all(s.node != statement.node for s in supporters):
                supporters.append(_Support(statement.node, statement.span))
    for entity in ctx.report.entities:
        for m in entity.mentions:
            if (entity.id, m.line) not in seen:
                annotate(entity.id, m.text, SourceSpan(ctx.report.source.name, m.line, m.line, m.page), None)
    return {node: statements.get(node) or loose[node] for node in {*statements, *loose}}


def _system_use(ctx: MappingContext, system: URIRef, slug: str, supporters: list[_Support]) -> None:
    node = ctx.iris.system_use(ctx.report_id, slug)
    first = min(supporters, key=lambda s: (s.span.line_from, s.span.line_to))
    system_label = ctx.value(system, SKOS.prefLabel) or slug
    ctx.node(node, HMIC.SystemUse, label=f"{ctx.report.force.name} uses {system_label}")
    ctx.add(node, HMIC.force, ctx.force_iri)
    ctx.add(node, HMIC.system, system)
    ctx.add(node, HMIC.report, ctx.report_iri)
    for supporter in supporters:
        ctx.add(node, HMIC.supportedBy, supporter.node)
    ctx.provenance(node, first.span)
    ctx.add(ctx.force_iri, HMIC.usesSystem, system)


def map_leads(ctx: MappingContext) -> None:
    """``hmic:Lead`` nodes: who (person or post) leads which practice or area."""
    for n, lead in enumerate(ctx.report.leads, start=1):
        node = ctx.iris.lead(ctx.report_id, n)
        leader = _ensure_entity(ctx, lead.entity_id, lead.entity_id.partition("/")[2].replace("-", " "))
        subject = ctx.practices_by_title.get(" ".join(lead.subject.split()).casefold())
        if subject is None and lead.area_id:
            subject = ctx.iris.area(lead.area_id)
        leader_label = ctx.value(leader, SKOS.prefLabel) or ctx.value(leader, FOAF.name) or leader
        ctx.node(node, HMIC.Lead, label=f"{leader_label} leads {lead.subject}")
        ctx.add(node, HMIC.leader, leader)
        ctx.add(node, HMIC.leads, subject)
        ctx.add(node, HMIC.subjectText, lead.subject)
        ctx.add(node, HMIC.leadKind, lead.kind)
        ctx.add(node, HMIC.text, lead.text or None)
        ctx.add(node, HMIC.force, ctx.force_iri)
        ctx.add(node, HMIC.report, ctx.report_iri)
        ctx.provenance(node, lead.span)


def pref_label(ctx: MappingContext, node: URIRef, label: str) -> None:
    """One ``skos:prefLabel`` per node: a second name for it (two entities that resolve to one node)
    becomes a ``skos:altLabel``."""
    label = " ".join(label.split())
    existing = ctx.value(node, SKOS.prefLabel)
    if existing is None:
        ctx.add(node, SKOS.prefLabel, label)
    elif str(existing) != label:
        ctx.add(node, SKOS.altLabel, label)
