"""Document model -> RDF: the only place triples are made (entities live in ``mapping_entities``).

Pure functions: the same :class:`InspectionReport` always gives an isomorphic graph with the same IRIs.
"""

from __future__ import annotations

import functools
from datetime import datetime

from rdflib import Graph, Literal, URIRef

from graph.iris import Iris, slugify
from graph.mapping_base import (
    DCTERMS,
    HMIC,
    ORG,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    XSD,
    MappingContext,
    Statement,
    Triple,
    bind_prefixes,
)
from graph.mapping_entities import map_entities, map_leads
from loaders.model import Contact, FindingKind, GradeDistribution, InspectionReport, SourceSpan
from loaders.resources import ontology_file
from loaders.vocabulary import Vocabulary

FINDING_CLASSES = {
    FindingKind.STRENGTH: HMIC.Strength,
    FindingKind.WORK_IN_PROGRESS: HMIC.WorkInProgress,
    FindingKind.AREA_FOR_IMPROVEMENT: HMIC.AreaForImprovement,
}
#: ontology concept local-name prefixes of the schemes served as data (``hmic:area-x`` -> ``area/x``)
SCHEME_PREFIXES = ("area-", "grade-", "finding-kind-")


def report_to_graph(report: InspectionReport, iris: Iris, vocabulary: Vocabulary | None = None) -> Graph:
    """All triples of the report's named graph (``graph/{report-id}``), as an rdflib graph.

    ``vocabulary`` (default: the shipped seed vocabulary) supplies abbreviation expansions and canonical
    ranks for entity resolution. Building the graph's indexes costs more than the mapping itself: callers
    that only need the triples should use :func:`report_triples`.
    """
    graph = bind_prefixes(Graph())
    add = graph.store.add  # every term is an rdflib node: skip Graph.add's per-triple checks
    for triple in report_triples(report, iris, vocabulary):
        add(triple, graph, quoted=False)
    return graph


def report_triples(
    report: InspectionReport, iris: Iris, vocabulary: Vocabulary | None = None
) -> list[Triple]:
    """The triples of :func:`report_to_graph` without building a graph.

    Each triple once, in the order first made (deterministic for a given report), as rdflib terms.
    """
    ctx = MappingContext(report, iris, vocabulary if vocabulary is not None else _seed_vocabulary())
    map_force(ctx)
    map_report(ctx)
    map_judgements(ctx)
    map_sections(ctx)
    map_entities(ctx)
    map_leads(ctx)
    map_reinspections(ctx)
    map_glossary(ctx)
    map_profile(ctx)
    return ctx.triple_list()


def map_force(ctx: MappingContext) -> None:
    force = ctx.report.force
    node = ctx.node(ctx.force_iri, HMIC.PoliceForce, ORG.FormalOrganization, label=force.name)
    ctx.add(node, SKOS.prefLabel, force.name)
    if force.in_register:
        ctx.add(node, HMIC.policeUkId, Literal(force.id))
    ctx.add(node, HMIC.onsCode, force.ons_code and Literal(force.ons_code))
    ctx.add(node, HMIC.inRegister, force.in_register)


def report_title(report: InspectionReport) -> str:
    year = f" {report.year}" if report.year else ""
    return f"HMIC inspection of {report.force.name}{year}"


def map_report(ctx: MappingContext) -> None:
    report = ctx.report
    node = ctx.node(ctx.report_iri, HMIC.InspectionReport, PROV.Entity, label=report_title(report))
    ctx.add(node, DCTERMS.title, report_title(report))
    ctx.add(node, HMIC.aboutForce, ctx.force_iri)
    ctx.add(node, HMIC.year, report.year)
    ctx.add(node, HMIC.assessmentPeriod, report.assessment_period)
    ctx.add(node, HMIC.sourceFile, report.source.name)
    ctx.add(node, HMIC.sha256, report.source.sha256)
    ctx.add(node, DCTERMS.publisher, "HMIC")


