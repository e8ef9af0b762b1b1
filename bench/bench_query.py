"""Query benchmark: p50/p95 latency of every named query (``graph/queries/*.rq``) on a loaded store.

Timed through ``Store.query``, the path the CLI and the API take (engine evaluation plus conversion of
the rows to rdflib terms). A query with an optional parameter is timed twice, unbound (every force / area)
and bound; a required parameter gets a representative value taken from the store itself (the most used IT
system, the first force, …).

A query can run for hours on a large store, and an engine cannot be interrupted from Python, so each
variant runs in its own child process (``python -m bench.bench_query``) that opens the store read-only and
is killed at the time limit. The rdflib in-memory store cannot be shared between processes; it is timed
inside the load child instead (:func:`measure_in_process`), where a first timeout ends its query timing.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import URIRef
from rdflib.term import Node
from rdflib.util import from_n3

from bench import latency_summary, run_child

PREFIXES = """PREFIX hmic: <https://w3id.org/hmic-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
#: parameter name -> query for a representative value (first row, first column)
_MOST_USED_SYSTEM = """SELECT ?v (COUNT(*) AS ?n) WHERE {
  { SELECT DISTINCT ?f ?s WHERE { ?f hmic:usesSystem ?s } }
  { SELECT DISTINCT ?s ?v WHERE { ?s skos:prefLabel ?v } }
} GROUP BY ?v ORDER BY DESC(?n) ?v LIMIT 1"""
#: parameter name -> query for a representative value (first row, first column); DISTINCT subqueries keep
#: the probes cheap however many report graphs repeat a shared node's statements
PROBES: dict[str, str] = {
    "force": "SELECT DISTINCT ?v WHERE { ?f a hmic:PoliceForce ; skos:prefLabel ?v } ORDER BY ?v LIMIT 1",
    "system": _MOST_USED_SYSTEM,
    "entity": _MOST_USED_SYSTEM,
    "area": "SELECT DISTINCT ?v WHERE { ?j a hmic:Judgement ; hmic:area ?v } ORDER BY ?v LIMIT 1",
}
MIN_REPS = 3
BUDGET_S = 6.0  # per variant: stop repeating a slow query once this is spent (after MIN_REPS)


