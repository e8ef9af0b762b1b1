"""What every page module shares: templates, the store, named page queries and term display helpers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from rdflib import Literal, URIRef
from rdflib.term import Node

from api.deps import SettingsDep, StoreDep
from api.snapshot import Snapshot

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

# Jinja2Templates turns autoescaping on for .html templates; report text is never marked safe.
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))


def get_base_iri(settings: SettingsDep) -> str:
    """Base of the data IRIs."""
    return settings.base_iri


PageStore = StoreDep
BaseIri = Annotated[str, Depends(get_base_iri)]


def text(value: Node | None) -> str:
    """A term as display text ("" for unbound)."""
    return "" if value is None else str(value)


def number(value: Node | None) -> int | None:
    if isinstance(value, Literal):
        try:
            return int(value.toPython())
        except (TypeError, ValueError):
            return None
    return None


def local_name(iri: str) -> str:
    """The last segment of an IRI (after ``#`` or ``/``)."""
    return iri.rstrip("/").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def humanise(name: str) -> str:
    """``usesSystem`` -> ``uses system``, ``lineFrom`` -> ``line from``."""
    out = "".join(f" {c.lower()}" if c.isupper() else c for c in name)
    return out.replace("-", " ").replace("_", " ").strip()


@dataclass(frozen=True)
class Link:
    """Something to show: a label, and where it links (a page, or nothing for literals)."""

    label: str
    href: str | None = None
    kind: str = ""


def page_path(iri: str, base: str) -> str | None:
    """The path after the base for IRIs minted here, else None."""
    return iri[len(base) :] if iri.startswith(base) and len(iri) > len(base) else None


def link_to(term: Node | None, base: str, label: Node | str | None = None) -> Link:
    """A link to a node's page (IRIs under the base), to the IRI itself (others), or plain text."""
    if isinstance(term, URIRef):
        iri = str(term)
        path = page_path(iri, base)
        kind = path.split("/", 1)[0] if path else ""
        shown = text(label) if label else (path or local_name(iri))
        return Link(shown, f"/page/{path}" if path else iri, kind)
    return Link(text(term))


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> Any:
    """A template response with the request in its context."""
    return templates.TemplateResponse(request, template, context, status_code=status_code)


def suggestions(snap: Snapshot, kind: str, ident: str, prefix: str) -> list[Link]:
    """Pages of the known ids of ``kind`` closest to ``ident`` ("did you mean"), for not-found pages."""
    from api.errors import did_you_mean

    known = snap.known(kind) if kind != "practice" else {}
    if not known or not ident:
        return []
    labels = {key: value.get("label") or value.get("name") or key for key, value in known.items()}
    return [Link(str(labels[c]), f"{prefix}{c}") for c in did_you_mean(ident, known)]
