"""Issue 13's "Done when", judged from one benchmark run, side by side with the figures the issue recorded.

Each row: the target, the issue's recorded figure (before issue 13), this run's figure, met / missed /
not measured / reported (a figure the issue asks to see but sets no limit on), and a note.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bench.lookups import PYTHON_CLIENT
from bench.report_api import client_place

#: the lookup mix's req/s before issue 13 (docs/benchmarks.md of 2026-11-23: 430 reports, 16 clients,
#: one server process, the Python load generator)
BASELINE_MIX_RPS = 321.0
MIX_GAIN = 1.5
P99_MS = 100.0
FIRST_ANSWER_S = 5.0
SNAPSHOT_BUILD_S = 5.0
SPARQL_RATIO = 1.5
CORE_SCALING = 1.7
PYTHON_MIX = "lookup mix (bench.loadgen)"

#: what the issue recorded (430 reports; the 16-core figures are from a run on a 16-core machine)
RECORDED = {
    "help": "13 req/s, p99 2.9 s",
    "detail": "p99 1.4 s",
    "every": "worst p99 2.9 s (/forces/{id}/help)",
    "mix": f"{BASELINE_MIX_RPS:.0f} req/s (one process)",
    "first": "24 s (catalogue built on the first lookup)",
    "snapshot": "25 s (catalogue build, single-threaded)",
    "sparql": "7.3× fewer req/s than stock (34 vs 247 on 16 cores; p50 481 vs 67 ms)",
    "load": "--jobs 16 only 2.1× --jobs 1 (one writer thread)",
    "api": "one process (the GIL): 16 cores served about as much as 2",
}


@dataclass(frozen=True)
class Row:
    """One line of the issue-13 table."""

    target: str
    recorded: str
    today: str
    status: str  # "met" | "missed" | "not measured" | "reported"
    note: str = ""


def ratio(after: float | None, before: float | None) -> float | None:
    """``after / before``, or None when either is missing or ``before`` is zero."""
    if not after or not before or math.isnan(after) or math.isnan(before):
        return None
    return after / before


def geomean(values: Sequence[float]) -> float | None:
    """The geometric mean of the positive ``values`` (None for none)."""
    kept = [v for v in values if v and v > 0]
    return math.exp(sum(math.log(v) for v in kept) / len(kept)) if kept else None


def projected_ratio(runs: list[dict[str, Any]]) -> float | None:
    """The throughput ratio if each run had kept all its CPUs busy: CPUs over CPU-ms per request, last
    run to first (on a shared machine a run gets less than its CPUs; the cost per request is its own)."""
    measured = [r for r in runs if r.get("server_cpu_ms_per_request")]
    if len(measured) < 2 or len(measured) != len(runs):
        return None
    first, last = measured[0], measured[-1]
    cpus = len(last["cpus"].split(",")) / len(first["cpus"].split(","))
    return cpus * first["server_cpu_ms_per_request"] / last["server_cpu_ms_per_request"]


def _judge(ok: bool) -> str:
    return "met" if ok else "missed"


def _lookups(api: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in api.get("results", []) if r.get("group") == "lookup"]


def _brief(r: dict[str, Any]) -> str:
    if "skipped" in r:
        return f"{r['scenario']}: {r['skipped']}"
    return f"{r['rps']:.0f} req/s, p99 {r['p99_ms']:.0f} ms" + (
        f", {r['errors']} errors" if r["errors"] else ""
    )


def _why_not(api: dict[str, Any]) -> str:
    return str(api.get("error") or api.get("skipped") or "the API was not measured in this run")[:300]


def lookup_rows(api: dict[str, Any]) -> list[Row]:
    """p99 of /help, of force detail and of every lookup; the mix against the baseline."""
    lookups = _lookups(api)
    main = [r for r in lookups if r["scenario"] != PYTHON_MIX]
    client = next((r.get("client") for r in main if r.get("client")), PYTHON_CLIENT)
    setup = f"16 clients, `--workers {api.get('workers', 2)}`, saved read model, {client}"
    rows = []
    for key, name in (("help", "/forces/{force}/help"), ("detail", "/forces/{force}")):
        target = f"`{name.replace('{force}', '{id}')}` p99 < {P99_MS:.0f} ms ({setup})"
        found = next((r for r in main if r["scenario"] == name), None)
        if found is None or "skipped" in found:
            why = found["skipped"] if found else _why_not(api) if not lookups else "not run"
            rows.append(Row(target, RECORDED[key], "–", "not measured", why))
        else:
            rows.append(Row(target, RECORDED[key], _brief(found), _judge(found["p99_ms"] < P99_MS)))
    target = f"Every lookup p99 < {P99_MS:.0f} ms ({setup})"
    measured = [r for r in main if "skipped" not in r]
    if measured:
        slow = [r for r in main if "skipped" in r or r["p99_ms"] >= P99_MS]
        worst = max(measured, key=lambda r: r["p99_ms"])
        today = f"worst {worst['scenario']}: p99 {worst['p99_ms']:.0f} ms; {len(slow)} of {len(main)} over"
        note = "; ".join(f"{r['scenario']}: {_brief(r)}" for r in slow)
        python_mix = next((r for r in lookups if r["scenario"] == PYTHON_MIX and "skipped" not in r), None)
        if python_mix:
            note += ("; " if note else "") + (
                f"the Python client's mix (it shares the CPUs): p99 {python_mix['p99_ms']:.0f} ms"
            )
        rows.append(Row(target, RECORDED["every"], today, _judge(not slow), note))
    else:
        rows.append(Row(target, RECORDED["every"], "–", "not measured", _why_not(api)))
    rows.append(mix_row(lookups, api))
    return rows


def mix_row(lookups: list[dict[str, Any]], api: dict[str, Any]) -> Row:
    """The lookup mix against :data:`BASELINE_MIX_RPS`, judged with the baseline's own client."""
    target = f"Lookup mix ≥ {MIX_GAIN}× {BASELINE_MIX_RPS:.0f} req/s (`--workers {api.get('workers', 2)}`)"
    mixes = {r["scenario"]: r for r in lookups if r["scenario"] in ("lookup mix", PYTHON_MIX)}
    mixes = {k: v for k, v in mixes.items() if "skipped" not in v}
    plain = mixes.get("lookup mix")
    same_client = mixes.get(PYTHON_MIX) or (
        plain if plain is not None and plain.get("client", PYTHON_CLIENT) == PYTHON_CLIENT else None
    )
    other = mixes.get("lookup mix") if mixes.get("lookup mix") is not same_client else None
    if same_client is None and other is None:
        return Row(target, RECORDED["mix"], "–", "not measured", _why_not(api))
    judged = same_client or other
    gain = judged["rps"] / BASELINE_MIX_RPS
    client = judged.get("client", PYTHON_CLIENT)
    today = f"{judged['rps']:.0f} req/s = {gain:.2f}× ({client})"
    note = "judged with the baseline's own client (the Python load generator, sharing the CPUs)"
    if other is not None and same_client is not None:
        today += (
            f"; {other['rps']:.0f} req/s = {other['rps'] / BASELINE_MIX_RPS:.2f}× ({other.get('client')})"
        )
    elif same_client is None:
        note = f"the baseline's client was not run: judged with {client}"
    return Row(target, RECORDED["mix"], today, _judge(gain >= MIX_GAIN), note)


