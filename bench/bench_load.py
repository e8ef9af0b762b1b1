"""Load benchmark: reports/s and triples/s end to end (parse + map + store) per backend, with peak memory.

Each run is a fresh child process (``python -m bench.bench_load …``) on a fresh data directory; the parent
reaps it with ``os.wait4`` to read that child's own peak RSS. With the rdflib backend, whose store cannot
be opened by another process, the same child then times the named queries (:mod:`bench.bench_query`);
Oxigraph stores are queried afterwards by separate children.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from bench import ChildRun, run_child

LoadFn = Callable[[Any, Sequence[Path], float | None], dict[str, Any]]


class CapReached(Exception):
    """Raised from the progress callback to stop a load that has used its time cap."""


@dataclass(frozen=True)
class LoadJob:
    """One load run: a corpus into a backend, and what to measure afterwards in the same process."""

    corpus_dir: Path
    backend: str
    data_dir: Path
    query_reps: int = 0  # time the named queries in the load process (for stores that cannot be shared)
    query_timeout_s: float = 10.0
    export_nquads: Path | None = None
    cap_s: float | None = None  # stop loading after this long and report the rate (a projection)


def run(job: LoadJob, timeout_s: float, prefix: Sequence[str] = ()) -> dict[str, Any]:
    """Run ``job`` in a child process (behind ``prefix``, e.g. ``taskset -c 0``); the child's JSON plus
    its wall time, exit code and peak RSS."""
    if job.data_dir.exists():
        shutil.rmtree(job.data_dir)
    job.data_dir.mkdir(parents=True)
    args = [
        "-m",
        "bench.bench_load",
        "--corpus",
        str(job.corpus_dir),
        "--backend",
        job.backend,
        "--data-dir",
        str(job.data_dir),
        "--query-reps",
        str(job.query_reps),
    ]
    if job.query_reps:
        args += ["--query-timeout-s", str(job.query_timeout_s)]
    if job.export_nquads is not None:
        args += ["--export-nquads", str(job.export_nquads)]
    if job.cap_s is not None:
        args += ["--cap-s", str(job.cap_s)]
    child: ChildRun = run_child(args, timeout_s, prefix=prefix)
    result = dict(child.result)
    result.update(
        backend=job.backend,
        corpus=str(job.corpus_dir),
        returncode=child.returncode,
        child_wall_s=child.wall_s,
        peak_rss_mb=child.max_rss_mb,
        child_cpu_s=child.cpu_s,
    )
    if child.returncode != 0 or "error" in result:
        result.setdefault("error", child.stderr.strip()[-2000:] or f"exit code {child.returncode}")
    return result


def corpus_files(corpus_dir: Path) -> list[Path]:
    """The report files of a generated corpus, in generation order (from its manifest when present)."""
    manifest = corpus_dir / "MANIFEST.json"
    if manifest.exists():
        names = json.loads(manifest.read_text(encoding="utf-8"))["files"]
        return [corpus_dir / name for name in names]
    return sorted(corpus_dir.glob("*.txt"))


def make_loader(iris: Any) -> tuple[str, LoadFn]:
    """The load entry point: ``graph.loading.load_paths`` when it exists, else the same steps by hand."""
    from loaders.options import LoadOptions

    options = LoadOptions()
    try:
        from graph.loading import load_paths
    except ImportError:
        return "pipeline+mapping+replace_graph", _manual_loader(iris, options)

    def load(store: Any, paths: Sequence[Path], cap_s: float | None) -> dict[str, Any]:
        done: list[Any] = []
        deadline = None if cap_s is None else time.perf_counter() + cap_s

        def on_result(result: Any) -> None:
            done.append(result)
            if deadline is not None and time.perf_counter() > deadline and len(done) < len(paths):
                raise CapReached

        try:
            outcome = load_paths(store, list(paths), iris, options, on_result=on_result)
        except CapReached:
            failed = sum(1 for r in done if not getattr(r, "ok", True))
            return {"loaded": len(done) - failed, "failed": failed, "capped": True}
        return _describe(outcome)

    return "graph.loading.load_paths", load


def _manual_loader(iris: Any, options: Any) -> LoadFn:
    from datetime import UTC, datetime

    from graph.mapping import report_metadata, report_to_graph
    from loaders.errors import LoaderError
    from loaders.pipeline import load_report

    def load(store: Any, paths: Sequence[Path], cap_s: float | None) -> dict[str, Any]:
        failures = 0
        deadline = None if cap_s is None else time.perf_counter() + cap_s
        for n, path in enumerate(paths):
            if deadline is not None and time.perf_counter() > deadline:
                return {"loaded": n - failures, "failed": failures, "capped": True}
            try:
                report = load_report(path, options)
            except LoaderError:
                failures += 1
                continue
            triples = report_to_graph(report, iris)
            meta = report_metadata(
                report, iris, loader_version="bench", loaded_at=datetime.now(UTC), triple_count=len(triples)
            )
            store.replace_graph(
                str(iris.report_graph(report.report_id)), triples, meta, meta_graph_iri=str(iris.meta_graph())
            )
        return {"failed": failures}

    return load


def _describe(outcome: Any) -> dict[str, Any]:
    """Best-effort counts from whatever ``load_paths`` returns (a summary object or a list of results)."""
    described: dict[str, Any] = {}
    for key, name in (
        ("loaded", "files_ok"),
        ("failed", "files_failed"),
        ("forces", "forces"),
        ("entities", "entities"),
        ("report_triples", "loaded_triples"),
    ):
        value = getattr(outcome, name, None)
        if isinstance(value, int):
            described[key] = value
    errors = [f"{r.path.name}: {r.error}" for r in getattr(outcome, "results", ()) if not r.ok]
    if errors:
        described["errors"] = errors[:5]
    return described


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(job: LoadJob) -> dict[str, Any]:
    """Load the corpus into a fresh store (within the cap), export it, time queries in-process if asked."""
    from graph.config import GraphConfig
    from graph.iris import Iris
    from graph.store_open import open_store

    files = corpus_files(job.corpus_dir)
    config = GraphConfig(data_dir=job.data_dir, backend=job.backend)  # type: ignore[arg-type]
    iris = Iris(config.base_iri)
    entry, load = make_loader(iris)
    store = open_store(config)
    started, cpu_started = time.perf_counter(), time.process_time()
    outcome = load(store, files, job.cap_s)
    load_s = time.perf_counter() - started
    load_cpu_s = time.process_time() - cpu_started
    quads = store.triple_count()
    attempted = outcome.get("loaded", len(files)) + outcome.get("failed", 0)
    result: dict[str, Any] = {
        "entry_point": entry,
        "reports": len(files),
        "attempted": attempted,
        "capped": bool(outcome.get("capped")),
        "load_s": load_s,
        "load_cpu_s": load_cpu_s,
        "projected_load_s": load_s * len(files) / attempted if attempted else None,
        "quads": quads,
        "reports_per_s": attempted / load_s if load_s else None,
        "triples_per_s": quads / load_s if load_s else None,
        "load_peak_rss_mb": _peak_rss_mb(),
        # the reading processes of a parallel load (the largest one; there are up to one per CPU)
        "reader_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "outcome": outcome,
    }
    if job.query_reps and not result["capped"]:  # here: the rdflib store cannot be opened by another process
        from bench.bench_query import measure_in_process

        result["queries"] = measure_in_process(store, job.query_reps, job.query_timeout_s)
    if job.export_nquads is not None:
        started = time.perf_counter()
        raw = getattr(store, "store", None)  # Oxigraph: the whole dataset, with the default-graph union index
        if raw is not None:  # streamed to the file: the dump of a big store does not fit in memory twice
            raw.dump(str(job.export_nquads), format=ox.RdfFormat.N_QUADS)
        else:
            job.export_nquads.write_bytes(store.export("nquads"))
        result["export_s"] = time.perf_counter() - started
    if not result.get("queries", {}).get("abandoned"):  # a runaway query may hold the store's lock
        started = time.perf_counter()
        if job.backend == "memory":  # nothing reads it back; writing its TriG file would take minutes
            store.path = None
        store.close()
        result["close_s"] = time.perf_counter() - started
    result["max_rss_mb"] = _peak_rss_mb()
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_load", description=__doc__)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--backend", default="oxigraph")
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--query-reps", type=int, default=0)
    parser.add_argument("--query-timeout-s", type=float, default=10.0)
    parser.add_argument("--export-nquads", type=Path)
    parser.add_argument("--cap-s", type=float)
    args = parser.parse_args(argv)
    job = LoadJob(
        args.corpus,
        args.backend,
        args.data_dir,
        args.query_reps,
        args.query_timeout_s,
        args.export_nquads,
        args.cap_s,
    )
    try:
        result = worker(job)
    except Exception as exc:  # reported to the parent as data, never swallowed
        traceback.print_exc()
        result = {"error": f"{type(exc).__name__}: {exc}"}
    print(json.dumps(result, default=str), flush=True)
    if result.get("queries", {}).get("abandoned"):
        os._exit(0)  # a runaway query thread cannot be joined; leave without waiting for it
    return 0 if "error" not in result else 1


if __name__ == "__main__":
    sys.exit(main())
