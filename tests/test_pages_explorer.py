"""The explorer on the two sample reports (FastAPI test client): first-ten-minutes fixes, force page,
report text, search, entity and person pages, national tile map."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

pytest_plugins = ["tests.conftest_api"]

HTML = {"Accept": "text/html"}


def test_data_link_downloads_turtle_instead_of_reloading_the_page(sample_client: TestClient) -> None:
    """Regression: the "data" link of every page reloaded the same HTML page in a browser."""
    page = sample_client.get("/page/force/nottinghamshire")
    assert 'href="/id/force/nottinghamshire?format=ttl" download' in page.text
    data = sample_client.get("/id/force/nottinghamshire?format=ttl", headers=HTML)
    assert data.status_code == 200
    assert data.headers["content-type"].startswith("text/turtle")
    assert "attachment" in data.headers["content-disposition"]
    assert "Nottinghamshire" in data.text
    assert sample_client.get("/id/force/nottinghamshire?format=xyz").status_code == 400


def test_unknown_force_and_system_ids_suggest_the_closest(sample_client: TestClient) -> None:
    force = sample_client.get("/forces/nottinghamshir").json()["error"]["message"]
    assert "did you mean 'nottinghamshire'" in force
    assert "did you mean 'nottinghamshire'" in sample_client.get("/forces/notts").json()["error"]["message"]
    system = sample_client.get("/systems/visr").json()["error"]["message"]
    assert "did you mean 'visor'" in system
    assert "did you mean" not in sample_client.get("/forces/zzzzzz").json()["error"]["message"]


def test_report_text_has_line_numbers_and_highlights_the_cited_lines(sample_client: TestClient) -> None:
    """Regression: "lines 1663–1666" on a finding could not be opened."""
    finding = sample_client.get("/page/finding/nottinghamshire-2007/domestic-violence/1").text
    href = re.search(r'href="(/reports/nottinghamshire-2007\?from=(\d+)&amp;to=(\d+)#L\d+)"', finding)
    assert href, "the finding links its lines to the report text"
    start, end = int(href.group(2)), int(href.group(3))
    page = sample_client.get(href.group(1).replace("&amp;", "&")).text
    marked = re.findall(r'<div class="ln marked" id="L(\d+)">', page)
    assert marked and int(marked[0]) == start and int(marked[-1]) <= end
    assert 'id="L1"' in page
    text = re.sub(r"<[^>]+>", "", page[page.index(f'id="L{start}"') :][:3000])
    first_words = " ".join(finding_text(finding).split()[:4])
    assert first_words in " ".join(text.split())
    assert sample_client.get("/reports/no-such-report").status_code == 404


def finding_text(page: str) -> str:
    block = page[page.index('<blockquote class="report-text">') :]
    return block[len('<blockquote class="report-text">') : block.index("</blockquote>")]


def test_force_page_is_ordered_for_an_analyst(sample_client: TestClient) -> None:
    page = sample_client.get("/page/force/nottinghamshire").text
    order = [
        page.index(f'id="{anchor}"') for anchor in ("headline", "toc", "grades", "findings", "help", "who")
    ]
    assert order == sorted(order)
    dv = page[page.index('id="area-domestic-violence"') :]
    dv = dv[: dv.index("</section>")]
    assert "Area for improvement" in dv and "problematic variation in managing DV risk" in dv
    assert "/reports/nottinghamshire-2007?from=" in dv
    for predicate in ("lineFrom", "Linked from", "wasDerivedFrom"):
        assert predicate not in page


def test_help_rows_are_deduplicated_and_contacts_come_first(sample_client: TestClient) -> None:
    page = sample_client.get("/page/force/northamptonshire").text
    rows = re.findall(r'<tr data-areas="[^"]*"><td><a href="([^"]+)"', page)
    assert rows and len(rows) == len(set(rows)), "each practice or strength once"
    first = page[page.index('id="help-table"') :]
    first = first[: first.index("</tr>", first.index("<tbody>"))]
    assert "tel:" in first, "a practice with a contact to call comes first"


def test_search_page_finds_and_filters_with_counts(sample_client: TestClient) -> None:
    page = sample_client.get("/search?q=visor", headers=HTML).text
    assert 'href="/page/system/visor"' in page
    assert "supervisor" not in page.lower().split('id="hits"')[1][:200]
    total = int(re.search(r'id="search-count">(\d+) result', page).group(1))
    facet = re.search(r'href="(/search\?q=visor&amp;force=Northamptonshire\+Police)"[^>]*>[^<]*</a> '
                      r'<span class="count">(\d+)</span>', page)  # fmt: skip
    assert facet
    filtered = sample_client.get(facet.group(1).replace("&amp;", "&"), headers=HTML).text
    count = int(re.search(r'id="search-count">(\d+) result', filtered).group(1))
    assert count == int(facet.group(2)) < total
    heads = re.findall(r'<p class="hit-head">(.*?)</p>', filtered)
    assert len(heads) == count and all("Northamptonshire Police" in head for head in heads)
    assert sample_client.get("/search?q=visor").headers["content-type"].startswith("application/json")


def test_search_escapes_the_query(sample_client: TestClient) -> None:
    page = sample_client.get("/search?q=<script>alert(1)</script>", headers=HTML).text
    assert "<script>alert(1)</script>" not in page


def test_system_page_says_what_each_force_says(sample_client: TestClient) -> None:
    page = sample_client.get("/page/system/visor").text
    says = page[page.index('id="says"') :]
    groups = re.findall(r'<section class="force-group" data-force="([^"]+)"', says)
    assert groups == ["Northamptonshire Police", "Nottinghamshire Police"]
    assert "comprehensive use is made of ViSOR" in says
    assert "/reports/northamptonshire-2007?from=" in says


def test_person_page_is_a_contact_card(sample_client: TestClient) -> None:
    page = sample_client.get("/page/person/jackie-alexander").text
    card = page[page.index('id="contact-card"') :]
    card = card[: card.index("</dl>")]
    assert "Detective Superintendent" in card and 'href="tel:07799656588"' in card
    assert 'href="/page/force/nottinghamshire"' in card
    assert "silver missing persons group" in page[page.index('id="contact-for"') :]


def test_force_tiles_cover_every_force_once() -> None:
    from api.pages.tiles import tile_places
    from loaders.forces import ForceRegister

    places = tile_places()
    register = {entry[0] for entry in ForceRegister.default().entries.values()}
    assert {p.force_id for p in places} == register
    assert len({(p.col, p.row) for p in places}) == len(places), "no two tiles in one place"
    assert len({p.short for p in places}) == len(places)


def test_home_tile_map_colours_forces_by_the_chosen_area(sample_client: TestClient) -> None:
    page = sample_client.get("/?area=missing-persons").text
    tiles = dict(re.findall(r'class="tile" data-force="([^"]+)" data-grade="([^"]+)"', page))
    assert len(tiles) == 43
    assert tiles["northamptonshire"] == "fair" and tiles["nottinghamshire"] == "good"
    assert tiles["kent"] == "absent"
    assert '<a href="/page/force/northamptonshire" class="tile"' in page
    assert 'data-force="kent" data-grade="absent"><title>Kent: no report loaded</title>' in page
    other = sample_client.get("/?area=child-abuse").text
    assert 'aria-current="true">Child abuse</a>' in other
    assert sample_client.get("/?area=" + "x" * 500).status_code == 422


def test_not_found_pages_suggest_the_closest_force_or_system(sample_client: TestClient) -> None:
    page = sample_client.get("/page/force/nottinghamshir")
    assert page.status_code == 404
    assert 'id="did-you-mean">Did you mean <a href="/page/force/nottinghamshire">' in page.text
    view = sample_client.get("/view/system/visr")
    assert view.status_code == 404 and 'href="/view/system/visor"' in view.text


def test_links_follow_the_server_not_the_base_iri(sample_client: TestClient) -> None:
    """Regression: served on another port, every page and view linked to http://127.0.0.1:8000/…
    (the base of the IRIs); links are now relative to wherever the server is reached."""
    urls = ("/", "/page/force/northamptonshire", "/page/system/visor", "/page/person/jackie-alexander",
            "/search?q=visor", "/view/force/nottinghamshire", "/reports/nottinghamshire-2007")  # fmt: skip
    for url in urls:
        page = sample_client.get(url, headers=HTML).text
        assert not re.search(r'(?:href|src|action)="https?://127\.0\.0\.1:8000', page), url
        assert '"href":"http://127.0.0.1:8000' not in page, url
    assert (
        "<code>http://127.0.0.1:8000/id/force/northamptonshire</code>"
        in sample_client.get("/page/force/northamptonshire").text
    ), "the IRI itself is shown as minted"


def test_report_text_of_a_pdf_marks_its_pages_from_the_loaded_copy(tmp_path) -> None:
    """A PDF report is shown from the copy `hmic-kg load` keeps (DATA_DIR/sources), with its pages marked and
    the cited lines' page named."""
    from typer.testing import CliRunner

    from api.app import create_app
    from api.cli import app as cli
    from api.settings import Settings
    from graph.config import GraphConfig
    from tests.conftest import NOTTS, render_pdf

    source = tmp_path / "in" / "nottinghamshire-2007.pdf"
    source.parent.mkdir()
    render_pdf(NOTTS.read_text(encoding="utf-8").splitlines(), source)
    data = tmp_path / "kg"
    assert CliRunner().invoke(cli, ["load", str(source), "--data-dir", str(data)]).exit_code == 0
    assert (data / "sources" / source.name).is_file()
    source.unlink()  # the server must not need the original
    with TestClient(create_app(Settings(graph=GraphConfig(data_dir=data)))) as client:
        finding = client.get("/page/finding/nottinghamshire-2007/domestic-violence/1").text
        cited = r'href="(/reports/nottinghamshire-2007\?from=\d+&amp;to=\d+#L\d+)">lines [^<]*, page (\d+)'
        href = re.search(cited, finding)
        assert href, "the source names its PDF page"
        page = client.get(href.group(1).replace("&amp;", "&")).text
        assert 'class="page-mark" id="page-2"' in page
        assert f"(page {href.group(2)})" in page[page.index('id="marked-note"') :][:400]


EXTERNAL = re.compile(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//", re.I)


def test_every_page_has_the_search_box_and_loads_nothing_from_elsewhere(sample_client: TestClient) -> None:
    urls = ("/", "/page/force/northamptonshire", "/page/system/visor", "/page/person/jackie-alexander",
            "/search?q=visor", "/view/force/nottinghamshire", "/reports/nottinghamshire-2007",
            "/page/force/atlantis", "/sparql-ui")  # fmt: skip
    for url in urls:
        page = sample_client.get(url, headers=HTML).text
        assert 'action="/search"' in page and 'id="site-q"' in page, url
        assert not EXTERNAL.search(page), url
        assert 'rel="icon"' in page, url
