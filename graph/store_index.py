"""SPARQL text that keeps a store's default graph the duplicate-free union of its named graphs.

Used by the embedded Oxigraph store (``graph.store_oxigraph``): pyoxigraph 0.5's own union default
graph matches a triple once per named graph that holds it (oxigraph#1919), which makes every join
through a shared node grow with the number of reports. Keeping the union materialised, with set
semantics, in the real default graph gives queries one copy of each triple.

Invariant: the default graph holds exactly the triples of the named graphs. Every write built here keeps
it inside one transaction. Terms come in as validated N-Triples text (``<iri>``, ``"literal"``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from graph.store import ScopedUpdate

#: rebuild the default graph from scratch (after a free-form update, or for a store written before it)
REBUILD = "DROP SILENT DEFAULT ;\nINSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
#: does the default graph / any named graph hold a triple? (both stop at the first match)
HAS_DEFAULT = "ASK { ?s ?p ?o }"
HAS_NAMED = "ASK { GRAPH ?g { ?s ?p ?o } }"


def _unindex(graph: str, where: str = "?s ?p ?o") -> str:
    """Remove from the default graph the triples of ``graph`` matching ``where`` held by no other graph."""
    return (
        f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH {graph} {{ {where} }} "
        f"FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER (?other != {graph}) }} }}"
    )


def _drop_metadata(meta: str, subjects: Iterable[str]) -> list[str]:
    values = f"VALUES ?s {{ {' '.join(sorted(subjects))} }} ?s ?p ?o"
    return [
        _unindex(meta, values),
        f"DELETE {{ GRAPH {meta} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {meta} {{ {values} }} }}",
    ]


def new_graph_nquads(graph: str, body: Sequence[str], meta: str | None, meta_body: Sequence[str]) -> str:
    """N-Quads writing a graph not yet in the store, its metadata, and both into the default graph."""
    lines = [f"{t} {graph} ." for t in body] + [f"{t} ." for t in body]
    if meta is not None:
        lines += [f"{t} {meta} ." for t in meta_body] + [f"{t} ." for t in meta_body]
    return "\n".join(lines) + "\n"


def replace_update(
    graph: str, body: Sequence[str], meta: str | None, meta_body: Sequence[str], meta_subjects: Iterable[str]
) -> str:
    """One update replacing ``graph`` by ``body``, and in ``meta`` every statement about ``graph`` or one
    of ``meta_subjects`` by ``meta_body``, keeping the default graph in step."""
    parts = [_unindex(graph), f"DROP SILENT GRAPH {graph}"]
    if meta is not None:
        parts += _drop_metadata(meta, {graph, *meta_subjects})
    inserts = []
    if body:
        block = " .\n".join(body) + " ."
        inserts += [f"GRAPH {graph} {{\n{block}\n}}", block]
    if meta is not None and meta_body:
        block = " .\n".join(meta_body) + " ."
        inserts += [f"GRAPH {meta} {{\n{block}\n}}", block]
    if inserts:
        parts.append("INSERT DATA {\n" + "\n".join(inserts) + "\n}")
    return " ;\n".join(parts)


def drop_update(graph: str, meta: str | None) -> str:
    """Remove a named graph and its metadata statements, and their triples from the default graph."""
    parts = [_unindex(graph), f"DROP SILENT GRAPH {graph}"]
    if meta is not None:
        parts += _drop_metadata(meta, {graph})
    return " ;\n".join(parts)


#: named graphs holding, for the length of one update, what the graphs it writes held before it
BEFORE = "urn:hmic-kg:before:{tag}:{index}"


def scoped_update(update: ScopedUpdate, tag: str) -> str:
    """An update that writes only named graphs, keeping the default graph in step with them in the same
    request: each written graph is copied aside first (``BEFORE``: a fresh IRI per ``tag``, which the
    update cannot name: it has no variable graph), then, after it, the triples those graphs held that no
    graph holds now leave the default graph and what they hold now enters it. Reads only the written
    graphs, where :data:`REBUILD` rewrites the whole default graph."""
    if not update.writes:
        return update.text()
    graphs = [f"<{g}>" for g in sorted(update.writes)]
    aside = [f"<{BEFORE.format(tag=tag, index=i)}>" for i in range(len(graphs))]
    before = " ;\n".join(f"ADD SILENT GRAPH {g} TO GRAPH {t}" for g, t in zip(graphs, aside, strict=True))
    after = [
        f"DELETE {{ ?s ?p ?o }} WHERE {{ VALUES ?t {{ {' '.join(aside)} }} GRAPH ?t {{ ?s ?p ?o }} "
        f"FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER (?other NOT IN ({', '.join(aside)})) }} }}",
        *(f"DROP SILENT GRAPH {t}" for t in aside),
        f"INSERT {{ ?s ?p ?o }} WHERE {{ VALUES ?g {{ {' '.join(graphs)} }} GRAPH ?g {{ ?s ?p ?o }} }}",
    ]
    return update.text(before, " ;\n".join(after))


def with_rebuild(update: str) -> str:
    """A free-form update followed, in the same request, by a rebuild of the default graph."""
    text = update.rstrip()
    # a newline ends a trailing comment; SPARQL allows one ';' after the last operation, not two
    return f"{text}\n{REBUILD}" if text.endswith(";") else f"{text}\n;\n{REBUILD}"
