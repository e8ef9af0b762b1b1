"""The SPARQL 1.1 Protocol's rules as functions: parameters, request bodies, datasets, base IRI, errors.

Kept apart from the request flow of :mod:`api.sparql` so that every rule of the protocol is in one place:

* a parameter given more than once with the same value is one value (SPARQLWrapper sends ``format``
  twice); different values are a 400 naming the parameter;
* POST bodies: ``application/x-www-form-urlencoded``, ``application/sparql-query`` and
  ``application/sparql-update``, UTF-8 only; the query or update given both in the URL and in the body is
  a 400 (as Oxigraph answers);
* datasets (SPARQL 1.1 Query §13.2, Protocol §2.1.4): ``default-graph-uri`` / ``named-graph-uri`` replace
  the query's FROM / FROM NAMED as a whole, so named graphs without default graphs give an *empty*
  default graph; ``using-graph-uri`` / ``using-named-graph-uri`` become ``USING`` / ``USING NAMED``
  clauses of every DELETE/INSERT operation, and giving them beside ``USING`` or ``WITH`` in the update is
  a 400 (Protocol §2.2.3);
* the base IRI of queries and updates is the endpoint's own URL;
* engine syntax errors are put in words ("unknown prefix ex:" rather than a list of Unicode ranges).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from urllib.parse import parse_qs

from fastapi import Request, Response
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from api import negotiation as neg
from api.errors import ApiError
from api.runtime import Runtime
from api.sparql_guard import query_form
from api.sparql_lexer import Token, tokens
from graph.store import PREFIXES, Store

FORM = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
Params = dict[str, list[str]]

_DECLARED = re.compile(r"PREFIX\s+([A-Za-z][\w\-.]*)?:\s*<", re.IGNORECASE)
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]*$")


def _structure(text: str) -> list[Token]:
    """The words, braces and ``;`` of SPARQL text's code (what an update's dataset clauses hang on)."""
    return [
        t
        for t in tokens(text, strict=False)
        if t.kind in ("word", "semi") or (t.kind in ("open", "close") and t.text in "{}")
    ]


# -- parameters ------------------------------------------------------------------------------------
def single(params: Mapping[str, Sequence[str]], name: str) -> str | None:
    """The one value of ``name``; repeats of the same value are one value, different values a 400."""
    values = list(dict.fromkeys(params.get(name) or []))
    if len(values) > 1:
        raise ApiError(400, "bad_request", f"parameter {name} is given {len(values)} different values", name)
    return values[0] if values else None


def iris(params: Mapping[str, Sequence[str]], name: str) -> list[str]:
    """The distinct absolute IRIs given as ``name`` (400 naming the parameter for anything else)."""
    values = list(dict.fromkeys(params.get(name) or []))
    for value in values:
        if not _ABSOLUTE_IRI.match(value):
            raise ApiError(400, "bad_request", f"{name} must be an absolute IRI, got {value[:100]!r}", name)
    return values


def _content_type(header: str) -> tuple[str, str | None]:
    media, *options = (part.strip() for part in header.split(";"))
    charset = None
    for option in options:
        key, _, value = option.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media.lower(), charset


def read_post(content_type: str, body: bytes, url_params: Params) -> tuple[Params, str | None]:
    """Parameters of a POST (URL and body merged) and its update text, by the body's media type."""
    media, charset = _content_type(content_type)
    if media not in (FORM, QUERY_TYPE, UPDATE_TYPE):
        raise ApiError(415, "unsupported_media_type", f"POST {FORM}, {QUERY_TYPE} or {UPDATE_TYPE}")
    if charset not in (None, "utf-8", "utf8"):
        raise ApiError(400, "bad_request", f"the request body must be UTF-8, not {charset}")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "bad_request", "the request body is not UTF-8") from None
    form = parse_qs(text, keep_blank_values=True) if media == FORM else {}
    for name in ("query", "update"):
        if name in url_params and (media != FORM or name in form):
            where = "in the body" if media == FORM else f"as the {media} body"
            raise ApiError(400, "bad_request", f"{name} given both in the URL and {where}", name)
    if media == FORM:
        merged = {k: [*url_params.get(k, []), *form.get(k, [])] for k in {*url_params, *form}}
        return merged, single(form, "update")
    if media == QUERY_TYPE:
        return {**url_params, "query": [text]}, None
    return dict(url_params), text


