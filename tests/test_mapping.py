"""The RDF mapping of the hand-built fixture reports (and of the real sample reports)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import RDF, RDFS, Dataset, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import FOAF, ORG, PROV, SKOS, XSD

from graph.iris import HMIC, Iris, slugify
from graph.mapping import report_metadata, report_to_graph, vocabulary_graph
from graph.resolve import Expansions, canonical_rank, person_key, role_slug
from graph.validate import validate
from tests.graph_fixtures import northamptonshire, nottinghamshire, reports

IRIS = Iris()
NOTTS, NORTHANTS = IRIS.force("nottinghamshire"), IRIS.force("northamptonshire")
DERIVED_CLASSES = (
    HMIC.Finding, HMIC.DevelopingPractice, HMIC.Judgement, HMIC.Mention, HMIC.Lead, HMIC.Reinspection,
    HMIC.SystemUse,
)  # fmt: skip


def dataset(*graphs: tuple[str, Graph]) -> Dataset:
    ds = Dataset()
    for report_id, graph in graphs:
        named = ds.graph(IRIS.report_graph(report_id))
        for triple in graph:
            named.add(triple)
    return ds


@pytest.fixture(scope="module")
def graphs() -> dict[str, Graph]:
    return {report.report_id: report_to_graph(report, IRIS) for report in reports()}


@pytest.fixture(scope="module")
def union(graphs: dict[str, Graph]) -> Graph:
    merged = Graph()
    for graph in graphs.values():
        merged += graph
    return merged


def assert_isomorphic(left: Graph, right: Graph) -> None:
    """Isomorphism with a readable triple diff on failure (after rdflib's test utilities)."""
    if isomorphic(left, right):
        return
    _, only_left, only_right = graph_diff(to_isomorphic(left), to_isomorphic(right))
    lines = ["graphs differ", "only in first:"]
    lines += sorted(f"  {t}" for t in only_left)[:40]
    lines += ["only in second:", *sorted(f"  {t}" for t in only_right)[:40]]
    pytest.fail("\n".join(lines))


def test_each_report_graph_conforms_to_the_shapes(graphs: dict[str, Graph]) -> None:
    for report_id, graph in graphs.items():
        result = validate(graph)
        assert result.conforms, f"{report_id}:\n{result.text}"


def test_union_with_vocabulary_and_metadata_conforms(graphs: dict[str, Graph]) -> None:
    ds = dataset(*graphs.items())
    vocab = ds.graph(IRIS.vocabulary_graph())
    for triple in vocabulary_graph(IRIS):
        vocab.add(triple)
    meta = ds.graph(IRIS.meta_graph())
    for report in reports():
        for triple in report_metadata(
            report, IRIS, loader_version="0.1.0", loaded_at=datetime(2024, 1, 2, tzinfo=UTC), triple_count=1
        ):
            meta.add(triple)
    result = validate(ds)
    assert result.conforms, result.text


@pytest.mark.parametrize("cls", DERIVED_CLASSES, ids=lambda c: c.fragment)
def test_every_derived_node_has_provenance(union: Graph, cls: URIRef) -> None:
    nodes = set(union.subjects(RDF.type, cls))
    assert nodes, f"the fixture produces no {cls.fragment}"
    for node in nodes:
        report = union.value(node, PROV.wasDerivedFrom)
        assert report is not None and (report, RDF.type, HMIC.InspectionReport) in union, node
        line_from, line_to = union.value(node, HMIC.lineFrom), union.value(node, HMIC.lineTo)
        assert line_from is not None and line_to is not None, node
        assert line_from.datatype == XSD.integer and 1 <= line_from.toPython() <= line_to.toPython(), node


def test_finding_line_span_and_page_come_from_the_model(graphs: dict[str, Graph]) -> None:
    graph = graphs["northamptonshire-2007"]
    finding = IRIS.finding("northamptonshire-2007", "public-protection", 1)
    assert (finding, RDF.type, HMIC.Strength) in graph and (finding, RDF.type, HMIC.Finding) in graph
    assert graph.value(finding, HMIC.lineFrom) == Literal(1657)
    assert graph.value(finding, HMIC.lineTo) == Literal(1658)
    assert graph.value(finding, HMIC.page) == Literal(40)
    assert graph.value(finding, HMIC.findingKind) == IRIS.finding_kind("strength")


def test_every_subject_has_an_rdfs_label(graphs: dict[str, Graph]) -> None:
    for graph in graphs.values():
        unlabelled = {s for s in graph.subjects() if (s, RDFS.label, None) not in graph}
        assert not unlabelled, sorted(unlabelled)[:5]


def test_shared_system_is_one_node_used_by_both_forces(union: Graph) -> None:
    systems = set(union.subjects(RDF.type, HMIC.ITSystem))
    assert systems == {IRIS.system("visor")}  # "ViSOR" and "Visor" resolved to one node
    assert set(union.subjects(HMIC.usesSystem, IRIS.system("visor"))) == {NOTTS, NORTHANTS}
    uses = set(union.subjects(HMIC.system, IRIS.system("visor")))
    assert uses == {
        IRIS.system_use("nottinghamshire-2007", "visor"),
        IRIS.system_use("northamptonshire-2007", "visor"),
    }
    supporters = set(union.objects(IRIS.system_use("nottinghamshire-2007", "visor"), HMIC.supportedBy))
    assert supporters == {
        IRIS.finding("nottinghamshire-2007", "public-protection", 1),
        IRIS.practice("nottinghamshire-2007", 2),
    }


def test_one_person_leads_practices_in_two_reports(union: Graph) -> None:
    people = set(union.subjects(RDF.type, FOAF.Person))
    person = IRIS.person("jackie-alexander")
    assert people == {person}
    led = set(union.subjects(HMIC.lead, person))
    assert led == {
        IRIS.practice("nottinghamshire-2007", 1),
        IRIS.practice("nottinghamshire-2007", 2),
        IRIS.practice("northamptonshire-2007", 1),
    }
    assert set(union.objects(person, ORG.memberOf)) == {NOTTS, NORTHANTS}


def test_rank_variants_merge_into_one_canonical_rank(union: Graph) -> None:
    person = IRIS.person("jackie-alexander")
    assert {str(r) for r in union.objects(person, HMIC.rank)} == {"Detective Superintendent"}
    printed = {str(r) for r in union.objects(person, HMIC.rankAsPrinted)}
    assert printed == {"Detective Supt", "Detective Superintendent", "Det Supt"}


def test_unit_types_are_shared_and_units_are_per_force(union: Graph) -> None:
    assert set(union.subjects(RDF.type, HMIC.UnitType)) == {IRIS.unit_type("dpmu"), IRIS.unit_type("caiu")}
    units = set(union.subjects(HMIC.unitType, IRIS.unit_type("caiu")))
    assert units == {IRIS.unit("nottinghamshire", "caiu"), IRIS.unit("northamptonshire", "caiu")}
    assert (NOTTS, ORG.hasUnit, IRIS.unit("nottinghamshire", "caiu")) in union
    assert union.value(IRIS.unit("northamptonshire", "dpmu"), ORG.unitOf) == NORTHANTS
    supported = union.value(IRIS.unit("nottinghamshire", "caiu"), HMIC.supportedBy)
    assert supported == IRIS.finding("nottinghamshire-2007", "child-abuse", 1)


def test_judgements_carry_grade_area_and_national_distribution(graphs: dict[str, Graph]) -> None:
    graph = graphs["nottinghamshire-2007"]
    judgement = IRIS.judgement("nottinghamshire-2007", "child-abuse")
    assert graph.value(judgement, HMIC.grade) == IRIS.grade("fair")
    assert graph.value(judgement, HMIC.area) == IRIS.area("child-abuse")
    assert graph.value(judgement, HMIC.lineFrom) == Literal(310)  # the force summary row
    distribution = graph.value(judgement, HMIC.nationalDistribution)
    counts = [
        graph.value(distribution, p).toPython()
        for p in (HMIC.excellentCount, HMIC.goodCount, HMIC.fairCount, HMIC.poorCount)
    ]
    assert counts == [1, 10, 25, 7]
    assert (IRIS.judgement("nottinghamshire-2007", "protecting-vulnerable-people"), None, None) not in graph


def test_mentions_leads_glossary_facts_and_reinspections(graphs: dict[str, Graph]) -> None:
    graph = graphs["nottinghamshire-2007"]
    mentions = set(graph.subjects(RDF.type, HMIC.Mention))
    assert len(mentions) == 9
    in_finding = {m for m in mentions if graph.value(m, HMIC.mentionedIn) is not None}
    assert len(in_finding) == 4
    lead = IRIS.lead("nottinghamshire-2007", 2)
    assert graph.value(lead, HMIC.leader) == IRIS.role("nottinghamshire-acc-crime")  # a post of its force
    assert graph.value(lead, HMIC.leads) == IRIS.area("protecting-vulnerable-people")
    caiu = IRIS.glossary_entry("nottinghamshire-2007", "caiu")
    assert graph.value(caiu, SKOS.inScheme) == IRIS.glossary("nottinghamshire-2007")
    population = IRIS.fact("nottinghamshire-2007", "population")
    assert graph.value(population, HMIC.factValue) == Literal(1034739)
    assert graph.value(IRIS.profile("nottinghamshire-2007"), HMIC.profileOf) == NOTTS
    reinspection = IRIS.reinspection("nottinghamshire-2007", 1)
    assert graph.value(reinspection, HMIC.newGrade) == IRIS.grade("fair")


def test_force_links_to_police_uk_id_and_ons_code(graphs: dict[str, Graph]) -> None:
    graph = graphs["nottinghamshire-2007"]
    assert graph.value(NOTTS, HMIC.policeUkId) == Literal("nottinghamshire")
    assert graph.value(NOTTS, HMIC.onsCode) == Literal("E23000020")


def test_mapping_twice_gives_isomorphic_graphs() -> None:
    assert_isomorphic(report_to_graph(nottinghamshire(), IRIS), report_to_graph(nottinghamshire(), IRIS))
    assert_isomorphic(report_to_graph(northamptonshire(), IRIS), report_to_graph(northamptonshire(), IRIS))


def test_base_iri_is_configurable() -> None:
    iris = Iris("https://example.org/hmic/")
    graph = report_to_graph(nottinghamshire(), iris)
    assert (URIRef("https://example.org/hmic/system/visor"), RDF.type, HMIC.ITSystem) in graph
    assert not any(str(s).startswith("http://127.0.0.1") for s in graph.subjects())


def test_report_metadata_describes_the_report_graph() -> None:
    loaded = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    meta = report_metadata(nottinghamshire(), IRIS, loader_version="0.1.0", loaded_at=loaded, triple_count=42)
    node = IRIS.report_graph("nottinghamshire-2007")
    assert meta.value(node, HMIC.graphOf) == IRIS.report("nottinghamshire-2007")
    assert meta.value(node, HMIC.sha256) == Literal("a" * 64)
    assert meta.value(node, HMIC.tripleCount) == Literal(42)
    assert meta.value(node, PROV.generatedAtTime).datatype == XSD.dateTime


def test_vocabulary_graph_has_the_concept_schemes() -> None:
    vocab = vocabulary_graph(IRIS)
    areas = set(vocab.subjects(SKOS.inScheme, HMIC.InspectionAreas))
    assert len(areas) == 7
    pvp = IRIS.area("protecting-vulnerable-people")
    assert set(vocab.subjects(SKOS.broader, pvp)) == {
        IRIS.area(a) for a in ("child-abuse", "domestic-violence", "public-protection", "missing-persons")
    }
    notations = {
        str(vocab.value(IRIS.grade(g), SKOS.notation)) for g in ("excellent", "good", "fair", "poor")
    }
    assert notations == {"1", "2", "3", "4"}
    assert (IRIS.unit_type("dpmu"), RDF.type, HMIC.UnitType) in vocab


def test_resolution_rules() -> None:
    assert canonical_rank("Detective Supt") == canonical_rank("Det Supt") == "Detective Superintendent"
    assert canonical_rank("Ch Insp") == "Chief Inspector"
    assert person_key("Mrs  Jo Bloggs") == "jo-bloggs"
    expansions = Expansions.of([("ACC", "assistant chief constable")])
    assert role_slug("ACC (crime)", expansions) == role_slug("Assistant Chief Constable (Crime)", expansions)
    assert role_slug("ACC (crime)", expansions) == "acc-crime"


def test_iris_reject_a_bad_base_and_parse_round_trips() -> None:
    for bad in ("ftp://x/", "http://x/id", "id/", "http:///"):
        with pytest.raises(ValueError):
            Iris(bad)
    assert IRIS.entity_iri("unit/dpmu", "nottinghamshire") == IRIS.unit("nottinghamshire", "dpmu")
    assert IRIS.entity_iri("it-system/visor", "x") == IRIS.system("visor")
    assert IRIS.parse(str(IRIS.finding("r-2007", "child-abuse", 3))) == (
        "finding",
        ("r-2007", "child-abuse", "3"),
    )
    with pytest.raises(ValueError):
        IRIS.parse("http://127.0.0.1:8000/id/nonsense/x")
    with pytest.raises(ValueError):
        IRIS.entity_iri("thing/x", "f")


@given(st.text(max_size=40))
def test_slugs_are_lower_ascii_hyphenated(text: str) -> None:
    slug = slugify(text)
    assert all(c.isascii() and (c.islower() or c.isdigit() or c == "-") for c in slug)
    assert not slug.startswith("-") and not slug.endswith("-") and "--" not in slug
    if slug:
        assert IRIS.parse(str(IRIS.system(slug))) == ("system", (slug,))


def test_real_sample_reports_map_to_conforming_graphs() -> None:
    from loaders.pipeline import load_report

    reports_dir = Path(__file__).resolve().parent.parent / "data" / "reports"
    union = Graph()
    for path in sorted(reports_dir.glob("*.txt")):
        report = load_report(path)
        graph = report_to_graph(report, IRIS)
        result = validate(graph)
        assert result.conforms, f"{path.name}:\n{result.text[:4000]}"
        union += graph
    assert len(set(union.subjects(RDF.type, HMIC.PoliceForce))) == 2
    assert validate(union).conforms
