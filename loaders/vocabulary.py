"""The curated seed vocabulary (``ontology/vocabulary.ttl``) read into plain Python lookups.

Reading a SKOS file is fine in ``loaders``; no triples are produced here. The vocabulary is small and
generic: entity extraction finds most names in the report text and uses these terms only as hints.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF, SKOS

from loaders.resources import ontology_file

HV = Namespace("https://w3id.org/hmic-kg/vocab/")

_SCHEMES = ("it-systems", "unit-types", "unit-kinds", "ranks", "posts", "partners", "not-systems")


@dataclass(frozen=True)
class Term:
    """One SKOS concept: its preferred label, variants and expansion (``skos:definition``)."""

    key: str  # local name of the concept IRI, e.g. "visor"
    label: str
    alt_labels: tuple[str, ...] = ()
    hidden_labels: tuple[str, ...] = ()
    expansion: str | None = None

    @property
    def surface_forms(self) -> tuple[str, ...]:
        """Every printed form that names this term (label, alt and hidden labels, expansion)."""
        forms = (self.label, *self.alt_labels, *self.hidden_labels)
        return forms + ((self.expansion,) if self.expansion else ())


def _index(terms: tuple[Term, ...]) -> dict[str, Term]:
    return {form.casefold(): term for term in terms for form in term.surface_forms}


@dataclass(frozen=True)
class Vocabulary:
    """Known IT systems, unit types, ranks, posts, partner bodies and the not-a-system stop-list."""

    it_systems: tuple[Term, ...] = ()
    unit_types: tuple[Term, ...] = ()
    unit_kinds: tuple[Term, ...] = ()  # generic head nouns: division, department, team ...
    ranks: tuple[Term, ...] = ()
    posts: tuple[Term, ...] = ()
    partners: tuple[Term, ...] = ()
    not_systems: tuple[Term, ...] = ()
    _lookup: dict[str, dict[str, Term]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("it_systems", "unit_types", "unit_kinds", "ranks", "posts", "partners", "not_systems"):
            self._lookup[name] = _index(getattr(self, name))

    @classmethod
    def load(cls, path: Path | None = None) -> Vocabulary:
        """Read the SKOS vocabulary at ``path`` (default: the shipped ``ontology/vocabulary.ttl``, cached)."""
        if path is None:
            return _default()
        return _read(Path(path))

    def find(self, group: str, text: str) -> Term | None:
        """The term of ``group`` (``"it_systems"``, ``"ranks"`` ...) printed as ``text``, ignoring case."""
        return self._lookup[group].get(" ".join(text.split()).casefold())

    def forms(self, group: str) -> tuple[str, ...]:
        """All surface forms of a group, longest first (for building alternation regexes)."""
        return tuple(
            sorted({f for t in getattr(self, group) for f in t.surface_forms}, key=len, reverse=True)
        )

    def canonical_rank(self, printed: str) -> str:
        """The full rank for a printed rank or abbreviation (``Det Supt`` -> ``Detective Superintendent``)."""
        term = self.find("ranks", printed)
        return term.label if term else " ".join(printed.split())

    def is_not_system(self, name: str) -> bool:
        """True when ``name`` is a generic phrase, model or tool listed as not an IT system."""
        return self.find("not_systems", name) is not None


@functools.cache
def _default() -> Vocabulary:
    return _read(ontology_file("vocabulary.ttl"))


def _literals(graph: Graph, subject: URIRef, predicate: URIRef) -> tuple[str, ...]:
    return tuple(sorted(str(o) for o in graph.objects(subject, predicate)))


def _read(path: Path) -> Vocabulary:
    graph = Graph()
    graph.parse(path, format="turtle")
    groups: dict[str, list[Term]] = {scheme: [] for scheme in _SCHEMES}
    for concept in graph.subjects(RDF.type, SKOS.Concept):
        label = graph.value(concept, SKOS.prefLabel)
        if not isinstance(concept, URIRef) or label is None:
            continue
        expansion = graph.value(concept, SKOS.definition)
        term = Term(
            key=str(concept).rsplit("/", 1)[-1],
            label=str(label),
            alt_labels=_literals(graph, concept, SKOS.altLabel),
            hidden_labels=_literals(graph, concept, SKOS.hiddenLabel),
            expansion=str(expansion) if expansion is not None else None,
        )
        for scheme in graph.objects(concept, SKOS.inScheme):
            name = str(scheme).rsplit("/", 1)[-1]
            if name in groups:
                groups[name].append(term)
    return Vocabulary(
        **{name.replace("-", "_"): tuple(sorted(ts, key=lambda t: t.key)) for name, ts in groups.items()}
    )
