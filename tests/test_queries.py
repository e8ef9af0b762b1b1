"""Named queries: the catalogue, parameter binding, and the rows each query returns, on every backend.

``TINY`` is a hand-built graph in the shape of docs/graph-model.md; the sample-report tests at the end
assert the rows for the two real reports once loaded through the loader and mapping.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef

from graph import queries
from graph.queries import NamedQueryError, bind_params, catalogue
from graph.store import Store
from tests.conftest_servers import BACKENDS, META, StoreFactory, oxigraph_server, store_factory  # noqa: F401

B = "http://127.0.0.1:8000/id/"
TINY = f"""
@prefix hmic: <https://w3id.org/hmic-kg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix schema: <https://schema.org/> .
@base <{B}> .
<force/alpha> a hmic:PoliceForce ; skos:prefLabel "Alpha Police" ; hmic:usesSystem <system/visor> ;
    org:hasUnit <unit/alpha/dpmu> .
<report/alpha-2007> a hmic:InspectionReport ; hmic:aboutForce <force/alpha> ; dcterms:title "Alpha 2007" ;
    hmic:mentions <system/visor>, <unit/alpha/dpmu>, <role/head-ppu> .
<system/visor> a hmic:ITSystem ; skos:prefLabel "ViSOR" ; rdfs:label "ViSOR" ;
    hmic:expansion "Violent and Sex Offender Register" .
<unit-type/dpmu> a hmic:UnitType ; skos:prefLabel "DPMU" .
<unit/alpha/dpmu> a org:OrganizationalUnit ; skos:prefLabel "DPMU" ; hmic:unitType <unit-type/dpmu> .
<role/head-ppu> a org:Role ; skos:prefLabel "Head of PPU" .
<area/child-abuse> rdfs:label "Child abuse" .
<area/domestic-violence> rdfs:label "Domestic violence" .
<grade/good> rdfs:label "Good" .
<grade/fair> rdfs:label "Fair" .
<judgement/alpha-2007/child-abuse> a hmic:Judgement ; hmic:force <force/alpha> ;
    hmic:area <area/child-abuse> ;
    hmic:grade <grade/good> ; hmic:nationalDistribution <distribution/alpha-2007/child-abuse> .
<distribution/alpha-2007/child-abuse> hmic:excellentCount 1 ; hmic:goodCount 20 ; hmic:fairCount 18 ;
    hmic:poorCount 4 .
<finding/alpha-2007/child-abuse/1> a hmic:Finding, hmic:AreaForImprovement ;
    hmic:text "The DPMU lacks staff." ; hmic:force <force/alpha> ;
    hmic:area <area/child-abuse> ; hmic:mentions <unit/alpha/dpmu> ; hmic:lineFrom 12 .
<practice/alpha-2007/1> a hmic:DevelopingPractice ; dcterms:title "Joint visits" ; hmic:force <force/alpha> ;
    hmic:area <area/domestic-violence> ; hmic:lead <person/ann-lee> ;
    schema:contactPoint [ hmic:role "Head of PPU" ] .
<person/ann-lee> a foaf:Person ; foaf:name "Ann Lee" ; hmic:rank "Detective Inspector" ;
    hmic:holdsRole <role/head-ppu> .
<membership/alpha/ann-lee/head-ppu> a org:Membership ; org:member <person/ann-lee> ;
    org:organization <force/alpha> ;
    org:role <role/head-ppu> .
<system-use/alpha-2007/visor> a hmic:SystemUse ; hmic:force <force/alpha> ; hmic:system <system/visor> ;
    hmic:supportedBy <finding/alpha-2007/child-abuse/1> .
"""
TINY_BETA = f"""
@prefix hmic: <https://w3id.org/hmic-kg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix org: <http://www.w3.org/ns/org#> .
@base <{B}> .
<force/beta> a hmic:PoliceForce ; skos:prefLabel "Beta Constabulary" ; hmic:usesSystem <system/visor> ;
    org:hasUnit <unit/beta/dpmu> .
