"""Readable, stable IRIs for every node of the graph, under one configurable base.

The IRI table is the contract in ``docs/graph-model.md``; :meth:`Iris.parse` reverses it for the API's
linked-data routes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from rdflib import Namespace, URIRef

DEFAULT_BASE = "http://127.0.0.1:8000/id/"

HMIC = Namespace("https://w3id.org/hmic-kg/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
SCHEMA = Namespace("https://schema.org/")
OA = Namespace("http://www.w3.org/ns/oa#")

_NON_SLUG = re.compile(r"[^a-z0-9]+")

#: loader entity-id prefix -> IRI kind of the shared node
ENTITY_KINDS: dict[str, str] = {
    "it-system": "system",
    "unit": "unit",
    "role": "role",
    "person": "person",
    "partner": "partner",
}

#: IRI kind -> the path segments after the kind, by name (the IRI table of docs/graph-model.md);
#: ``None``: one or more. A kind with a row and no method of its own below is minted by a method of the
#: same name (``-`` as ``_``) taking those segments: ``Iris().finding(report_id, area_id, n)``.
IRI_PATHS: dict[str, tuple[str, ...] | None] = {
    "force": ("force_id",),
    "report": ("report_id",),
    "graph": ("report_id",),
    "area": ("area_id",),
    "grade": ("grade",),
    "finding-kind": ("kind",),
    "judgement": ("report_id", "area_id"),
    "distribution": ("report_id", "area_id"),
    "finding": ("report_id", "area_id", "n"),
    "practice": ("report_id", "n"),
    "contact": ("report_id", "n"),  # n: the practice's number, "3-2" for its second contact
    "system": ("slug",),
    "system-use": ("report_id", "system_slug"),
    "unit-type": ("slug",),
    "unit": ("force_id", "slug"),
    "role": ("slug",),
    "person": ("slug",),
    "membership": None,
    "partner": ("slug",),
    "mention": ("report_id", "n"),
    "lead": ("report_id", "n"),
    "reinspection": ("report_id", "n"),
    "glossary": None,
    "profile": ("report_id",),  # the force profile (force facts) stated by one report
    "fact": ("report_id", "key"),
}
#: IRI kind -> number of path segments after the kind (``None``: one or more)
KIND_ARITY: dict[str, int | None] = {k: None if v is None else len(v) for k, v in IRI_PATHS.items()}


def slugify(text: str) -> str:
    """Lower-case ASCII with hyphens: ``ViSOR`` -> ``visor``, ``ACC (crime)`` -> ``acc-crime``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    ascii_text = ascii_text.replace("&", " and ").replace("'", "")
    return _NON_SLUG.sub("-", ascii_text.lower()).strip("-")


def _check_base(base: str) -> str:
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc or not base.endswith("/"):
        raise ValueError(f"IRI base must be an absolute http(s) URL ending with '/', got {base!r}")
    return base


@dataclass(frozen=True)
class Iris:
    """Mints the IRI of every kind of node; one method per row of the graph-model IRI table (those of the
    rows of :data:`IRI_PATHS` without a method here are made from the table, below the class)."""

    base: str = DEFAULT_BASE

    def __post_init__(self) -> None:
        _check_base(self.base)

    def _iri(self, *parts: str | int) -> URIRef:
        return URIRef(self.base + "/".join(str(p) for p in parts))

    def report_graph(self, report_id: str) -> URIRef:
        return self._iri("graph", report_id)

    def meta_graph(self) -> URIRef:
        return self._iri("graph", "meta")

    def vocabulary_graph(self) -> URIRef:
        return self._iri("graph", "vocabulary")

    def finding_kind(self, kind: str) -> URIRef:
        """``finding-kind/{strength,work-in-progress,area-for-improvement}`` (model values use ``_``)."""
        return self._iri("finding-kind", kind.replace("_", "-"))

    def membership(self, force_id: str, person_slug: str, role_slug: str | None = None) -> URIRef:
        parts = (force_id, person_slug) if role_slug is None else (force_id, person_slug, role_slug)
        return self._iri("membership", *parts)

    def glossary(self, report_id: str) -> URIRef:
        """The glossary concept scheme of a report."""
        return self._iri("glossary", report_id)

    def glossary_entry(self, report_id: str, slug: str) -> URIRef:
        return self._iri("glossary", report_id, slug)

    def fact(self, report_id: str, key: str) -> URIRef:
        return self._iri("fact", report_id, slugify(key))

    def entity_iri(self, entity_id: str, force_id: str) -> URIRef:
        """Graph IRI of a loader entity id: ``it-system/x`` -> ``system/x``, ``unit/x`` -> ``unit/{force}/x``.

        The slug is re-slugified; ``ValueError`` for an unknown kind.
        """
        prefix, _, slug = entity_id.partition("/")
        kind = ENTITY_KINDS.get(prefix)
        if kind is None or not slug:
            raise ValueError(f"not an entity id: {entity_id!r}")
        slug = slugify(slug)
        if kind == "unit":
            return self.unit(force_id, slug)
        return self._iri(kind, slug)

    def parse(self, iri: str) -> tuple[str, tuple[str, ...]]:
        """``(kind, parts)`` of an IRI minted here, e.g. ``("unit", ("nottinghamshire", "dpmu"))``."""
        if not iri.startswith(self.base):
            raise ValueError(f"IRI {iri!r} is not under {self.base!r}")
        kind, *parts = iri[len(self.base) :].split("/")
        arity = KIND_ARITY.get(kind, 0)
        ok = all(parts) and (len(parts) >= 1 if arity is None else len(parts) == arity)
        if kind not in KIND_ARITY or not ok:
            raise ValueError(f"IRI {iri!r} is not a known kind of hmic-kg IRI")
        return kind, tuple(parts)


def _minter(kind: str, segments: tuple[str, ...]) -> Callable[..., URIRef]:
    """The method minting ``kind``'s IRIs from its ``segments`` (a wrong number of them is a TypeError)."""

    def mint(self: Iris, *parts: str | int) -> URIRef:
        if len(parts) != len(segments):
            raise TypeError(f"{name}() takes {len(segments)} path segments ({', '.join(segments)})")
        return self._iri(kind, *parts)

    name = kind.replace("-", "_")
    mint.__name__, mint.__qualname__ = name, f"Iris.{name}"
    mint.__doc__ = f"``{{base}}{kind}/{{{'}/{'.join(segments)}}}``"
    return mint


for _kind, _segments in IRI_PATHS.items():  # graph: report_graph, meta_graph and vocabulary_graph
    if _segments is not None and _kind != "graph" and not hasattr(Iris, _kind.replace("-", "_")):
        setattr(Iris, _kind.replace("-", "_"), _minter(_kind, _segments))
