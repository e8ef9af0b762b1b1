"""The issue-6 targets, judged from the results of one benchmark run (issue 13's: :mod:`bench.targets13`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

LOAD_430_S = 60.0
LOAD_4300_S = 600.0
MEMORY_MB = 2048.0
QUERY_P95_MS = 100.0
API_RPS = 400.0
API_P99_MS = 100.0
SPARQL_RATIO = 1.5
TOTAL_S = 15 * 60.0


@dataclass(frozen=True)
class Verdict:
    """One target: met, missed or not measured, and the figure that decides it."""

    target: str
    status: str  # "met" | "missed" | "not measured"
    figure: str
    note: str = ""


def fmt(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, int) or (isinstance(value, float) and value >= 1000):
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def load_runs(results: dict[str, Any]) -> list[dict[str, Any]]:
    return list(results.get("load", []))


def find_run(results: dict[str, Any], size: int, backend: str) -> dict[str, Any] | None:
    for run in load_runs(results):
        if run.get("size") == size and run.get("backend") == backend and "error" not in run:
            return run
    return None


def verdicts(results: dict[str, Any]) -> list[Verdict]:
    """Every issue-6 target, judged from the figures of this run."""
    found: list[Verdict] = []
    for size, limit in ((430, LOAD_430_S), (4300, LOAD_4300_S)):
        run = find_run(results, size, "oxigraph")
        target = f"Load {size:,} reports < {limit:.0f} s (Oxigraph)"
        if run is None:
            found.append(Verdict(target, "not measured", "–", _why_missing(results, size)))
        elif run.get("capped"):
            projected = run["projected_load_s"]
            figure = (
                f"projected {projected:.0f} s ({run['reports_per_s']:.2f} reports/s over the first "
                f"{run['attempted']:,} reports, stopped at the {run['load_s']:.0f} s cap)"
            )
            found.append(
                Verdict(
                    target,
                    "met" if projected < limit else "missed",
                    figure,
                    f"{projected / limit:.1f}× the target" if projected >= limit else "",
                )
            )
        else:
            status = "met" if run["load_s"] < limit else "missed"
            gap = f"{run['load_s'] / limit:.1f}× the target" if status == "missed" else ""
            found.append(
                Verdict(target, status, f"{run['load_s']:.1f} s ({run['reports_per_s']:.2f} reports/s)", gap)
            )
    oxigraph_runs = [r for r in load_runs(results) if r.get("backend") == "oxigraph" and "error" not in r]
    if oxigraph_runs:
        worst = max(oxigraph_runs, key=lambda r: r["load_peak_rss_mb"])
        status = "met" if worst["load_peak_rss_mb"] < MEMORY_MB else "missed"
        reports = worst["attempted"]
        found.append(
            Verdict(
                "Load memory < 2 GB (Oxigraph)",
                status,
                f"{worst['load_peak_rss_mb']:,.0f} MB peak loading {reports:,} reports",
                f"{worst['load_peak_rss_mb'] / MEMORY_MB:.2f}× the target" if status == "missed" else "",
            )
        )
    else:
        found.append(Verdict("Load memory < 2 GB (Oxigraph)", "not measured", "–"))
    run = find_run(results, 430, "oxigraph")
    queries = [q for q in (run or {}).get("queries", {}).get("results", [])]
    if queries:
        slow = [q for q in queries if "error" in q or q["p95_ms"] >= QUERY_P95_MS]
        worst = max(queries, key=lambda q: q.get("p95_ms", math.inf))
        figure = f"worst p95 {query_cell(worst)} ({worst['query']}, {worst['variant']}); {len(slow)} of {len(queries)} over"
        note = "; ".join(f"{q['query']} [{q['variant']}]: {query_cell(q)}" for q in slow)
        found.append(
            Verdict(
                "Every named query p95 < 100 ms at 430 (Oxigraph)", "missed" if slow else "met", figure, note
            )
        )
    else:
        found.append(Verdict("Every named query p95 < 100 ms at 430 (Oxigraph)", "not measured", "–"))
    found.extend(_api_verdicts(results.get("api", {})))
    total = results.get("meta", {}).get("total_s")
    if total is not None:
        found.append(
            Verdict("Whole run < 15 min", "met" if total < TOTAL_S else "missed", f"{total / 60:.1f} min")
        )
    return found


def _why_missing(results: dict[str, Any], size: int) -> str:
    for run in load_runs(results):
        if run.get("size") == size and run.get("backend") == "oxigraph" and "error" in run:
            return "the run failed: " + str(run["error"]).splitlines()[-1][:300]
    return "size not run (see the command)"


def _api_verdicts(api: dict[str, Any]) -> list[Verdict]:
    lookup_target = "API lookups at 430: ≥ 400 req/s, p99 < 100 ms, 0 errors (16 clients)"
    ratio_target = "Our /sparql within 1.5× of stock Oxigraph"
    if not api or "error" in api or "skipped" in api:
        reason = api.get("error") or api.get("skipped") or "not run"
        return [
            Verdict(lookup_target, "not measured", "–", str(reason)[:300]),
            Verdict(ratio_target, "not measured", "–", str(reason)[:300]),
        ]
    lookups = [r for r in api.get("results", []) if r["group"] == "lookup"]
    verdicts_: list[Verdict] = []
    if lookups:
        bad = [
            r
            for r in lookups
            if "skipped" in r or r["rps"] < API_RPS or r["p99_ms"] >= API_P99_MS or r["errors"]
        ]
        mix = next((r for r in lookups if r["scenario"] == "lookup mix" and "skipped" not in r), None)
        measured = [r for r in lookups if "skipped" not in r]
        figure = (
            f"mix: {mix['rps']:.0f} req/s, p99 {mix['p99_ms']:.0f} ms, {mix['errors']} errors"
            if mix
            else f"{len(measured)} of {len(lookups)} measured"
            if measured
            else "no lookup answered"
        )
        note = "; ".join(_api_brief(r) for r in bad)
        verdicts_.append(Verdict(lookup_target, "missed" if bad else "met", figure, note))
    pairs = api.get("sparql_ratios", [])
    ratios = [r for r in pairs if "skipped" not in r and not r["errors"] and r["latency_ratio"]]
    excluded = [r for r in pairs if r not in ratios]
    note = "; ".join(
        f"{r['query']}: {r['side']} {r['skipped']}"
        if "skipped" in r
        else f"{r['query']}: {r['errors']} errors"
        for r in excluded
    )
    if ratios:
        overall = _geomean([r["latency_ratio"] for r in ratios])
        worst = max(ratios, key=lambda r: r["latency_ratio"])
        status = "met" if overall <= SPARQL_RATIO else "missed"
        figure = (
            f"geometric mean p50 ratio {overall:.2f}× over the {len(ratios)} of {len(pairs)} comparisons both "
            f"servers answered without errors (worst {worst['query']}: {worst['latency_ratio']:.2f}×)"
        )
        verdicts_.append(Verdict(ratio_target, status, figure, ("not compared: " + note) if note else ""))
    else:
        verdicts_.append(Verdict(ratio_target, "not measured", "no query answered on both servers", note))
    return verdicts_


def _api_brief(r: dict[str, Any]) -> str:
    if "skipped" in r:
        return f"{r['scenario']}: {r['skipped']}"
    return f"{r['scenario']}: {r['rps']:.0f} req/s, p99 {r['p99_ms']:.0f} ms, {r['errors']} errors"


def query_cell(q: dict[str, Any]) -> str:
    if "timeout_s" in q:
        return f"> {q['timeout_s']:.0f} s (timeout)"
    if "error" in q:
        return "error"
    return f"{fmt(q['p95_ms'])} ms"


def _geomean(values: Sequence[float]) -> float:
    values = [v for v in values if v > 0]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else math.nan