<report/beta-2007> a hmic:InspectionReport ; hmic:aboutForce <force/beta> ; hmic:mentions <role/head-ppu> .
<system/visor> a hmic:ITSystem ; skos:prefLabel "ViSOR" .
<unit/beta/dpmu> skos:prefLabel "DPMU" ; hmic:unitType <unit-type/dpmu> .
<unit-type/dpmu> skos:prefLabel "DPMU" .
<role/head-ppu> a org:Role ; skos:prefLabel "Head of PPU" .
"""


HMIC_NS = "https://w3id.org/hmic-kg/ontology#"


@pytest.fixture(params=BACKENDS)
def tiny(request: pytest.FixtureRequest, store_factory: StoreFactory) -> Store:  # noqa: F811
    store = store_factory(request.param)
    for name, data in (("alpha-2007", TINY), ("beta-2007", TINY_BETA)):
        triples = Graph().parse(data=data, format="turtle")
        meta = Graph()
        graph_node = URIRef(f"{B}graph/{name}")
        meta.add((graph_node, URIRef(f"{HMIC_NS}graphOf"), URIRef(f"{B}report/{name}")))
        meta.add((graph_node, URIRef(f"{HMIC_NS}tripleCount"), Literal(len(triples))))
        store.replace_graph(f"{B}graph/{name}", triples, meta)
    return store


def run(store: Store, name: str, **params: str) -> list[dict]:
    query = queries.get(name)
    rows = store.query(query.text, bind_params(query, params)).dicts()
    return [
        {
            k: (None if v is None else v.toPython() if isinstance(v, Literal) else str(v))
            for k, v in row.items()
        }
        for row in rows
    ]


def test_catalogue_has_the_required_queries() -> None:
    names = {q.name for q in catalogue()}
    assert {
        "grades-by-force",
        "forces-using-system",
        "practices-with-leads",
        "improvements-mentioning",
        "shared-entities",
        "people-and-roles",
        "report-graphs",
    } <= names
    for query in catalogue():
        assert query.title and query.description, query.name


def test_bind_params_validates() -> None:
    query = queries.get("forces-using-system")
    assert bind_params(query, {"system": "ViSOR"}) == {"system": Literal("ViSOR")}
    assert bind_params(query, {"system": f"<{B}system/visor>"}) == {"system": URIRef(f"{B}system/visor")}
    with pytest.raises(NamedQueryError, match="needs parameter system"):
        bind_params(query, {})
    with pytest.raises(NamedQueryError, match="has no parameter colour"):
        bind_params(query, {"system": "x", "colour": "red"})
    with pytest.raises(NamedQueryError, match="unknown query"):
        queries.get("nope")
    with pytest.raises(NamedQueryError, match="NAME=VALUE"):
        queries.parse_param_options(["novalue"])


def test_forces_using_system(tiny: Store) -> None:
    rows = run(tiny, "forces-using-system", system="visor")  # any case
    assert [(r["forceLabel"], r["systemLabel"]) for r in rows] == [
        ("Alpha Police", "ViSOR"),
        ("Beta Constabulary", "ViSOR"),
    ]
    assert [r["supportingStatements"] for r in rows] == [1, 0]
    assert len(run(tiny, "forces-using-system", system=f"{B}system/visor")) == 2
    assert run(tiny, "forces-using-system", system='"x" } ; DROP ALL ; {') == []
    assert tiny.triple_count() > 0


def test_grades_by_force(tiny: Store) -> None:
    rows = run(tiny, "grades-by-force")
    assert [
        (r["forceLabel"], r["areaLabel"], r["gradeLabel"], r["excellent"], r["good"], r["fair"], r["poor"])
        for r in rows
    ] == [("Alpha Police", "Child abuse", "Good", 1, 20, 18, 4)]
    assert run(tiny, "grades-by-force", force="beta constabulary") == []


def test_improvements_mentioning(tiny: Store) -> None:
    rows = run(tiny, "improvements-mentioning", entity="DPMU")
    assert [(r["forceLabel"], r["areaLabel"], r["text"], r["lineFrom"]) for r in rows] == [
        ("Alpha Police", "Child abuse", "The DPMU lacks staff.", 12)
    ]
    assert len(run(tiny, "improvements-mentioning", entity=f"{B}unit-type/dpmu")) == 1
    assert run(tiny, "improvements-mentioning", entity="ViSOR") == []


def test_practices_with_leads(tiny: Store) -> None:
    rows = run(tiny, "practices-with-leads")
    assert [
        (r["areaLabel"], r["forceLabel"], r["title"], r["leadName"], r["rank"], r["role"]) for r in rows
    ] == [
        ("Domestic violence", "Alpha Police", "Joint visits", "Ann Lee", "Detective Inspector", "Head of PPU")
    ]
    assert run(tiny, "practices-with-leads", area="Child abuse") == []


def test_shared_entities(tiny: Store) -> None:
    rows = run(tiny, "shared-entities")
    assert sorted((r["kind"], r["label"], r["forces"]) for r in rows) == [
        ("IT system", "ViSOR", 2),
        ("role", "Head of PPU", 2),
        ("unit type", "DPMU", 2),
    ]
    visor = next(r for r in rows if r["label"] == "ViSOR")
    assert set(visor["forceNames"].split(" | ")) == {"Alpha Police", "Beta Constabulary"}


def test_people_and_roles(tiny: Store) -> None:
    rows = run(tiny, "people-and-roles")
    assert [(r["name"], r["rank"], r["forceLabel"], r["roleLabel"]) for r in rows] == [
        ("Ann Lee", "Detective Inspector", "Alpha Police", "Head of PPU")
    ]


def test_report_graphs(tiny: Store) -> None:
    rows = run(tiny, "report-graphs")
    assert [r["graph"] for r in rows] == [f"{B}graph/alpha-2007", f"{B}graph/beta-2007"]
    assert rows[0]["triples"] == len(Graph().parse(data=TINY, format="turtle"))
    assert META not in {r["graph"] for r in rows}


# -- the two sample reports ----------------------------------------------------------------------------
SAMPLE_IRIS = "http://127.0.0.1:8000/id/"


@pytest.fixture(scope="module")
def sample_graphs() -> list[tuple[str, Graph, Graph]]:
    """(graph IRI, triples, metadata) of each sample report and the vocabulary, mapped once."""
    from datetime import UTC, datetime

    from graph.iris import Iris
    from graph.mapping import report_metadata, report_to_graph, vocabulary_graph
    from loaders.pipeline import load_report
    from tests.conftest import NORTHANTS, NOTTS

    iris = Iris(SAMPLE_IRIS)
    graphs = [(str(iris.vocabulary_graph()), vocabulary_graph(iris), Graph())]
    for path in (NOTTS, NORTHANTS):
        report = load_report(path)
        triples = report_to_graph(report, iris)
        meta = report_metadata(
            report,
            iris,
            loader_version="test",
            loaded_at=datetime(2024, 1, 1, tzinfo=UTC),
            triple_count=len(triples),
        )
        graphs.append((str(iris.report_graph(report.report_id)), triples, meta))
    return graphs


@pytest.fixture(scope="module")
def sample_server(tmp_path_factory: pytest.TempPathFactory):
    from tests.conftest_servers import OXIGRAPH_BIN, OxigraphServer

    if not OXIGRAPH_BIN.exists():
        pytest.skip("the oxigraph server CLI is not installed")
    server = OxigraphServer(tmp_path_factory.mktemp("sample-server"))
    yield server
    server.stop()


@pytest.fixture(scope="module", params=BACKENDS)
def sample(request: pytest.FixtureRequest, sample_graphs, tmp_path_factory: pytest.TempPathFactory):
    from graph.store_memory import MemoryStore
    from graph.store_oxigraph import OxigraphStore
    from graph.store_remote import RemoteStore

    meta = f"{SAMPLE_IRIS}graph/meta"
    if request.param == "oxigraph":
        store: Store = OxigraphStore(tmp_path_factory.mktemp("sample") / "ox", meta_graph_iri=meta)
    elif request.param == "memory":
        store = MemoryStore(None, meta_graph_iri=meta)
    else:
        server = request.getfixturevalue("sample_server")
        store = RemoteStore(server.query_url, server.update_url, meta_graph_iri=meta)
    for graph_iri, triples, metadata in sample_graphs:
        store.replace_graph(graph_iri, triples, metadata)
    yield store
    store.close()


def test_sample_forces_using_visor(sample: Store) -> None:
    rows = run(sample, "forces-using-system", system="ViSOR")
    assert [(r["forceLabel"], r["systemLabel"]) for r in rows] == [
        ("Northamptonshire Police", "ViSOR"),
        ("Nottinghamshire Police", "ViSOR"),
    ]
    assert all(r["supportingStatements"] >= 1 for r in rows)


def test_sample_grades_by_force(sample: Store) -> None:
    rows = run(sample, "grades-by-force")
    by_force: dict[str, dict[str, tuple]] = {}
    for r in rows:
        by_force.setdefault(r["forceLabel"], {})[r["areaLabel"]] = (
            r["gradeLabel"],
            r["excellent"],
            r["good"],
            r["fair"],
            r["poor"],
        )
    assert sorted(by_force) == ["Northamptonshire Police", "Nottinghamshire Police"]
    assert by_force["Nottinghamshire Police"] == {
        "Child abuse": ("Good", 3, 17, 21, 2),
        "Domestic violence": ("Good", 1, 13, 27, 2),
        "Missing persons": ("Good", 1, 21, 21, 0),
        "Neighbourhood policing": ("Good", 6, 14, 21, 2),
        "Performance management": ("Fair", 6, 29, 8, 0),
        "Public protection": ("Good", 2, 16, 23, 2),
    }
    assert {a: g[0] for a, g in by_force["Northamptonshire Police"].items()} == {
        "Child abuse": "Fair",
        "Domestic violence": "Fair",
        "Missing persons": "Fair",
        "Neighbourhood policing": "Fair",
        "Performance management": "Good",
        "Public protection": "Good",
    }
    # the national distribution is the same in both reports, and each adds up to the 43 forces
    for area, grade in by_force["Northamptonshire Police"].items():
        assert grade[1:] == by_force["Nottinghamshire Police"][area][1:]
        assert sum(grade[1:]) == 43
    assert len(run(sample, "grades-by-force", force="nottinghamshire police")) == 6


def test_sample_shared_entities(sample: Store) -> None:
    rows = run(sample, "shared-entities")
    shared = {(r["kind"], r["label"]) for r in rows}
    assert {("IT system", "ViSOR"), ("unit type", "DPMU")} <= shared
    # PPU ≈ PPD: one shared unit type, named by the first of them
    assert ("unit type", "PPD") in shared and ("unit type", "PPU") not in shared
    assert all(r["forces"] == 2 for r in rows)


def test_sample_improvements_mentioning_visor(sample: Store) -> None:
    rows = run(sample, "improvements-mentioning", entity="ViSOR")
    assert [(r["forceLabel"], r["areaLabel"], r["entityLabel"]) for r in rows] == [
        ("Nottinghamshire Police", "Public protection", "ViSOR")
    ]
    assert "ViSOR" in rows[0]["text"] and rows[0]["lineFrom"] > 0


def test_sample_practices_with_leads(sample: Store) -> None:
    rows = run(sample, "practices-with-leads")
    assert len(rows) == 7
    jackie = [r for r in rows if r["leadName"] == "Jackie Alexander"]
    assert len(jackie) >= 2 and {r["rank"] for r in jackie} == {"Detective Superintendent"}
    assert all(r["title"] and r["areaLabel"] for r in rows)


def test_sample_people_and_roles(sample: Store) -> None:
    rows = run(sample, "people-and-roles")
    names = {r["name"] for r in rows}
    assert {"Jackie Alexander", "Dave Taylor"} <= names
    assert all(r["forceLabel"] for r in rows)


def test_sample_report_graphs(sample: Store) -> None:
    rows = run(sample, "report-graphs")
    assert [(r["sourceFile"], r["loaderVersion"]) for r in rows] == [
        ("northamptonshire-2007.txt", "test"),
        ("nottinghamshire-2007.txt", "test"),
    ]
    assert all(r["triples"] > 1000 and len(r["sha256"]) == 64 for r in rows)
