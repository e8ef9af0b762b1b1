"""SHACL validation of a report graph or a whole dataset, with a readable report.

Runs pyshacl with ``ontology/shapes.ttl`` and ``ontology/hmic.ttl`` (as the ontology graph, so subclass
targets apply) and turns the results graph into one line per violation: focus node, path, message.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pyshacl
from rdflib import RDF, Dataset, Graph, Literal, Node, URIRef
from rdflib.namespace import SH

from graph.mapping import ontology_graph
from loaders.resources import ontology_file


@dataclass(frozen=True)
class Violation:
    """One SHACL result, with terms shortened to prefixed names where possible."""

    focus: str
    path: str | None
    message: str
    severity: str
    value: str | None = None
    shape: str | None = None

    def __str__(self) -> str:
        path = f" {self.path}" if self.path else ""
        value = f" (value: {self.value})" if self.value else ""
        return f"{self.severity}: <{self.focus}>{path}: {self.message}{value}"


@dataclass(frozen=True)
class ValidationResult:
    conforms: bool
    text: str
    violations: list[Violation]


@functools.cache
def shapes_graph() -> Graph:
    """The SHACL shapes ``ontology/shapes.ttl`` (cached; do not mutate)."""
    return Graph().parse(ontology_file("shapes.ttl"), format="turtle")


def _as_graph(data: Graph | Dataset) -> Graph:
    """A plain graph holding every triple of ``data`` (the union of a dataset's graphs)."""
    if isinstance(data, Dataset):
        union = Graph()
        for s, p, o, _ in data.quads((None, None, None, None)):
            union.add((s, p, o))
        return union
    return data


def validate(data: Graph | Dataset) -> ValidationResult:
    """Validate ``data`` (one graph, or the union of a dataset's graphs) against the shapes."""
    graph = _as_graph(data)
    conforms, results, _ = pyshacl.validate(
        graph,
        shacl_graph=shapes_graph(),
        ont_graph=ontology_graph(),
        inference="none",
        advanced=True,
        allow_warnings=False,
    )
    violations = sorted(_violations(results, graph), key=lambda v: (v.focus, v.path or "", v.message))
    if conforms:
        text = f"Conforms: {len(graph)} triples checked against the hmic-kg shapes."
    else:
        lines = [f"Does not conform: {len(violations)} violation(s)."]
        lines.extend(f"  {violation}" for violation in violations)
        text = "\n".join(lines)
    return ValidationResult(bool(conforms), text, violations)


def _violations(results: Graph, data: Graph) -> list[Violation]:
    found = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        message = results.value(result, SH.resultMessage)
        severity = results.value(result, SH.resultSeverity)
        shape = results.value(result, SH.sourceShape)
        found.append(
            Violation(
                focus=str(focus),
                path=_term(path, data) if path is not None else None,
                message=str(message) if message is not None else "constraint not met",
                severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
                value=_term(value, data) if value is not None else None,
                shape=_term(shape, data) if isinstance(shape, URIRef) else None,
            )
        )
    return found


def _term(term: Node, data: Graph) -> str:
    if isinstance(term, Literal):
        return repr(str(term))
    if isinstance(term, URIRef):
        try:
            return data.namespace_manager.normalizeUri(term)
        except (ValueError, KeyError):
            return f"<{term}>"
    return "(blank node)"