def map_judgements(ctx: MappingContext) -> None:
    """One judgement per graded area: grade from the force summary or the section, distribution likewise."""
    report = ctx.report
    grades = {row.area_id: (row.grade, row.span, row.label) for row in report.force_summary}
    for section in report.sections:
        if section.grade is not None and section.area_id not in grades:
            grades[section.area_id] = (section.grade, section.span, section.title)
    national = {row.area_id: (row.distribution, row.span) for row in report.national_summary}
    for section in report.sections:
        if section.national_distribution is not None:
            national[section.area_id] = (section.national_distribution, section.span)
    for area_id, (grade, span, area_label) in grades.items():
        node = ctx.iris.judgement(ctx.report_id, area_id)
        label = f"{report.force.name}: {area_label} – {grade.value.capitalize()}"
        ctx.node(node, HMIC.Judgement, label=label)
        ctx.add(node, HMIC.force, ctx.force_iri)
        ctx.add(node, HMIC.area, ctx.iris.area(area_id))
        ctx.add(node, HMIC.grade, ctx.iris.grade(grade.value))
        ctx.add(node, HMIC.report, ctx.report_iri)
        ctx.add(node, HMIC.assessmentPeriod, report.assessment_period)
        ctx.provenance(node, span)
        if area_id in national:
            distribution, dist_span = national[area_id]
            dist = _distribution(ctx, area_id, distribution, dist_span, area_label)
            ctx.add(node, HMIC.nationalDistribution, dist)


def _distribution(
    ctx: MappingContext, area_id: str, counts: GradeDistribution, span: SourceSpan, area_label: str
) -> URIRef:
    node = ctx.iris.distribution(ctx.report_id, area_id)
    ctx.node(node, HMIC.GradeDistribution, label=f"National grades for {area_label} ({ctx.report_id})")
    ctx.add(node, HMIC.excellentCount, counts.excellent)
    ctx.add(node, HMIC.goodCount, counts.good)
    ctx.add(node, HMIC.fairCount, counts.fair)
    ctx.add(node, HMIC.poorCount, counts.poor)
    ctx.provenance(node, span)
    return node


def map_sections(ctx: MappingContext) -> None:
    """Findings (numbered per section) and developing practices (numbered across the report)."""
    practice_no = 0
    for section in ctx.report.sections:
        area = ctx.iris.area(section.area_id)
        for n, finding in enumerate(section.findings, start=1):
            node = ctx.iris.finding(ctx.report_id, section.area_id, n)
            kind_label = finding.kind.value.replace("_", " ").capitalize()
            ctx.node(node, HMIC.Finding, FINDING_CLASSES[finding.kind], label=f"{kind_label}: {finding.text}")
            ctx.add(node, HMIC.findingKind, ctx.iris.finding_kind(finding.kind.value))
            ctx.add(node, HMIC.text, finding.text)
            _in_report(ctx, node, area)
            ctx.provenance(node, finding.span)
            ctx.statements.append(Statement(node, finding.span, finding.mentions))
        for practice in section.practices:
            practice_no += 1
            node = ctx.iris.practice(ctx.report_id, practice_no)
            ctx.node(node, HMIC.DevelopingPractice, PROV.Entity, label=practice.title)
            ctx.add(node, DCTERMS.title, practice.title)
            ctx.add(node, HMIC.inspectionArea, practice.inspection_area)
            ctx.add(node, HMIC.problem, practice.problem)
            ctx.add(node, HMIC.solution, practice.solution)
            ctx.add(node, HMIC.outcomes, practice.outcomes)
            _in_report(ctx, node, area)
            ctx.provenance(node, practice.span)
            for k, contact in enumerate(practice.all_contacts, start=1):
                _contact(ctx, node, practice_no, contact, k)
            ctx.practices_by_title.setdefault(" ".join(practice.title.split()).casefold(), node)
            ctx.statements.append(Statement(node, practice.span, practice.mentions))