# -- datasets --------------------------------------------------------------------------------------
def query_dataset(params: Params) -> tuple[list[str] | None, list[str] | None]:
    """(default graphs, named graphs) given by the protocol, or (None, None) when none is given.

    A protocol dataset replaces the query's FROM / FROM NAMED as a whole (Protocol §2.1.4), so an
    absent list is an empty one: named graphs alone leave the default graph empty (Query §13.2)."""
    default, named = iris(params, "default-graph-uri"), iris(params, "named-graph-uri")
    if not default and not named:
        return None, None
    return default, named


def _matching_brace(items: list[Token], start: int) -> int:
    depth = 0
    for index in range(start, len(items)):
        depth += {"open": 1, "close": -1}.get(items[index].kind, 0)
        if depth == 0:
            return index
    raise ApiError(400, "syntax_error", "SPARQL syntax error: a '{' is never closed", "update")


def update_with_dataset(text: str, params: Params) -> str:
    """``text`` with the protocol's ``using-graph-uri`` / ``using-named-graph-uri`` as USING clauses.

    400 when the update names its own dataset (USING, USING NAMED or WITH) as well. ``DELETE WHERE
    {P}`` is written out as ``DELETE {P} USING … WHERE {P}``, its meaning in SPARQL 1.1 Update §3.1.3.3."""
    using, using_named = iris(params, "using-graph-uri"), iris(params, "using-named-graph-uri")
    if not using and not using_named:
        return text
    clause = " ".join([*(f"USING <{g}>" for g in using), *(f"USING NAMED <{g}>" for g in using_named)])
    items = _structure(text)
    edits: list[tuple[int, int, str]] = []
    depth, modify, previous = 0, False, ""
    index = 0
    while index < len(items):
        item = items[index]
        word = item.text.upper() if item.kind == "word" else ""
        if item.kind in ("open", "close"):
            depth += 1 if item.kind == "open" else -1
        elif depth == 0 and item.kind == "semi":
            modify = False
        elif depth == 0 and word in ("USING", "WITH"):
            raise ApiError(
                400,
                "dataset_conflict",
                f"the update names its dataset with {word} and the request with using-graph-uri or "
                "using-named-graph-uri: give one or the other",
                "using-graph-uri" if using else "using-named-graph-uri",
            )
        elif depth == 0 and word in ("INSERT", "DELETE"):
            modify = True
        elif depth == 0 and word == "DATA" and previous in ("INSERT", "DELETE"):
            modify = False
        elif depth == 0 and word == "WHERE" and previous == "DELETE":
            if index + 1 < len(items) and items[index + 1].kind == "open":
                end = _matching_brace(items, index + 1)
                pattern = text[items[index + 1].start : items[end].end]
                edits.append((item.start, item.end, f"{pattern} {clause} WHERE"))
                index, modify = end, False
        elif depth == 0 and word == "WHERE" and modify:
            edits.append((item.start, item.start, f"{clause} "))
            modify = False
        previous = word if item.kind == "word" else ""
        index += 1
    for start, end, replacement in reversed(edits):
        text = text[:start] + replacement + text[end:]
    return text


def with_base(text: str, base_iri: str) -> str:
    """``text`` with the endpoint's URL as its base IRI (on the first line, so line numbers stay)."""
    return f"BASE <{base_iri}> {text}"


def endpoint_url(url: str) -> str:
    """The endpoint's own URL (no query string, no fragment): the base IRI and ``sd:endpoint``."""
    return url.split("#", 1)[0].split("?", 1)[0]


# -- errors in words -------------------------------------------------------------------------------
def _is_prefix(name: str) -> bool:
    """A prefix name (empty, or starting with a letter): not a blank node's ``_`` nor ``127.0.0.1``."""
    return name == "" or name[0].isalpha()


def undeclared_prefixes(text: str) -> list[str]:
    """Prefixes used in prefixed names that no PREFIX declaration of ``text`` declares."""
    declared = {m.group(1) or "" for m in _DECLARED.finditer(text)}
    used = [t.text for t in tokens(text, strict=False) if t.kind == "prefix" and _is_prefix(t.text)]
    return list(dict.fromkeys(p for p in used if p not in declared))


_POSITION = re.compile(r"error at (\d+):(\d+): ?(.*)", re.DOTALL)
_CHAR_CLASS = re.compile(r"\[(?:'(?:[^'\\]|\\.)*'|[^\]'])*\]")


