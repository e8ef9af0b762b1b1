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
        f"Cold starts of our server, from when it first answered: first lookup (each worker reads the saved "
        f"read model, or builds it): "
        f"{', '.join(f'{c:.1f} s' for c in cold) if cold else 'did not finish'}; first `/sparql` queries (the "
        f"query workers opened a checkpoint of the store when the server started): "
        f"{', '.join(f'{c:.1f} s' for c in sparql_cold) if sparql_cold else 'did not finish'}. Timed "
        "scenarios start warm (both SPARQL servers get the same warm-up queries, then are left to go idle); a "
        "server whose requests timed out is restarted (and warmed) before the next.",
        "",
        f"{api['reports']:,} reports, `hmic-kg serve --workers {api.get('workers', '?')}` with the saved read "
        f"model; load generator in a second process on loopback (lookups: `{api.get('lookup_client', 'bench.loadgen')}`; "
        f"`/sparql`: `bench.loadgen`), {api['concurrency']} "
        f"keep-alive clients in a closed loop, {api['duration_s']:.0f} s per scenario after a warm-up. "
        f"Stock Oxigraph: `oxigraph serve-read-only` on a bulk load of the same store's "
        f"N-Quads export ({fmt(api.get('stock_load_s'), 1)} s to bulk-load).",
        "",
    ]
    rows = [
        (r["scenario"], r["group"], r.get("client", ""), "skipped", "", "", "", r["skipped"])
        if "skipped" in r
        else (
            r["scenario"],
            r["group"],
            r.get("client", "bench.loadgen"),
            fmt(r["rps"]),
            fmt(r["p50_ms"]),
            fmt(r["p99_ms"]),
            _errors(r),
            fmt(r["mean_body_bytes"] / 1024, 1),
        )
        for r in api.get("results", [])
    ]
    header = ["scenario", "server", "client", "req/s", "p50 ms", "p99 ms", "errors", "KiB/answer"]
    out += table(header, rows) + [""]
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


def client_place(client_cpu: str | None) -> str:
    """Where ``bench.bench_cores`` ran the load generator, in words."""
    if client_cpu == "same":
        return "pinned to the server's CPUs in each run (two CPUs: none left for it; both runs share alike)"
    if client_cpu:
        return f"on CPU {client_cpu} of its own"
    return "not pinned (it shares the CPUs with the server's two-CPU run)"


def cores_section(cores: dict[str, Any]) -> list[str]:
    """Load and lookup throughput on one CPU and on two (``bench.bench_cores``)."""
    if not cores:
        return ["## Scaling with cores", "", "Not measured in this run.", ""]
    load, api = cores.get("load") or {}, cores.get("api") or {}
    client = api.get("client", "bench.loadgen")
    where = client_place(api.get("client_cpu"))
    out = [
        "## Scaling with cores",
        "",
        "The same work pinned with `taskset` to one CPU and then two (issue 13: at least 1.7× from one "
        "CPU to two). Load: a fresh Oxigraph store, `load_paths` with its defaults (readers and writers "
        "follow the CPUs it may use). Lookups: `hmic-kg serve` with its default `--workers` (one per CPU it "
        "may use), every worker warmed, then the lookup mix with 16 clients, "
        f"{api.get('repeats', 1)} run(s) of {fmt(api.get('duration_s'), 0)} s (the median kept); "
        f"client `{client}`, {where}. *Server CPU-ms/request* is the server's CPU time (all its processes) "
        "over the requests answered: equal on one CPU and two means a request costs no more with two "
        "workers, so throughput grows with the CPUs the server gets; *busy CPUs* is how many it kept busy.",
        "",
    ]
    rows = []
    for name, part, unit in (("load", load, "reports_per_s"), ("lookup mix", api, "rps")):
        for run in part.get("runs", []):
            if "skipped" in run or "error" in run:
                rows.append((name, run["cpus"], "–", "–", "–", "–", run.get("skipped") or run.get("error")))
                continue
            if unit == "reports_per_s":
                extra = f"{run['load_s']:.1f} s for {run.get('attempted', '?')} reports"
                rows.append((name, run["cpus"], "", f"{fmt(run[unit], 2)} reports/s", "", "", extra))
                continue
            extra = (
                f"p50 {fmt(run['p50_ms'])} ms, p99 {fmt(run['p99_ms'])} ms, {run['errors']} errors; runs "
                + ", ".join(fmt(r, 0) for r in run.get("all_rps", []))
                + " req/s"
                + (
                    f"; client {fmt(run['client_cpu_s'], 2)} CPU-s"
                    if run.get("client_cpu_s") is not None
                    else ""
                )
            )
            rows.append(
                (
                    name,
                    run["cpus"],
                    run.get("workers", ""),
                    f"{fmt(run[unit], 1)} req/s",
                    fmt(run.get("server_cpu_ms_per_request"), 2),
                    fmt(run.get("server_cpus_busy"), 2),
                    extra,
                )
            )
        if part.get("ratio"):
            extra = (
                f"CPU-ms/request ratio {part['cpu_per_request_ratio']:.2f}×"
                if part.get("cpu_per_request_ratio")
                else ""
            )
            if part.get("projected_ratio"):
                extra += f"; {part['projected_ratio']:.2f}× if each run had kept all its CPUs busy"
            rows.append((name, "ratio", "", f"{part['ratio']:.2f}×", "", "", extra))
    header = ["work", "CPUs", "workers", "throughput", "server CPU-ms/request", "busy CPUs", "detail"]
    return out + table(header, rows) + [""]


