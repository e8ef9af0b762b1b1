"""Content negotiation as data: media-type tables and one Accept-header parser.

Routes never compare media types themselves: they ask :func:`negotiate` for the best entry of one of
the tables below (format names are the store's: ``json``/``xml``/``csv``/``tsv`` for SELECT and ASK,
``turtle``/``ntriples``/``jsonld``/``rdfxml`` for RDF graphs).
"""

from __future__ import annotations

from collections.abc import Iterable

import mimeparse

from api.errors import ApiError

#: media type -> result format of SELECT/ASK answers (first entry is the default)
TABLE_MEDIA: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "text/javascript": "json",
    "application/javascript": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
#: media type -> RDF format of CONSTRUCT/DESCRIBE answers and linked-data documents (first is default)
GRAPH_MEDIA: dict[str, str] = {
    "text/turtle": "turtle",
    "application/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "ntriples",
    "text/plain": "ntriples",
    "application/ld+json": "jsonld",
    "application/x-json+ld": "jsonld",
    "application/json": "jsonld",
    "application/rdf+xml": "rdfxml",
}
#: format name -> media type of the response
FORMAT_MEDIA: dict[str, str] = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
#: ``?format=`` shortcuts (as sent by SPARQLWrapper and curl users) -> format name
FORMAT_ALIASES: dict[str, str] = {
    "json": "json",
    "xml": "xml",
    "csv": "csv",
    "tsv": "tsv",
    "turtle": "turtle",
    "ttl": "turtle",
    "n3": "turtle",
    "nt": "ntriples",
    "ntriples": "ntriples",
    "n-triples": "ntriples",
    "jsonld": "jsonld",
    "json-ld": "jsonld",
    "rdfxml": "rdfxml",
    "rdf": "rdfxml",
    "rdf+xml": "rdfxml",
}
HTML_MEDIA = ("text/html", "application/xhtml+xml")
#: media type -> rendering of a REST lookup by id (``/forces/{id}``…, :mod:`api.renderers`): its JSON,
#: its HTML page or its RDF (first entry is the default, so ``*/*`` and no Accept get the JSON)
NOUN_MEDIA: dict[str, str] = {
    "application/json": "json",
    **dict.fromkeys(HTML_MEDIA, "html"),
    **{media: fmt for media, fmt in GRAPH_MEDIA.items() if media != "application/json"},
}


def _ranges(header: str | None) -> list[tuple[str, str, dict[str, str]]]:
    """Parsed media ranges of an Accept header; unreadable ranges are left out (no header: ``*/*``)."""
    ranges = []
    for item in (header or "*/*").lower().split(","):
        if item.strip():
            try:
                ranges.append(mimeparse.parse_media_range(item))
            except (mimeparse.MimeTypeParseException, ValueError):
                continue
    return ranges or [("*", "*", {"q": "1"})]


def quality(header: str | None, media_type: str) -> tuple[float, float]:
    """(q, fitness) of ``media_type`` under an Accept header: q is 0 when it is not acceptable
    (``text/turtle;q=0`` included); fitness is 110 or more when the type is named without wildcards."""
    return mimeparse.quality_and_fitness_parsed(media_type, _ranges(header))


def acceptable(header: str | None, media_types: Iterable[str]) -> bool:
    """Whether the Accept header accepts any of ``media_types``."""
    return any(quality(header, media)[0] > 0 for media in media_types)


def negotiate(header: str | None, table: dict[str, str], default: str | None = None) -> str | None:
    """Format name of the best media type in ``table`` for an Accept header (python-mimeparse).

    Ties (e.g. ``*/*``) go to the default (first entry of the table unless given), then to the table's
    order. No acceptable entry: ``None`` (the caller answers 406).
    """
    fallback = default or next(iter(table.values()))
    order = [m for m, f in table.items() if f == fallback] + [m for m, f in table.items() if f != fallback]
    ranges = _ranges(header)
    best = max(
        ((mimeparse.quality_and_fitness_parsed(m, ranges), -i, m) for i, m in enumerate(order)),
        default=((0.0, -1.0), 0, ""),
    )
    return table[best[2]] if best[0][0] > 0 else None


def prefers_html(header: str | None) -> bool:
    """True when a browser names HTML (no wildcard) at least as high as any RDF or JSON type."""
    html_q, html_fit = max(quality(header, m) for m in HTML_MEDIA)
    if html_q <= 0 or html_fit < 110:
        return False
    return html_q >= max(quality(header, m)[0] for m in (*GRAPH_MEDIA, *TABLE_MEDIA))


#: media types a route can answer with, where its declaration does not say (``api.http``); routes not
#: listed offer their response class's type and the types listed in their 200 response's content
ROUTE_MEDIA: dict[str, tuple[str, ...]] = {
    "/sparql": tuple(dict.fromkeys([*TABLE_MEDIA, *GRAPH_MEDIA, *HTML_MEDIA])),
    "/id/{path:path}": (*GRAPH_MEDIA, *HTML_MEDIA),
}


def not_acceptable(media_types: Iterable[str]) -> ApiError:
    """406 listing the media types on offer (also in the ``Accept`` … of the error body's message)."""
    offered = ", ".join(dict.fromkeys(m.split(";")[0] for m in media_types))
    return ApiError(
        406, "not_acceptable", f"none of the requested media types is available; available: {offered}"
    )
