"""``/sparql-ui``: a SPARQL editor with the named queries as examples; it runs queries against ``/sparql``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.pages.common import render
from graph import queries
from graph.views import script_json

router = APIRouter()


def examples() -> list[dict[str, object]]:
    """The named-query catalogue as JSON-ready examples for the editor."""
    return [
        {"name": q.name, "title": q.title, "description": q.description, "text": q.text,
         "params": [{"name": p.name, "type": p.type, "description": p.description, "optional": p.optional}
                    for p in q.params]}
        for q in queries.catalogue()
    ]  # fmt: skip


@router.get("/sparql-ui", response_class=HTMLResponse, include_in_schema=False)
def sparql_ui(request: Request, query: str | None = None) -> HTMLResponse:
    """The editor; ``?query=NAME`` preselects a named query."""
    items = examples()
    selected = next((e for e in items if e["name"] == query), items[0] if items else None)
    return render(request, "sparql.html", examples=items, selected=selected, examples_json=script_json(items))
