"""What a report format is: a detector, a parser and its vocabulary as SKOS data.

A format's vocabulary file (``ontology/formats/<key>.ttl``) names its inspection areas with every
printed wording, its grade scale best first, its finding-list headings and its section headings;
:func:`read_vocabulary` reads one into plain lookups. Reading SKOS is fine in ``loaders``: no triples
are produced here. The registry of formats is :mod:`loaders.formats`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SKOS

from loaders.forces import ForceRegister
from loaders.model import InspectionReport, Line, SourceText
from loaders.text_utils import clean, label_key

_LABELS = (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel)
_MAX_HEADING_CHARS = 80


@dataclass(frozen=True)
class FormatVocabulary:
    """A format's printed vocabulary; every key is a :func:`loaders.text_utils.label_key`."""

    key: str  # the format's notation, e.g. "hmic2007"
    label: str
    area_by_label: dict[str, str]  # printed area label -> area id
    grades: tuple[str, ...]  # grade words, best first
    finding_by_heading: dict[str, str]  # finding-list heading -> finding kind
    heading_by_label: dict[str, str]  # section heading -> landmark name

    def area_of(self, text: str) -> str | None:
        """Area id if ``text`` is a whole area heading or label, else None."""
        return self.area_by_label.get(label_key(text))


def _labels(graph: Graph, concept: URIRef) -> list[str]:
    return [str(label) for predicate in _LABELS for label in graph.objects(concept, predicate)]


def _notation(graph: Graph, concept: URIRef, path: Path) -> str:
    value = graph.value(concept, SKOS.notation)
    if value is None:
        raise ValueError(f"{path}: {concept} has no skos:notation")
    return str(value)


def _scheme(graph: Graph, scheme: URIRef, path: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for concept in sorted(graph.subjects(SKOS.inScheme, scheme)):
        assert isinstance(concept, URIRef)
        notation = _notation(graph, concept, path)
        found.update({label_key(label): notation for label in _labels(graph, concept)})
        broader = graph.value(concept, SKOS.broader)
        if isinstance(broader, URIRef):  # "Protecting Vulnerable People – Child Abuse"
            prefixes = [str(x) for p in (SKOS.prefLabel, SKOS.altLabel) for x in graph.objects(broader, p)]
            for prefix in prefixes:
                found.update(
                    {f"{label_key(prefix)} {label_key(label)}": notation for label in _labels(graph, concept)}
                )
    return found


@functools.cache
def read_vocabulary(path: Path) -> FormatVocabulary:
    """Read a format's SKOS file (``ValueError`` naming the file when it lacks a part)."""
    graph = Graph()
    graph.parse(path, format="turtle")
    root = next(iter(graph.subjects(SKOS.member, None)), None)
    if not isinstance(root, URIRef):
        raise ValueError(f"{path}: no skos:Collection with the format's parts")
    parts = {str(member).rsplit("/", 1)[-1]: member for member in graph.objects(root, SKOS.member)}
    missing = {"areas", "grades", "finding-lists", "headings"} - set(parts)
    if missing:
        raise ValueError(f"{path}: the format names no {', '.join(sorted(missing))}")
    members = graph.value(parts["grades"], SKOS.memberList)
    if members is None or (parts["grades"], RDF.type, SKOS.OrderedCollection) not in graph:
        raise ValueError(f"{path}: the grade scale is not a skos:OrderedCollection with a memberList")
    grades = tuple(_notation(graph, grade, path) for grade in Collection(graph, members))  # type: ignore[arg-type]
    return FormatVocabulary(
        key=_notation(graph, root, path),
        label=str(graph.value(root, SKOS.prefLabel)),
        area_by_label=_scheme(graph, parts["areas"], path),  # type: ignore[arg-type]
        grades=grades,
        finding_by_heading=_scheme(graph, parts["finding-lists"], path),  # type: ignore[arg-type]
        heading_by_label=_scheme(graph, parts["headings"], path),  # type: ignore[arg-type]
    )


def heading_keys(lines: Iterable[Line]) -> list[str]:
    """The :func:`label_key` of every short line (where headings are), in order."""
    keys = []
    for line in lines:
        text = clean(line.text)
        if text and len(text) <= _MAX_HEADING_CHARS:
            keys.append(label_key(text))
    return keys


def vocabulary_score(keys: Sequence[str], vocabulary: FormatVocabulary) -> float:
    """0..1: the share of the format's landmarks and of its areas printed as whole lines."""
    landmarks = set(vocabulary.heading_by_label.values())
    areas = set(vocabulary.area_by_label.values())
    seen_landmarks = {vocabulary.heading_by_label[k] for k in keys if k in vocabulary.heading_by_label}
    seen_areas = {vocabulary.area_by_label[k] for k in keys if k in vocabulary.area_by_label}
    return (len(seen_landmarks) / max(len(landmarks), 1) + len(seen_areas) / max(len(areas), 1)) / 2


@dataclass(frozen=True)
class ReportFormat:
    """One report family: how to recognise its text, how to parse it, and its vocabulary."""

    key: str
    label: str
    #: 0 (not this format) .. 1 (certainly this format), from the text alone; cheap (one pass)
    detect: Callable[[SourceText], float]
    #: the structure parser; raises :class:`loaders.errors.LoaderError` when the text is not a report
    parse: Callable[[SourceText, ForceRegister], InspectionReport]
    vocabulary: Callable[[], FormatVocabulary]
