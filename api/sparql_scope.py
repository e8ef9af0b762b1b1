"""Which named graphs a SPARQL update may write, read from its text (:mod:`api.sparql_lexer`) before it runs.

:func:`update_scope` answers with the update split where its operations begin (Oxigraph takes a prologue
only at the start of a request, so whatever is put before the operations goes after it) and the named
graphs it writes, or ``writes=None`` when they cannot be pinned. Pinned: an absolute IRI (or a prefixed
name whose prefix is one) after ``GRAPH`` in an ``INSERT DATA``/``DELETE DATA``/``DELETE WHERE`` block or
a ``DELETE``/``INSERT`` template, after ``WITH`` (the templates' triples outside ``GRAPH`` go there), and
the graph of ``CLEAR``/``DROP``/``CREATE`` and the target of ``ADD``/``COPY`` (and source of ``MOVE``).
Not pinned, so "anything": a variable after ``GRAPH`` anywhere (also in a ``WHERE``: it can see every
graph), triples written to the default graph, ``DEFAULT``/``NAMED``/``ALL``, ``LOAD``, a relative IRI,
and any word this reading does not know. When in doubt it answers "anything": the answer decides which
kept rows of the read model stay valid (:mod:`api.update_stamps`), so it may be wider than the truth,
never narrower.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from api.sparql_lexer import Token, Unreadable, tokens

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_LOCAL_ESCAPE = re.compile(r"\\(.)")
#: words that start an operation, and those that may follow inside one
_DATA_BLOCK = ("INSERT", "DELETE")
_GRAPH_OPS = ("CLEAR", "DROP", "CREATE")
_MOVE_OPS = ("ADD", "COPY", "MOVE")


@dataclass(frozen=True)
class UpdateScope:
    """An update split into its prologue and operations, and the named graphs it may write (None: any,
    the default graph included). ``operations`` is empty for an update that does nothing."""

    prologue: str
    operations: str
    writes: frozenset[str] | None


class _Unpinned(Exception):
    """The update writes something this reading cannot name."""


def _iri(text: str) -> str:
    """An IRI token's value (``\\u`` escapes decoded); ``_Unpinned`` for a relative one."""
    value = _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text[1:-1])
    if not _SCHEME.match(value):
        raise _Unpinned(f"relative IRI {text}")
    return value


