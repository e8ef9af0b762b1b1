"""Every route and view that says forces share something agrees with ``shared-entities.rq`` (issue 12):
generic kinds never share, equivalent unit types count as one, no "uses" rests on boilerplate alone, and
a force's posts are its own. On the two sample reports."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from fastapi.testclient import TestClient

from graph.store_oxigraph import OxigraphStore
from tests.conftest_api import BASE

pytest_plugins = ["tests.conftest_api"]

QUERIES = Path(__file__).resolve().parent.parent / "graph" / "queries"
PREFIXES = """PREFIX hmic: <https://w3id.org/hmic-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
"""
FORCES = ("nottinghamshire", "northamptonshire")


def rows(store: OxigraphStore, where: str) -> list[dict[str, str]]:
    result = store.query(PREFIXES + where)
    return [{k: str(v) for k, v in row.items() if v is not None} for row in result.dicts()]


def own_evidence(store: OxigraphStore) -> dict[str, set[str]]:
    """System IRI -> forces naming it in their own text, from the graph's boilerplate marks: a mention
    outside ``hmic:inBoilerplate`` whose ``hmic:sentenceKey`` no other force's report repeats."""
    mentions = rows(
        store,
        """SELECT ?entity ?force ?boiler ?key WHERE {
             ?m hmic:entity ?entity ; hmic:report ?report . ?entity a hmic:ITSystem .
             ?report hmic:aboutForce ?force .
             OPTIONAL { ?m hmic:inBoilerplate ?boiler } OPTIONAL { ?m hmic:sentenceKey ?key } }""",
    )
    keys: dict[str, set[str]] = defaultdict(set)  # sentence key -> forces printing it
    for m in mentions:
        if "key" in m:
            keys[m["key"]].add(m["force"])
    own: dict[str, set[str]] = defaultdict(set)
    for m in mentions:
        repeated = "key" in m and keys[m["key"]] - {m["force"]}
        if m.get("boiler") != "true" and not repeated:
            own[m["entity"]].add(m["force"])
    return own


def boilerplate_only(store: OxigraphStore) -> dict[str, set[str]]:
    """System label -> forces whose report names it only in boilerplate (or text another report repeats)."""
    own = own_evidence(store)
    named = rows(
        store,
        """SELECT DISTINCT ?entity ?label ?force WHERE {
             ?m hmic:entity ?entity ; hmic:report ?report . ?entity a hmic:ITSystem ; skos:prefLabel ?label .
             ?report hmic:aboutForce ?force . }""",
    )
    found: dict[str, set[str]] = defaultdict(set)
    for r in named:
        if r["force"] not in own.get(r["entity"], set()):
            found[r["label"]].add(r["force"])
    return found


def shared_labels(client: TestClient) -> tuple[set[str], list[dict]]:
    shared = client.get("/shared").json()
    return {s["label"] for s in shared["systems"]}, shared["unit_types"]


def test_boilerplate_systems_are_not_shared(sample_client: TestClient, sample_store: OxigraphStore) -> None:
    """iQuanta (the inspectorate's introduction, in both reports) and COMPACT (its national context in
    Northamptonshire's) once showed as shared IT systems."""
    from graph.analytics import bridges
    from graph.network import project_store
    from tests.view_pairs import shared_between

    boiler = boilerplate_only(sample_store)
    assert {"iQuanta", "COMPACT"} <= set(boiler), boiler
    systems, _ = shared_labels(sample_client)
    assert systems and not systems & set(boiler)
    listed = sample_client.get("/systems?limit=500").json()["items"]
    assert not {s["label"] for s in listed if len(s["forces"]) >= 2} & set(boiler)
    net = project_store(sample_store)
    view = shared_between(net, f"{BASE}force/{FORCES[0]}", f"{BASE}force/{FORCES[1]}")
    assert {net.nodes[n]["label"] for n in view.systems} == systems
    assert {r.label for r in bridges(net) if r.type == "system"} == systems


def test_uses_facts_each_have_a_mention_outside_boilerplate(
    sample_client: TestClient, sample_store: OxigraphStore
) -> None:
    own = own_evidence(sample_store)
    uses = [
        (f"{BASE}force/{force}", system["iri"])
        for force in FORCES
        for system in sample_client.get(f"/forces/{force}").json()["systems"]
    ]
    uses += [
        (ref["iri"], system["iri"])
        for system in sample_client.get("/systems?limit=500").json()["items"]
        for ref in system["forces"]
    ]
    assert uses
    assert [u for u in uses if u[0] not in own.get(u[1], set())] == []
    # Northamptonshire names COMPACT only in the inspectorate's text: it does not "use" it
    compact = next(
        s for s in sample_client.get("/systems?limit=500").json()["items"] if s["label"] == "COMPACT"
    )
    assert {f["id"] for f in compact["forces"]} == {"nottinghamshire"}