def _char_class(match: re.Match[str]) -> str:
    text = match.group(0)
    if "'A'" in text or "\\u{" in text:
        return "a name"
    if "'0'" in text:
        return "a digit"
    return " or ".join(repr(c) for c in re.findall(r"'([^']*)'", text)) or text.strip("[]")


def _snippet(text: str, line: int, column: int) -> str:
    lines = text.splitlines() or [""]
    if not 1 <= line <= len(lines):
        return "the end of the text"
    near = lines[line - 1][max(0, column - 1) : max(0, column - 1) + 30].strip()
    return f"«{near}»" if near else "the end of the line"


def explain(message: str, text: str, shift: int = 0) -> str:
    """An engine's syntax error in words: unknown prefixes by name, character classes as words,
    and where the error is (line, column and the text there). ``shift``: characters the engine saw
    before ``text`` on its first line (the ``BASE`` of :func:`with_base`)."""
    unknown = undeclared_prefixes(text)
    if unknown:
        prefix = unknown[0]
        known = PREFIXES.get(prefix)
        hint = f"add PREFIX {prefix}: <{known}>" if known else f"declare it with PREFIX {prefix}: <…>"
        return f"unknown prefix {prefix}: ({hint})"
    found = _POSITION.search(message)
    if found is None:
        return message
    line, column, detail = int(found.group(1)), int(found.group(2)), found.group(3)
    column = max(1, column - shift) if line == 1 else column
    detail = _CHAR_CLASS.sub(_char_class, " ".join(detail.split()))
    detail = re.sub(r"(, a name)+", ", a name", detail)
    if len(detail) > 300:
        detail = detail[:300].rsplit(",", 1)[0] + ", …"
    where = _snippet(text, line, column)
    return f"SPARQL syntax error at line {line}, column {column} (near {where}): {detail}"


# -- service description ---------------------------------------------------------------------------
SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
#: format name (api.negotiation) -> W3C format IRI, for sd:resultFormat
RESULT_FORMATS = {
    "json": "SPARQL_Results_JSON",
    "xml": "SPARQL_Results_XML",
    "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV",
    "turtle": "Turtle",
    "ntriples": "N-Triples",
    "jsonld": "JSON-LD",
    "rdfxml": "RDF_XML",
}
#: the endpoint's limits, described as data next to the description that uses them
LIMIT_TERMS = {
    "queryTimeLimit": ("query time limit", "Longest time a query may run, in seconds, before a 503."),
    "resultRowLimit": (
        "result row limit",
        "Most rows (or triples) of one answer; a longer one is cut "
        "and says so in the X-HMIC-Truncated header.",
    ),
    "queryByteLimit": ("query size limit", "Largest query text accepted, in bytes (413 beyond)."),
}


def service_description(
    endpoint: str, graphs: Sequence[str], *, updates: bool, timeout_s: float, max_rows: int, max_bytes: int
) -> Graph:
    """The SPARQL 1.1 Service Description of the endpoint as an rdflib Graph."""
    sd, hmic = Namespace(SD), Namespace(PREFIXES["hmic"])
    graph = Graph()
    graph.bind("sd", sd)
    graph.bind("hmic", hmic)
    graph.bind("formats", Namespace(FORMATS))
    service = URIRef(endpoint)
    graph.add((service, RDF.type, sd.Service))
    graph.add((service, sd.endpoint, service))
    graph.add((service, sd.supportedLanguage, sd.SPARQL11Query))
    if updates:
        graph.add((service, sd.supportedLanguage, sd.SPARQL11Update))
    for name in RESULT_FORMATS.values():
        graph.add((service, sd.resultFormat, URIRef(FORMATS + name)))
    graph.add((service, sd.feature, sd.UnionDefaultGraph))
    graph.add(
        (
            service,
            RDFS.comment,
            Literal(
                "The default graph is the union of the named graphs (one per inspection report); "
                "SERVICE and LOAD are refused.",
                lang="en",
            ),
        )
    )
    dataset, default = BNode(), BNode()
    graph.add((service, sd.defaultDataset, dataset))
    graph.add((dataset, RDF.type, sd.Dataset))
    graph.add((dataset, sd.defaultGraph, default))
    graph.add((default, RDF.type, sd.Graph))
    for name in graphs:
        named = BNode()
        graph.add((dataset, sd.namedGraph, named))
        graph.add((named, RDF.type, sd.NamedGraph))
        graph.add((named, sd.name, URIRef(name)))
    limits = {
        "queryTimeLimit": Literal(timeout_s, datatype=XSD.decimal),
        "resultRowLimit": Literal(max_rows, datatype=XSD.integer),
        "queryByteLimit": Literal(max_bytes, datatype=XSD.integer),
    }
    for term, value in limits.items():
        graph.add((service, hmic[term], value))
        label, comment = LIMIT_TERMS[term]
        graph.add((hmic[term], RDF.type, RDF.Property))
        graph.add((hmic[term], RDFS.label, Literal(label, lang="en")))
        graph.add((hmic[term], RDFS.comment, Literal(comment, lang="en")))
    return graph


