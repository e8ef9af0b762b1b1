"""The pages in a real browser: Debian's Chromium driven by Playwright against `hmic-kg serve` on loopback.

Runs whenever /usr/bin/chromium exists (CI installs it); every request must stay on localhost and no
page may log a console error. Screenshots of the main pages are written to docs/img/.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import pytest

pytest.register_assert_rewrite("tests.browser_support")

from tests.browser_support import Watched, pytestmark, shot  # noqa: E402  (after the rewrite hook)

pytest_plugins = ["tests.browser_support"]
__all__ = ["pytestmark"]


def test_home_renders_the_grade_matrix(server: str, watched: Watched) -> None:
    page = watched.page
    page.goto(f"{server}/")
    rows = page.locator("#grade-matrix tbody tr")
    assert rows.count() == 2
    assert page.locator("#grade-matrix td.grade[data-grade]").count() >= 2 * 5
    assert page.locator("#grade-matrix tfoot .dist").count() >= 5
    assert "Nottinghamshire" in page.locator("#grade-matrix tbody").inner_text()
    shot(watched, "home.png")


def test_force_view_draws_the_force_network(server: str, watched: Watched) -> None:
    page = watched.page
    page.goto(f"{server}/view/force/nottinghamshire")
    page.wait_for_function("document.body.dataset.drawn === 'true'")
    nodes = page.evaluate("window.hmicView.nodes.map(n => ({id: n.id, label: n.fullLabel, type: n.type}))")
    by_type: dict[str, set[str]] = {}
    for node in nodes:
        by_type.setdefault(node["type"], set()).add(node["label"])
    assert by_type["force"] == {"Nottinghamshire Police"}
    assert "ViSOR" in by_type["system"]
    assert {"practice", "finding", "unit", "area", "grade"} <= set(by_type)
    shown = page.evaluate("window.hmicView.nodes.filter(n => !n.hidden).length")
    drawn = page.evaluate("Object.keys(window.hmicNetwork.getPositions()).length")
    assert drawn == shown < len(nodes), "findings start hidden"
    assert page.locator("#legend li").count() == len(by_type)
    assert not page.locator("input.type-filter[value=finding]").is_checked()
    shot(watched, "force-view.png")
    page.locator("input.type-filter[value=finding]").check()
    page.wait_for_function("document.body.dataset.laidOut === 'true'")
    assert "hide=partner" in page.url, "the filters are in the URL"
    visible = page.evaluate("window.hmicNetwork.body.nodeIndices.length")
    assert visible == len(nodes) - len([n for n in nodes if n["type"] == "partner"])
    with page.expect_download() as png:
        page.click("#export-png")
    assert png.value.suggested_filename == "force-nottinghamshire.png"
    assert Path(png.value.path()).read_bytes().startswith(b"\x89PNG")
    with page.expect_download() as graphml:
        page.click("#export-graphml")
    exported = ElementTree.parse(graphml.value.path()).getroot()
    ns = "{http://graphml.graphdrawing.org/xmlns}"
    assert len(exported.findall(f"{ns}graph/{ns}node")) == len(nodes)
    scale = page.evaluate("window.hmicNetwork.getScale()")
    page.click("#zoom-in")
    assert page.evaluate("window.hmicNetwork.getScale()") > scale


def test_clicking_a_node_shows_its_details_then_its_page(server: str, watched: Watched) -> None:
    page = watched.page
    page.goto(f"{server}/view/system/visor")
    page.wait_for_function("document.body.dataset.drawn === 'true'")
    target = page.evaluate(
        """() => {
            const net = window.hmicNetwork;
            const node = window.hmicView.nodes.find(n => n.type === 'force');
            const dom = net.canvasToDOM(net.getPositions([node.id])[node.id]);
            const hit = net.getNodeAt(dom);
            return {x: dom.x, y: dom.y, href: window.hmicView.nodes.find(n => n.id === hit).href};
        }"""
    )
    box = page.locator("#network canvas").bounding_box()
    assert box is not None
    before = page.url
    page.mouse.click(box["x"] + target["x"], box["y"] + target["y"])
    details = page.locator("#details-body")
    assert details.locator(".details-title").inner_text().endswith("Police")
    assert page.url.split("#")[0] == before.split("#")[0], "a click does not leave the page"
    assert "node=" in page.url, "the selection is in the URL"
    page.locator("#details-link").click()
    page.wait_for_url(f"{server}{target['href']}")
    assert page.locator("#node-label").inner_text().endswith("Police")


def test_home_leads_to_who_has_solved_it_and_whom_to_call(server: str, watched: Watched) -> None:
    page = watched.page
    page.goto(f"{server}/")
    card = page.locator("#force-list li", has_text="Northamptonshire")
    card.get_by_role("link", name="who has solved this?").click()
    page.wait_for_url("**/page/force/northamptonshire#help")
    assert page.locator("#force-grades tbody tr").count() >= 5
    row = page.locator("#help-table tbody tr", has_text="Missing persons").first
    assert "Nottinghamshire Police" in row.inner_text()
    assert "same area" in row.locator(".why").inner_text()
    contact = row.locator(".lead-contact")
    assert "Jackie Alexander" in contact.inner_text()
    assert (contact.locator("a[href^='tel:']").get_attribute("href") or "").startswith("tel:0")
    shot(watched, "force-page.png")
    row.locator("a[href^='/page/practice/nottinghamshire-2007/']").first.click()
    page.wait_for_url("**/page/practice/nottinghamshire-2007/*")
    assert page.locator("#contact").count() == 1
    assert "Jackie Alexander" in page.locator("#contact").inner_text()


def test_sparql_page_runs_a_named_query(server: str, watched: Watched) -> None:
    page = watched.page
    page.goto(f"{server}/sparql-ui")
    page.select_option("#example", "grades-by-force")
    page.click("#run")
    page.wait_for_selector("#results tbody tr")
    assert page.locator("#results tbody tr").count() >= 2
    assert "rows" in page.locator("#status").inner_text()
    assert "format=csv" in (page.get_attribute("#download-csv", "href") or "")
    page.locator("#query").evaluate("el => { el.rows = 8; }")
    shot(watched, "sparql.png", full_page=True)


PHONE_PAGES = (
    "/", "/page/force/nottinghamshire", "/sparql-ui", "/search?q=visor", "/page/system/visor",
    "/page/person/jackie-alexander", "/reports/nottinghamshire-2007?from=10&to=12",
)  # fmt: skip


def test_pages_fit_a_phone_screen(server: str, browser: object) -> None:
    tab = Watched(browser, viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        for url in PHONE_PAGES:
            tab.page.goto(f"{server}{url}")
            overflow = tab.page.evaluate("document.body.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{url} is {overflow}px wider than a phone"
        tab.check()
    finally:
        tab.context.close()