def start_rows(start: dict[str, Any], snapshot: dict[str, Any]) -> list[Row]:
    """First answers after a start (with the saved read model: judged; without: reported) and the build."""
    rows = []
    for key, saved, status_of in (
        ("with_saved", "saved read model", _judge),
        ("without_saved", "none saved", None),
    ):
        run = start.get(key) or {}
        target = f"First answer after start < {FIRST_ANSWER_S:.0f} s ({saved}, `--workers {start.get('workers', 2)}`)"
        if status_of is None:
            target = "First answer after start, without the saved read model (`serve` builds it)"
        if "forces_s" not in run:
            why = run.get("error") or start.get("skipped") or start.get("error") or "not run"
            rows.append(Row(target, RECORDED["first"], "–", "not measured", str(why)[:300]))
            continue
        help_s = run.get("help_s")
        today = f"/forces {run['forces_s']:.1f} s, /forces/{{id}}/help " + (
            f"{help_s:.1f} s" if help_s is not None else "no answer"
        )
        note = f"server listening after {run['listening_s']:.1f} s" + (
            f"; {run['error']}" if "error" in run else ""
        )
        status = "reported"
        if status_of is not None:
            status = status_of(
                run["forces_s"] < FIRST_ANSWER_S and help_s is not None and help_s < FIRST_ANSWER_S
            )
        rows.append(Row(target, RECORDED["first"], today, status, note))
    target = f"Read model (snapshot) build at 430 reports < {SNAPSHOT_BUILD_S:.0f} s"
    if "build_s" in snapshot:
        # judged on the rebuild after one report changed (the per-report rows of the others kept), the
        # build a load triggers; the build from scratch (first start, nothing kept) is shown beside it
        build_s = snapshot.get("rebuild_s", snapshot["build_s"])
        today = f"{snapshot['build_s']:.1f} s ({snapshot['build_cpu_s']:.1f} s CPU)"
        stages = snapshot.get("stages", [])
        if "rebuild_s" in snapshot:
            target = (
                "Read model (snapshot) rebuild after one report changed, at 430 reports "
                f"< {SNAPSHOT_BUILD_S:.0f} s"
            )
            today = (
                f"rebuild {snapshot['rebuild_s']:.1f} s ({snapshot['rebuild_cpu_s']:.1f} s CPU); "
                f"from scratch {today}"
            )
            stages = snapshot.get("rebuild_stages", stages)
        note = ", ".join(
            f"{s['stage']} {s['wall_s']:.1f} s" for s in sorted(stages, key=lambda s: -s["wall_s"])[:3]
        )
        if snapshot.get("same") is False:
            note = "the rebuild differs from the build from scratch; " + note
        if "index_s" in snapshot:
            note += (
                f"; then the matching index {snapshot['index_s']:.1f} s, saving {snapshot['save_s']:.1f} s"
            )
        reports = snapshot.get("reports")
        if reports is not None and reports != 430:
            target = target.replace("430", f"{reports:,}")
        met = build_s < SNAPSHOT_BUILD_S and snapshot.get("same") is not False
        rows.append(Row(target, RECORDED["snapshot"], today, _judge(met), note))
    else:
        rows.append(
            Row(
                target, RECORDED["snapshot"], "–", "not measured", str(snapshot.get("error", "not run"))[:300]
            )
        )
    return rows


