"""Content negotiation as data: media-type tables and one Accept-header parser.

Routes never compare media types themselves: they ask :func:`negotiate` for the best entry of one of
the tables below (format names are the store's: ``json``/``xml``/``csv``/``tsv`` for SELECT and ASK,
``turtle``/``ntriples``/``jsonld``/``rdfxml`` for RDF graphs).
"""

from __future__ import annotations

from dataclasses import dataclass

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
}
HTML_MEDIA = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float
    order: int

    def matches(self, media_type: str) -> bool:
        main, _, sub = media_type.partition("/")
        return self.type in ("*", main) and self.subtype in ("*", sub)

    @property
    def specificity(self) -> int:
        return (self.type != "*") + (self.subtype != "*")


def parse_accept(header: str | None) -> list[MediaRange]:
    """Media ranges of an Accept header, best first (q, then specificity, then order); q=0 dropped."""
    ranges: list[MediaRange] = []
    for order, item in enumerate((header or "").split(",")):
        media, *params = (part.strip() for part in item.split(";"))
        main, sep, sub = media.lower().partition("/")
        if not sep or not main or not sub:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        if q > 0:
            ranges.append(MediaRange(main, sub, q, order))
    return sorted(ranges, key=lambda r: (-r.q, -r.specificity, r.order))


def negotiate(header: str | None, table: dict[str, str], default: str | None = None) -> str | None:
    """Format name of the best media type in ``table`` for an Accept header.

    No header, or only wildcards: the default (first entry of the table unless given). No acceptable
    entry: ``None`` (the caller decides between a default and 406).
    """
    fallback = default or next(iter(table.values()))
    ranges = parse_accept(header)
    if not ranges:
        return fallback
    for media_range in ranges:
        if media_range.specificity == 0:
            return fallback
        for media_type, fmt in table.items():
            if media_range.matches(media_type):
                return fmt
    return None


def prefers_html(header: str | None) -> bool:
    """True when a browser asks for HTML ahead of any RDF or JSON type."""
    for media_range in parse_accept(header):
        if media_range.specificity == 0:
            return False
        if any(media_range.matches(m) for m in HTML_MEDIA) and media_range.subtype != "*":
            return True
        if any(media_range.matches(m) for m in (*GRAPH_MEDIA, *TABLE_MEDIA)):
            return False
    return False
