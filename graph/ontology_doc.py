"""Generate ``docs/ontology.md`` from ``ontology/hmic.ttl``.

Run ``python -m graph.ontology_doc > docs/ontology.md``.

A test regenerates the page and fails when the committed copy is stale.
"""

from __future__ import annotations

import sys

from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from graph.mapping import ontology_graph

REUSED = {
    "org": ("http://www.w3.org/ns/org#", "W3C Organization Ontology: forces, units, roles, memberships"),
    "prov": ("http://www.w3.org/ns/prov#", "PROV-O: reports as entities, derivation, generation time"),
    "skos": (
        "http://www.w3.org/2004/02/skos/core#",
        "SKOS: areas, grades, finding kinds, unit types, glossaries",
    ),
    "schema": ("https://schema.org/", "schema.org: contact points, telephone, email"),
    "dcterms": ("http://purl.org/dc/terms/", "Dublin Core terms: titles, publisher"),
    "foaf": ("http://xmlns.com/foaf/0.1/", "FOAF: people and their names"),
    "oa": ("http://www.w3.org/ns/oa#", "Web Annotation: mentions as annotations of the report text"),
    "xsd": ("http://www.w3.org/2001/XMLSchema#", "XML Schema datatypes"),
    "owl": ("http://www.w3.org/2002/07/owl#", "OWL"),
    "rdfs": ("http://www.w3.org/2000/01/rdf-schema#", "RDF Schema"),
}
HMIC_NS = "https://w3id.org/hmic-kg/ontology#"


def _name(term: object) -> str:
    if not isinstance(term, URIRef):
        return "—"
    text = str(term)
    if text.startswith(HMIC_NS):
        return f"hmic:{text[len(HMIC_NS) :]}"
    for prefix, (namespace, _) in REUSED.items():
        if text.startswith(namespace):
            return f"{prefix}:{text[len(namespace) :]}"
    return f"<{text}>"


def _text(g: Graph, term: URIRef, predicate: URIRef) -> str:
    value = g.value(term, predicate)
    return " ".join(str(value).split()).replace("|", "\\|") if isinstance(value, Literal) else ""


def _names(g: Graph, term: URIRef, predicate: URIRef) -> str:
    return ", ".join(sorted(_name(o) for o in g.objects(term, predicate))) or "—"


def _classes(g: Graph) -> list[str]:
    lines = ["## Classes", "", "| class | label | subclass of | description |", "|---|---|---|---|"]
    for cls in sorted(g.subjects(RDF.type, OWL.Class)):
        label, comment = _text(g, cls, RDFS.label), _text(g, cls, RDFS.comment)
        lines.append(f"| `{_name(cls)}` | {label} | {_names(g, cls, RDFS.subClassOf)} | {comment} |")
    return [*lines, ""]


def _properties(g: Graph, kind: URIRef, title: str) -> list[str]:
    lines = [
        f"## {title}",
        "",
        "| property | label | domain | range | description |",
        "|---|---|---|---|---|",
    ]
    for prop in sorted(g.subjects(RDF.type, kind)):
        label, comment = _text(g, prop, RDFS.label), _text(g, prop, RDFS.comment)
        sub = _names(g, prop, RDFS.subPropertyOf)
        note = f" (sub-property of {sub})" if sub != "—" else ""
        lines.append(
            f"| `{_name(prop)}` | {label}{note} | {_names(g, prop, RDFS.domain)} | "
            f"{_names(g, prop, RDFS.range)} | {comment} |"
        )
    return [*lines, ""]


def _schemes(g: Graph) -> list[str]:
    lines = ["## Concept schemes", ""]
    for scheme in sorted(g.subjects(RDF.type, SKOS.ConceptScheme)):
        lines += [f"### `{_name(scheme)}` — {_text(g, scheme, SKOS.prefLabel)}", ""]
        if comment := _text(g, scheme, RDFS.comment):
            lines += [comment, ""]
        concepts = sorted(
            g.subjects(SKOS.inScheme, scheme), key=lambda c: (str(g.value(c, SKOS.notation)), c)
        )
        if not concepts:
            lines += ["Its concepts are data: `unit-type/{slug}` nodes typed `hmic:UnitType`.", ""]
            continue
        lines += ["| concept | notation | label | broader |", "|---|---|---|---|"]
        for concept in concepts:
            notation = g.value(concept, SKOS.notation)
            lines.append(
                f"| `{_name(concept)}` | {notation} | {_text(g, concept, SKOS.prefLabel)} | "
                f"{_names(g, concept, SKOS.broader)} |"
            )
        lines.append("")
    return lines


def render(g: Graph | None = None) -> str:
    """The Markdown page for the ontology graph ``g`` (default: ``ontology/hmic.ttl``)."""
    g = g if g is not None else ontology_graph()
    ontology = next(iter(g.subjects(RDF.type, OWL.Ontology)))
    lines = [
        f"# {_text(g, ontology, DCTERMS.title)}",
        "",
        "<!-- Generated from ontology/hmic.ttl by"
        " `python -m graph.ontology_doc > docs/ontology.md`; do not edit. -->",
        "",
        _text(g, ontology, RDFS.comment),
        "",
        f"Namespace: `{HMIC_NS}` (prefix `hmic:`), version {g.value(ontology, OWL.versionInfo)}. "
        "IRIs of data nodes and the mapping are described in [graph-model.md](graph-model.md).",
        "",
        "## Reused vocabularies",
        "",
        "| prefix | namespace | used for |",
        "|---|---|---|",
    ]
    lines += [f"| `{p}:` | `{ns}` | {use} |" for p, (ns, use) in REUSED.items()]
    lines.append("")
    lines += _classes(g)
    lines += _properties(g, OWL.ObjectProperty, "Object properties")
    lines += _properties(g, OWL.DatatypeProperty, "Datatype properties")
    lines += _schemes(g)
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    sys.stdout.write(render())


if __name__ == "__main__":
    main()
