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
        assert "/_swagger/swagger-ui-bundle.js" in page.text
        assert client.get("/redoc").status_code == 404
