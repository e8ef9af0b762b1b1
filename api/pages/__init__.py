"""The browser side of hmic-kg: home, node pages, network views and the SPARQL page, as one router."""

from __future__ import annotations

from fastapi import APIRouter

from api.pages import home, network, nodes, reports, sparql_ui

router = APIRouter()
for _module in (home, nodes, network, reports, sparql_ui):
    router.include_router(_module.router)

__all__ = ["router"]
