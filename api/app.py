"""The FastAPI application factory: ``create_app(settings)``; nothing connects at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from api import pages, sparql
from api.docs_ui import install_docs
from api.errors import ERROR_RESPONSES, install_error_handlers
from api.http_semantics import HttpSemantics
from api.routes import areas, forces, linked_data, people, practices, search, shared, systems, units
from api.runtime import Runtime
from api.security import install_security
from api.settings import Settings
from graph.store import Store

DESCRIPTION = """Police-inspection reports (HMIC 2007) as a knowledge graph.

* `/sparql` — SPARQL 1.1 Protocol endpoint (read-only, time and row limits).
* Lookups of forces, IT systems, units, people, areas and developing practice, and what forces share:
  `/shared`, `/practices/{id}/similar`, `/forces/{id}/help`.
* `/id/{path}` — every IRI of the graph resolves (Turtle, N-Triples, JSON-LD; browsers are redirected
  to `/page/{path}`).

Errors are always `{"error": {"status", "code", "message", "parameter"}}`.
"""


def _include_routers(app: FastAPI) -> None:
    for router in (forces.router, systems.router, units.router, people.router, areas.router,
                   practices.router, shared.router, search.router):  # fmt: skip
        app.include_router(router, responses=ERROR_RESPONSES)
    app.include_router(sparql.router)
    app.include_router(linked_data.router)
    app.include_router(pages.router)


def create_app(
    settings: Settings | None = None,
    store: Store | None = None,
    snapshot_dir: Path | None = None,
    scratch_dir: Path | None = None,
) -> FastAPI:
    """Build the app. ``store``: an already open store to serve (tests, ``serve --workers``); otherwise the
    store named by ``settings.graph`` is opened on first use and closed on shutdown. ``snapshot_dir``: where
    the saved read model of a handed-in store lives; ``scratch_dir``: where the ``serve --workers``
    processes of a read-only store share theirs (see :class:`api.runtime.Runtime`)."""
    settings = settings or Settings()
    runtime = Runtime(settings, store, snapshot_dir, scratch_dir)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            runtime.close()

    app = FastAPI(
        title="hmic-kg",
        description=DESCRIPTION,
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served offline by install_docs
        redoc_url=None,
    )
    app.state.runtime = runtime
    app.state.settings = settings
    app.add_middleware(HttpSemantics, router=app.router)  # inside CORS: its answers get CORS headers
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
        # a browser tool may send an authorised update only where updates are enabled at all
        allow_headers=["Accept", "Content-Type", *(["Authorization"] if settings.update_token else [])],
        expose_headers=["X-HMIC-Truncated", "X-HMIC-Row-Limit", "ETag", "Allow"],
    )
    install_error_handlers(app)
    install_security(app)
    install_docs(app)
    _include_routers(app)
    return app
