"""The pages in a real browser: Debian's Chromium driven by Playwright against `hmic-kg serve` on loopback.

Runs whenever /usr/bin/chromium exists (CI installs it); every request must stay on localhost and no
page may log a console error. Screenshots of the main pages are written to docs/img/.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from graph.config import GraphConfig
from graph.iris import Iris
from graph.loading import load_paths
from graph.store import open_store
from tests.conftest_servers import free_port, served

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "data" / "reports"
SCREENSHOTS = ROOT / "docs" / "img"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]  # fmt: skip
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.server,
    # CI (.ci/run) installs chromium and sets HMIC_KG_REQUIRE_BROWSER=1: there a missing browser fails.
    pytest.mark.skipif(
        not CHROMIUM.exists() and not os.environ.get("HMIC_KG_REQUIRE_BROWSER"),
        reason="needs Debian's chromium at /usr/bin/chromium",
    ),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`hmic-kg serve` on a free loopback port with the two sample reports loaded."""
    data_dir = tmp_path_factory.mktemp("browser-data")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    config = GraphConfig(data_dir=data_dir, base_iri=f"{base}/id/")
    store = open_store(config)
    try:
        summary = load_paths(store, [REPORTS], Iris(config.base_iri))
        assert summary.files_failed == 0
    finally:
        store.close()
    with served(data_dir, "--base-iri", config.base_iri, port=port) as served_base:
        yield served_base


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Watched:
    """A page whose console errors and non-loopback requests are recorded (and blocked)."""

    def __init__(self, browser: object, **context_options: object) -> None:
        self.context = browser.new_context(**context_options)  # type: ignore[attr-defined]
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _route(self, route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        if urlsplit(url).scheme in ("data", "blob", "about") or urlsplit(url).hostname in LOOPBACK:
            route.continue_()  # type: ignore[attr-defined]
        else:
            self.outside.append(url)
            route.abort()  # type: ignore[attr-defined]

    def check(self) -> None:
        assert self.outside == [], f"requests left localhost: {self.outside}"
        assert self.errors == [], f"console errors: {self.errors}"


@pytest.fixture
def watched(browser: object) -> Iterator[Watched]:
    tab = Watched(browser, viewport={"width": 1280, "height": 800})
    yield tab
    tab.check()
    tab.context.close()


def shot(watched: Watched, name: str, full_page: bool = False) -> None:
    """Take the screenshot always (it must succeed); keep it in docs/img only when asked to refresh them."""
    image = watched.page.screenshot(full_page=full_page)
    assert image.startswith(b"\x89PNG")
    if os.environ.get("HMIC_KG_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        (SCREENSHOTS / name).write_bytes(image)


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
    drawn = page.evaluate("Object.keys(window.hmicNetwork.getPositions()).length")
    assert drawn == len(nodes)
    assert page.locator("#legend li").count() == len(by_type)
    shot(watched, "force-view.png")


def test_clicking_a_node_opens_its_page(server: str, watched: Watched) -> None:
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
    page.mouse.click(box["x"] + target["x"], box["y"] + target["y"])
    page.wait_for_url(f"{server}{target['href']}")
    assert page.locator("#node-label").inner_text().endswith("Police")


def test_home_leads_to_who_has_solved_it_and_whom_to_call(server: str, watched: Watched) -> None:
    page = watched.page
    page.goto(f"{server}/")
    card = page.locator("#force-list li", has_text="Northamptonshire")
    card.get_by_role("link", name="who has solved this?").click()
    page.wait_for_url("**/page/force/northamptonshire#help")
    assert page.locator("#force-grades tbody tr").count() >= 5
    help_section = page.locator("#help-missing-persons")
    assert help_section.count() == 1
    item = help_section.locator(
        "li", has=page.locator("a[href^='/page/practice/nottinghamshire-2007/']")
    ).first
    assert "Nottinghamshire Police" in item.inner_text()
    assert "same area" in item.locator(".why").inner_text()
    contact = item.locator(".lead-contact")
    assert "Jackie Alexander" in contact.inner_text()
    assert (contact.locator("a[href^='tel:']").get_attribute("href") or "").startswith("tel:0")
    help_section.scroll_into_view_if_needed()
    shot(watched, "force-page.png")
    item.locator("a[href^='/page/practice/nottinghamshire-2007/']").first.click()
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


def test_pages_fit_a_phone_screen(server: str, browser: object) -> None:
    tab = Watched(browser, viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        for url in ("/", "/page/force/nottinghamshire", "/sparql-ui"):
            tab.page.goto(f"{server}{url}")
            overflow = tab.page.evaluate("document.body.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{url} is {overflow}px wider than a phone"
        tab.check()
    finally:
        tab.context.close()
