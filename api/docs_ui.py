"""The interactive OpenAPI page at ``/docs``, served offline.

FastAPI's default ``/docs`` loads Swagger UI from a CDN; hmic-kg must work without the internet, so the
Swagger UI files come from the ``swagger-ui-bundle`` package (a maintained wheel of the upstream dist) and
are served by this app.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_PATH = "/_swagger"


def install_docs(app: FastAPI) -> None:
    """Serve Swagger UI from the installed package at ``/docs`` (the app must have ``docs_url=None``)."""
    from swagger_ui_bundle import swagger_ui_path

    app.mount(ASSETS_PATH, StaticFiles(directory=swagger_ui_path), name="swagger-assets")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title}: API",
            swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_PATH}/favicon-32x32.png",
        )
