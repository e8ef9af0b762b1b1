"""``/docs`` works offline: Swagger UI is served by the app, nothing from a CDN."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings


def test_docs_page_loads_its_assets_from_the_app(tmp_path) -> None:
    from graph.config import GraphConfig

    settings = Settings(graph=GraphConfig(data_dir=tmp_path, backend="memory"))
    with TestClient(create_app(settings)) as client:
        page = client.get("/docs")
        assert page.status_code == 200
        urls = re.findall(r"""(?:src|href|url)\s*[:=]\s*['"]([^'"]+)['"]""", page.text)
        assert urls, "the page names its assets"
        for url in urls:
            assert not url.startswith(("http://", "https://", "//")), f"external asset {url}"
            assert client.get(url).status_code == 200, url
        assert "/_docs-assets/swagger-ui-bundle.js" in page.text
        assert "<script>" not in page.text, "no inline script: a script-src 'self' policy must hold"
        assert client.get("/redoc").status_code == 404


def test_docs_ships_a_swagger_ui_that_reads_openapi_3_1(tmp_path) -> None:
    """Regression: the bundled Swagger UI 4 showed "Unable to render this definition" for OpenAPI 3.1."""
    from graph.config import GraphConfig

    settings = Settings(graph=GraphConfig(data_dir=tmp_path, backend="memory"))
    with TestClient(create_app(settings)) as client:
        assert client.get("/openapi.json").json()["openapi"].startswith("3.1")
        bundle = client.get("/_docs-assets/swagger-ui-bundle.js").text
        versions = re.findall(r'version:"(\d+)\.\d+\.\d+"|"(5)\.\d+\.\d+"', bundle)
        assert versions, "the bundle names its version"
        assert "openapi: 3.1" in bundle, "Swagger UI 5 knows OpenAPI 3.1"


def test_favicon_is_served(tmp_path) -> None:
    from graph.config import GraphConfig

    settings = Settings(graph=GraphConfig(data_dir=tmp_path, backend="memory"))
    with TestClient(create_app(settings)) as client:
        icon = client.get("/favicon.ico")
        assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
        assert client.get("/static/favicon.svg").status_code == 200
        assert 'rel="icon"' in client.get("/").text
