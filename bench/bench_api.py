"""API benchmark: throughput and latency of the lookups and of ``/sparql`` under bounded concurrent load.

Our server (``hmic-kg serve --workers 2`` on the loaded store, with its saved read model when the store
has one) and a stock Oxigraph server holding the same data are started by :mod:`bench.servers`; the
requests come from a second process on loopback. Lookups are timed on our server only, by ``wrk`` when it
is installed (:mod:`bench.wrk`: a compiled client that leaves the CPUs to the server), and the lookup mix
once more by the Python client (:mod:`bench.loadgen`) that measured the issue-13 baseline. Every named
query runnable without parameters is sent to both ``/sparql`` endpoints by :mod:`bench.loadgen` (their
answers take seconds; wrk does not count a request still running at the end), with 16 clients and with 1,
for the ratio of ours to stock.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench import ROOT, wrk
from bench.bench_cores import wait_until_idle, warm_every_worker
from bench.loadgen import Scenario
from bench.lookups import PYTHON_CLIENT, discover_ids, lookup_scenarios, median_run, time_scenario
from bench.servers import Server, serve_stock, start_ours, start_stock
from bench.targets13 import PYTHON_MIX  # the mix once more, by the baseline's client

SPARQL_ACCEPT = "application/sparql-results+json"
WARM_UP_REQUESTS = 4  # at least the server's query workers
SERVE_WORKERS = 2  # ``hmic-kg serve --workers``: the issue-13 comparison is with two


def sparql_targets(query: str) -> tuple[str, str]:
    """The same query as a GET target for our ``/sparql`` and for Oxigraph's ``/query``."""
    encoded = urlencode({"query": query})
    return f"/sparql?{encoded}", f"/query?{encoded}"


# --- the run ------------------------------------------------------------------------------------------


def sparql_queries() -> list[tuple[str, str]]:
    """(name, text) of every named query runnable without parameters, as the SPARQL endpoints get them."""
    from graph.queries import catalogue

    return [(q.name, q.text) for q in catalogue() if all(p.optional for p in q.params)]


def warm_up_sparql(base: str, timeout_s: float, endpoint: str = "/sparql") -> tuple[float | None, str | None]:
    """The first queries at ``endpoint`` (ours ``/sparql``, stock Oxigraph's ``/query``): the same
    ``WARM_UP_REQUESTS`` requests at once for both servers, so that every query worker of ours (one per
    HTTP worker by default; each opened its copy of the store when the server started) is likely to get
    one. Their time, or why they failed."""
    target = f"{base}{endpoint}?{urlencode({'query': 'ASK { ?s ?p ?o }'})}"

    def ask() -> str | None:
        request = urllib.request.Request(target, headers={"Accept": SPARQL_ACCEPT})
        try:
            with urllib.request.urlopen(request, timeout=timeout_s) as response:
                response.read()
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            return f"the first {endpoint} queries failed: {exc}"
        return None

    started = time.perf_counter()
    with ThreadPoolExecutor(WARM_UP_REQUESTS) as pool:
        problems = [p for p in pool.map(lambda _: ask(), range(WARM_UP_REQUESTS)) if p]
    return (None, problems[0]) if problems else (time.perf_counter() - started, None)


def sparql_ready(server: Server, timeout_s: float, endpoint: str) -> tuple[float | None, str | None]:
    """:func:`warm_up_sparql`, then wait until the server is idle: ours warms its read model in the
    background after a start (seconds of CPU on both cores), which the first timed queries shared while
    stock Oxigraph's had the CPUs to themselves (bench at 430 reports: grades-by-force, 1 client, 1.0 s
    against stock's 0.23 s, later queries level)."""
    found = warm_up_sparql(server.base, timeout_s, endpoint)
    wait_until_idle(server.process.pid)
    return found


