"""HTML pages through the FastAPI test client: home, node pages, help flow, views, SPARQL page, escaping."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import escape
from pathlib import Path

import pytest
import rdflib
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from graph.config import GraphConfig
from graph.store import open_store

pytest_plugins = ["tests.conftest_api"]

FIXTURE = Path(__file__).parent / "data" / "pages_graph.trig"
EXTERNAL_SRC = re.compile(
    r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//", re.I
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data_dir = tmp_path_factory.mktemp("pages")
    config = GraphConfig(data_dir=data_dir, backend="memory")
    store = open_store(config)
    dataset = rdflib.Dataset()
    dataset.parse(FIXTURE, format="trig")
    for named in dataset.graphs():
        if len(named) and str(named.identifier).startswith("http"):
            triples = rdflib.Graph()
            triples += named
            store.replace_graph(str(named.identifier), triples)
    with TestClient(create_app(Settings(graph=config), store=store)) as test_client:
        yield test_client
    store.close()


def html(client: TestClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, f"{url}: {response.status_code} {response.text[:300]}"
    if status == 200:
        assert response.headers["content-type"].startswith("text/html")
    assert not EXTERNAL_SRC.search(response.text), f"{url} loads something from the network"
    return response.text


def test_home_lists_forces_and_the_grade_matrix_with_national_distribution(client: TestClient) -> None:
    page = html(client, "/")
    assert 'href="/page/force/alpha"' in page and "Beta Constabulary" in page
    matrix = page[page.index('id="grade-matrix"') :]
    assert 'data-grade="poor"' in matrix and 'data-grade="good"' in matrix
    assert 'aria-label="2 excellent, 20 good, 15 fair, 6 poor"' in matrix
    assert 'href="/page/system/trackit"' in page and 'href="/page/unit-type/mpu"' in page
    assert 'href="/view/shared"' in page and 'href="/view/force/alpha"' in page


def test_force_page_answers_who_has_solved_this(client: TestClient) -> None:
    page = html(client, "/page/force/alpha")
    help_section = page[page.index('id="help"') :]
    assert 'href="/page/practice/beta-2007/1"' in help_section
    assert 'href="/page/person/pat-example"' in help_section
    assert "01234 567890" in help_section and "pat@example.invalid" in help_section
    assert 'href="/page/finding/alpha-2007/missing-persons/1"' in help_section
    assert 'href="/view/force/alpha"' in page
    assert '<div class="why">Why: ' in help_section
    assert 'href="tel:01234567890"' in help_section and 'href="mailto:pat@example.invalid"' in help_section


def test_force_page_shows_its_grades_beside_the_national_distribution(client: TestClient) -> None:
    page = html(client, "/page/force/alpha")
    grades = page[page.index('id="force-grades"') : page.index("</table>", page.index('id="force-grades"'))]
    assert 'href="/page/area/missing-persons"' in grades and 'data-grade="poor"' in grades
    assert 'aria-label="2 excellent, 20 good, 15 fair, 6 poor"' in grades
    assert page.index('id="grades"') < page.index('id="help"')


def test_force_page_help_is_the_api_help(sample_client: TestClient) -> None:
    """One source of truth: every match of ``/forces/{id}/help`` is on the force page, with its why."""
    page = html(sample_client, "/page/force/northamptonshire")
    help_items = sample_client.get("/forces/northamptonshire/help?limit=500").json()["items"]
    assert help_items and all(item["matches"] for item in help_items)
    for item in help_items:
        for match in item["matches"]:
            path = match["iri"].removeprefix("http://127.0.0.1:8000/id/")
            assert f'href="/page/{path}"' in page, path
    summary = help_items[0]["matches"][0]["why"]["summary"]
    assert f'<div class="why">Why: {escape(summary)}</div>' in page
    # the missing-persons areas for improvement name who solved them elsewhere, with a telephone number
    missing = page[page.index('id="area-missing-persons"') :]
    missing = missing[: missing.index("</section>")]
    assert "Jackie Alexander" in missing and 'href="tel:07799656588"' in missing
    help_table = page[page.index('id="help"') :]
    row = help_table[: help_table.index("Missing persons:")]
    assert "Detective Superintendent" in row[row.rindex("<tr") :]


def test_report_text_is_escaped_everywhere(client: TestClient) -> None:
    for url in ("/page/force/alpha", "/page/finding/alpha-2007/missing-persons/1"):
        page = html(client, url)
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_finding_page_shows_text_source_and_solutions_elsewhere(client: TestClient) -> None:
    page = html(client, "/page/finding/alpha-2007/missing-persons/1")
    assert "Risk assessments of missing persons are late." in page
    source = page[page.index('id="source"') :]
    assert 'href="/page/report/alpha-2007"' in source and "lines 120–122" in source[:400]
    assert 'id="help"' in page and 'href="/page/practice/beta-2007/1"' in page
    assert 'href="/page/system/trackit"' in page  # mentions link to their pages


def test_practice_page_shows_problem_solution_contact_and_lead(client: TestClient) -> None:
    page = html(client, "/page/practice/beta-2007/1")
    for text in (
        "Missing persons reports were handled slowly.",
        "within the hour",
        "Faster risk assessments.",
    ):
        assert text in page
    assert 'id="contact"' in page and "01234 567890" in page
    assert 'href="/page/person/pat-example"' in page


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/page/system/trackit", 'href="/view/system/trackit"'),
        ("/page/person/pat-example", 'href="/page/practice/beta-2007/1"'),
        ("/page/unit/alpha/mpu", 'href="/page/unit-type/mpu"'),
        ("/page/unit-type/mpu", 'href="/view/unit-type/mpu"'),
    ],
)
def test_every_kind_of_node_has_a_page_with_links(client: TestClient, url: str, expected: str) -> None:
    page = html(client, url)
    assert expected in page
    assert f'href="/view/ego/{url.removeprefix("/page/")}"' in page


def test_unknown_node_is_a_404_page(client: TestClient) -> None:
    page = html(client, "/page/force/nowhere", status=404)
    assert "Not found" in page
    html(client, "/view/force/nowhere", status=404)
    html(client, "/view/bogus", status=404)


@pytest.mark.parametrize(
    ("url", "node"),
    [
        ("/view/overview", "Alpha Police"),
        ("/view/force/alpha", "Missing-person risk assessments are late"),
        ("/view/system/trackit", "Beta Constabulary"),
        ("/view/unit-type/mpu", "Beta MPU"),
        ("/view/ego/force/beta?depth=2", "Missing persons coordinator"),
        ("/view/shared", "TrackIt"),
    ],
)
def test_views_are_served_with_local_assets(client: TestClient, url: str, node: str) -> None:
    page = html(client, url)
    assert '<script src="/static/vendor/vis-network.min.js">' in page
    assert node in page
    assert client.get("/view/ego/force/beta?depth=3").status_code == 422


def test_static_assets_are_served_and_nothing_else(client: TestClient) -> None:
    for name in ("vendor/vis-network.min.js", "network.js", "network.css", "site.css", "sparql.js"):
        assert client.get(f"/static/{name}").status_code == 200, name
    for name in ("../app.py", "pages/common.py", "vendor/../../app.py", "nothing.js"):
        assert client.get(f"/static/{name}").status_code == 404, name


def test_sparql_page_offers_the_named_queries_and_downloads(client: TestClient) -> None:
    from graph import queries

    page = html(client, "/sparql-ui")
    for named in queries.catalogue():
        assert f'<option value="{named.name}"' in page
    assert 'id="download-csv"' in page and 'id="download-json"' in page
    assert '<script src="/static/sparql.js">' in page
    chosen = html(client, f"/sparql-ui?query={queries.catalogue()[-1].name}")
    assert f'<option value="{queries.catalogue()[-1].name}" selected>' in chosen


def test_pages_stay_out_of_the_openapi_schema(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if p.startswith(("/page", "/view", "/static", "/sparql-ui")) or p == "/"]