def _in_report(ctx: MappingContext, node: URIRef, area: URIRef) -> None:
    ctx.add(node, HMIC.area, area)
    ctx.add(node, HMIC.force, ctx.force_iri)
    ctx.add(node, HMIC.report, ctx.report_iri)


def _contact(ctx: MappingContext, practice: URIRef, n: int, contact: Contact, k: int = 1) -> None:
    """The ``k``-th contact point of practice ``n``; one without a personal name is named by its post,
    e-mail or phone (and makes no person node)."""
    node = ctx.iris.contact(ctx.report_id, n) if k == 1 else ctx.iris.contact(ctx.report_id, f"{n}-{k}")
    ctx.node(node, SCHEMA.ContactPoint, label=f"Contact: {contact.label}")
    ctx.add(practice, SCHEMA.contactPoint, node)
    ctx.add_all(
        node,
        (SCHEMA.name, contact.label),
        (SCHEMA.address, contact.address),
        (SCHEMA.telephone, contact.phone),
        (SCHEMA.email, contact.email),
        (HMIC.rank, contact.rank),
        (HMIC.role, contact.role),
    )
    ctx.provenance(node, contact.span)


def map_reinspections(ctx: MappingContext) -> None:
    for n, item in enumerate(ctx.report.developments, start=1):
        node = ctx.iris.reinspection(ctx.report_id, n)
        code = f" ({item.code})" if item.code else ""
        ctx.node(node, HMIC.Reinspection, label=f"Reinspection of {item.framework}{code}")
        old, new = (grade and ctx.iris.grade(grade.value) for grade in (item.old_grade, item.new_grade))
        ctx.add_all(node, (HMIC.framework, item.framework), (HMIC.frameworkCode, item.code))
        ctx.add_all(node, (HMIC.oldGrade, old), (HMIC.newGrade, new))
        ctx.add_all(node, (HMIC.oldDirection, item.old_direction), (HMIC.newDirection, item.new_direction))
        ctx.add_all(node, (HMIC.force, ctx.force_iri), (HMIC.report, ctx.report_iri))
        ctx.provenance(node, item.span)


def map_glossary(ctx: MappingContext) -> None:
    """The glossary as a SKOS concept scheme of its own (``glossary/{report-id}``)."""
    glossary = ctx.report.glossary
    if not glossary:
        return
    scheme = ctx.iris.glossary(ctx.report_id)
    title = f"Glossary of {report_title(ctx.report)}"
    ctx.node(scheme, SKOS.ConceptScheme, label=title)
    ctx.add_all(scheme, (SKOS.prefLabel, title), (PROV.wasDerivedFrom, ctx.report_iri))
    seen: dict[str, int] = {}
    for entry in glossary:
        slug = slugify(entry.abbreviation) or "entry"
        seen[slug] = seen.get(slug, 0) + 1
        if seen[slug] > 1:
            slug = f"{slug}-{seen[slug]}"
        node = ctx.iris.glossary_entry(ctx.report_id, slug)
        ctx.node(node, SKOS.Concept, label=f"{entry.abbreviation} – {entry.expansion}")
        ctx.add_all(node, (SKOS.inScheme, scheme), (SKOS.prefLabel, entry.abbreviation))
        ctx.add_all(node, (SKOS.definition, entry.expansion), (HMIC.expansion, entry.expansion))
        ctx.provenance(node, entry.span)


def map_profile(ctx: MappingContext) -> None:
    """Force facts as a per-report ``hmic:ForceProfile`` with one ``hmic:ForceFact`` per key."""
    if not ctx.report.facts:
        return
    profile = ctx.iris.profile(ctx.report_id)
    ctx.node(profile, HMIC.ForceProfile, label=f"{ctx.report.force.name} profile ({ctx.report_id})")
    ctx.add_all(
        profile,
        (HMIC.profileOf, ctx.force_iri),
        (HMIC.report, ctx.report_iri),
        (PROV.wasDerivedFrom, ctx.report_iri),
    )
    for fact in ctx.report.facts:
        node = ctx.iris.fact(ctx.report_id, fact.key)
        values = fact.value if isinstance(fact.value, tuple) else (fact.value,)
        shown = ", ".join(str(v) for v in values)
        ctx.node(node, HMIC.ForceFact, label=f"{fact.key.replace('_', ' ')}: {shown}")
        ctx.add(profile, HMIC.fact, node)
        ctx.add(node, HMIC.factKey, fact.key)
        for value in values:
            ctx.add(node, HMIC.factValue, value)
        ctx.provenance(node, fact.span)


