"""Views benchmark: time to project the store to networkx, then to build and render each network view,
and the size of each page, as the graph grows.

Runs inside the load child (:mod:`bench.bench_load`). Each view is built about the busiest node of its
kind (the force, IT system and unit type with the most edges), rendered as served pages are (assets
linked, not inlined: the page size is then the view's own data).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench import latency_summary

REPS = 2


def project(store: Any) -> tuple[Any, float, float]:
    """The typed networkx graph the views are cut from, as the served pages build it
    (``graph.network.project_store``); returns it with the time taken (and 0 for the old second step)."""
    from graph.network import project_store

    started = time.perf_counter()
    graph = project_store(store)
    return graph, time.perf_counter() - started, 0.0


def _busiest(graph: Any, kind: str) -> str | None:
    nodes = [n for n, data in graph.nodes(data=True) if data.get("type") == kind]
    return max(nodes, key=lambda n: (graph.degree(n), n), default=None)


def view_requests(graph: Any, base: str) -> list[tuple[str, str | None]]:
    """(kind, id) of each view to time; ids are the paths after the base IRI."""
    requests: list[tuple[str, str | None]] = []
    for kind in ("force", "system", "unit-type"):
        node = _busiest(graph, kind)
        if node is not None:
            requests.append((kind, node.removeprefix(f"{base}{kind}/")))
    force = _busiest(graph, "force")
    if force is not None:
        requests.append(("ego", force.removeprefix(base)))
    return [*requests, ("overview", None), ("shared", None)]  # whole-graph views last: the slowest


def measure_views(
    store: Any, iris: Any, reps: int = REPS, progress: Callable[[dict[str, Any]], None] | None = None
) -> dict[str, Any]:
    """Projection time and, per view, build + render time, node/edge counts and HTML bytes.

    ``progress`` gets the figures so far after each step, so a run stopped at its time limit still
    reports what it measured."""
    from graph.view_data import build_view
    from graph.views import render_view_html

    graph, construct_s, networkx_s = project(store)
    results: list[dict[str, Any]] = []
    figures = {
        "projection_s": construct_s + networkx_s,
        "construct_s": construct_s,
        "networkx_s": networkx_s,
        "graph_nodes": graph.number_of_nodes(),
        "graph_edges": graph.number_of_edges(),
        "results": results,
    }
    if progress is not None:
        progress(figures)
    for kind, ident in view_requests(graph, iris.base):
        builds: list[float] = []
        renders: list[float] = []
        try:
            for _ in range(reps):
                started = time.perf_counter()
                view = build_view(graph, kind, ident, base_iri=iris.base)
                built = time.perf_counter()
                html = render_view_html(view, assets="served", base_iri=iris.base)
                renders.append(time.perf_counter() - built)
                builds.append(built - started)
        except Exception as exc:  # recorded as a finding, the other views still run
            results.append({"view": kind, "id": ident, "error": f"{type(exc).__name__}: {exc}"})
            if progress is not None:
                progress(figures)
            continue
        results.append(
            {
                "view": kind,
                "id": ident,
                "nodes": view.graph.number_of_nodes(),
                "edges": view.graph.number_of_edges(),
                "html_bytes": len(html.encode("utf-8")),
                "build_ms": latency_summary(builds)["p50_ms"],
                "render_ms": latency_summary(renders)["p50_ms"],
            }
        )
        if progress is not None:
            progress(figures)
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    """Child mode: open a loaded Oxigraph store read-only and print the view figures as JSON."""
    from graph.config import GraphConfig
    from graph.iris import Iris
    from graph.store_open import open_store

    parser = argparse.ArgumentParser(prog="python -m bench.bench_views", description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--reps", type=int, default=REPS)
    args = parser.parse_args(argv)
    config = GraphConfig(data_dir=args.data_dir, backend="oxigraph", read_only=True)
    store = open_store(config)
    try:
        measure_views(
            store, Iris(config.base_iri), args.reps, progress=lambda f: print(json.dumps(f), flush=True)
        )
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
