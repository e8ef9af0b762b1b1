"""The one SPARQL lexer: text split into tokens the way pyoxigraph 0.5's lexer reads it, in one linear pass.

Both readers of SPARQL text use it: the security guard (:mod:`api.sparql_guard`, which refuses
``SERVICE``/``LOAD`` and ambiguous text) and the protocol's rewrites (:mod:`api.sparql_protocol`: USING
clauses, undeclared prefixes), so they can never disagree on where a string, a comment or a name ends.

* comments run from ``#`` to the next ``\\r`` or ``\\n``;
* strings (short and long, with ``\\t``-style and ``\\u``/``\\U`` escapes), IRIs (with ``\\u``/``\\U``
  escapes) and variables are single tokens;
* a prefixed name is a ``prefix`` token (the name before the colon, ``_`` for a blank node) and a
  ``local`` token (the colon and the local part; a trailing dot ends the triple, not the name);
* other names are split into ``word`` tokens (``[A-Za-z_][A-Za-z0-9_]*``: keywords) and ``plain`` text;
* each bracket is an ``open`` or ``close`` token, ``;`` a ``semi`` token, and everything else (white space,
  operators, a ``<`` or ``?`` that starts no IRI or variable) ``plain`` text.

``strict`` (the guard's reading) raises :class:`Unreadable` for what cannot be read unambiguously: an
unterminated string or bad escape, and a comment holding a line separator (form feed, vertical tab, NEL,
U+2028/9) that other parsers end a comment at and Oxigraph does not. Otherwise such a quote is plain text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal, NamedTuple

Kind = Literal["comment", "string", "iri", "var", "prefix", "local", "word", "open", "close", "semi", "plain"]

_HEX4, _HEX8 = r"[0-9A-Fa-f]{4}", r"[0-9A-Fa-f]{8}"
UCHAR = rf"\\u{_HEX4}|\\U{_HEX8}"
_ECHAR = r"""\\[tbnrf"'\\]"""
_STRING = re.compile(
    rf"""'''(?:(?:''|')?(?:[^'\\]|{_ECHAR}|{UCHAR}))*'''"""
    rf'''|"""(?:(?:""|")?(?:[^"\\]|{_ECHAR}|{UCHAR}))*"""'''
    rf"""|'(?:[^'\\\n\r]|{_ECHAR}|{UCHAR})*'"""
    rf'''|"(?:[^"\\\n\r]|{_ECHAR}|{UCHAR})*"'''
)
_IRI = re.compile(rf"""<(?:[^<>"{{}}|^`\\\x00-\x20]|{UCHAR})*>""")
_COMMENT = re.compile(r"#[^\r\n]*")
_VAR = re.compile(r"[?$](?:[A-Za-z0-9_]|[^\x00-\x7f])+")
_NAME_RUN = re.compile(r"(?:[A-Za-z0-9_.\-]|[^\x00-\x7f])*")
_LOCAL = re.compile(
    r"""(?:[A-Za-z0-9_:]|[^\x00-\x7f]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"""
    r"""(?:[A-Za-z0-9_.:\-]|[^\x00-\x7f]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])*"""
)
#: a blank node label: no ``:``, ``%`` or ``\\`` escapes (unlike a prefixed name's local part)
_BNODE_LOCAL = re.compile(r"(?:[A-Za-z0-9_]|[^\x00-\x7f])(?:[A-Za-z0-9_.\-]|[^\x00-\x7f])*")
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: ASCII that starts no token of its own: white space and operators (one token per run)
_PLAIN_RUN = re.compile(r"""[^({\[)}\]#"'<?$:;A-Za-z0-9_.\-\x80-\U0010ffff]+""")
#: line separators that some parsers end a comment at and Oxigraph does not
_AMBIGUOUS_LINE_END = re.compile(r"[\x0b\x0c\x85\u2028\u2029]")
_OPEN, _CLOSE = frozenset("({["), frozenset(")}]")


class Unreadable(ValueError):
    """The text cannot be tokenised unambiguously."""


class Token(NamedTuple):
    """One token: its kind, its text and where it stands in the text (``text[start:end]``)."""

    kind: Kind
    text: str
    start: int
    end: int


def line_of(text: str, pos: int) -> int:
    """The 1-based line of ``pos`` in ``text``."""
    return text.count("\n", 0, pos) + 1


def tokens(text: str, *, strict: bool = True) -> Iterator[Token]:
    """The tokens of ``text``, in order, covering it whole; see the module's docstring for the kinds.

    Linear: every step consumes what it matched, and no pattern can backtrack beyond its own token."""
    pos, n = 0, len(text)
    while pos < n:
        char = text[pos]
        plain = _PLAIN_RUN.match(text, pos)
        if plain is not None:
            yield Token("plain", plain.group(), pos, plain.end())
            pos = plain.end()
            continue
        if char in _OPEN or char in _CLOSE or char == ";":
            kind: Kind = "open" if char in _OPEN else "close" if char in _CLOSE else "semi"
            yield Token(kind, char, pos, pos + 1)
            pos += 1
            continue
        if char == ":" or char.isalnum() or char in "_.-" or ord(char) > 0x7F:
            for token in _names(text, pos):
                yield token
                pos = token.end
            continue
        match, kind = _set_aside(text, pos, char, strict)
        if match is None:  # a quote, `<`, `?` or `$` that starts no token: plain code
            yield Token("plain", char, pos, pos + 1)
            pos += 1
            continue
        yield Token(kind, match.group(), pos, match.end())
        pos = match.end()


def _set_aside(text: str, pos: int, char: str, strict: bool) -> tuple[re.Match[str] | None, Kind]:
    """The comment, string, IRI or variable starting at ``pos`` (None when none does)."""
    if char == "#":
        match = _COMMENT.match(text, pos)
        if strict and match is not None and _AMBIGUOUS_LINE_END.search(match.group()):
            raise Unreadable(f"a comment on line {line_of(text, pos)} holds a line separator (form feed?)")
        return match, "comment"
    if char in "\"'":
        match = _STRING.match(text, pos)
        if strict and match is None:
            raise Unreadable(f"unterminated string or bad escape on line {line_of(text, pos)}")
        return match, "string"
    if char == "<":
        return _IRI.match(text, pos), "iri"
    return _VAR.match(text, pos), "var"


def _prefixed_name(text: str, pos: int) -> tuple[int, int] | None:
    """(colon, end) of the prefixed name (or blank node) starting at ``pos``, None for a plain name."""
    run = _NAME_RUN.match(text, pos)
    end = run.end() if run else pos
    if end >= len(text) or text[end] != ":":
        return None
    local = (_BNODE_LOCAL if text[pos:end] == "_" else _LOCAL).match(text, end + 1)
    stop = end + 1 if local is None else local.end()
    while stop > end + 1 and text[stop - 1] == ".":  # a trailing dot ends the triple
        stop -= 1
    return end, stop


def _names(text: str, pos: int) -> Iterator[Token]:
    """A prefixed name's ``prefix`` and ``local``, or a name run's ``word`` and ``plain`` tokens."""
    pname = _prefixed_name(text, pos)
    if pname is not None:
        colon, stop = pname
        yield Token("prefix", text[pos:colon], pos, colon)
        yield Token("local", text[colon:stop], colon, stop)
        return
    run = _NAME_RUN.match(text, pos)
    end = max(run.end() if run else pos, pos + 1)
    at = pos
    for word in WORD.finditer(text, pos, end):
        if word.start() > at:
            yield Token("plain", text[at : word.start()], at, word.start())
        yield Token("word", word.group(), word.start(), word.end())
        at = word.end()
    if end > at:
        yield Token("plain", text[at:end], at, end)
