"""Query benchmark: p50/p95 latency of every named query (``graph/queries/*.rq``) on a loaded store.

Runs inside the load child (:mod:`bench.bench_load`) through ``Store.query``, the path the CLI and the API
take (engine evaluation plus conversion of the rows to rdflib terms). A query with an optional parameter
is timed twice, unbound (every force / area) and bound; a required parameter gets a representative value
taken from the store itself (the most used IT system, the first force, …).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import Any

from rdflib import URIRef
from rdflib.term import Node

from bench import latency_summary

PREFIXES = """PREFIX hmic: <https://w3id.org/hmic-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
#: parameter name -> query for a representative value (first row, first column)
PROBES: dict[str, str] = {
    "force": "SELECT ?v WHERE { ?f a hmic:PoliceForce ; skos:prefLabel ?v } ORDER BY ?v LIMIT 1",
    "system": "SELECT ?v (COUNT(*) AS ?n) WHERE { ?f hmic:usesSystem ?s . ?s skos:prefLabel ?v } "
    "GROUP BY ?v ORDER BY DESC(?n) ?v LIMIT 1",
    "entity": "SELECT ?v (COUNT(*) AS ?n) WHERE { ?x a hmic:AreaForImprovement ; hmic:mentions ?e . "
    "?e skos:prefLabel ?v } GROUP BY ?v ORDER BY DESC(?n) ?v LIMIT 1",
    "area": "SELECT ?v WHERE { ?j a hmic:Judgement ; hmic:area ?v } ORDER BY ?v LIMIT 1",
}
MIN_REPS = 3
BUDGET_S = 8.0  # per variant: stop repeating a slow query once this is spent (after MIN_REPS)


@dataclass(frozen=True)
class Variant:
    """One timed form of a named query."""

    query: str
    label: str
    sparql: str
    bindings: dict[str, Node]


def representative(store: Any, name: str) -> Node | None:
    """A value for parameter ``name`` that exists in the store, or None when there is no probe/answer."""
    probe = PROBES.get(name)
    if probe is None:
        return None
    rows = store.query(PREFIXES + probe).rows
    return rows[0][0] if rows and rows[0][0] is not None else None


def variants(store: Any) -> tuple[list[Variant], list[str]]:
    """Every variant to time, and the notes on variants that could not be formed."""
    from graph.queries import catalogue

    found: list[Variant] = []
    notes: list[str] = []
    for query in catalogue():
        required = [p for p in query.params if not p.optional]
        optional = [p for p in query.params if p.optional]
        bindings: dict[str, Node] = {}
        missing = []
        for param in required:
            value = representative(store, param.name)
            if value is None:
                missing.append(param.name)
            else:
                bindings[param.name] = value
        if missing:
            notes.append(f"{query.name}: no value in the store for {', '.join(missing)}; not timed")
            continue
        label = ", ".join(f"{k}={_show(v)}" for k, v in bindings.items())
        found.append(Variant(query.name, label or "(no parameters)", query.text, bindings))
        for param in optional:
            value = representative(store, param.name)
            if value is not None:
                bound = {**bindings, param.name: value}
                found.append(
                    Variant(query.name, ", ".join(f"{k}={_show(v)}" for k, v in bound.items()), query.text, bound)
                )
    return found, notes


def _show(node: Node) -> str:
    text = str(node)
    return text.rsplit("/", 1)[-1] if isinstance(node, URIRef) else text


def time_variant(store: Any, variant: Variant, reps: int, budget_s: float = BUDGET_S) -> dict[str, Any]:
    """One warm-up run, then up to ``reps`` timed runs (fewer when over ``budget_s``, never under MIN_REPS)."""
    rows = len(store.query(variant.sparql, variant.bindings).rows)
    timings: list[float] = []
    spent = 0.0
    while len(timings) < reps and (len(timings) < MIN_REPS or spent < budget_s):
        started = time.perf_counter()
        store.query(variant.sparql, variant.bindings)
        elapsed = time.perf_counter() - started
        timings.append(elapsed)
        spent += elapsed
    return {"query": variant.query, "variant": variant.label, "rows": rows, **latency_summary(timings)}


def measure_queries(store: Any, reps: int) -> dict[str, Any]:
    """Time every variant of every named query; errors are recorded per variant, never raised."""
    found, notes = variants(store)
    results = []
    for variant in found:
        print(f"[bench.query] {variant.query} [{variant.label}] …", file=sys.stderr, flush=True)
        try:
            results.append(time_variant(store, variant, reps))
        except Exception as exc:  # a failing query is a finding of the benchmark, not a crash of it
            results.append({"query": variant.query, "variant": variant.label, "error": f"{type(exc).__name__}: {exc}"})
    return {"results": results, "notes": notes, "reps": reps}
