"""The issue's "done when", on the two sample reports loaded by the real loader and mapping."""

from __future__ import annotations

from fastapi.testclient import TestClient

pytest_plugins = ["tests.conftest_api"]


def test_help_lists_nottinghamshire_practices_and_strengths_with_leads(sample_client: TestClient) -> None:
    response = sample_client.get("/forces/northamptonshire/help", params={"per_finding": 5})
    assert response.status_code == 200
    items = response.json()["items"]
    assert items, "Northamptonshire has areas for improvement"
    matches = [m for item in items for m in item["matches"]]
    assert {m["kind"] for m in matches} == {"practice", "strength"}
    assert all(m["force"]["id"] == "nottinghamshire" for m in matches)
    for item in items:
        assert item["matches"], item["finding"]["text"]
        for match in item["matches"]:
            lead = match["lead"]  # a named person, or the post and "the report names no person"
            assert lead and (lead["name"] or lead["note"] == "the report names no person"), match["title"]
            assert match["why"]["summary"], match["title"]
    practices = [m for m in matches if m["kind"] == "practice"]
    assert any(m["lead"]["phone"] for m in practices)
    improved_areas = {item["finding"]["area"]["id"] for item in items if item["finding"]["area"]}
    assert {"child-abuse", "public-protection", "performance-management"} <= improved_areas


def test_shared_shows_visor_and_the_activity_based_costing_theme(sample_client: TestClient) -> None:
    shared = sample_client.get("/shared").json()
    visor = next(s for s in shared["systems"] if s["label"] == "ViSOR")
    assert {f["id"] for f in visor["forces"]} == {"nottinghamshire", "northamptonshire"}
    abc = [t for t in shared["themes"] if "costing" in t["label"]]
    assert abc, [t["label"] for t in shared["themes"]]
    assert {f["id"] for f in abc[0]["forces"]} == {"nottinghamshire", "northamptonshire"}
    assert any("activity-based costing" in p["title"].lower() for p in abc[0]["practices"])


def test_force_detail_on_real_data(sample_client: TestClient) -> None:
    force = sample_client.get("/forces/northamptonshire").json()
    assert len(force["grades"]) >= 4
    assert force["finding_counts"]["area_for_improvement"] > 0
    assert any(s["label"] == "ViSOR" for s in force["systems"])
    assert force["leads"]


def test_every_practice_has_similar_practice_or_an_empty_page(sample_client: TestClient) -> None:
    for practice in sample_client.get("/practices?limit=500").json()["items"]:
        response = sample_client.get(f"/practices/{practice['id']}/similar")
        assert response.status_code == 200
        assert all(m["force"]["id"] != practice["force"]["id"] for m in response.json()["items"])


def test_regression_force_units_listed_once(sample_client: TestClient) -> None:
    """A unit type labelled by both reports (and the vocabulary) once gave the same unit twice."""
    for force in ("northamptonshire", "nottinghamshire"):
        units = [unit["iri"] for unit in sample_client.get(f"/forces/{force}").json()["units"]]
        assert units and len(units) == len(set(units)), force
