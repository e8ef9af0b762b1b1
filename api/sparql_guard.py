"""Safety checks on SPARQL text before it reaches an engine.

The guard reads the text the way the engine's lexer does (pyoxigraph 0.5), in one linear pass:

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

Operation = Literal["query", "update"]

UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)
QUERY_KEYWORDS = frozenset({"SELECT", "CONSTRUCT", "ASK", "DESCRIBE"})
MAX_NESTING = 200  # brackets deeper than this overflow recursive SPARQL parsers; no real query needs it
_OPEN, _CLOSE = frozenset("({["), frozenset(")}]")

_HEX4, _HEX8 = r"[0-9A-Fa-f]{4}", r"[0-9A-Fa-f]{8}"
_UCHAR = rf"\\u{_HEX4}|\\U{_HEX8}"
_ECHAR = r"""\\[tbnrf"'\\]"""
_STRING = re.compile(
    rf"""'''(?:(?:''|')?(?:[^'\\]|{_ECHAR}|{_UCHAR}))*'''"""
    rf'''|"""(?:(?:""|")?(?:[^"\\]|{_ECHAR}|{_UCHAR}))*"""'''
    rf"""|'(?:[^'\\\n\r]|{_ECHAR}|{_UCHAR})*'"""
    rf'''|"(?:[^"\\\n\r]|{_ECHAR}|{_UCHAR})*"'''
)
_IRI = re.compile(rf"""<(?:[^<>"{{}}|^`\\\x00-\x20]|{_UCHAR})*>""")
_COMMENT = re.compile(r"#[^\r\n]*")
_VAR = re.compile(r"[?$](?:[A-Za-z0-9_]|[^\x00-\x7f])+")
_NAME_RUN = re.compile(r"(?:[A-Za-z0-9_.\-]|[^\x00-\x7f])*")
_LOCAL = re.compile(
    r"""(?:[A-Za-z0-9_:]|[^\x00-\x7f]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"""
    r"""(?:[A-Za-z0-9_.:\-]|[^\x00-\x7f]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])*"""
)
#: a blank node label: no ``:``, ``%`` or ``\\`` escapes (unlike a prefixed name's local part)
_BNODE_LOCAL = re.compile(r"(?:[A-Za-z0-9_]|[^\x00-\x7f])(?:[A-Za-z0-9_.\-]|[^\x00-\x7f])*")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FORBIDDEN = re.compile(r"SERVICE|LOAD", re.IGNORECASE)
_ESCAPE = re.compile(rf"{_UCHAR}")
#: line separators that some parsers end a comment at and Oxigraph does not
_AMBIGUOUS_LINE_END = re.compile(r"[\x0b\x0c\x85\u2028\u2029]")
#: characters outside strings and IRIs that parsers disagree on (controls, Unicode spaces, format marks)
_SUSPECT = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\xa0\xad\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\ufeff]"
)
_SPACE = frozenset(" \t\r\n")


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


class _Unreadable(ValueError):
    """The text cannot be tokenised unambiguously."""


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _check_plain(text: str, start: int, end: int) -> None:
    """Refuse characters that SPARQL lexers disagree on in code, variables and names."""
    suspect = _SUSPECT.search(text, start, end)
    if suspect:
        raise _Unreadable(f"character U+{ord(suspect.group()):04X} on line {_line(text, suspect.start())}")


def lex(text: str) -> Lexed:
    """Split ``text`` as the engine's lexer does; :class:`_Unreadable` when it cannot be done unambiguously.

    Linear: every step consumes what it matched, and no pattern can backtrack beyond its own token."""
    out = Lexed([], [], [], 0)
    depth, pos, n = 0, 0, len(text)
    start = 0  # start of the current run of plain code
    while pos < n:
        char = text[pos]
        if char in _SPACE or char in _OPEN or char in _CLOSE:
            if char in _OPEN:
                depth += 1
                out.depth = max(out.depth, depth)
            elif char in _CLOSE:
                depth = max(0, depth - 1)
            pos += 1
            continue
        match = None
        if char == "#":
            match = _COMMENT.match(text, pos)
            if _AMBIGUOUS_LINE_END.search(match.group()):
                raise _Unreadable(f"a comment on line {_line(text, pos)} holds a line separator (form feed?)")
        elif char in "\"'":
            match = _STRING.match(text, pos)
            if match is None:
                raise _Unreadable(f"unterminated string or bad escape on line {_line(text, pos)}")
        elif char == "<":
            match = _IRI.match(text, pos)
            if match is not None and ("(" in match.group() or ")" in match.group()):
                out.scanned.append(match.group())
        elif char in "?$":
            match = _VAR.match(text, pos)
            if match is not None:
                _check_plain(text, match.start(), match.end())
        elif char == ":" or char.isalnum() or char in "_.-" or ord(char) > 0x7F:
            run = _NAME_RUN.match(text, pos)
            end = run.end() if run else pos
            if end < n and text[end] == ":":  # a prefixed name (or blank node): keep the prefix as code
                _check_plain(text, start, end)
                out.code.append(text[start:end])
                local = (_BNODE_LOCAL if text[pos:end] == "_" else _LOCAL).match(text, end + 1)
                stop = end + 1 if local is None else local.end()
                while stop > end + 1 and text[stop - 1] == ".":  # a trailing dot ends the triple
                    stop -= 1
                _check_plain(text, end, stop)
                pos = start = stop
                continue
            out.words.extend(_WORD.findall(text, pos, end) if end > pos else ())
            pos = max(end, pos + 1)
            continue
        if match is None:  # an operator or punctuation: plain code
            pos += 1
            continue
        _check_plain(text, start, pos)
        out.code.append(text[start:pos])
        out.code.append(" ")
        pos = start = match.end()
    _check_plain(text, start, pos)
    out.code.append(text[start:pos])
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
        return [m.group().upper() for m in _WORD.finditer(text)]


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


def nesting_depth(text: str) -> int:
    """The deepest nesting of brackets outside strings, comments and IRIs."""
    return lex(text).depth


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
