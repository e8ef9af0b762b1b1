"""``/view/...``: the network views served as pages, and ``/static/...``: their scripts and styles."""

from __future__ import annotations

from typing import Annotated

import networkx as nx
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse

from api.deps import SnapshotDep
from api.pages.common import STATIC_DIR, BaseIri, PageStore, render, suggestions
from api.snapshot import Snapshot
from graph.store import Store
from graph.view_data import ViewNotFound, build_view
from graph.views import STATIC_FILES, render_view_html

router = APIRouter()
#: files under api/static that may be served (nothing else is reachable)
SITE_FILES = frozenset(p.name for p in STATIC_DIR.iterdir() if p.is_file() and not p.name.startswith("."))


def projection(store: Store) -> nx.MultiDiGraph:
    """The whole store as the typed networkx graph the views are cut from (only the classes and
    predicates the projection uses are read, never an rdflib copy of every triple)."""
    from graph.network import project_store

    return project_store(store)


def _view_page(request: Request, snap: Snapshot, store: Store, base: str, kind: str,
               ident: str | None, depth: int) -> HTMLResponse:  # fmt: skip
    graph = snap.derived(("views.projection",), lambda: projection(store))
    try:
        view = build_view(graph, kind, ident, base_iri=base, depth=depth)
    except ViewNotFound as exc:
        close = suggestions(snap, kind, ident or "", f"/view/{kind}/")
        return render(request, "not_found.html", status_code=404, path=f"view/{kind}/{ident or ''}",
                      iri=None, message=str(exc), suggestions=close)  # fmt: skip
    return HTMLResponse(render_view_html(view, assets="served", base_iri=base, home_url="/"))


Depth = Annotated[int, Query(ge=1, le=2, description="Links from the centre node (ego view).")]


@router.get("/view/{kind}", response_class=HTMLResponse, include_in_schema=False)
def view_without_id(kind: str, request: Request, snap: SnapshotDep, store: PageStore, base: BaseIri,
                    depth: Depth = 1) -> HTMLResponse:  # fmt: skip
    """The whole-graph (``overview``) or cross-force (``shared``) network view."""
    return _view_page(request, snap, store, base, kind, None, depth)


@router.get("/view/{kind}/{ident:path}", response_class=HTMLResponse, include_in_schema=False)
def view_with_id(kind: str, ident: str, request: Request, snap: SnapshotDep, store: PageStore,
                 base: BaseIri, depth: Depth = 1) -> HTMLResponse:  # fmt: skip
    """The network of one force, system or unit type, or the neighbourhood (``ego``) of any node."""
    return _view_page(request, snap, store, base, kind, ident.strip("/"), depth)


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> FileResponse:
    """The site's icon (browsers ask for it when a page names none)."""
    return FileResponse(STATIC_DIR / "favicon.svg", media_type="image/svg+xml",
                        headers={"Cache-Control": "public, max-age=86400"})  # fmt: skip


@router.get("/static/{name:path}", include_in_schema=False)
def static_file(name: str) -> FileResponse:
    """The views' vendored vis-network, their script and style, and the site's CSS and JS."""
    path = STATIC_FILES.get(name) or (STATIC_DIR / name if name in SITE_FILES else None)
    if path is None or not path.is_file():
        raise HTTPException(status_code=404, detail=f"no static file {name!r}")
    return FileResponse(path, headers={"Cache-Control": "public, max-age=3600"})
