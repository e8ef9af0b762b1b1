"""What a help answer holds: why in words with highlights, the score's parts, whom to call, one answer
per item, and "no close match" below the floor; the same code behind help, similar and the pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.matching import FLOOR, NO_MATCH, build_matcher, similar_to
from api.snapshot_build import build_snapshot
from graph.iris import Iris
from graph.lexical import stem
from graph.loading import load_paths
from graph.store_oxigraph import OxigraphStore
from tests.conftest_api import BASE, REPORTS, settings

pytest_plugins = ["tests.conftest_api"]
FORCES = ("nottinghamshire", "northamptonshire")


def help_items(client: TestClient, force: str, **params: object) -> list[dict]:
    response = client.get(f"/forces/{force}/help", params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_explain_gives_score_parts_that_add_up(sample_client: TestClient) -> None:
    plain = help_items(sample_client, "northamptonshire")
    assert all(m["why"]["parts"] is None for item in plain for m in item["matches"])
    for item in help_items(sample_client, "northamptonshire", explain="true"):
        for match in item["matches"]:
            parts = match["why"]["parts"]
            assert set(parts) >= {"same_area", "topic", "bm25", "embedding", "entities"}
            assert sum(p["contribution"] for p in parts.values()) == pytest.approx(match["score"], abs=2e-3)
            assert match["score"] >= FLOOR


def test_why_is_in_words_and_highlights_the_same_words_in_both_texts(sample_client: TestClient) -> None:
    for force in FORCES:
        for item in help_items(sample_client, force):
            finding = item["finding"]["text"]
            for match in item["matches"]:
                why = match["why"]
                assert why["summary"].startswith(("Both", "Same", "From")), why["summary"]
                marks = why["highlights"]
                in_finding = {stem(finding[a:b]) for a, b in marks["finding"]}
                in_match = {stem(match["text"][a:b]) for a, b in marks["match"]}
                assert in_match <= in_finding, (in_match - in_finding, match["title"])
                for phrase in why["shared_terms"]:
                    assert phrase in finding


def test_one_answer_per_item_matches_the_per_afi_view(sample_client: TestClient) -> None:
    for force in FORCES:
        per_afi = {
            (m["iri"], item["finding"]["iri"]): m["score"]
            for item in help_items(sample_client, force)
            for m in item["matches"]
        }
        groups = sample_client.get(f"/forces/{force}/help/by-item", params={"limit": 500}).json()["items"]
        iris = [g["iri"] for g in groups]
        assert len(iris) == len(set(iris)), "an item listed twice"
        grouped = {(g["iri"], h["finding"]["iri"]): h["score"] for g in groups for h in g["helps"]}
        assert grouped == per_afi
        assert any(len(g["helps"]) > 1 for g in groups)
        for item in help_items(sample_client, force):
            for match in item["matches"]:
                group = next(g for g in groups if g["iri"] == match["iri"])
                others = {h["finding"]["iri"] for h in group["helps"]} - {item["finding"]["iri"]}
                assert set(match["also_helps"]) == others


def test_whom_to_call_is_that_forces_contact_or_lead_for_that_area_or_unit(sample_client: TestClient) -> None:
    people = {p["iri"]: p for p in sample_client.get("/people", params={"limit": 500}).json()["items"]}
    areas = {a["id"]: a for a in sample_client.get("/areas", params={"limit": 500}).json()["items"]}
    for force in FORCES:
        for item in help_items(sample_client, force, per_finding=10):
            for match in item["matches"]:
                lead, area = match["lead"], match["area"]
                if match["kind"] == "practice" and lead["basis"] == "practice contact":
                    assert lead["name"]
                    continue
                if lead["name"] is None:
                    assert lead["note"] == "the report names no person"
                if lead["person"]:
                    assert match["force"]["id"] in {f["id"] for f in people[lead["person"]]["forces"]}
                if lead["basis"] is None:
                    continue
                allowed = {area["label"].lower()}
                broader = areas[area["id"]].get("broader")
                if broader:
                    allowed.add(areas[broader]["label"].lower())
                by_unit = lead["basis"].startswith("lead of the ")
                assert by_unit or any(label in lead["basis"] for label in allowed), (lead, area)


def test_regression_dv_match_is_not_given_the_child_abuse_lead(sample_client: TestClient) -> None:
    """The issue: the child-abuse lead was offered for every domestic-violence match."""
    for item in help_items(sample_client, "northamptonshire", per_finding=10):
        for match in item["matches"]:
            if match["area"]["id"] == "domestic-violence" and match["lead"]["basis"]:
                assert "child abuse" not in match["lead"]["basis"], match["lead"]


@pytest.fixture(scope="module")
def one_force_client() -> Iterator[TestClient]:
    """A store holding one force only: nobody else can have solved its problems."""
    store = OxigraphStore(None)
    load_paths(store, [REPORTS / "nottinghamshire-2007.txt"], Iris(BASE))
    with TestClient(create_app(settings(), store=store)) as client:
        yield client
    store.close()


def test_no_close_match_is_said_rather_than_padding_the_list(one_force_client: TestClient) -> None:
    items = help_items(one_force_client, "nottinghamshire")
    assert items
    assert all(item["matches"] == [] and item["no_match"] == NO_MATCH for item in items)
    page = one_force_client.get("/page/force/nottinghamshire").text
    assert NO_MATCH in page


def test_similar_practice_uses_the_same_ranking(
    sample_client: TestClient, sample_store: OxigraphStore
) -> None:
    matcher = build_matcher(build_snapshot(sample_store, Iris(BASE)))
    for practice in matcher.cat.practices.values():
        api = sample_client.get(f"/practices/{practice['id']}/similar", params={"limit": 200}).json()
        expected = similar_to(matcher, practice, 200)
        assert [m["iri"] for m in api["items"]] == [m["iri"] for m in expected]
        assert all(m["why"]["summary"] and m["lead"] for m in api["items"])


def test_force_page_lists_each_item_once_with_the_afis_it_helps(sample_client: TestClient) -> None:
    page = sample_client.get("/page/force/northamptonshire").text
    section = page[page.index('id="help"') :]
    assert ">Helps with</th>" in section and "<mark>" in section
    groups = sample_client.get("/forces/northamptonshire/help/by-item", params={"limit": 500}).json()
    for group in groups["items"]:
        href = group["iri"].replace(BASE, "/page/")
        assert section.count(f'<a href="{href}">') == 1, group["title"]


def test_topics_file_is_shipped_with_the_ontology() -> None:
    assert (Path(__file__).resolve().parent.parent / "ontology" / "topics.ttl").is_file()


def test_bad_help_requests_get_json_errors(sample_client: TestClient) -> None:
    assert sample_client.get("/forces/atlantis/help/by-item").status_code == 404
    for url in (
        "/forces/nottinghamshire/help?explain=maybe",
        "/forces/nottinghamshire/help/by-item?per_finding=0",
    ):
        response = sample_client.get(url)
        assert response.status_code == 422 and response.headers["content-type"].startswith("application/json")