def sparql_row(api: dict[str, Any]) -> Row:
    """Our /sparql against stock ``oxigraph serve-read-only`` on the same data: mean and worst ratios."""
    target = f"`/sparql` within {SPARQL_RATIO}× of stock Oxigraph (same store)"
    pairs = api.get("sparql_ratios", [])
    ok = [r for r in pairs if "skipped" not in r and not r["errors"] and r.get("latency_ratio")]
    if not ok:
        return Row(
            target,
            RECORDED["sparql"],
            "–",
            "not measured",
            _why_not(api) if not pairs else "no query answered on both",
        )
    latency = geomean([r["latency_ratio"] for r in ok]) or math.nan
    throughput = geomean([r["throughput_ratio"] for r in ok if r.get("throughput_ratio")]) or math.nan
    worst = max(ok, key=lambda r: r["latency_ratio"])
    worst_t = max(ok, key=lambda r: r.get("throughput_ratio") or 0)
    today = (
        f"p50 {latency:.2f}× (worst {worst['query']} {worst['latency_ratio']:.2f}×); req/s {throughput:.2f}× fewer "
        f"(worst {worst_t['query']} {worst_t['throughput_ratio']:.2f}×)"
    )
    note = (
        f"geometric means over {len(ok)} of {len(pairs)} comparisons (16 clients and 1); above 1: ours slower"
    )
    left = [r for r in pairs if r not in ok]
    if left:
        note += "; not compared: " + "; ".join(
            f"{r['query']} ({r['side']}: {r['skipped']})"
            if "skipped" in r
            else f"{r['query']} ({r['errors']} errors)"
            for r in left
        )
    return Row(target, RECORDED["sparql"], today, _judge(max(latency, throughput) <= SPARQL_RATIO), note)


