"""The renderer table: a lookup by id answers the same snapshot object as JSON, HTML or RDF by Accept."""

from __future__ import annotations

import html
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import FOAF, SKOS

from api.rendered import rendered_as
from api.renderers import NOUNS
from api.schemas import PracticeOut
from graph.iris import HMIC, ORG, SCHEMA
from tests.conftest_api import BASE, fixture_client, fixture_store, sample_client, sample_store  # noqa: F401

#: noun -> (list route, detail route prefix, the JSON's label field)
ROUTES = {
    "force": ("/forces", "label"),
    "practice": ("/practices", "title"),
    "system": ("/systems", "label"),
    "person": ("/people", "name"),
    "unit-type": ("/units", "label"),
}
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}
VOCABULARIES = tuple(
    str(ns) for ns in (HMIC, ORG, SCHEMA, SKOS, FOAF, RDF, RDFS, "http://www.w3.org/ns/prov#")
)


def ids(client: TestClient, noun: str) -> list[str]:
    return [item["id"] for item in client.get(f"{ROUTES[noun][0]}?limit=500").json()["items"]]


def turtle(client: TestClient, url: str) -> Graph:
    response = client.get(url, headers={"accept": "text/turtle"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/turtle")
    return Graph().parse(data=response.text, format="turtle")


def iris_in(value: Any) -> set[str]:
    """Every IRI a JSON body carries (the ``iri`` fields and IRI-valued strings)."""
    if isinstance(value, dict):
        return set().union(*(iris_in(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(iris_in(v) for v in value)) if value else set()
    return {value} if isinstance(value, str) and value.startswith(BASE) else set()


def test_every_noun_of_the_table_has_a_detail_route() -> None:
    assert set(NOUNS) == set(ROUTES)


@pytest.mark.parametrize("noun", ROUTES)
def test_json_is_the_default_and_q_values_count(fixture_client: TestClient, noun: str) -> None:  # noqa: F811
    url = f"{ROUTES[noun][0]}/{ids(fixture_client, noun)[0]}"
    plain = fixture_client.get(url)
    assert plain.status_code == 200 and plain.headers["content-type"] == "application/json"
    for accept in ("application/json", "*/*", "text/turtle;q=0.5, application/json", "application/*"):
        same = fixture_client.get(url, headers={"accept": accept})
        assert same.headers["content-type"] == "application/json", accept
        assert same.content == plain.content, accept
    preferred = fixture_client.get(url, headers={"accept": "application/json;q=0.5, text/turtle"})
    assert preferred.headers["content-type"].startswith("text/turtle")
    assert "Accept" in plain.headers["vary"] and "Accept" in preferred.headers["vary"]


@pytest.mark.parametrize("noun", ["practice", "person", "unit-type"])
def test_detail_json_is_the_list_item(fixture_client: TestClient, noun: str) -> None:  # noqa: F811
    """The detail of a practice, person or unit type is its list item, byte for byte once parsed."""
    items = fixture_client.get(f"{ROUTES[noun][0]}?limit=500").json()["items"]
    for item in items:
        assert fixture_client.get(f"{ROUTES[noun][0]}/{item['id']}").json() == item


@pytest.mark.parametrize("noun", ROUTES)
def test_rdf_says_what_the_json_says(fixture_client: TestClient, noun: str) -> None:  # noqa: F811
    for ident in ids(fixture_client, noun):
        url = f"{ROUTES[noun][0]}/{ident}"
        body = fixture_client.get(url).json()
        graph = turtle(fixture_client, url)
        node = URIRef(body["iri"])
        assert graph.value(node, RDFS.label) == Literal(body[ROUTES[noun][1]])
        assert (node, RDF.type, None) in graph
        FACTS[noun](graph, node, body)


def _force_facts(graph: Graph, node: URIRef, body: dict[str, Any]) -> None:
    assert graph.value(node, HMIC.policeUkId) == Literal(body["police_uk_id"])
    assert {str(o) for o in graph.objects(node, ORG.hasUnit)} == {u["iri"] for u in body["units"]}
    assert {str(o) for o in graph.objects(node, HMIC.usesSystem)} == {s["iri"] for s in body["systems"]}
    judgements = set(graph.subjects(HMIC.force, node)) & set(graph.subjects(RDF.type, HMIC.Judgement))
    assert {str(graph.value(j, HMIC.area)) for j in judgements} == {g["area"]["iri"] for g in body["grades"]}
    grades = {str(graph.value(j, HMIC.grade)).rsplit("/", 1)[-1] for j in judgements}
    assert grades == {g["grade"].lower() for g in body["grades"] if g["grade"]}
    leads = set(graph.subjects(RDF.type, HMIC.Lead))
    assert {str(graph.value(x, HMIC.leader)) for x in leads} == {x["leader"] for x in body["leads"]}
    assert {str(graph.value(x, HMIC.text)) for x in leads} == {x["text"] for x in body["leads"]}


def _practice_facts(graph: Graph, node: URIRef, body: dict[str, Any]) -> None:
    for name, predicate in (
        ("problem", HMIC.problem),
        ("solution", HMIC.solution),
        ("outcomes", HMIC.outcomes),
    ):
        assert graph.value(node, predicate) == (Literal(body[name]) if body[name] is not None else None)
    assert str(graph.value(node, HMIC.force)) == body["force"]["iri"]
    assert str(graph.value(node, HMIC.area)) == body["area"]["iri"]
    point = graph.value(node, SCHEMA.contactPoint)
    if body["contact"]:
        assert graph.value(point, SCHEMA.name) == Literal(body["contact"]["name"])
        if body["contact"]["person"]:
            assert str(graph.value(node, HMIC.lead)) == body["contact"]["person"]


def _system_facts(graph: Graph, node: URIRef, body: dict[str, Any]) -> None:
    assert {str(s) for s in graph.subjects(HMIC.usesSystem, node)} == {f["iri"] for f in body["forces"]}
    named = {str(s) for s in graph.subjects(HMIC.mentions, node)}
    assert named == {f["iri"] for f in body["findings"]} | {p["iri"] for p in body["practices"]}


def _person_facts(graph: Graph, node: URIRef, body: dict[str, Any]) -> None:
    assert graph.value(node, HMIC.rank) == (Literal(body["rank"]) if body["rank"] else None)
    assert {str(o) for o in graph.objects(node, ORG.memberOf)} == {f["iri"] for f in body["forces"]}
    posts = {str(graph.value(r, RDFS.label)) for r in graph.objects(node, HMIC.holdsRole)}
    assert posts == set(body["roles"])


def _unit_type_facts(graph: Graph, node: URIRef, body: dict[str, Any]) -> None:
    units = {str(u) for u in graph.subjects(HMIC.unitType, node)}
    assert units == {f["unit"] for f in body["forces"] if f.get("unit")}
    assert graph.value(node, HMIC.expansion) == (Literal(body["expansion"]) if body["expansion"] else None)


FACTS = {"force": _force_facts, "practice": _practice_facts, "system": _system_facts,
         "person": _person_facts, "unit-type": _unit_type_facts}  # fmt: skip


@pytest.mark.parametrize("noun", ROUTES)
def test_every_iri_of_the_rdf_is_in_the_json_or_the_graph(sample_client: TestClient, noun: str) -> None:  # noqa: F811
    """Subjects and objects are the object's own IRIs, vocabulary terms, or (grades) nodes of the graph."""
    for ident in ids(sample_client, noun)[:8]:
        url = f"{ROUTES[noun][0]}/{ident}"
        carried = iris_in(sample_client.get(url).json())
        graph = turtle(sample_client, url)
        terms = {t for s, _, o in graph for t in (s, o) if isinstance(t, URIRef)}
        for term in terms:
            if str(term) in carried or str(term).startswith(VOCABULARIES):
                continue
            assert str(term).startswith(BASE), term
            resolved = sample_client.get(
                f"/id/{str(term).removeprefix(BASE)}", headers={"accept": "text/turtle"}
            )
            assert resolved.status_code == 200, f"{url}: {term} is neither in the JSON nor in the graph"


@pytest.mark.parametrize("noun", ROUTES)
def test_every_rdf_format_is_the_same_graph(fixture_client: TestClient, noun: str) -> None:  # noqa: F811
    url = f"{ROUTES[noun][0]}/{ids(fixture_client, noun)[0]}"
    graphs = []
    for media, fmt in RDF_TYPES.items():
        response = fixture_client.get(url, headers={"accept": media})
        assert response.status_code == 200 and response.headers["content-type"].startswith(media), media
        assert "Accept" in response.headers["vary"]
        graphs.append(Graph().parse(data=response.content, format=fmt))
    assert len(graphs[0]) > 0
    assert all(isomorphic(graphs[0], other) for other in graphs[1:])


@pytest.mark.parametrize("noun", ROUTES)
def test_browsers_get_the_page_of_the_same_object(fixture_client: TestClient, noun: str) -> None:  # noqa: F811
    ident = ids(fixture_client, noun)[0]
    body = fixture_client.get(f"{ROUTES[noun][0]}/{ident}").json()
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = fixture_client.get(f"{ROUTES[noun][0]}/{ident}", headers={"accept": browser})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert html.escape(body[ROUTES[noun][1]], quote=False) in response.text
    assert "Accept" in response.headers["vary"]
    page = fixture_client.get(f"/page/{body['iri'].removeprefix(BASE)}")
    assert page.text == response.text


@pytest.mark.parametrize("accept", ["image/png", "text/csv", "application/json;q=0, text/html;q=0, */*;q=0"])
def test_unknown_media_type_is_406_with_the_json_error(fixture_client: TestClient, accept: str) -> None:  # noqa: F811
    response = fixture_client.get("/forces/nottinghamshire", headers={"accept": accept})
    assert response.status_code == 406
    error = response.json()["error"]
    assert error["code"] == "not_acceptable" and "text/turtle" in error["message"]
    assert "Accept" in response.headers["vary"]


def test_unknown_id_is_404_whatever_the_accept(fixture_client: TestClient) -> None:  # noqa: F811
    for accept in ("text/turtle", "text/html", "application/json"):
        response = fixture_client.get("/systems/no-such-system", headers={"accept": accept})
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_openapi_lists_every_rendering_of_the_detail_routes(fixture_client: TestClient) -> None:  # noqa: F811
    paths = fixture_client.get("/openapi.json").json()["paths"]
    for list_route, _ in ROUTES.values():
        detail = next(p for p in paths if p.startswith(f"{list_route}/{{") and p.count("/") == 2)
        content = paths[detail]["get"]["responses"]["200"]["content"]
        assert {"application/json", "text/html", *RDF_TYPES} <= set(content), detail


def test_rdf_is_rendered_once_per_generation(fixture_client: TestClient, fixture_store: Any) -> None:  # noqa: F811
    """The Turtle of a lookup is kept in the snapshot's memo beside its JSON, like the JSON."""
    response = fixture_client.get("/systems/visor", headers={"accept": "text/turtle"})
    snap = fixture_client.app.state.runtime.snapshot(fixture_store)
    kept = rendered_as(snap, ("system", "visor"), "turtle", lambda: pytest.fail("rendered again"))
    assert kept == response.content


def test_practice_json_is_byte_for_byte_what_the_json_only_route_answered(
    sample_client: TestClient,  # noqa: F811
    sample_store: Any,  # noqa: F811
) -> None:
    """``/practices/{id}`` used to return the record for FastAPI to serialise against ``PracticeOut`` on
    each request; it now answers cached bytes: the same bytes."""
    snap = sample_client.app.state.runtime.snapshot(sample_store)
    before = FastAPI()

    @before.get("/practices/{practice_id}", response_model=PracticeOut)
    def old_route(practice_id: str) -> Any:
        return snap.practices[practice_id]

    with TestClient(before) as old:
        for ident in snap.practices:
            assert sample_client.get(f"/practices/{ident}").content == old.get(f"/practices/{ident}").content


def test_each_rendering_has_its_own_etag_and_head(fixture_client: TestClient) -> None:  # noqa: F811
    url = "/forces/nottinghamshire"
    tags = {}
    for accept in ("application/json", "text/turtle", "text/html"):
        got = fixture_client.get(url, headers={"accept": accept})
        head = fixture_client.head(url, headers={"accept": accept})
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-type"] == got.headers["content-type"]
        tags[accept] = got.headers["etag"]
        again = fixture_client.get(url, headers={"accept": accept, "if-none-match": tags[accept]})
        assert again.status_code == 304
    assert len(set(tags.values())) == 3
