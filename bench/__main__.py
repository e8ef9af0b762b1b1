"""``python -m bench``: generate the corpus, run every benchmark side by side, write ``docs/benchmarks.md``.

python -m bench                      # sizes 2, 43, 430, 4300 (4300: load only, Oxigraph only)
python -m bench --sizes 2,43 --quick # a fast run (about 8 min on a shared two-core machine)
python -m bench --skip-big           # everything but the 4,300-report load

At the API size (430 by default) the run also builds and saves the read model, times the first answers
after a start with and without it, serves the lookups with ``--workers 2`` (sent by ``wrk`` when it is
installed), compares ``/sparql`` with stock Oxigraph, measures load and lookups on one CPU and on two
(``taskset``), and records module sizes and ``duplicates`` pairs: the "Targets (issue 13)" table.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import ROOT, corpus, quality, report, run_child, targets, targets13
from bench.bench_load import LoadJob
from bench.bench_load import run as run_load
from bench.bench_query import measure_isolated
from bench.targets import find_run

BIG = 4300
API_SIZE = 430
DOC = ROOT / "docs" / "benchmarks.md"
ANALYSIS = Path(__file__).resolve().parent / "ANALYSIS.md"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", default=",".join(str(s) for s in corpus.SIZES), help="report counts (default %(default)s)"
    )
    parser.add_argument("--backends", default="oxigraph,memory", help="store backends (default %(default)s)")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and shorter API runs")
    parser.add_argument("--skip-big", action="store_true", help=f"skip the {BIG:,}-report load")
    parser.add_argument("--no-api", action="store_true", help="skip the API benchmark")
    parser.add_argument(
        "--no-cores", action="store_true", help="skip the 1-CPU vs 2-CPU runs (bench.bench_cores)"
    )
    parser.add_argument(
        "--no-size-sweep", action="store_true", help="skip the loader's size sweep (bench.bench_sizes)"
    )
    parser.add_argument(
        "--load-cap-s",
        type=float,
        default=600.0,
        help="stop an Oxigraph load below the big size after this long (default %(default)s)",
    )
    parser.add_argument(
        "--other-cap-s",
        type=float,
        default=45.0,
        help="the same for the other backends (default %(default)s)",
    )
    parser.add_argument(
        "--big-cap-s",
        type=float,
        default=90.0,
        help=f"the same for the {BIG:,}-report load; its full time is projected (default %(default)s)",
    )
    parser.add_argument("--views-timeout-s", type=float, default=120.0)
    parser.add_argument("--seed", type=int, default=corpus.DEFAULT_SEED)
    parser.add_argument("--api-size", type=int, default=API_SIZE, help="corpus size served for the API run")
    parser.add_argument("--out", type=Path, default=DOC, help="Markdown report (default docs/benchmarks.md)")
    parser.add_argument("--work-dir", type=Path, default=corpus.OUT_DIR, help="corpora, stores, logs")
    parser.add_argument(
        "--render-only",
        action="store_true",
        help="rewrite the Markdown from WORK_DIR/results.json (e.g. after editing bench/ANALYSIS.md)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.render_only:
        results = json.loads((args.work_dir / "results.json").read_text(encoding="utf-8"))
        report.write(results, args.out, ANALYSIS.read_text(encoding="utf-8") if ANALYSIS.exists() else "")
        _log(f"rendered {args.out} from {args.work_dir / 'results.json'}")
        return 0
    started = time.perf_counter()
    sizes = [s for s in corpus.parse_sizes(args.sizes) if not (args.skip_big and s >= BIG)]
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    query_reps = 5 if args.quick else 15
    command = "python -m bench" + (
        ""
        if argv is None and len(sys.argv) == 1
        else " " + shlex.join(sys.argv[1:] if argv is None else argv)
    )
    results: dict[str, Any] = {
        "meta": {
            "command": command,
            "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": report.machine_info(),
            "sizes": sizes,
            "backends": backends,
            "seed": args.seed,
        },
        "corpus": [],
        "load": [],
        "notes": [],
    }
    api_size = args.api_size if args.api_size in sizes else max((s for s in sizes if s < BIG), default=None)
    corpora = {}
    for size in sizes:
        t0 = time.perf_counter()
        generated = corpus.generate(size, seed=args.seed, out_dir=args.work_dir)
        corpora[size] = generated
        forces = len({f.name.rsplit("-", 1)[0] for f in generated.files})
        years = len({f.stem.rsplit("-", 1)[-1] for f in generated.files})
        megabytes = sum(f.stat().st_size for f in generated.files) / 1e6
        results["corpus"].append(
            {
                "size": size,
                "forces": forces,
                "years": years,
                "megabytes": megabytes,
                "generate_s": time.perf_counter() - t0,
            }
        )
        _log(f"corpus {size}: {len(generated.files)} files, {megabytes:.0f} MB")
    nquads = args.work_dir / "stores" / f"export-{api_size}.nq"
    query_timeout = 5.0 if args.quick else 10.0
    for size in sizes:
        big = size >= BIG
        for backend in backends:
            if big and backend != "oxigraph":
                results["notes"].append(
                    f"{size:,} reports: {backend} backend not run (load-only size, default backend only)"
                )
                continue
            data_dir = args.work_dir / "stores" / f"{backend}-{size}"
            job = LoadJob(
                corpora[size].directory,
                backend,
                data_dir,
                query_reps=0 if big or backend == "oxigraph" else query_reps,
                query_timeout_s=query_timeout,
                export_nquads=nquads
                if size == api_size and backend == "oxigraph" and not args.no_api
                else None,
                cap_s=args.big_cap_s
                if big
                else args.load_cap_s
                if backend == "oxigraph"
                else args.other_cap_s,
            )
            _log(f"load {size} into {backend} …")
            run = run_load(job, timeout_s=(job.cap_s or 600) + 600)
            run["size"] = size
            results["load"].append(run)
            _log(f"  {_brief(run)}")
            if big or backend != "oxigraph" or "error" in run or run.get("capped"):
                continue
            _log(f"queries at {size} on {backend} …")
            run["queries"] = measure_isolated(data_dir, backend, query_reps, query_timeout)
            _log(f"views at {size} …")
            views = run_child(
                ["-m", "bench.bench_views", "--data-dir", str(data_dir)], timeout_s=args.views_timeout_s
            )
            run["views"] = views.result or {
                "error": _last_line(views.stderr) or f"no answer within {args.views_timeout_s:.0f} s"
            }
            run["views"]["peak_rss_mb"] = views.max_rss_mb
            if views.returncode < 0:
                run["views"]["stopped_after_s"] = args.views_timeout_s
    api_dir = args.work_dir / "stores" / f"oxigraph-{api_size}"
    if api_size is not None and find_run(results, api_size, "oxigraph"):
        results["snapshot"] = _snapshot(api_dir, api_size)
    if args.no_api or api_size is None:
        results["api"] = {"skipped": "--no-api" if args.no_api else "no size to serve"}
    else:
        from bench.bench_api import run_api

        _log(f"API at {api_size} …")
        try:
            results["api"] = run_api(
                api_dir,
                nquads,
                api_size,
                args.work_dir,
                quick=args.quick,
            )
        except Exception as exc:  # the other results are still worth writing
            traceback.print_exc()
            results["api"] = {"error": f"{type(exc).__name__}: {exc}"}
    if not args.no_api and api_size is not None:
        from bench.bench_start import first_answers

        _log(f"first answers after a start at {api_size} …")
        try:
            results["start"] = first_answers(api_dir, args.work_dir)
        except Exception as exc:  # the other results are still worth writing
            traceback.print_exc()
            results["start"] = {"error": f"{type(exc).__name__}: {exc}"}
    if args.no_cores or api_size is None:
        results["cores"] = {}
    else:
        results["cores"] = _cores(corpora[api_size].directory, api_dir, args)
    if not args.no_size_sweep:
        from bench.bench_sizes import sweep, table

        _log("loader size sweep …")
        results["size_sweep"] = sweep([1, 5, 10, 20])
        _log("\n" + table(results["size_sweep"]))
    results["quality"] = {"modules": quality.module_lines(ROOT), "duplicates": quality.duplicates(ROOT)}
    results["meta"]["total_s"] = time.perf_counter() - started
    results["meta"]["machine"]["load_average_at_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    (args.work_dir / "results.json").write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    analysis = ANALYSIS.read_text(encoding="utf-8") if ANALYSIS.exists() else ""
    report.write(results, args.out, analysis)
    _log(f"wrote {args.out} in {results['meta']['total_s'] / 60:.1f} min")
    for verdict in targets.verdicts(results):
        _log(f"  {verdict.status:>12}  {verdict.target}: {verdict.figure}")
    for row in targets13.issue13_rows(results):
        _log(f"  {row.status:>12}  {row.target}: {row.today}")
    return 0


def _snapshot(data_dir: Path, size: int) -> dict[str, Any]:
    """Build the read model of the served store and save it with its matching index next to the store
    (as ``hmic-kg load`` does), timed in a child process (:mod:`bench.snapshot_time`)."""
    _log(f"read model build at {size} …")
    child = run_child(["-m", "bench.snapshot_time", str(data_dir), "--save"], timeout_s=900)
    found = dict(child.result)
    if child.returncode != 0 or "build_s" not in found:
        found["error"] = _last_line(child.stderr) or f"exit code {child.returncode}"
    else:
        _log(f"  {found['build_s']:.1f} s ({found['build_cpu_s']:.1f} s CPU), index {found['index_s']:.1f} s")
    found.update(reports=size, peak_rss_mb=child.max_rss_mb)
    return found


def _cores(corpus_dir: Path, data_dir: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Load and lookup throughput on one CPU and on two (:mod:`bench.bench_cores`)."""
    from bench.bench_cores import LOAD_REPORTS, api_scaling, load_scaling

    cores: dict[str, Any] = {}
    reports = LOAD_REPORTS // 2 if args.quick else LOAD_REPORTS
    parts = [("load", lambda: load_scaling(corpus_dir, args.work_dir, reports))]
    if args.no_api:
        cores["api"] = {"error": "not run (--no-api)"}
    else:
        parts.append(("api", lambda: api_scaling(data_dir, args.work_dir, quick=args.quick)))
    for name, measure in parts:
        _log(f"scaling with cores: {name} …")
        try:
            cores[name] = measure()
        except Exception as exc:  # the other results are still worth writing
            traceback.print_exc()
            cores[name] = {"error": f"{type(exc).__name__}: {exc}"}
    return cores


def _brief(run: dict[str, Any]) -> str:
    if "error" in run:
        return "ERROR " + str(run["error"]).splitlines()[-1][:300]
    capped = (
        f" (capped after {run['attempted']} reports; projected {run['projected_load_s']:.0f} s)"
        if run.get("capped")
        else ""
    )
    return (
        f"{run['load_s']:.1f} s{capped}, {run['reports_per_s']:.2f} reports/s, {run['triples_per_s']:,.0f} triples/s, "
        f"peak {run['peak_rss_mb']:.0f} MB"
    )


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
