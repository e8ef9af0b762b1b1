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

_SCHEMES = (
    "it-systems", "unit-types", "unit-kinds", "ranks", "posts", "partners", "not-systems", "software-vendors",
    "system-suffixes", "outside-services",
)  # fmt: skip


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
    software_vendors: tuple[Term, ...] = ()  # software vendors: a capitalised product after one is a system
    system_suffixes: tuple[Term, ...] = ()  # "RMS", "CAD": a name before one is a system
    outside_services: tuple[Term, ...] = ()  # "health", "housing": a unit named with one is a partner's
    #: concept key -> keys it is ``skos:exactMatch`` / ``skos:closeMatch`` (symmetric, transitive closure)
    matches: dict[str, frozenset[str]] = field(default_factory=dict, compare=False)
    #: concept key -> ``"local"`` (one per force, hv:local-bodies) or ``"national"`` (hv:national-bodies)
    scopes: dict[str, str] = field(default_factory=dict, compare=False)
    #: concept key -> inspection area id it works in (``skos:related hmic:area-…``): cpu -> child-abuse
    areas: dict[str, str] = field(default_factory=dict, compare=False)
    _lookup: dict[str, dict[str, Term]] = field(default_factory=dict, repr=False, compare=False)
    _by_key: dict[str, Term] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        groups = ("it_systems", "unit_types", "unit_kinds", "ranks", "posts", "partners", "not_systems")
        for name in (*groups, "outside_services"):
            self._lookup[name] = _index(getattr(self, name))
            self._by_key.update((t.key, t) for t in getattr(self, name))
        self._lookup["all"] = {k: v for name in _GROUPS_BY_PRIORITY for k, v in self._lookup[name].items()}

    def term(self, key_or_text: str) -> Term | None:
        """The term with concept key ``key_or_text`` (``"snt"``), else the term printed so (any group)."""
        return self._by_key.get(key_or_text) or self._lookup["all"].get(
            " ".join(key_or_text.split()).casefold()
        )

    def equivalents(self, key_or_text: str) -> tuple[Term, ...]:
        """Terms naming the same kind of thing (``skos:exactMatch``/``closeMatch``), without the term itself.

        ``equivalents("SNT")`` -> the SCT term (safer community team); ``equivalents("CAIU")`` -> CPU.
        Accepts a concept key or any printed form; unknown text gives ``()``. Symmetric and transitive.
        """
        term = self.term(key_or_text)
        if term is None:
            return ()
        return tuple(self._by_key[k] for k in sorted(self.matches.get(term.key, ())) if k in self._by_key)

    def area(self, key_or_text: str) -> str | None:
        """The inspection area id of a unit type or body (its own, else an equivalent's), if listed."""
        term = self.term(key_or_text)
        if term is None:
            return None
        keys = (term.key, *sorted(self.matches.get(term.key, ())))
        return next((self.areas[k] for k in keys if k in self.areas), None)

    def scope(self, key_or_text: str) -> str | None:
        """``"national"`` (shared by all forces), ``"local"`` (one per force) or None (not listed)."""
        term = self.term(key_or_text)
        return self.scopes.get(term.key) if term is not None else None

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


_GROUPS_BY_PRIORITY = ("not_systems", "unit_kinds", "ranks", "partners", "posts", "unit_types", "it_systems")


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
        **{name.replace("-", "_"): tuple(sorted(ts, key=lambda t: t.key)) for name, ts in groups.items()},
        matches=_matches(graph),
        scopes=_scopes(graph),
        areas={
            _key(s): str(o).rsplit("#area-", 1)[1]
            for s, o in graph.subject_objects(SKOS.related)
            if str(s).startswith(str(HV)) and "#area-" in str(o)
        },
    )


def _key(node: object) -> str:
    return str(node).rsplit("/", 1)[-1]


def _matches(graph: Graph) -> dict[str, frozenset[str]]:
    """Connected groups of ``skos:exactMatch`` / ``skos:closeMatch`` links, as key -> the other keys."""
    links: dict[str, set[str]] = {}
    for predicate in (SKOS.exactMatch, SKOS.closeMatch):
        for a, b in graph.subject_objects(predicate):
            if str(a).startswith(str(HV)) and str(b).startswith(str(HV)):
                links.setdefault(_key(a), set()).add(_key(b))
                links.setdefault(_key(b), set()).add(_key(a))
    groups: dict[str, frozenset[str]] = {}
    for start in links:
        if start in groups:
            continue
        seen, todo = {start}, [start]
        while todo:
            for other in links.get(todo.pop(), ()):
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
        for key in seen:
            groups[key] = frozenset(seen - {key})
    return groups


def _scopes(graph: Graph) -> dict[str, str]:
    scopes: dict[str, str] = {}
    for collection, scope in ((HV["local-bodies"], "local"), (HV["national-bodies"], "national")):
        for member in graph.objects(collection, SKOS.member):
            scopes[_key(member)] = scope
    return scopes