def run_api(data_dir: Path, nquads: Path, size: int, work_dir: Path, *, quick: bool) -> dict[str, Any]:
    """Serve the store loaded at ``data_dir`` (ours) and its export (stock Oxigraph), and load both.

    Our server is warmed up first (its first lookup builds the catalogue every lookup uses; that time is
    reported as the cold start). Each scenario is then one client process. A scenario whose requests time
    out leaves work running in the server that would slow every later scenario, so that server is
    restarted (and warmed up again) before the next one.
    """
    notes: list[str] = []
    logs = work_dir / "logs"
    concurrency, duration_s, timeout_s = 16, (1.5 if quick else 2.0), 10.0
    mix_repeats = 1 if quick else 3
    cold_timeout_s = 60.0 if quick else 600.0  # every worker builds its caches at once on a shared machine
    servers: dict[str, Server] = {}
    cold_starts: list[float] = []
    sparql_cold_starts: list[float] = []
    results: list[dict[str, Any]] = []

    def start_sparql_ready_ours() -> None:
        servers["ours"] = start_ours(data_dir, logs / "hmic-kg-serve.log", workers=SERVE_WORKERS)
        seconds, problem = sparql_ready(servers["ours"], cold_timeout_s * 2, "/sparql")
        if seconds is not None:
            sparql_cold_starts.append(seconds)
        elif problem not in notes:
            notes.append(problem)

    def start_sparql_ready_stock(server: Server) -> None:
        servers["stock"] = server
        _, problem = sparql_ready(server, cold_timeout_s * 2, "/query")  # warmed as ours is
        if problem is not None and problem not in notes:
            notes.append(problem)

    warm_paths: list[str] = []  # every lookup target, once they are known: each worker builds its caches

    def start_warm_ours() -> str | None:
        servers["ours"] = start_ours(data_dir, logs / "hmic-kg-serve.log", workers=SERVE_WORKERS)
        seconds, problem = warm_every_worker(servers["ours"].base, cold_timeout_s)
        if seconds is not None:
            cold_starts.append(seconds)
        if problem is None and warm_paths:
            warm_every_worker(servers["ours"].base, cold_timeout_s, warm_paths)
        wait_until_idle(servers["ours"].process.pid)  # each worker's background warm-up shares the CPUs
        return problem

    try:
        cold_problem = start_warm_ours()
        stock_dir = work_dir / "stores" / f"stock-oxigraph-{size}"
        stock, stock_load_s = start_stock(nquads, stock_dir, logs / "oxigraph.log")
        start_sparql_ready_stock(stock)
        scenarios: list[Scenario] = []
        if cold_problem is None:
            scenarios += lookup_scenarios(discover_ids(servers["ours"].base, notes))
            warm_paths.extend(scenarios[-1].targets)  # the mix: three targets of every lookup
            warm_every_worker(servers["ours"].base, cold_timeout_s, warm_paths)
            wait_until_idle(servers["ours"].process.pid)
        else:
            results.append({"scenario": "all lookups", "group": "lookup", "skipped": cold_problem})
            _log(_brief(results[-1]))
        for name, text in sparql_queries():
            mine, theirs = sparql_targets(text)
            accept = {"Accept": SPARQL_ACCEPT}
            for label, extra in (
                (f"sparql {name}", {}),
                (f"sparql {name} (1 client)", {"concurrency": 1, "timeout_s": 30.0}),
            ):
                scenarios.append(Scenario(label, "sparql-ours", (mine,), accept, **extra))  # type: ignore[arg-type]
                scenarios.append(Scenario(label, "sparql-stock", (theirs,), accept, **extra))  # type: ignore[arg-type]
        sparql_started = False
        client = wrk.NAME if wrk.binary() else PYTHON_CLIENT
        too_slow: dict[tuple[str, tuple[str, ...]], str] = {}  # a query's single request overran
        for scenario in scenarios:
            if scenario.group == "sparql-ours" and not sparql_started:
                servers["ours"].stop()  # a fresh server: nothing left running from the lookups
                start_sparql_ready_ours()
                sparql_started = True
            which = "stock" if scenario.group == "sparql-stock" else "ours"
            timing = {
                "concurrency": concurrency,
                "duration_s": duration_s,
                "warmup_s": 0.3 if quick else 0.5,
                "timeout_s": timeout_s,
            }
            if scenario.group != "lookup":
                if scenario.concurrency == 1 and (scenario.group, scenario.targets) in too_slow:
                    why = too_slow[(scenario.group, scenario.targets)]
                    results.append({"scenario": scenario.name, "group": scenario.group, "skipped": why})
                    _log(_brief(results[-1]))
                    continue  # its single request already failed or overran: the server has nothing running
                found = [
                    time_scenario(servers[which].base, scenario, work_dir, client=PYTHON_CLIENT, **timing)
                ]
                if "took over" in found[0].get("skipped", ""):
                    too_slow[(scenario.group, scenario.targets)] = (
                        f"not run: with 16 clients, {found[0]['skipped']}"
                    )
            elif scenario.name == "lookup mix":  # noisy machine: the median of alternate runs
                warm_every_worker(servers[which].base, cold_timeout_s, scenario.targets)
                found = _mixes(servers[which].base, scenario, work_dir, client, mix_repeats, timing)
            else:  # every target warm in every worker first: the first answers are measured on their own
                warm_every_worker(servers[which].base, cold_timeout_s, scenario.targets)
                found = [time_scenario(servers[which].base, scenario, work_dir, client=client, **timing)]
            for result in found:
                restart = {"lookup": start_warm_ours, "sparql-ours": start_sparql_ready_ours}.get(
                    scenario.group,
                    lambda: start_sparql_ready_stock(serve_stock(stock_dir, servers["stock"].log)),
                )
                _after(result, servers, which, restart)
                results.append(result)
    finally:
        for server in servers.values():
            server.stop()
    return {
        "reports": size,
        "workers": SERVE_WORKERS,
        "lookup_client": "wrk" if wrk.binary() else PYTHON_CLIENT,
        "concurrency": concurrency,
        "duration_s": duration_s,
        "timeout_s": timeout_s,
        "cold_start_s": cold_starts,
        "sparql_cold_start_s": sparql_cold_starts,
        "stock_load_s": stock_load_s,
        "results": results,
        "sparql_ratios": sparql_ratios(results),
        "notes": notes,
    }


