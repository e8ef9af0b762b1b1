"""Readable, stable IRIs for every node of the graph, under one configurable base.

The IRI table is the contract in ``docs/graph-model.md``; :meth:`Iris.parse` reverses it for the API's
linked-data routes.
"""

from __future__ import annotations

import re
import unicodedata
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

#: IRI kind -> number of path segments after the kind (``None``: one or more)
KIND_ARITY: dict[str, int | None] = {
    "force": 1,
    "report": 1,
    "graph": 1,
    "area": 1,
    "grade": 1,
    "finding-kind": 1,
    "judgement": 2,
    "distribution": 2,
    "finding": 3,
    "practice": 2,
    "contact": 2,
    "system": 1,
    "system-use": 2,
    "unit-type": 1,
    "unit": 2,
    "role": 1,
    "person": 1,
    "membership": None,
    "partner": 1,
    "mention": 2,
    "lead": 2,
    "reinspection": 2,
    "glossary": None,
    "profile": 1,
    "fact": 2,
}


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
    """Mints the IRI of every kind of node; one method per row of the graph-model IRI table."""

    base: str = DEFAULT_BASE

    def __post_init__(self) -> None:
        _check_base(self.base)

    def _iri(self, *parts: str | int) -> URIRef:
        return URIRef(self.base + "/".join(str(p) for p in parts))

    def force(self, force_id: str) -> URIRef:
        return self._iri("force", force_id)

    def report(self, report_id: str) -> URIRef:
        return self._iri("report", report_id)

    def report_graph(self, report_id: str) -> URIRef:
        return self._iri("graph", report_id)

    def meta_graph(self) -> URIRef:
        return self._iri("graph", "meta")

    def vocabulary_graph(self) -> URIRef:
        return self._iri("graph", "vocabulary")

    def area(self, area_id: str) -> URIRef:
        return self._iri("area", area_id)

    def grade(self, grade: str) -> URIRef:
        return self._iri("grade", grade)

    def finding_kind(self, kind: str) -> URIRef:
        """``finding-kind/{strength,work-in-progress,area-for-improvement}`` (model values use ``_``)."""
        return self._iri("finding-kind", kind.replace("_", "-"))

    def judgement(self, report_id: str, area_id: str) -> URIRef:
        return self._iri("judgement", report_id, area_id)

    def distribution(self, report_id: str, area_id: str) -> URIRef:
        return self._iri("distribution", report_id, area_id)

    def finding(self, report_id: str, area_id: str, n: int) -> URIRef:
        return self._iri("finding", report_id, area_id, n)

    def practice(self, report_id: str, n: int) -> URIRef:
        return self._iri("practice", report_id, n)

    def contact(self, report_id: str, n: int | str) -> URIRef:
        """The contact point of practice ``n`` (``"3-2"``: its second contact)."""
        return self._iri("contact", report_id, n)

    def system(self, slug: str) -> URIRef:
        return self._iri("system", slug)

    def system_use(self, report_id: str, system_slug: str) -> URIRef:
        return self._iri("system-use", report_id, system_slug)

    def unit_type(self, slug: str) -> URIRef:
        return self._iri("unit-type", slug)

    def unit(self, force_id: str, slug: str) -> URIRef:
        return self._iri("unit", force_id, slug)

    def role(self, slug: str) -> URIRef:
        return self._iri("role", slug)

    def person(self, slug: str) -> URIRef:
        return self._iri("person", slug)

    def membership(self, force_id: str, person_slug: str, role_slug: str | None = None) -> URIRef:
        parts = (force_id, person_slug) if role_slug is None else (force_id, person_slug, role_slug)
        return self._iri("membership", *parts)

    def partner(self, slug: str) -> URIRef:
        return self._iri("partner", slug)

    def mention(self, report_id: str, n: int) -> URIRef:
        return self._iri("mention", report_id, n)

    def lead(self, report_id: str, n: int) -> URIRef:
        return self._iri("lead", report_id, n)

    def reinspection(self, report_id: str, n: int) -> URIRef:
        return self._iri("reinspection", report_id, n)

    def glossary(self, report_id: str) -> URIRef:
        """The glossary concept scheme of a report."""
        return self._iri("glossary", report_id)

    def glossary_entry(self, report_id: str, slug: str) -> URIRef:
        return self._iri("glossary", report_id, slug)

    def profile(self, report_id: str) -> URIRef:
        """The force profile (force facts) stated by one report."""
        return self._iri("profile", report_id)

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
