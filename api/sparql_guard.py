"""Safety checks on SPARQL text before it reaches an engine.

The guard reads the text with :mod:`api.sparql_lexer` (the lexer the protocol's rewrites use too), which
splits it the way the engine's lexer does (pyoxigraph 0.5), in one linear pass:

* comments run from ``#`` to the next ``\\r`` or ``\\n`` — a comment holding another line separator
  (form feed, vertical tab, NEL, U+2028/9), which other parsers end lines at, is refused as ambiguous;
* strings (short and long, with ``\\t``-style and ``\\u``/``\\U`` escapes), IRIs (with ``\\u``/``\\U``
  escapes), variables and the local part of prefixed names are set aside; everything else is *code*;
* ``SERVICE`` and ``LOAD`` are then looked for in the code as bare letters, case-insensitively and **not**
  only as whole words: the engine matches keywords without a word boundary (``SERVICEx:y {}`` is a
  federated query), so ``?service`` and ``ex:workload`` pass but a prefix named ``service:`` does not;
* an IRI that holds a bracket may be the engine's ``<`` operator instead (``FILTER(?a<?b)SERVICE…#>``):
  its content is scanned as code as well;
* text that contains ``\\u``/``\\U`` escapes is scanned a second time with them decoded, as the SPARQL
  specification reads it (remote stores may), and refused if that reading names ``SERVICE`` or ``LOAD``;
* a character no SPARQL lexer agrees on (control characters, Unicode spaces and separators outside
  strings), an unterminated string or a bad escape: refused with 400 before any engine sees the text.

This is the first fence; the second is the operating system's: the query workers run without any network
(:mod:`api.sandbox`), so a spelling the guard missed still cannot reach a server.

The operation (query or update) is classified from the first keyword after the prologue, so an update
sent as ``query=`` is recognised and refused like any other update.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from api.errors import ApiError
from api.sparql_lexer import UCHAR, WORD, Unreadable, line_of, tokens

Operation = Literal["query", "update"]

UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)
QUERY_KEYWORDS = frozenset({"SELECT", "CONSTRUCT", "ASK", "DESCRIBE"})
MAX_NESTING = 200  # brackets deeper than this overflow recursive SPARQL parsers; no real query needs it

_FORBIDDEN = re.compile(r"SERVICE|LOAD", re.IGNORECASE)
_ESCAPE = re.compile(UCHAR)
#: characters outside strings and IRIs that parsers disagree on (controls, Unicode spaces, format marks)
_SUSPECT = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\xa0\xad\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\ufeff]"
)
#: tokens the guard sets aside (never code); a prefixed name's local part is set aside as well
_SET_ASIDE = frozenset({"comment", "string", "iri", "var"})


@dataclass(frozen=True)
class CheckedOperation:
    """What the guard learnt about a request's SPARQL text."""

    operation: Operation


@dataclass
class Lexed:
    """The parts of SPARQL text that matter to the guard."""

    code: list[str]  # text outside strings, comments, IRIs, variables and local names
    scanned: list[str]  # further text to scan for keywords (IRIs that may be a `<` operator)
    words: list[str]  # bare words of the code, pname prefixes excluded (for classification)
    depth: int  # deepest bracket nesting of the code


_Unreadable = Unreadable


def _check_plain(text: str, start: int, end: int) -> None:
    """Refuse characters that SPARQL lexers disagree on in code, variables and names."""
    suspect = _SUSPECT.search(text, start, end)
    if suspect:
        raise _Unreadable(f"character U+{ord(suspect.group()):04X} on line {line_of(text, suspect.start())}")


def lex(text: str) -> Lexed:
    """The guard's reading of ``text`` from :func:`api.sparql_lexer.tokens`; :class:`_Unreadable` when it
    cannot be read unambiguously."""
    out = Lexed([], [], [], 0)
    depth = 0
    start = 0  # start of the current run of plain code
    for token in tokens(text, strict=True):
        kind = token.kind
        if kind == "open":
            depth += 1
            out.depth = max(out.depth, depth)
        elif kind == "close":
            depth = max(0, depth - 1)
        elif kind == "word":
            out.words.append(token.text)
        elif kind == "local":  # keep the prefix as code, set the local part aside
            _check_plain(text, start, token.start)
            out.code.append(text[start : token.start])
            _check_plain(text, token.start, token.end)
            start = token.end
        elif kind in _SET_ASIDE:
            if kind == "iri" and ("(" in token.text or ")" in token.text):
                out.scanned.append(token.text)  # may be the `<` operator: scan it as code too
            elif kind == "var":
                _check_plain(text, token.start, token.end)
            _check_plain(text, start, token.start)
            out.code.append(text[start : token.start])
            out.code.append(" ")
            start = token.end
    _check_plain(text, start, len(text))
    out.code.append(text[start:])
    return out


def _decode_escapes(text: str) -> str:
    """``\\u``/``\\U`` escapes decoded over the whole text, as the SPARQL 1.1 specification reads it."""

    def one(match: re.Match[str]) -> str:
        try:
            return chr(int(match.group()[2:], 16))
        except (ValueError, OverflowError):
            return match.group()

    return _ESCAPE.sub(one, text)


def keywords(text: str) -> list[str]:
    """Upper-cased bare words of SPARQL text (no strings, comments, IRIs, variables, prefixed names)."""
    try:
        return [w.upper() for w in lex(text).words]
    except _Unreadable:
        return [m.group().upper() for m in WORD.finditer(text)]


def classify(text: str) -> Operation:
    """``update`` when the first keyword after PREFIX/BASE declarations is an update keyword."""
    for word in keywords(text):
        if word in ("PREFIX", "BASE"):
            continue
        return "update" if word in UPDATE_KEYWORDS or word.startswith(tuple(UPDATE_KEYWORDS)) else "query"
    return "query"


def query_form(text: str) -> str | None:
    """SELECT, CONSTRUCT, ASK or DESCRIBE: the first query keyword of the text (None if none)."""
    return next((w for w in keywords(text) if w in QUERY_KEYWORDS), None)


def _refusal(keyword: str) -> ApiError:
    if keyword == "SERVICE":
        return ApiError(
            403, "service_refused", "federated queries (SERVICE) are not allowed on this endpoint"
        )
    return ApiError(403, "load_refused", "LOAD is not allowed on this endpoint: it would fetch remote data")


def check_size(text: str | bytes, max_bytes: int, parameter: str) -> None:
    """413 when the SPARQL text is larger than the limit."""
    size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise ApiError(413, "query_too_large", f"SPARQL text is larger than {max_bytes} bytes", parameter)


def _forbidden(lexed: Lexed) -> str | None:
    for part in (*lexed.code, *lexed.scanned):
        found = _FORBIDDEN.search(part)
        if found:
            return found.group().upper()
    return None


def check(text: str) -> CheckedOperation:
    """Classify ``text`` and refuse SERVICE, LOAD, ambiguous text and runaway nesting (:class:`ApiError`)."""
    try:
        lexed = lex(text)
        readings = [lexed]
        if _ESCAPE.search(text):
            readings.append(lex(_decode_escapes(text)))
    except _Unreadable as exc:
        raise ApiError(
            400, "query_ambiguous", f"the SPARQL text cannot be read unambiguously: {exc}", "query"
        ) from None
    if lexed.depth > MAX_NESTING:
        raise ApiError(
            400, "query_too_deep", f"brackets are nested more than {MAX_NESTING} deep; simplify the query"
        )
    for reading in readings:
        keyword = _forbidden(reading)
        if keyword:
            raise _refusal(keyword)
    return CheckedOperation(classify(text))
