"""Render the results of one benchmark run as ``docs/benchmarks.md``: machine, command, tables, targets."""

from __future__ import annotations

import math
import os
import platform
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import ROOT

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


def machine_info() -> dict[str, str]:
    """What the figures were measured on."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    versions = {}
    for module in ("pyoxigraph", "rdflib", "fastapi", "uvicorn", "networkx"):
        try:
            versions[module] = __import__(module).__version__
        except (ImportError, AttributeError):
            versions[module] = "?"
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "libraries": ", ".join(f"{k} {v}" for k, v in versions.items()),
        "commit": _git("rev-parse", "--short", "HEAD")
        + (" (+ uncommitted changes)" if _git("status", "--porcelain") else ""),
        "load_average_at_start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        return ""


def _num(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, int) or (isinstance(value, float) and value >= 1000):
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def _table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def _load_runs(results: dict[str, Any]) -> list[dict[str, Any]]:
    return list(results.get("load", []))


def _run(results: dict[str, Any], size: int, backend: str) -> dict[str, Any] | None:
    for run in _load_runs(results):
        if run.get("size") == size and run.get("backend") == backend and "error" not in run:
            return run
    return None


def verdicts(results: dict[str, Any]) -> list[Verdict]:
    """Every issue-6 target, judged from the figures of this run."""
    found: list[Verdict] = []
    for size, limit in ((430, LOAD_430_S), (4300, LOAD_4300_S)):
        run = _run(results, size, "oxigraph")
        target = f"Load {size:,} reports < {limit:.0f} s (Oxigraph)"
        if run is None:
            found.append(Verdict(target, "not measured", "–", _why_missing(results, size)))
        elif run.get("capped"):
            projected = run["projected_load_s"]
            figure = (
                f"projected {projected:.0f} s ({run['reports_per_s']:.2f} reports/s over the first "
                f"{run['attempted']:,} reports, stopped at the {run['load_s']:.0f} s cap)"
            )
            found.append(Verdict(target, "met" if projected < limit else "missed", figure,
                                 f"{projected / limit:.1f}× the target" if projected >= limit else ""))  # fmt: skip
        else:
            status = "met" if run["load_s"] < limit else "missed"
            gap = f"{run['load_s'] / limit:.1f}× the target" if status == "missed" else ""
            found.append(
                Verdict(target, status, f"{run['load_s']:.1f} s ({run['reports_per_s']:.2f} reports/s)", gap)
            )
    oxigraph_runs = [r for r in _load_runs(results) if r.get("backend") == "oxigraph" and "error" not in r]
    if oxigraph_runs:
        worst = max(oxigraph_runs, key=lambda r: r["load_peak_rss_mb"])
        status = "met" if worst["load_peak_rss_mb"] < MEMORY_MB else "missed"
        reports = worst["attempted"]
        found.append(Verdict("Load memory < 2 GB (Oxigraph)", status,
                             f"{worst['load_peak_rss_mb']:,.0f} MB peak loading {reports:,} reports",
                             f"{worst['load_peak_rss_mb'] / MEMORY_MB:.2f}× the target" if status == "missed" else ""))  # fmt: skip
    else:
        found.append(Verdict("Load memory < 2 GB (Oxigraph)", "not measured", "–"))
    run = _run(results, 430, "oxigraph")
    queries = [q for q in (run or {}).get("queries", {}).get("results", [])]
    if queries:
        slow = [q for q in queries if "error" in q or q["p95_ms"] >= QUERY_P95_MS]
        worst = max(queries, key=lambda q: q.get("p95_ms", math.inf))
        figure = f"worst p95 {_query_cell(worst)} ({worst['query']}, {worst['variant']}); {len(slow)} of {len(queries)} over"
        note = "; ".join(f"{q['query']} [{q['variant']}]: {_query_cell(q)}" for q in slow)
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
    for run in _load_runs(results):
        if run.get("size") == size and run.get("backend") == "oxigraph" and "error" in run:
            return "the run failed: " + str(run["error"]).splitlines()[-1][:300]
    return "size not run (see the command)"


def _api_verdicts(api: dict[str, Any]) -> list[Verdict]:
    lookup_target = "API lookups at 430: ≥ 400 req/s, p99 < 100 ms, 0 errors (16 clients)"
    ratio_target = "Our /sparql within 1.5× of stock Oxigraph"
    if not api or "error" in api or "skipped" in api:
        reason = api.get("error") or api.get("skipped") or "not run"
        return [Verdict(lookup_target, "not measured", "–", str(reason)[:300]),
                Verdict(ratio_target, "not measured", "–", str(reason)[:300])]  # fmt: skip
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
        figure = (f"mix: {mix['rps']:.0f} req/s, p99 {mix['p99_ms']:.0f} ms, {mix['errors']} errors"
                  if mix else f"{len(measured)} of {len(lookups)} measured" if measured else "no lookup answered")  # fmt: skip
        note = "; ".join(_api_brief(r) for r in bad)
        verdicts_.append(Verdict(lookup_target, "missed" if bad else "met", figure, note))
    ratios = [r for r in api.get("sparql_ratios", []) if "skipped" not in r]
    skipped = [r for r in api.get("sparql_ratios", []) if "skipped" in r]
    if ratios:
        overall = _geomean([r["latency_ratio"] for r in ratios if r["latency_ratio"]])
        worst = max(ratios, key=lambda r: r["latency_ratio"] or 0)
        status = "met" if overall <= SPARQL_RATIO and not any(r["errors"] for r in ratios) else "missed"
        figure = (
            f"geometric mean p50 ratio {overall:.2f}× (worst {worst['query']}: {worst['latency_ratio']:.2f}×)"
        )
        note = "; ".join(f"{r['query']}: {r['side']} {r['skipped']}" for r in skipped)
        verdicts_.append(Verdict(ratio_target, status, figure, note))
    elif skipped:
        note = "; ".join(f"{r['query']}: {r['side']} {r['skipped']}" for r in skipped)
        verdicts_.append(Verdict(ratio_target, "not measured", "no query answered on both servers", note))
    else:
        verdicts_.append(Verdict(ratio_target, "not measured", "–"))
    return verdicts_


def _api_brief(r: dict[str, Any]) -> str:
    if "skipped" in r:
        return f"{r['scenario']}: {r['skipped']}"
    return f"{r['scenario']}: {r['rps']:.0f} req/s, p99 {r['p99_ms']:.0f} ms, {r['errors']} errors"


def _query_cell(q: dict[str, Any]) -> str:
    if "timeout_s" in q:
        return f"> {q['timeout_s']:.0f} s (timeout)"
    if "error" in q:
        return "error"
    return f"{_num(q['p95_ms'])} ms"


def _geomean(values: Sequence[float]) -> float:
    values = [v for v in values if v > 0]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else math.nan


def render(results: dict[str, Any], analysis: str = "") -> str:
    """The whole Markdown page."""
    meta = results.get("meta", {})
    machine = meta.get("machine", {})
    out = [
        "# Benchmarks",
        "",
        "<!-- generated by `python -m bench`; edit bench/report.py, not this file -->",
        "",
        f"Generated by **`{meta.get('command', 'python -m bench')}`** on {meta.get('started', '?')}, "
        f"in {meta.get('total_s', 0) / 60:.1f} min. The corpus is synthetic (`bench/corpus.py` rewrites the two "
        "sample reports for every force and year): **for speed only, never for accuracy claims.** The machine is "
        "shared and noisy, so compare the ratios as much as the absolute figures.",
        "",
        "## Machine",
        "",
        *_table(["", ""], machine.items()),
        "",
        "## Targets (issue 6)",
        "",
        *_table(
            ["target", "status", "figure", "gap / note"],
            ((v.target, _status(v.status), v.figure, v.note) for v in verdicts(results)),
        ),  # fmt: skip
        "",
    ]
    out += _corpus_section(results)
    out += _load_section(results)
    out += _query_section(results)
    out += _view_section(results)
    out += _api_section(results.get("api", {}))
    if analysis:
        out += ["## Analysis: hot spots and suggested fixes", "", analysis.strip(), ""]
    notes = results.get("notes", [])
    if notes:
        out += ["## Notes", "", *(f"- {n}" for n in notes), ""]
    return "\n".join(out) + "\n"


def _status(status: str) -> str:
    return {"met": "✅ met", "missed": "❌ missed"}.get(status, "⚪ " + status)


def _corpus_section(results: dict[str, Any]) -> list[str]:
    rows = [(f"{c['size']:,}", c["forces"], c["years"], _num(c["megabytes"]),
             "cached" if c["generate_s"] < 0.5 else _num(c["generate_s"], 1))
            for c in results.get("corpus", [])]  # fmt: skip
    return ["## Corpus", "", *_table(["reports", "forces", "years", "MB", "generated in (s)"], rows), ""]


def _load_section(results: dict[str, Any]) -> list[str]:
    rows = []
    for run in _load_runs(results):
        if "error" in run:
            rows.append((f"{run['size']:,}", run["backend"], "error", "", "", "", "", "", "",
                         str(run["error"]).splitlines()[-1][:120]))  # fmt: skip
            continue
        outcome = run.get("outcome", {})
        note = f"{outcome.get('failed', 0)} failed" if outcome.get("failed") else ""
        if run.get("capped"):
            note = (
                f"stopped at the cap after {run['attempted']:,} reports; full load projected at "
                f"{_num(run['projected_load_s'], 0)} s. " + note
            )
        rows.append((
            f"{run['size']:,}", run["backend"], _num(run["load_s"]), _num(run.get("load_cpu_s")),
            _num(run["reports_per_s"], 2),
            _num(run["triples_per_s"]), _num(run["quads"]),
            f"{_num(run['load_peak_rss_mb'], 0)} / {_num(run['peak_rss_mb'], 0)}",
            _num(run.get("close_s"), 2), note,
        ))  # fmt: skip
    out = ["## Load (parse + map + store, end to end)", "",
           "One fresh child process per run; peak memory is the child's own peak RSS when the load finished "
           "(`ru_maxrss`), when the load finished / over the whole child (which also exports the store for the API "
           "run). *CPU* is the loading process's CPU time (all its threads): on a busy shared machine "
           "it shows what the wall time would be on an idle one. *close* is the time to flush (the rdflib "
           "store writes its TriG file then).", "",
           *_table(["reports", "backend", "load (s)", "CPU (s)", "reports/s", "triples/s", "quads", "peak RSS load / run (MB)",
                    "close (s)", ""], rows), ""]  # fmt: skip
    ratios = []
    for size in sorted({r["size"] for r in _load_runs(results)}):
        ox, mem = _run(results, size, "oxigraph"), _run(results, size, "memory")
        if ox and mem and mem["reports_per_s"]:
            ratios.append((f"{size:,}", f"{ox['reports_per_s'] / mem['reports_per_s']:.2f}×",
                           f"{mem['load_peak_rss_mb'] / ox['load_peak_rss_mb']:.2f}×"))  # fmt: skip
    if ratios:
        out += ["Oxigraph against rdflib in-memory (above 1: Oxigraph is faster / smaller):", "",
                *_table(["reports", "load speed (reports/s) ratio", "peak memory ratio (rdflib / Oxigraph)"], ratios),
                ""]  # fmt: skip
    return out


def _query_section(results: dict[str, Any]) -> list[str]:
    by_key: dict[tuple[str, str], dict[tuple[int, str], dict[str, Any]]] = {}
    sizes_backends: list[tuple[int, str]] = []
    notes: list[str] = []
    for run in _load_runs(results):
        queries = run.get("queries")
        if not queries:
            continue
        sizes_backends.append((run["size"], run["backend"]))
        notes += queries.get("notes", [])
        for q in queries["results"]:
            by_key.setdefault((q["query"], q["variant"]), {})[(run["size"], run["backend"])] = q
    if not by_key:
        return ["## Named queries", "", "Not measured in this run.", ""]
    header = ["query", "variant", *(f"{s:,} {b} p50/p95 ms" for s, b in sizes_backends)]
    rows = []
    for (name, variant), cells in sorted(by_key.items()):
        row = [name, variant]
        for key in sizes_backends:
            q = cells.get(key)
            row.append(
                "–"
                if q is None
                else _query_cell(q)
                if "error" in q
                else f"{_num(q['p50_ms'])} / {_num(q['p95_ms'])}"
            )
        rows.append(row)
    out = ["## Named queries", "",
           "`Store.query` (evaluation + conversion of the rows to rdflib terms), one warm-up then repeated runs.", "",
           *_table(header, rows), ""]  # fmt: skip
    ratio_rows = []
    for (name, variant), cells in sorted(by_key.items()):
        for size in sorted({s for s, _ in sizes_backends}):
            ox, mem = cells.get((size, "oxigraph")), cells.get((size, "memory"))
            if ox and mem and "error" not in ox and "error" not in mem and ox["p50_ms"] > 0:
                ratio_rows.append((name, variant, f"{size:,}", f"{mem['p50_ms'] / ox['p50_ms']:.1f}×"))
    if ratio_rows:
        out += ["p50 ratio rdflib in-memory / Oxigraph (above 1: Oxigraph is faster):", "",
                *_table(["query", "variant", "reports", "ratio"], ratio_rows), ""]  # fmt: skip
    errors = [(r["size"], r["backend"], q) for r in _load_runs(results)
              for q in r.get("queries", {}).get("results", []) if "error" in q and "timeout_s" not in q]  # fmt: skip
    out += [
        f"- error at {s:,} on {b}: {q['query']} [{q['variant']}]: {q['error'][:200]}" for s, b, q in errors
    ]
    out += [f"- {n}" for n in sorted(set(notes))]
    return out + [""]


def _view_section(results: dict[str, Any]) -> list[str]:
    rows = []
    for run in _load_runs(results):
        views = run.get("views")
        if not views:
            continue
        if "error" in views and "results" not in views:
            rows.append((f"{run['size']:,}", "all", "", "", "", "", "", str(views["error"])[:120]))
            continue
        rows.append((f"{run['size']:,}", "projection", _num(views["graph_nodes"]), _num(views["graph_edges"]),
                     f"{_num(views['construct_s'] * 1000, 0)} / {_num(views['networkx_s'] * 1000, 0)}", "", "",
                     f"peak RSS {_num(views.get('peak_rss_mb'), 0)} MB"))  # fmt: skip
        for v in views["results"]:
            if "error" in v:
                rows.append(
                    (f"{run['size']:,}", f"{v['view']} {v['id'] or ''}", "", "", "", "", "", v["error"][:120])
                )
                continue
            rows.append((f"{run['size']:,}", f"{v['view']} {v['id'] or ''}".strip(), _num(v["nodes"]), _num(v["edges"]),
                         _num(v["build_ms"]), _num(v["render_ms"]), _num(v["html_bytes"] / 1024), ""))  # fmt: skip
        if views.get("stopped_after_s"):
            done = {v["view"] for v in views["results"]}
            missing = [
                k for k in ("force", "system", "unit-type", "ego", "overview", "shared") if k not in done
            ]
            rows.append((f"{run['size']:,}", ", ".join(missing) or "–", "", "", "", "", "",
                         f"not finished: the views run was stopped after {views['stopped_after_s']:.0f} s"))  # fmt: skip
    if not rows:
        return ["## Network views", "", "Not measured in this run.", ""]
    return ["## Network views", "",
            "Projection = store → networkx (CONSTRUCT of every triple, then `graph.network.to_networkx`, once per "
            "size; build column = CONSTRUCT / networkx split in ms); then each view's build and render (p50 of 2), about "
            "the busiest force / system / unit type. Pages link their scripts (served mode), so the size is the "
            "view's own data.", "",
            *_table(["reports", "view", "nodes", "edges", "build (ms)", "render (ms)", "HTML (KiB)", ""], rows), ""]  # fmt: skip


def _api_section(api: dict[str, Any]) -> list[str]:
    if not api:
        return ["## API", "", "Not measured in this run.", ""]
    if "error" in api or "skipped" in api:
        return ["## API", "", f"Not measured: {api.get('error') or api.get('skipped')}", ""]
    cold = api.get("cold_start_s") or []
    sparql_cold = api.get("sparql_cold_start_s") or []
    out = ["## API under load", "",
           f"Cold starts of our server: first lookup (builds the catalogue every lookup uses): "
           f"{', '.join(f'{c:.1f} s' for c in cold) if cold else 'did not finish'}; first `/sparql` query (the "
           f"query workers load an N-Quads snapshot of the store): "
           f"{', '.join(f'{c:.1f} s' for c in sparql_cold) if sparql_cold else 'did not finish'}. Timed "
           "scenarios start warm; a server whose requests timed out is restarted (and warmed) before the next.", "",
           f"{api['reports']:,} reports; load generator in a second process on loopback, {api['concurrency']} "
           f"keep-alive clients in a closed loop, {api['duration_s']:.0f} s per scenario after a warm-up. "
           f"Stock Oxigraph: `oxigraph serve-read-only --union-default-graph` on a bulk load of the same store's "
           f"N-Quads export ({_num(api.get('stock_load_s'), 1)} s to bulk-load).", ""]  # fmt: skip
    rows = [(r["scenario"], r["group"], "skipped", "", "", "", r["skipped"]) if "skipped" in r else
            (r["scenario"], r["group"], _num(r["rps"]), _num(r["p50_ms"]), _num(r["p99_ms"]),
             _errors(r), _num(r["mean_body_bytes"] / 1024, 1)) for r in api.get("results", [])]  # fmt: skip
    out += _table(["scenario", "server", "req/s", "p50 ms", "p99 ms", "errors", "KiB/answer"], rows) + [""]
    ratios = [r for r in api.get("sparql_ratios", []) if "skipped" not in r]
    if ratios:
        out += ["Our `/sparql` vs stock Oxigraph on the same queries (ratio above 1: ours is slower):", "",
                *_table(["query", "ours p50 ms", "stock p50 ms", "p50 ratio", "ours req/s", "stock req/s", "throughput ratio"],
                        ((r["query"], _num(r["ours_p50_ms"]), _num(r["stock_p50_ms"]), f"{r['latency_ratio']:.2f}×",
                          _num(r["ours_rps"]), _num(r["stock_rps"]), f"{r['throughput_ratio']:.2f}×") for r in ratios)),
                ""]  # fmt: skip
    out += [f"- {n}" for n in api.get("notes", [])]
    return out + [""]


def _errors(r: dict[str, Any]) -> str:
    kinds = r.get("error_kinds") or {}
    return str(r["errors"]) + (f" ({', '.join(f'{k}: {v}' for k, v in kinds.items())})" if kinds else "")


def write(results: dict[str, Any], path: Path, analysis: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(results, analysis), encoding="utf-8")