def report_metadata(
    report: InspectionReport,
    iris: Iris,
    *,
    loader_version: str,
    loaded_at: datetime,
    triple_count: int,
) -> Graph:
    """Triples of the metadata graph (``graph/meta``) describing the report's named graph.

    ``triple_count``: the size of the report graph (``hmic:tripleCount``), so listing the loaded graphs
    never has to count a whole store.
    """
    graph = bind_prefixes(Graph())
    node = iris.report_graph(report.report_id)
    graph.add((node, RDF.type, HMIC.ReportGraph))
    graph.add((node, RDFS.label, Literal(f"Graph of {report_title(report)}")))
    graph.add((node, HMIC.graphOf, iris.report(report.report_id)))
    graph.add((node, HMIC.sourceFile, Literal(report.source.name)))
    graph.add((node, HMIC.sha256, Literal(report.source.sha256)))
    graph.add((node, HMIC.loaderVersion, Literal(loader_version)))
    graph.add((node, PROV.generatedAtTime, Literal(loaded_at.isoformat(), datatype=XSD.dateTime)))
    graph.add((node, HMIC.tripleCount, Literal(triple_count)))
    return graph


@functools.cache
def ontology_graph() -> Graph:
    """The OWL ontology ``ontology/hmic.ttl`` (cached; do not mutate)."""
    return Graph().parse(ontology_file("hmic.ttl"), format="turtle")


def vocabulary_graph(iris: Iris, vocabulary: Vocabulary | None = None) -> Graph:
    """Areas, grades and finding kinds (from hmic.ttl) and seed unit types as data concepts under the base.

    Each data concept (``area/child-abuse``) is ``skos:exactMatch`` its ontology concept and keeps its
    scheme, labels, notation and ``skos:broader`` links.
    """
    ontology = ontology_graph()
    graph = bind_prefixes(Graph())
    renamed: dict[URIRef, URIRef] = {}
    for concept in sorted(ontology.subjects(RDF.type, SKOS.Concept)):
        local = str(concept).removeprefix(str(HMIC))
        for prefix in SCHEME_PREFIXES:
            if local.startswith(prefix):
                renamed[concept] = URIRef(iris.base + prefix[:-1] + "/" + local.removeprefix(prefix))
    for scheme in ontology.subjects(RDF.type, SKOS.ConceptScheme):
        for p, o in ontology.predicate_objects(scheme):
            graph.add((scheme, p, o))
    for concept, node in renamed.items():
        graph.add((node, SKOS.exactMatch, concept))
        for p, o in ontology.predicate_objects(concept):
            graph.add((node, p, renamed.get(o, o)))  # type: ignore[arg-type]
            if p == SKOS.prefLabel:
                graph.add((node, RDFS.label, Literal(str(o))))
    vocabulary = vocabulary if vocabulary is not None else _seed_vocabulary()
    for term in vocabulary.unit_types if vocabulary else ():
        node = iris.unit_type(slugify(term.label))
        for type_ in (HMIC.UnitType, SKOS.Concept):
            graph.add((node, RDF.type, type_))
        graph.add((node, SKOS.inScheme, HMIC.UnitTypes))
        graph.add((node, SKOS.prefLabel, Literal(term.label)))
        graph.add((node, RDFS.label, Literal(term.label)))
        if term.expansion:
            graph.add((node, HMIC.expansion, Literal(term.expansion)))
    return graph


def _seed_vocabulary() -> Vocabulary | None:
    try:
        return Vocabulary.load()
    except (OSError, ValueError):
        return None
