"""The browser side of hmic-kg as one router: home (with the national tile map), node pages (the force page,
what each force says, contact cards), report text, network views and the SPARQL page; the search page is
served by ``/search`` to browsers (:mod:`api.pages.search_page`)."""

from __future__ import annotations

from fastapi import APIRouter

from api.pages import home, network, nodes, reports, sparql_ui

router = APIRouter()
for _module in (home, nodes, network, reports, sparql_ui):
    router.include_router(_module.router)

__all__ = ["router"]