def test_generic_kinds_are_never_shared(sample_client: TestClient, sample_store: OxigraphStore) -> None:
    from graph.analytics import bridges
    from graph.network import project_store

    generic = {r["t"] for r in rows(sample_store, "SELECT ?t WHERE { ?t a hmic:GenericUnitKind }")}
    assert generic, "the samples have units typed only by a head noun (team, unit)"
    _, unit_types = shared_labels(sample_client)
    assert unit_types and not {u["iri"] for u in unit_types} & generic
    units = sample_client.get("/units?limit=500").json()["items"]
    assert all(u["generic"] and not u["forces"] for u in units if u["iri"] in generic)
    assert not {r.iri for r in bridges(project_store(sample_store))} & generic
    home = sample_client.get("/").text
    tags = re.search(r'id="unit-type-tags">(.*?)</p>', home, re.S)
    assert tags
    for iri in generic:
        slug = iri.rsplit("/", 1)[1]
        assert not re.search(rf'/page/unit-type/{re.escape(slug)}">[^<]*<b>', tags.group(1)), slug


def test_equivalent_unit_types_are_one_shared_type(sample_client: TestClient) -> None:
    """SNT (Nottinghamshire) and SCT (Northamptonshire) once showed apart, and neither as shared."""
    _, unit_types = shared_labels(sample_client)
    neighbourhood = [u for u in unit_types if {"SNT", "SCT"} & {u["label"], *u["equivalents"]}]
    assert len(neighbourhood) == 1, unit_types
    assert set(neighbourhood[0]["equivalents"]) == {"SNT", "SCT"}
    assert {f["id"] for f in neighbourhood[0]["forces"]} == set(FORCES)
    # every force's own type is named, not only the first fact per force (PPD and PPU)
    assert {"PPD", "PPU"} in [set(u["equivalents"]) for u in unit_types]
    units = sample_client.get("/units?limit=500").json()["items"]
    other = next(u for u in units if u["label"] in {"SNT", "SCT"} and u["same_as"])
    assert other["same_as"] == neighbourhood[0]["id"] and other["forces"] == []


def test_api_shared_agrees_with_shared_entities_query(
    sample_client: TestClient, sample_store: OxigraphStore
) -> None:
    query = (QUERIES / "shared-entities.rq").read_text(encoding="utf-8")
    by_kind: dict[str, set[str]] = defaultdict(set)
    for row in sample_store.query(query).dicts():
        by_kind[str(row["kind"])].add(str(row["entity"]))
    shared = sample_client.get("/shared").json()
    assert {s["iri"] for s in shared["systems"]} == by_kind["IT system"]
    assert {u["iri"] for u in shared["unit_types"]} == by_kind["unit type"]


def test_shared_entities_query_aggregates_the_force_entities_block() -> None:
    """One definition: the evidence block of shared-entities.rq is the one graph.sharing runs."""

    def block(name: str) -> list[str]:
        text = (QUERIES / name).read_text(encoding="utf-8")
        lines = text[text.index("# --- evidence: begin") : text.index("# --- evidence: end")].splitlines()
        return [line.strip() for line in lines]

    assert block("shared-entities.rq") == block("api/force_entities.rq")


def test_a_force_post_page_never_names_the_other_force_holder(
    sample_client: TestClient, sample_store: OxigraphStore
) -> None:
    """The DCC post page of Northamptonshire once named Nottinghamshire's DCC."""
    posts = rows(
        sample_store,
        """SELECT ?role ?force ?person ?name WHERE {
             ?role a org:Role ; skos:prefLabel "DCC" ; hmic:force ?force .
             OPTIONAL { ?person hmic:holdsRole ?role ; foaf:name ?name } }""",
    )
    assert {p["force"].rsplit("/", 1)[1] for p in posts} == set(FORCES)
    holders = {(p["force"], p["name"]) for p in posts if "name" in p}
    assert holders, "one force's report names its DCC"
    for post in posts:
        page = sample_client.get(f"/page/role/{post['role'].rsplit('/', 1)[1]}")
        assert page.status_code == 200
        for force, name in holders:
            if force != post["force"]:
                assert name not in page.text, (post["role"], name)
    for force in FORCES:
        for lead in sample_client.get(f"/forces/{force}").json()["leads"]:
            assert not any(other in lead["leader"] for other in FORCES if other != force), lead
            assert all(name not in (lead["name"] or "") for f, name in holders if not f.endswith(force)), lead
