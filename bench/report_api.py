"""The API and scaling sections of ``docs/benchmarks.md`` (:mod:`bench.report` renders the rest)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from bench.targets import fmt


def table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def api_section(api: dict[str, Any]) -> list[str]:
    if not api:
        return ["## API", "", "Not measured in this run.", ""]
    if "error" in api or "skipped" in api:
        return ["## API", "", f"Not measured: {api.get('error') or api.get('skipped')}", ""]
    cold = api.get("cold_start_s") or []
    sparql_cold = api.get("sparql_cold_start_s") or []
    out = [
        "## API under load",
        "",
        f"Cold starts of our server: first lookup (builds the catalogue every lookup uses): "
        f"{', '.join(f'{c:.1f} s' for c in cold) if cold else 'did not finish'}; first `/sparql` query (the "
        f"query workers open a checkpoint of the store): "
        f"{', '.join(f'{c:.1f} s' for c in sparql_cold) if sparql_cold else 'did not finish'}. Timed "
        "scenarios start warm; a server whose requests timed out is restarted (and warmed) before the next.",
        "",
        f"{api['reports']:,} reports; load generator in a second process on loopback, {api['concurrency']} "
        f"keep-alive clients in a closed loop, {api['duration_s']:.0f} s per scenario after a warm-up. "
        f"Stock Oxigraph: `oxigraph serve-read-only` on a bulk load of the same store's "
        f"N-Quads export ({fmt(api.get('stock_load_s'), 1)} s to bulk-load).",
        "",
    ]
    rows = [
        (r["scenario"], r["group"], "skipped", "", "", "", r["skipped"])
        if "skipped" in r
        else (
            r["scenario"],
            r["group"],
            fmt(r["rps"]),
            fmt(r["p50_ms"]),
            fmt(r["p99_ms"]),
            _errors(r),
            fmt(r["mean_body_bytes"] / 1024, 1),
        )
        for r in api.get("results", [])
    ]
    out += table(["scenario", "server", "req/s", "p50 ms", "p99 ms", "errors", "KiB/answer"], rows) + [""]
    ratios = [r for r in api.get("sparql_ratios", []) if "skipped" not in r]
    if ratios:
        out += [
            "Our `/sparql` vs stock Oxigraph on the same queries (ratio above 1: ours is slower):",
            "",
            *table(
                [
                    "query",
                    "ours p50 ms",
                    "stock p50 ms",
                    "p50 ratio",
                    "ours req/s",
                    "stock req/s",
                    "throughput ratio",
                ],
                (
                    (
                        r["query"],
                        fmt(r["ours_p50_ms"]),
                        fmt(r["stock_p50_ms"]),
                        f"{r['latency_ratio']:.2f}×",
                        fmt(r["ours_rps"]),
                        fmt(r["stock_rps"]),
                        f"{r['throughput_ratio']:.2f}×",
                    )
                    for r in ratios
                ),
            ),
            "",
        ]
    out += [f"- {n}" for n in api.get("notes", [])]
    return out + [""]


def _errors(r: dict[str, Any]) -> str:
    kinds = r.get("error_kinds") or {}
    return str(r["errors"]) + (f" ({', '.join(f'{k}: {v}' for k, v in kinds.items())})" if kinds else "")


def cores_section(cores: dict[str, Any]) -> list[str]:
    """Load and lookup throughput on one CPU and on two (``bench.bench_cores``)."""
    if not cores:
        return ["## Scaling with cores", "", "Not measured in this run.", ""]
    out = [
        "## Scaling with cores",
        "",
        "The same work pinned with `taskset -c 0` and then `taskset -c 0,1` (issue 13: at least 1.7× from one "
        "CPU to two). Load: a fresh Oxigraph store, `load_paths` with its defaults (readers and writers "
        "follow the CPUs it may use). Lookups: `hmic-kg serve` with its default `--workers` (one per CPU it "
        "may use), every worker warmed, then the lookup mix with 16 clients; the load generator is not "
        "pinned, so on a two-CPU machine it competes with the server in both runs.",
        "",
    ]
    load, api = cores.get("load") or {}, cores.get("api") or {}
    rows = []
    for name, part, unit in (("load", load, "reports_per_s"), ("lookup mix", api, "rps")):
        for run in part.get("runs", []):
            if "skipped" in run or "error" in run:
                rows.append((name, run["cpus"], "–", "–", "–", run.get("skipped") or run.get("error")))
                continue
            extra = (
                f"{run['load_s']:.1f} s for {run.get('attempted', '?')} reports"
                if unit == "reports_per_s"
                else f"p50 {fmt(run['p50_ms'])} ms, p99 {fmt(run['p99_ms'])} ms, {run['errors']} errors"
            )
            rows.append(
                (name, run["cpus"], fmt(run[unit], 2), "reports/s" if unit != "rps" else "req/s", "", extra)
            )
        if part.get("ratio"):
            rows.append((name, "ratio", f"{part['ratio']:.2f}×", "", "", ""))
    out += table(["work", "CPUs", "throughput", "unit", "", "detail"], rows) + [""]
    return out