def _mixes(
    base: str, mix: Scenario, work_dir: Path, client: str, repeats: int, timing: dict[str, Any]
) -> list[dict[str, Any]]:
    """The lookup mix ``repeats`` times by ``client`` and, when that is wrk, as often by the Python
    client that measured the issue-13 baseline (alternating): the median run of each."""
    clients = [client] + ([PYTHON_CLIENT] if client != PYTHON_CLIENT else [])
    runs: dict[str, list[dict[str, Any]]] = {c: [] for c in clients}
    for _ in range(repeats):
        for name in clients:
            scenario = mix if name == client else replace(mix, name=PYTHON_MIX)
            runs[name].append(time_scenario(base, scenario, work_dir, client=name, **timing))
    return [median_run(runs[name]) for name in clients]


def _after(
    result: dict[str, Any], servers: dict[str, Server], which: str, restart: Callable[[], object]
) -> None:
    """Log a scenario's result; restart its server (``restart``: started and warmed as before the first
    scenario) if it was killed or its requests timed out (work left running in it would slow every later
    scenario)."""
    if servers[which].over_memory:
        result["skipped"] = f"server killed: {servers[which].over_memory[0]:,.0f} MB resident"
    _log(_brief(result))
    if "skipped" in result or result.get("error_kinds", {}).get("timeout"):
        servers[which].stop()
        restart()


def _brief(result: dict[str, Any]) -> str:
    if "skipped" in result:
        return f"{result['group']} {result['scenario']}: skipped ({result['skipped']})"
    return (
        f"{result['group']} {result['scenario']}: {result['rps']:.0f} req/s, p50 {result['p50_ms']:.0f} ms, "
        f"p99 {result['p99_ms']:.0f} ms, {result['errors']} errors"
    )


def _log(message: str) -> None:
    print(f"[bench.api] {message}", file=sys.stderr, flush=True)


def sparql_ratios(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per query: our /sparql against stock Oxigraph (p50 latency and throughput ratios; >1: ours slower)."""
    ours = {r["scenario"]: r for r in results if r["group"] == "sparql-ours"}  # concurrent and 1-client
    stock = {r["scenario"]: r for r in results if r["group"] == "sparql-stock"}
    ratios = []
    for name in sorted(ours.keys() & stock.keys()):
        a, b = ours[name], stock[name]
        if "skipped" in a or "skipped" in b:
            ratios.append(
                {
                    "query": name.removeprefix("sparql "),
                    "skipped": a.get("skipped") or b.get("skipped"),
                    "side": "ours" if "skipped" in a else "stock",
                }
            )
            continue
        ratios.append(
            {
                "query": name.removeprefix("sparql "),
                "ours_p50_ms": a["p50_ms"],
                "stock_p50_ms": b["p50_ms"],
                "ours_rps": a["rps"],
                "stock_rps": b["rps"],
                "latency_ratio": a["p50_ms"] / b["p50_ms"] if b["p50_ms"] else None,
                "throughput_ratio": b["rps"] / a["rps"] if a["rps"] else None,
                "errors": a["errors"] + b["errors"],
            }
        )
    return ratios


def main(argv: Sequence[str] | None = None) -> int:
    """The whole API benchmark on an already loaded store (``python -m bench`` runs it after the loads)."""
    parser = argparse.ArgumentParser(prog="python -m bench.bench_api", description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True, help="a loaded hmic-kg data directory")
    parser.add_argument("--nquads", type=Path, required=True, help="the same store exported as N-Quads")
    parser.add_argument("--size", type=int, required=True, help="its number of reports (for the report)")
    parser.add_argument("--work-dir", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    result = run_api(args.data_dir, args.nquads, args.size, args.work_dir, quick=args.quick)
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
