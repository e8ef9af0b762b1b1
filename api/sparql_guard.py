"""Safety checks on SPARQL text before it reaches an engine.

Two independent checks, so that one parser's blind spot is covered by the other:

1. a parse with rdflib's SPARQL grammar, then a walk of the parse tree for ``ServiceGraphPattern``
   (federated queries) and ``Load`` (updates that fetch URLs);
2. a keyword scan over the tokens of the text with strings, comments, IRIs, variables and prefixed
   names removed, so ``"SERVICE"`` in a literal or ``?load`` as a variable are not refused, while a
   query the rdflib grammar cannot parse is still refused if it names ``SERVICE`` or ``LOAD``.

The operation (query or update) is classified from the first keyword after the prologue, so an update
sent as ``query=`` is recognised and refused like any other update.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from api.errors import ApiError

Operation = Literal["query", "update"]

UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)
QUERY_KEYWORDS = frozenset({"SELECT", "CONSTRUCT", "ASK", "DESCRIBE"})
FORBIDDEN = {"SERVICE": "ServiceGraphPattern", "LOAD": "Load"}
MAX_NESTING = 200  # brackets deeper than this overflow recursive SPARQL parsers; no real query needs it
_OPEN, _CLOSE = frozenset("({["), frozenset(")}]")

_TOKENS = re.compile(
    r"""(?P<skip>\#[^\n]*|"{3}[\s\S]*?"{3}|'{3}[\s\S]*?'{3}|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'"""
    r"""|<[^<>"{}|^`\\\x00-\x20]*>|[?$][A-Za-z0-9_]+|[A-Za-z0-9_\-.]*:[A-Za-z0-9_\-.:%]*|@[A-Za-z\-0-9]+)"""
    r"""|(?P<word>[A-Za-z_][A-Za-z0-9_]*)""",
)


@dataclass(frozen=True)
class CheckedOperation:
    """What the guard learnt about a request's SPARQL text."""

    operation: Operation
    parsed: bool  # rdflib's grammar accepted it (False: left to the engine's parser)


def keywords(text: str) -> Iterator[str]:
    """Upper-cased bare keywords of SPARQL text (no strings, comments, IRIs, variables, prefixed names)."""
    for match in _TOKENS.finditer(text):
        if match.lastgroup == "word":
            yield match.group("word").upper()


def classify(text: str) -> Operation:
    """``update`` when the first keyword after PREFIX/BASE declarations is an update keyword."""
    for word in keywords(text):
        if word in ("PREFIX", "BASE"):
            continue
        return "update" if word in UPDATE_KEYWORDS else "query"
    return "query"


def query_form(text: str) -> str | None:
    """SELECT, CONSTRUCT, ASK or DESCRIBE: the first query keyword of the text (None if none)."""
    return next((w for w in keywords(text) if w in QUERY_KEYWORDS), None)


def _walk(node: object) -> Iterator[str]:
    """Names of every CompValue in an rdflib SPARQL parse tree."""
    name = getattr(node, "name", None)
    if isinstance(name, str):
        yield name
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list | tuple) or type(node).__name__ == "ParseResults":
        for value in node:  # type: ignore[union-attr]
            yield from _walk(value)


@functools.lru_cache(maxsize=512)
def _parse_tree_names(text: str, operation: Operation) -> frozenset[str] | None:
    """CompValue names of the parse tree, or None when rdflib's grammar rejects the text.

    Cached by text: the rdflib parse costs 40-120 ms, and clients repeat the same queries."""
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        tree = parseUpdate(text) if operation == "update" else parseQuery(text)
    except Exception:  # rdflib raises pyparsing and other errors; the engine reports syntax errors
        return None
    return frozenset(_walk(tree))


def _refusal(keyword: str) -> ApiError:
    if keyword == "SERVICE":
        return ApiError(
            403, "service_refused", "federated queries (SERVICE) are not allowed on this endpoint"
        )
    return ApiError(403, "load_refused", "LOAD is not allowed on this endpoint: it would fetch remote data")


def check_size(text: str, max_bytes: int, parameter: str) -> None:
    """413 when the SPARQL text is larger than the limit."""
    if len(text.encode("utf-8")) > max_bytes:
        raise ApiError(413, "query_too_large", f"SPARQL text is larger than {max_bytes} bytes", parameter)


def nesting_depth(text: str) -> int:
    """The deepest nesting of brackets outside strings, comments and IRIs."""
    code = _TOKENS.sub(lambda m: " " if m.lastgroup == "skip" else m.group(0), text)
    depth = deepest = 0
    for char in code:
        if char in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
        elif char in _CLOSE:
            depth = max(0, depth - 1)
    return deepest


def check(text: str) -> CheckedOperation:
    """Classify ``text`` and refuse SERVICE, LOAD and runaway nesting; raise :class:`ApiError` when refused.

    Updates (accepted only with the bearer token) skip the rdflib parse: a loader's update carries a whole
    report graph, and the keyword scan below refuses LOAD and SERVICE in them all the same.
    """
    if nesting_depth(text) > MAX_NESTING:
        raise ApiError(
            400, "query_too_deep", f"brackets are nested more than {MAX_NESTING} deep; simplify the query"
        )
    operation = classify(text)
    names = _parse_tree_names(text, operation) if operation == "query" else None
    for keyword, node_name in FORBIDDEN.items():
        if names is not None and node_name in names:
            raise _refusal(keyword)
    scanned = set(keywords(text))
    for keyword in FORBIDDEN:
        if keyword in scanned:
            raise _refusal(keyword)
    return CheckedOperation(operation, names is not None)
