"""The catalogue of named SPARQL queries in ``graph/queries/*.rq``.

Each file starts with comment lines that describe it::

    # title: Forces using an IT system
    # description: The forces whose reports state they use a given IT system.
    # param: system (term) the system's name or IRI
    # param: force (term, optional) a force name or IRI

Parameter types: ``iri`` (an absolute IRI), ``literal`` (a string), ``integer``, ``term`` (an IRI when
the value looks like one, else a string literal). Values are bound by the store (``initBindings`` or a
``VALUES`` clause of serialised terms), never pasted into the query text.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

if TYPE_CHECKING:
    from graph.store import Store

QUERY_DIR = Path(__file__).resolve().parent / "queries"
PARAM_TYPES = ("iri", "literal", "integer", "term")
_HEADER = re.compile(r"#\s*(?P<key>title|description|param)\s*:\s*(?P<value>.*)")
_PARAM = re.compile(
    r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*\((?P<type>[a-z]+)(?P<optional>\s*,\s*optional)?\)\s*(?P<doc>.*)"
)
_IRI = re.compile(r"<?(?P<iri>(?:https?|urn):[^\s<>\"{}|\\^`]+)>?")


class NamedQueryError(ValueError):
    """Unknown query, unknown or missing parameter, or a value that does not fit its type."""


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    description: str
    optional: bool = False


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    text: str
    path: Path

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


def parse_query_file(path: Path) -> NamedQuery:
    """Read one ``.rq`` file and its header comments."""
    text = path.read_text(encoding="utf-8")
    fields: dict[str, str] = {}
    params: list[Param] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if match is None:
            continue
        key, value = match.group("key"), match.group("value").strip()
        if key == "param":
            param = _PARAM.fullmatch(value)
            if param is None or param.group("type") not in PARAM_TYPES:
                raise NamedQueryError(
                    f"{path.name}: bad param line {value!r} (want: name (type[, optional]) doc)"
                )
            params.append(
                Param(
                    param.group("name"),
                    param.group("type"),
                    param.group("doc"),
                    bool(param.group("optional")),
                )
            )
        else:
            fields[key] = value
    if "title" not in fields:
        raise NamedQueryError(f"{path.name}: missing '# title:' line")
    return NamedQuery(path.stem, fields["title"], fields.get("description", ""), tuple(params), text, path)


@functools.cache
def _catalogue(directory: Path) -> tuple[NamedQuery, ...]:
    return tuple(parse_query_file(p) for p in sorted(directory.glob("*.rq")))


def catalogue(directory: Path = QUERY_DIR) -> list[NamedQuery]:
    """Every named query, sorted by name."""
    return list(_catalogue(directory))


def get(name: str, directory: Path = QUERY_DIR) -> NamedQuery:
    """The named query ``name``; :class:`NamedQueryError` listing the known names otherwise."""
    for query in _catalogue(directory):
        if query.name == name:
            return query
    known = ", ".join(q.name for q in _catalogue(directory))
    raise NamedQueryError(f"unknown query {name!r}; known queries: {known}")


def to_term(param: Param, raw: str) -> Node:
    """A raw string value as the RDF term its parameter type asks for."""
    value = raw.strip()
    if param.type == "integer":
        try:
            return Literal(int(value), datatype=XSD.integer)
        except ValueError:
            raise NamedQueryError(f"parameter {param.name!r} must be an integer, got {raw!r}") from None
    iri = _IRI.fullmatch(value)
    if param.type == "iri":
        if iri is None:
            raise NamedQueryError(f"parameter {param.name!r} must be an absolute IRI, got {raw!r}")
        return URIRef(iri.group("iri"))
    if param.type == "term" and iri is not None:
        return URIRef(iri.group("iri"))
    if not value:
        raise NamedQueryError(f"parameter {param.name!r} is empty")
    return Literal(value)


def bind_params(query: NamedQuery, raw: Mapping[str, str]) -> dict[str, Node]:
    """Validated bindings for ``query`` from ``name -> string`` values."""
    unknown = sorted(set(raw) - {p.name for p in query.params})
    if unknown:
        allowed = ", ".join(p.name for p in query.params) or "none"
        raise NamedQueryError(
            f"query {query.name!r} has no parameter {', '.join(unknown)} (parameters: {allowed})"
        )
    missing = [p.name for p in query.params if not p.optional and p.name not in raw]
    if missing:
        raise NamedQueryError(
            f"query {query.name!r} needs parameter {', '.join(missing)} (use --param NAME=VALUE)"
        )
    return {p.name: to_term(p, raw[p.name]) for p in query.params if p.name in raw}


def parse_param_options(options: list[str]) -> dict[str, str]:
    """``["k=v", …]`` (CLI ``--param``) -> ``{"k": "v"}``; a repeated key is an error."""
    values: dict[str, str] = {}
    for option in options:
        name, sep, value = option.partition("=")
        if not sep or not name.strip():
            raise NamedQueryError(f"--param wants NAME=VALUE, got {option!r}")
        if name.strip() in values:
            raise NamedQueryError(f"parameter {name.strip()!r} given twice")
        values[name.strip()] = value
    return values


def plain_rows(store: Store, sparql: str) -> list[dict[str, str | None]]:
    """Rows of a SELECT on ``store`` as plain strings (None when unbound), read through the engine's
    JSON results: no rdflib terms, whose conversion costs more than the query on whole-store reads."""
    answer = json.loads(store.query_serialized(sparql, "json"))
    names = answer["head"]["vars"]
    return [{n: (b[n]["value"] if n in b else None) for n in names} for b in answer["results"]["bindings"]]
