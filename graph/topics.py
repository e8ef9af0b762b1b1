"""What findings are about, read from SKOS data: topics (``ontology/topics.ttl``), neighbouring inspection
areas, and equivalent terms (``skos:exactMatch`` / ``skos:closeMatch`` in any ontology file).

Everything here is data: the topic triggers, which areas are neighbours and which unit types or systems
are the same thing under another name (SNT and SCT) live in Turtle, so a new rendition's words are added
there, not in code. Reading SKOS is read-only and produces no triples.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from graph.lexical import phrase_stems, stems
from loaders.resources import ontology_file

ONTOLOGY_FILES = ("hmic.ttl", "vocabulary.ttl", "topics.ttl", "equivalences.ttl")
TOPIC_SCHEME = URIRef("https://w3id.org/hmic-kg/vocab/topics")
AREA_SCHEME = URIRef("https://w3id.org/hmic-kg/ontology#InspectionAreas")
CHIEF_OFFICERS = URIRef("https://w3id.org/hmic-kg/vocab/chief-officer-ranks")
GENERIC_UNITS = URIRef("https://w3id.org/hmic-kg/vocab/generic-units")


@dataclass(frozen=True)
class Topic:
    key: str  # local name of the concept, e.g. "topic-training"
    label: str
    triggers: tuple[tuple[str, ...], ...]  # stem sequences


@dataclass(frozen=True, eq=False)
class TopicScheme:
    """Topics with their triggers, area neighbours (by area id) and groups of equivalent terms."""

    topics: tuple[Topic, ...] = ()
    neighbours: dict[str, frozenset[str]] = field(default_factory=dict)  # area id -> related area ids
    equivalents: dict[str, str] = field(default_factory=dict)  # term local name -> its group's key
    area_names: tuple[Topic, ...] = ()  # an area (key: area id) and the names a text calls it by
    chief_officer_ranks: tuple[str, ...] = ()  # rank ids (``acc``, ``dcc`` ...)
    generic_units: frozenset[str] = frozenset()  # unit types every force has (``bcu``): no evidence
    _index: dict[str, list[tuple[str, tuple[str, ...]]]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        for topic in (*self.topics, *self.area_names):
            for trigger in topic.triggers:
                self._index.setdefault(trigger[0], []).append((topic.key, trigger))
        for entries in self._index.values():  # longest first: "risk assessment" before "risk"
            entries.sort(key=lambda e: -len(e[1]))

    def detect(self, text_stems: Sequence[str]) -> dict[str, int]:
        """Topic key -> how many trigger occurrences ``text_stems`` holds (only topics that occur);
        ``text_stems`` from :func:`graph.lexical.phrase_stems` (stop words kept, as in the triggers)."""
        found = self._occurrences(text_stems)
        return {k: v for k, v in found.items() if k not in self._area_keys}

    def areas_named(self, text_stems: Sequence[str]) -> set[str]:
        """Ids of the inspection areas ``text_stems`` names ("domestic abuse", "missing persons")."""
        return {k for k in self._occurrences(text_stems) if k in self._area_keys}

    @functools.cached_property
    def _area_keys(self) -> frozenset[str]:
        return frozenset(a.key for a in self.area_names)

    def _occurrences(self, text_stems: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for i, token in enumerate(text_stems):
            for key, trigger in self._index.get(token, ()):
                if tuple(text_stems[i : i + len(trigger)]) == trigger:
                    found[key] = found.get(key, 0) + 1
        return found

    def is_chief_officer(self, post_id: str) -> bool:
        """Whether a rank or post id (``acc-crime``, ``dcc``) is a chief officer's."""
        return any(post_id == r or post_id.startswith(r + "-") for r in self.chief_officer_ranks)

    def label(self, key: str) -> str:
        return next((t.label for t in self.topics if t.key == key), key)

    def same_term(self, key: str) -> str:
        """The group key of an IT system or unit type id: equal for SKOS-equivalent terms."""
        return self.equivalents.get(key, key)


def _local(iri: object) -> str:
    text = str(iri)
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _area_id(graph: Graph, concept: object) -> str:
    notation = graph.value(concept, SKOS.notation)
    return str(notation) if notation is not None else _local(concept).removeprefix("area-")


def scheme_from_graph(graph: Graph) -> TopicScheme:
    """The topic scheme, area neighbours and equivalences held in ``graph``."""
    topics = []
    for concept in sorted(set(graph.subjects(SKOS.inScheme, TOPIC_SCHEME)), key=str):
        if (concept, RDF.type, SKOS.Concept) not in graph:
            continue
        labels = [graph.value(concept, SKOS.prefLabel)]
        labels += [*graph.objects(concept, SKOS.altLabel), *graph.objects(concept, SKOS.hiddenLabel)]
        triggers = {tuple(phrase_stems(str(label))) for label in labels if label is not None}
        topics.append(
            Topic(
                _local(concept),
                str(graph.value(concept, SKOS.prefLabel) or _local(concept)),
                tuple(sorted(t for t in triggers if t)),
            )
        )
    neighbours: dict[str, set[str]] = {}
    for a, b in graph.subject_objects(SKOS.related):
        left, right = _area_id(graph, a), _area_id(graph, b)
        neighbours.setdefault(left, set()).add(right)
        neighbours.setdefault(right, set()).add(left)
    pairs = [*graph.subject_objects(SKOS.exactMatch), *graph.subject_objects(SKOS.closeMatch)]
    areas = []
    for concept in sorted(set(graph.subjects(SKOS.inScheme, AREA_SCHEME)), key=str):
        labels = [*graph.objects(concept, SKOS.prefLabel), *graph.objects(concept, SKOS.altLabel)]
        triggers = {tuple(stems(str(label))) for label in labels}
        areas.append(Topic(_area_id(graph, concept), str(graph.value(concept, SKOS.prefLabel) or ""),
                           tuple(sorted(t for t in triggers if t))))  # fmt: skip
    return TopicScheme(
        tuple(topics),
        {area: frozenset(others) for area, others in neighbours.items()},
        equivalence_groups((_local(a), _local(b)) for a, b in pairs),
        tuple(areas),
        tuple(sorted(_local(m) for m in graph.objects(CHIEF_OFFICERS, SKOS.member))),
        frozenset(_local(m) for m in graph.objects(GENERIC_UNITS, SKOS.member)),
    )


def equivalence_groups(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Each term of ``pairs`` -> the smallest term linked to it through any chain of pairs."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {term: find(term) for term in parent}


@functools.lru_cache(maxsize=4)
def load_scheme(paths: tuple[Path, ...] | None = None) -> TopicScheme:
    """The scheme from the shipped ontology files (or ``paths``), read once per process."""
    graph = Graph()
    for path in paths or tuple(ontology_file(name) for name in ONTOLOGY_FILES):
        graph.parse(path, format="turtle")
    return scheme_from_graph(graph)