def start_section(start: dict[str, Any], snapshot: dict[str, Any]) -> list[str]:
    """The read model's build and the first answers after a start (``bench.snapshot_time``,
    ``bench.bench_start``)."""
    if not start and not snapshot:
        return []
    out = ["## Read model and start", ""]
    if "build_s" in snapshot:
        out += [
            f"Read model of {snapshot.get('reports', '?')} reports ({snapshot['forces']} forces, "
            f"{snapshot['findings']:,} findings) built in {snapshot['build_s']:.1f} s "
            f"({snapshot['build_cpu_s']:.1f} s CPU) in a child process, then its matching index in "
            f"{fmt(snapshot.get('index_s'), 1)} s; both saved next to the store in {fmt(snapshot.get('save_s'), 1)} s "
            "(what `hmic-kg load` does after a load). The API runs serve that saved read model.",
            "",
            *(
                [
                    f"Rebuilt after one report changed (its kept per-report rows removed, the other reports' "
                    f"read from `snapshot-rows/`): {snapshot['rebuild_s']:.1f} s ({snapshot['rebuild_cpu_s']:.1f} s "
                    f"CPU), {'the same snapshot as from scratch' if snapshot.get('same') else 'NOT the same snapshot'}.",
                    "",
                ]
                if "rebuild_s" in snapshot
                else []
            ),
            *table(
                ["stage", "wall (s)", "CPU (s)"],
                ((s["stage"], fmt(s["wall_s"], 2), fmt(s["cpu_s"], 2)) for s in snapshot.get("stages", [])),
            ),
            "",
        ]
    elif snapshot:
        out += [f"Read model build failed: {snapshot.get('error')}", ""]
    if start:
        out += [
            f"Seconds from starting `hmic-kg serve --workers {start.get('workers', 2)}` to its first 200 for "
            "`/forces`, then for the first listed force's `/forces/{id}/help`:",
            "",
        ]
        rows = []
        for key, label in (
            ("with_saved", "saved read model"),
            ("without_saved", "none saved (built on start)"),
        ):
            run = start.get(key) or {}
            rows.append(
                (
                    label,
                    fmt(run.get("listening_s"), 1),
                    fmt(run.get("forces_s"), 1),
                    fmt(run.get("help_s"), 1),
                    run.get("error", ""),
                )
            )
        out += table(["start", "listening (s)", "/forces (s)", "/forces/{id}/help (s)", "note"], rows) + [""]
    return out
