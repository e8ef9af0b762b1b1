"""What the browser tests share: `hmic-kg serve` on loopback with the sample reports, Debian's Chromium
through Playwright, a tab that records console errors and blocks every request that leaves loopback, and
screenshots (kept in docs/img/ when HMIC_KG_SCREENSHOTS is set)."""

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
from tests.conftest_servers import ServerDidNotStart, free_port, served

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "data" / "reports"
SCREENSHOTS = ROOT / "docs" / "img"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]  # fmt: skip
START_ATTEMPTS = 3
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


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`hmic-kg serve` on a free loopback port with the two sample reports loaded."""
    for attempt in range(START_ATTEMPTS):
        # the data's IRIs name the server's port, so it is picked before the server starts: a lost race
        # for it is retried with another port (and the data loaded again under that one)
        data_dir = tmp_path_factory.mktemp("browser-data")
        port = free_port()
        config = GraphConfig(data_dir=data_dir, base_iri=f"http://127.0.0.1:{port}/id/")
        store = open_store(config)
        try:
            summary = load_paths(store, [REPORTS], Iris(config.base_iri))
            assert summary.files_failed == 0
        finally:
            store.close()
        try:
            with served(data_dir, "--base-iri", config.base_iri, port=port) as served_base:
                yield served_base
            return
        except ServerDidNotStart:
            if attempt + 1 == START_ATTEMPTS:
                raise


@pytest.fixture(scope="session")
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