# -- result formats and the description's response -------------------------------------------------
def _format_param(value: str | None) -> tuple[str | None, str | None]:
    """(table format, graph format) named by ``format=``: a short name (as SPARQLWrapper and curl users
    send) or a media type; a name of one result form stands for its like in the other (``xml`` asks a
    CONSTRUCT for RDF/XML, ``json`` for JSON-LD). 400 for anything else."""
    if not value:
        return None, None
    name = value.strip().lower()
    if "/" in name:  # a media type, or a list of them (SPARQLWrapper sends its Accept header's value)
        media = [m.split(";")[0].strip() for m in name.split(",")]
        table = next((neg.TABLE_MEDIA[m] for m in media if m in neg.TABLE_MEDIA), None)
        graph = next((neg.GRAPH_MEDIA[m] for m in media if m in neg.GRAPH_MEDIA), None)
        if table is None and graph is None:
            raise ApiError(400, "bad_request", f"unknown format {value[:60]!r}", "format")
        return table, graph
    fmt = neg.FORMAT_ALIASES.get(name)
    if fmt is None:
        offered = ", ".join(sorted(neg.FORMAT_ALIASES))
        raise ApiError(400, "bad_request", f"unknown format {value[:40]!r}; use one of {offered}", "format")
    table = fmt if fmt in neg.TABLE_MEDIA.values() else None
    graph = fmt if fmt in neg.GRAPH_MEDIA.values() else {"xml": "rdfxml", "json": "jsonld"}.get(fmt)
    return table, graph


def result_formats(accept: str | None, format_values: Sequence[str], text: str) -> tuple[str, str]:
    """(table format, graph format) of a query's answer: ``format=`` wins over Accept; 406 when neither
    offers a format of the query's result form. ``format`` given more than once must mean one format
    (SPARQLWrapper sends ``format=tsv&format=text/tab-separated-values``); else 400 naming it."""
    meanings = {_format_param(v) for v in dict.fromkeys(format_values)}
    if len(meanings) > 1:
        raise ApiError(
            400, "bad_request", "parameter format is given values that name different formats", "format"
        )
    forced_table, forced_graph = meanings.pop() if meanings else (None, None)
    table = forced_table or neg.negotiate(accept, neg.TABLE_MEDIA)
    graph = forced_graph or neg.negotiate(accept, neg.GRAPH_MEDIA)
    form = query_form(text)
    if form in ("SELECT", "ASK") and table is None:
        raise neg.not_acceptable(neg.TABLE_MEDIA)
    if form in ("CONSTRUCT", "DESCRIBE") and graph is None:
        raise neg.not_acceptable(neg.GRAPH_MEDIA)
    if table is None and graph is None:
        raise neg.not_acceptable([*neg.TABLE_MEDIA, *neg.GRAPH_MEDIA])
    return table or "json", graph or "turtle"


def description_response(runtime: Runtime, store: Store, request: Request) -> Response:
    """The Service Description as Turtle, RDF/XML, JSON-LD or N-Triples by Accept (406 otherwise)."""
    fmt = neg.negotiate(request.headers.get("accept"), neg.GRAPH_MEDIA)
    if fmt is None:
        raise neg.not_acceptable(neg.GRAPH_MEDIA)
    settings = runtime.settings
    graph = service_description(
        endpoint_url(str(request.url)),
        store.graphs(),
        updates=bool(settings.update_token),
        timeout_s=settings.query_timeout_s,
        max_rows=settings.max_rows,
        max_bytes=settings.max_query_bytes,
    )
    rdflib_format = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml"}[fmt]
    body = graph.serialize(format=rdflib_format, encoding="utf-8")
    return Response(body, media_type=neg.FORMAT_MEDIA[fmt], headers={"Vary": "Accept"})