def core_rows(cores: dict[str, Any]) -> list[Row]:
    """Load and lookup-mix throughput from one CPU to two (``taskset``)."""
    rows = []
    for key, name, unit in (("load", "Load", "reports/s"), ("api", "Lookup mix (API)", "req/s")):
        part = cores.get(key) or {}
        target = f"{name} throughput 1 → 2 CPUs (taskset) ≥ {CORE_SCALING}×"
        runs = [r for r in part.get("runs", []) if "skipped" not in r and "error" not in r]
        field = "reports_per_s" if key == "load" else "rps"
        if part.get("ratio") and len(runs) >= 2:
            today = f"{runs[0][field]:.1f} → {runs[-1][field]:.1f} {unit} = {part['ratio']:.2f}×"
            note = ""
            if key == "api":
                cpu = [r.get("server_cpu_ms_per_request") for r in runs]
                if all(cpu):
                    today += f"; server {cpu[0]:.2f} → {cpu[-1]:.2f} CPU-ms/request"
                note = f"client {part.get('client', '?')} " + client_place(part.get("client_cpu"))
                busy = [r.get("server_cpus_busy") for r in runs]
                if all(busy):
                    note += f"; server kept {busy[0]:.2f} → {busy[-1]:.2f} CPUs busy"
                projected = part.get("projected_ratio") or projected_ratio(part.get("runs", []))
                if projected:
                    note += (
                        f"; {projected:.2f}× if each run had kept all its CPUs busy "
                        "(CPUs over CPU-ms/request)"
                    )
            rows.append(Row(target, RECORDED[key], today, _judge(part["ratio"] >= CORE_SCALING), note))
        else:
            why = part.get("error") or "; ".join(
                str(r.get("skipped") or r.get("error")) for r in part.get("runs", [])
            )
            rows.append(Row(target, RECORDED[key], "–", "not measured", str(why or "not run")[:300]))
    return rows


def code_rows(quality: dict[str, Any]) -> list[Row]:
    """Module sizes and ``duplicates`` pairs in api/ and graph/."""
    rows = []
    modules = quality.get("modules") or {}
    target = "No module over 400 lines"
    if modules:
        over = modules.get("over", [])
        largest = modules["largest"]
        today = f"largest {largest['path']} ({largest['lines']} lines); {len(over)} over"
        note = ", ".join(f"{m['path']} ({m['lines']})" for m in over)
        rows.append(Row(target.replace("400", str(modules["limit"])), "–", today, _judge(not over), note))
    else:
        rows.append(Row(target, "–", "–", "not measured"))
    dup = quality.get("duplicates") or {}
    target = "`duplicates`: no pair inside api/ or graph/"
    if "inside" in dup:
        today = f"{len(dup['inside'])} inside, {len(dup['between'])} between api/ and graph/"
        note = "; ".join(dup["inside"] + [f"between: {d}" for d in dup["between"]] + dup.get("caveats", []))
        rows.append(Row(target, "–", today, _judge(not dup["inside"]), note))
    else:
        rows.append(Row(target, "–", "–", "not measured", str(dup.get("skipped", "not run"))))
    return rows


def issue13_rows(results: dict[str, Any]) -> list[Row]:
    """Every row of the issue-13 table, from the results of one run."""
    api = results.get("api") or {}
    return [
        *lookup_rows(api),
        *start_rows(results.get("start") or {}, results.get("snapshot") or {}),
        sparql_row(api),
        *core_rows(results.get("cores") or {}),
        *code_rows(results.get("quality") or {}),
    ]