@dataclass(frozen=True)
class Variant:
    """One timed form of a named query."""

    query: str
    label: str
    bindings: dict[str, Node]

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "label": self.label,
            "bindings": {k: v.n3() for k, v in self.bindings.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Variant:
        return cls(data["query"], data["label"], {k: from_n3(v) for k, v in data["bindings"].items()})  # type: ignore[misc]


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
    values = {name: representative(store, name) for name in PROBES}
    for query in catalogue():
        bindings: dict[str, Node] = {}
        missing = []
        for param in query.params:
            if not param.optional:
                value = values.get(param.name)
                if value is None:
                    missing.append(param.name)
                else:
                    bindings[param.name] = value
        if missing:
            notes.append(f"{query.name}: no value in the store for {', '.join(missing)}; not timed")
            continue
        found.append(Variant(query.name, _label(bindings), bindings))
        for param in query.params:
            if param.optional and values.get(param.name) is not None:
                bound = {**bindings, param.name: values[param.name]}
                found.append(Variant(query.name, _label(bound), bound))  # type: ignore[arg-type]
    return found, notes


def _label(bindings: dict[str, Node]) -> str:
    shown = [f"{k}={str(v).rsplit('/', 1)[-1] if isinstance(v, URIRef) else v}" for k, v in bindings.items()]
    return ", ".join(shown) or "all"


def time_variant(store: Any, variant: Variant, reps: int, budget_s: float = BUDGET_S) -> dict[str, Any]:
    """One warm-up run, then up to ``reps`` timed runs (fewer when over ``budget_s``, never under MIN_REPS)."""
    from graph.queries import get

    sparql = get(variant.query).text
    started = time.perf_counter()
    rows = len(store.query(sparql, variant.bindings).rows)
    first = time.perf_counter() - started
    timings: list[float] = []
    spent = 0.0
    while len(timings) < reps and (len(timings) < MIN_REPS or spent < budget_s):
        started = time.perf_counter()
        store.query(sparql, variant.bindings)
        elapsed = time.perf_counter() - started
        timings.append(elapsed)
        spent += elapsed
    return {
        "query": variant.query,
        "variant": variant.label,
        "rows": rows,
        "first_ms": first * 1000,
        **latency_summary(timings),
    }


def _timeout_row(variant: Variant, timeout_s: float) -> dict[str, Any]:
    return {
        "query": variant.query,
        "variant": variant.label,
        "timeout_s": timeout_s,
        "error": f"timeout: no answer within {timeout_s:.0f} s",
    }


def measure_isolated(data_dir: Path, backend: str, reps: int, timeout_s: float) -> dict[str, Any]:
    """Time every variant in its own child process on a store nobody else has open (Oxigraph)."""
    common = ["-m", "bench.bench_query", "--data-dir", str(data_dir), "--backend", backend]
    listing = run_child([*common, "--list"], timeout_s=120)
    if "variants" not in listing.result:
        return {
            "results": [],
            "notes": [f"could not list the query variants: {listing.stderr.strip()[-500:]}"],
            "reps": reps,
        }
    found = [Variant.from_json(v) for v in listing.result["variants"]]
    results = []
    for n, variant in enumerate(found):
        _log(f"{variant.query} [{variant.label}]")
        child = run_child([*common, "--variant", str(n), "--reps", str(reps)], timeout_s=timeout_s + 15)
        if child.result.get("query"):
            results.append(child.result)
        elif child.returncode < 0:
            results.append(_timeout_row(variant, timeout_s))
        else:
            results.append(
                {
                    "query": variant.query,
                    "variant": variant.label,
                    "error": child.stderr.strip().splitlines()[-1][:300]
                    if child.stderr.strip()
                    else "no answer",
                }
            )
    return {
        "results": results,
        "notes": listing.result.get("notes", []),
        "reps": reps,
        "timeout_s": timeout_s,
    }


def measure_in_process(store: Any, reps: int, timeout_s: float) -> dict[str, Any]:
    """Time every variant on an open store; a watchdog thread gives up on a query at ``timeout_s``, and
    the remaining variants are then skipped (the runaway query cannot be stopped and would skew them)."""
    found, notes = variants(store)
    results: list[dict[str, Any]] = []
    for n, variant in enumerate(found):
        _log(f"{variant.query} [{variant.label}]")
        box: list[dict[str, Any]] = []

        def work(variant: Variant = variant, box: list[dict[str, Any]] = box) -> None:
            try:
                box.append(time_variant(store, variant, reps))
            except Exception as exc:  # a failing query is a finding of the benchmark, not a crash of it
                box.append(
                    {
                        "query": variant.query,
                        "variant": variant.label,
                        "error": f"{type(exc).__name__}: {exc}",
                    }
                )

        thread = threading.Thread(target=work, daemon=True)
        thread.start()
        thread.join(timeout_s)
        if thread.is_alive():
            results.append(_timeout_row(variant, timeout_s))
            skipped = [f"{v.query} [{v.label}]" for v in found[n + 1 :]]
            if skipped:
                notes.append(f"{backend_note(store)}: not timed after a timeout: {', '.join(skipped)}")
            return {
                "results": results,
                "notes": notes,
                "reps": reps,
                "timeout_s": timeout_s,
                "abandoned": True,
            }
        results.extend(box)
    return {"results": results, "notes": notes, "reps": reps, "timeout_s": timeout_s}


def backend_note(store: Any) -> str:
    return type(store).__name__


def _log(message: str) -> None:
    print(f"[bench.query] {message}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    from graph.config import GraphConfig
    from graph.store_open import open_store

    parser = argparse.ArgumentParser(prog="python -m bench.bench_query", description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--backend", default="oxigraph")
    parser.add_argument("--list", action="store_true", help="print the variants as JSON")
    parser.add_argument("--variant", type=int, help="time variant number N")
    parser.add_argument("--reps", type=int, default=10)
    args = parser.parse_args(argv)
    read_only = args.backend == "oxigraph"
    store = open_store(GraphConfig(data_dir=args.data_dir, backend=args.backend, read_only=read_only))
    try:
        found, notes = variants(store)
        if args.list:
            print(json.dumps({"variants": [v.to_json() for v in found], "notes": notes}))
        elif args.variant is not None:
            print(json.dumps(time_variant(store, found[args.variant], args.reps)))
    finally:
        if read_only:
            store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