class _Reader:
    """A walk over the significant tokens of an update (no comments, no white space)."""

    def __init__(self, items: list[Token], prefixes: dict[str, str], writes: set[str]) -> None:
        self.items = items
        self.pos = 0
        self.prefixes = prefixes
        self.writes = writes

    def peek(self) -> Token | None:
        return self.items[self.pos] if self.pos < len(self.items) else None

    def next(self) -> Token:
        token = self.peek()
        if token is None:
            raise _Unpinned("the update ends early")
        self.pos += 1
        return token

    def word(self) -> str:
        token = self.peek()
        return token.text.upper() if token is not None and token.kind == "word" else ""

    def take(self, word: str) -> bool:
        if self.word() == word:
            self.pos += 1
            return True
        return False

    def graph_name(self) -> str:
        """The IRI of the next token (an IRI or a prefixed name)."""
        token = self.next()
        if token.kind == "iri":
            return _iri(token.text)
        if token.kind == "prefix":
            local = self.next()
            if local.kind != "local" or token.text not in self.prefixes:
                raise _Unpinned(f"unknown prefix {token.text}:")
            return self.prefixes[token.text] + _LOCAL_ESCAPE.sub(r"\1", local.text[1:])
        raise _Unpinned(f"not a graph name: {token.text!r}")

    def prologue(self) -> None:
        while self.word() in ("PREFIX", "BASE"):
            keyword = self.next().text.upper()
            if keyword == "PREFIX":
                name = self.next()
                if name.kind != "prefix" or self.next().text != ":":
                    raise _Unpinned("unreadable PREFIX")
                self.prefixes[name.text] = _iri(self.next().text)
            else:
                self.next()  # a BASE only changes relative IRIs, which are not pinned anyway

    def block(self) -> list[Token]:
        """The tokens inside the ``{…}`` that comes next (the braces left out)."""
        start = self.next()
        if start.text != "{":
            raise _Unpinned("expected {")
        depth, inside = 1, []
        while True:
            token = self.next()
            if token.text in ("{", "}") and token.kind in ("open", "close"):
                depth += 1 if token.text == "{" else -1
                if depth == 0:
                    return inside
            inside.append(token)

    def quads(self, default: str | None) -> None:
        """A block of quads (data, a template or ``DELETE WHERE``'s pattern): ``GRAPH name {…}`` parts
        write ``name``, other triples ``default`` (the WITH graph, or None: the default graph)."""
        inner = _Reader(self.block(), self.prefixes, self.writes)
        while (token := inner.peek()) is not None:
            if inner.take("GRAPH"):
                self.writes.add(inner.graph_name())
                inner.block()
            elif token.kind == "open" and token.text == "{":
                raise _Unpinned("a block that is not a graph's")
            elif default is None:
                raise _Unpinned("triples written to the default graph")
            else:  # a term (or '.') of a triple written to the WITH graph
                self.writes.add(default)
                inner.pos += 1

    def target(self) -> str:
        """``DEFAULT`` (not pinned) or ``GRAPH? name`` of ADD/COPY/MOVE."""
        if self.word() == "DEFAULT":
            raise _Unpinned("the default graph")
        self.take("GRAPH")
        return self.graph_name()

    def operation(self) -> None:
        word = self.word()
        self.pos += 1
        if word in _GRAPH_OPS:
            self.take("SILENT")
            if not self.take("GRAPH"):
                raise _Unpinned(f"{word} {self.word() or 'of no single graph'}")
            self.writes.add(self.graph_name())
        elif word in _MOVE_OPS:
            self.take("SILENT")
            source = self.target() if word == "MOVE" else (self.take("DEFAULT") or self.target())
            if not self.take("TO"):
                raise _Unpinned(f"{word} without TO")
            self.writes.add(self.target())
            if word == "MOVE":
                self.writes.add(str(source))
        elif word in _DATA_BLOCK and self.word() in ("DATA", "WHERE"):
            self.pos += 1
            self.quads(None)
        elif word in ("WITH", *_DATA_BLOCK):
            self.modify(word)
        else:
            raise _Unpinned(f"operation {word or 'unknown'}")

    def modify(self, first: str) -> None:
        """``WITH g? DELETE {…}? INSERT {…}? USING…* WHERE {…}`` (``first`` already read)."""
        default = self.graph_name() if first == "WITH" else None
        word = self.next().text.upper() if first == "WITH" else first
        while word in _DATA_BLOCK:
            self.quads(default)
            word = self.next().text.upper()
        while word == "USING":
            self.take("NAMED")
            self.graph_name()
            word = self.next().text.upper()
        if word != "WHERE":
            self.pos -= 1
        self.block()  # the pattern: read, never written


def _variable_graph(items: list[Token]) -> bool:
    """A variable right after ``GRAPH`` anywhere: it may name any graph (also one made up for a while)."""
    return any(
        a.kind == "word" and a.text.upper() == "GRAPH" and b.kind == "var"
        for a, b in itertools.pairwise(items)
    )


def update_scope(text: str) -> UpdateScope:
    """``text`` split into prologue and operations, with the graphs it writes (see the module)."""
    try:
        items = [t for t in tokens(text) if t.kind != "comment" and (t.kind != "plain" or t.text.strip())]
        reader = _Reader(items, {}, set())
        reader.prologue()
    except (Unreadable, _Unpinned):
        return UpdateScope("", text, None)
    cut = items[reader.pos].start if reader.pos < len(items) else len(text)
    # up to the end of the last operation: a trailing ';' or comment left out, so more operations may follow
    ends = [t.end for t in items[reader.pos :] if t.kind != "semi"]
    prologue, operations = text[:cut], text[cut : ends[-1]] if ends else ""
    if _variable_graph(items):
        return UpdateScope(prologue, operations, None)
    try:
        while reader.peek() is not None:
            if reader.peek().kind == "semi":  # type: ignore[union-attr]
                reader.pos += 1
                continue
            reader.operation()
    except (_Unpinned, IndexError):
        return UpdateScope(prologue, operations, None)
    return UpdateScope(prologue, operations, frozenset(reader.writes))
