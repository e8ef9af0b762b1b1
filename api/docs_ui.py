"""The interactive OpenAPI page at ``/docs``, served offline.

FastAPI's default ``/docs`` loads Swagger UI from a CDN; hmic-kg must work without the internet. The
Swagger UI 5 files (the first major version that reads the OpenAPI 3.1 FastAPI emits) come from the
``fastapi-offline`` package, a maintained wheel of the upstream dist, and are served by this app. The page
starts Swagger UI from ``/static/docs.js`` (no inline script, so a ``script-src 'self'`` policy holds).
"""

from __future__ import annotations

from html import escape
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_PATH = "/_docs-assets"
ASSETS_DIR = Path(str(files("fastapi_offline") / "static"))

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{assets}/swagger-ui.css">
</head>
<body>
<p class="docs-home"><a href="/">hmic-kg home</a></p>
<div id="swagger-ui" data-openapi-url="{openapi}"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="/static/docs.js"></script>
</body>
</html>
"""


def install_docs(app: FastAPI) -> None:
    """Serve Swagger UI at ``/docs`` from the installed package (the app must have ``docs_url=None``)."""
    app.mount(ASSETS_PATH, StaticFiles(directory=ASSETS_DIR), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        html = PAGE.format(
            title=escape(f"{app.title}: API"),
            assets=ASSETS_PATH,
            openapi=escape(app.openapi_url or "/openapi.json"),
        )
        return HTMLResponse(html)
