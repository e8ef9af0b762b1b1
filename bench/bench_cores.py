"""Scaling with cores: load and lookup throughput on one CPU and on two (``taskset``), in one run.

Load: the first :data:`LOAD_REPORTS` reports of the corpus into a fresh Oxigraph store by
``graph.loading.load_paths`` in a child process pinned with ``taskset -c 0`` and then ``-c 0,1``; the
loader's defaults follow the CPUs it may use (one reader and one writer on one CPU; two of each on two).
API: ``hmic-kg serve`` on the loaded store, pinned the same way, with its default ``--workers`` (one per
CPU it may use: ``api.settings.available_cpus`` reads the affinity mask), warmed up (every worker's first
lookup builds its caches), then the lookup mix with 16 clients from ``wrk`` (:mod:`bench.wrk`; the
Python :mod:`bench.loadgen` when wrk is not installed). With three CPUs or more the client runs on a CPU
of its own (:func:`placement`); on two it is pinned to the server's CPUs in both runs, so each run's
CPUs carry the client too, alike. The server's CPU seconds per request are reported as well: the cost of
a request with one worker and with two.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench import wrk
from bench.bench_load import LoadJob, corpus_files
from bench.bench_load import run as run_load
from bench.targets13 import projected_ratio

CPU_SETS = ("0", "0,1")
LOAD_REPORTS = 32  # enough for a steady rate past the first reports; --quick: half
WARM_ROUNDS = 12
WARM_ROUND_OK_S = 1.0
WARM_CLIENTS = 8
WARM_TIMEOUT_S = 600.0  # the first lookups build every worker's caches


def cpu_sets() -> tuple[str, ...]:
    """The CPU sets to compare (only the first when fewer than two CPUs are available)."""
    available = sorted(os.sched_getaffinity(0))
    if len(available) < 2:
        return (str(available[0]),)
    return (str(available[0]), f"{available[0]},{available[1]}")


def taskset(cpus: str) -> tuple[str, ...]:
    return ("taskset", "-c", cpus)


def _subset(corpus_dir: Path, reports: int, work_dir: Path) -> Path:
    """A corpus of the first ``reports`` files of ``corpus_dir`` (links; its own manifest)."""
    files = corpus_files(corpus_dir)[:reports]
    subset = work_dir / f"corpus-cores-{len(files)}"
    subset.mkdir(parents=True, exist_ok=True)
    for path in files:
        link = subset / path.name
        if not link.exists():
            link.symlink_to(path.resolve())
    manifest = {"files": [p.name for p in files]}
    (subset / "MANIFEST.json").write_text(json.dumps(manifest), encoding="utf-8")
    return subset


def load_scaling(corpus_dir: Path, work_dir: Path, reports: int = LOAD_REPORTS) -> dict[str, Any]:
    """Reports/s loading the same reports on each CPU set; the ratio of the last to the first."""
    subset = _subset(corpus_dir, reports, work_dir)
    reports = len(corpus_files(subset))
    runs = []
    for cpus in cpu_sets():
        job = LoadJob(subset, "oxigraph", work_dir / "stores" / f"cores-load-{cpus.replace(',', '-')}")
        _log(f"load {reports} reports on CPUs {cpus} …")
        run = run_load(job, timeout_s=1800, prefix=taskset(cpus))
        keep = ("reports_per_s", "load_s", "load_cpu_s", "child_cpu_s", "attempted", "quads", "error")
        runs.append({"cpus": cpus, **{k: run[k] for k in keep if k in run}})
        _log(f"  {_brief(runs[-1])}")
    return {"reports": reports, "runs": runs, "ratio": _ratio(runs, "reports_per_s")}


def warm_every_worker(
    base: str, timeout_s: float, paths: Sequence[str] = ()
) -> tuple[float | None, str | None]:
    """Concurrent requests for each of ``paths`` (default: the first lookup) until a round is fast:
    every worker has built the caches those lookups need. The time of the first answer, or why none
    came."""
    from bench.lookups import WARM_UP_PATH

    def get(path: str) -> float:
        started = time.perf_counter()
        with urllib.request.urlopen(f"{base}{path}", timeout=timeout_s) as response:
            response.read()
        return time.perf_counter() - started

    first = None
    for _ in range(WARM_ROUNDS):
        try:
            with ThreadPoolExecutor(WARM_CLIENTS) as pool:
                times = list(
                    pool.map(get, [p for p in (paths or [WARM_UP_PATH]) for _ in range(WARM_CLIENTS)])
                )
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            return None, f"the first lookups failed: {exc}"
        first = min(times) if first is None else first
        if max(times) < WARM_ROUND_OK_S:
            break
    return first, None


def wait_until_idle(pid: int, timeout_s: float = 180.0, idle_percent: float = 10.0) -> bool:
    """Wait until the process ``pid`` and its descendants use under ``idle_percent`` of one CPU for two
    half-second windows in a row (a server warming its caches in the background is not measured warm);
    False after ``timeout_s``."""
    import psutil

    deadline, quiet = time.monotonic() + timeout_s, 0
    while time.monotonic() < deadline and quiet < 2:
        try:
            root = psutil.Process(pid)
            tree = [root, *root.children(recursive=True)]
            before = sum(p.cpu_times().user + p.cpu_times().system for p in tree)
            time.sleep(0.5)
            after = sum(p.cpu_times().user + p.cpu_times().system for p in tree if p.is_running())
        except psutil.Error:
            return False
        quiet = quiet + 1 if (after - before) / 0.5 * 100 < idle_percent else 0
    return quiet >= 2


#: the load generator's placement when no CPU is left for it: the CPUs of the server it measures
SAME_CPUS = "same"


def placement(available: Sequence[int]) -> tuple[tuple[str, ...], str | None]:
    """The server's CPU sets (one CPU, then two) and the load generator's CPU.

    With three CPUs or more the load generator gets the last one to itself and the server the first
    one or two of the others, so neither run shares its CPUs with the client. With two there is no CPU
    left for it: it is pinned to the server's CPUs in each run (:data:`SAME_CPUS`), so both runs share
    theirs with it alike. Left unpinned, it would take the idle second CPU in the one-CPU run and share
    the CPUs of the two-CPU run only, which makes one CPU look better than it is."""
    cpus = sorted(available)
    if len(cpus) >= 3:
        return (str(cpus[0]), f"{cpus[0]},{cpus[1]}"), str(cpus[-1])
    if len(cpus) == 2:
        return (str(cpus[0]), f"{cpus[0]},{cpus[1]}"), SAME_CPUS
    return (str(cpus[0]),), None


def tree_cpu_s(pid: int) -> float:
    """User + system CPU seconds of the process ``pid`` and its live descendants."""
    import psutil

    total = 0.0
    try:
        root = psutil.Process(pid)
        tree = [root, *root.children(recursive=True)]
    except psutil.Error:
        return math.nan
    for proc in tree:
        try:
            times = proc.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def http_workers(log: Path) -> int:
    """How many HTTP workers ``hmic-kg serve`` started (it prints the count when over one)."""
    found = re.search(r"(\d+) HTTP workers", log.read_text(encoding="utf-8", errors="replace"))
    return int(found.group(1)) if found else 1


def api_scaling(data_dir: Path, work_dir: Path, *, quick: bool) -> dict[str, Any]:
    """The lookup mix on each CPU set (16 clients), and the ratio of the last to the first.

    Each server is started under ``taskset`` with its default ``--workers`` (one per CPU it may use),
    warmed, then measured ``repeats`` times; the run with the median throughput is kept. The server's CPU
    seconds per request show whether a request costs more with two workers than with one."""
    from bench.lookups import discover_ids, lookup_scenarios
    from bench.servers import start_ours

    server_sets, client_cpu = placement(os.sched_getaffinity(0))
    duration_s, repeats, timeout_s = (2.0, 1, 10.0) if quick else (3.0, 3, 10.0)
    client = "wrk" if wrk.binary() else "bench.loadgen"
    runs: list[dict[str, Any]] = []
    for cpus in server_sets:
        _log(f"lookup mix on CPUs {cpus} …")
        log = work_dir / "logs" / f"serve-cores-{cpus}.log"
        server = start_ours(data_dir, log, prefix=taskset(cpus))
        try:
            first_s, problem = warm_every_worker(server.base, WARM_TIMEOUT_S)
            if problem is not None:
                runs.append({"cpus": cpus, "skipped": problem})
                continue
            notes: list[str] = []
            mix = lookup_scenarios(discover_ids(server.base, notes))[-1]
            warm_every_worker(server.base, WARM_TIMEOUT_S, mix.targets)
            wait_until_idle(server.process.pid)  # the workers' background warm-up would share the CPUs
            measured = []
            for _ in range(repeats):
                before = tree_cpu_s(server.process.pid)
                pinned = cpus if client_cpu == SAME_CPUS else client_cpu
                found = _measure_mix(server.base, mix, work_dir, pinned, duration_s, timeout_s)
                if "skipped" in found:
                    break
                found["server_cpu_s"] = tree_cpu_s(server.process.pid) - before
                measured.append(found)
            if not measured:
                runs.append({"cpus": cpus, "skipped": found["skipped"]})
                continue
            best = sorted(measured, key=lambda r: r["rps"])[len(measured) // 2]
            keep = ("rps", "p50_ms", "p99_ms", "errors", "requests", "duration_s", "client_cpu_s")
            run = {"cpus": cpus, "workers": http_workers(log), "first_answer_s": first_s}
            run.update({k: best[k] for k in keep if k in best})
            run["all_rps"] = [r["rps"] for r in measured]
            run["server_cpu_s"] = best["server_cpu_s"]
            run["server_cpu_ms_per_request"] = 1000 * best["server_cpu_s"] / max(1, best["requests"])
            run["server_cpus_busy"] = best["server_cpu_s"] / best["duration_s"]
            runs.append(run)
            _log(f"  {_brief(runs[-1])}")
        finally:
            server.stop()
    return {
        "concurrency": 16,
        "duration_s": duration_s,
        "repeats": repeats,
        "client": client,
        "client_cpu": client_cpu,
        "runs": runs,
        "ratio": _ratio(runs, "rps"),
        "cpu_per_request_ratio": _ratio(runs, "server_cpu_ms_per_request"),
        "projected_ratio": projected_ratio(runs),
    }


def _measure_mix(
    base: str, mix: Any, work_dir: Path, client_cpu: str | None, duration_s: float, timeout_s: float
) -> dict[str, Any]:
    """One timed run of the mix with 16 clients: ``wrk`` when installed, else :mod:`bench.loadgen`."""
    from bench.lookups import run_client

    prefix = taskset(client_cpu) if client_cpu else ()
    if wrk.binary():
        return wrk.run_scenario(
            base,
            mix,
            work_dir,
            concurrency=16,
            duration_s=duration_s,
            warmup_s=0.5,
            timeout_s=timeout_s,
            prefix=prefix,
        )
    plan = {
        "bases": {mix.group: base},
        "concurrency": 16,
        "duration_s": duration_s,
        "warmup_s": 0.5,
        "timeout_s": timeout_s,
        "scenarios": [asdict(mix)],
    }
    found, stderr = run_client(plan, work_dir, timeout_s=60 + 3 * (duration_s + timeout_s), prefix=prefix)
    if not found:
        return {"skipped": f"the load generator failed: {stderr.strip()[-300:]}"}
    return found[0]


def _ratio(runs: list[dict[str, Any]], key: str) -> float | None:
    values = [r.get(key) for r in runs]
    if len(values) < 2 or not values[0] or not values[-1]:
        return None
    return values[-1] / values[0]


def _brief(run: dict[str, Any]) -> str:
    if "skipped" in run or "error" in run:
        return f"CPUs {run['cpus']}: {run.get('skipped') or run.get('error')}"
    if "rps" in run:
        return (
            f"CPUs {run['cpus']} ({run['workers']} workers): {run['rps']:.0f} req/s, p99 {run['p99_ms']:.0f} ms, "
            f"{run['errors']} errors, server {run['server_cpu_ms_per_request']:.2f} CPU-ms/request"
        )
    return f"CPUs {run['cpus']}: {run['reports_per_s']:.2f} reports/s ({run['load_s']:.1f} s)"


def _log(message: str) -> None:
    print(f"[bench.cores] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.bench_cores --corpus DIR --data-dir STORE_DIR --work-dir DIR``: both scalings."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.bench_cores", description=__doc__)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--data-dir", type=Path, required=True, help="a loaded data directory (not written)")
    parser.add_argument("--work-dir", type=Path, required=True)
    parser.add_argument("--reports", type=int, default=LOAD_REPORTS)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-load", action="store_true")
    args = parser.parse_args(argv)
    result: dict[str, Any] = {}
    if not args.no_load:
        result["load"] = load_scaling(args.corpus, args.work_dir, args.reports)
    result["api"] = api_scaling(args.data_dir, args.work_dir, quick=args.quick)
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
