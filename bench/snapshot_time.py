"""Time the read model's build on a loaded store, stage by stage (wall and CPU seconds), and save it.

``python -m bench.snapshot_time DATA_DIR`` opens ``DATA_DIR/oxigraph`` read-only (copy a store that a
server or a load is using first) and builds :class:`api.snapshot.Snapshot` twice, as the API does:

- **from scratch**: no per-report rows kept (:mod:`api.report_rows`), so every report graph is read (and
  its rows kept, as a server's first build or ``hmic-kg load`` does);
- **rebuild after one report changed**: one report graph's kept rows removed (what a reload of that
  report does to its key), then built again: that graph is read from the store, the others' rows from
  their files. The two snapshots are compared (``same``).

The per-report rows are read by ``--threads`` worker processes (:mod:`graph.report_workers`; one: this
process alone; default: every CPU the process may run on, so ``taskset -c 0`` and ``taskset -c 0,1``
compare one CPU with two; the figures give the workers' CPU seconds apart, and say how idle the machine
was meanwhile and how much CPU other jobs took, from ``/proc/stat``). The rows are kept in a temporary folder, or with ``--save`` in ``DATA_DIR/snapshot-rows`` (replaced). With
``--save`` it then builds the matching index (what ``/forces/{id}/help`` ranks with) and saves both next to
the store, as ``hmic-kg load`` does after a load, so that the next ``hmic-kg serve`` answers without a
build. The last line printed is the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any


def digest(snap: Any) -> str:
    """A digest of the snapshot's saved encoding (:mod:`api.snapshot_store`: every table, in order)."""
    import hashlib

    import orjson

    from api.snapshot_store import TABLES, _encode

    refs: dict[tuple[str, str, str], int] = {}
    tables = {name: _encode(getattr(snap, name), refs) for name in TABLES}
    return hashlib.sha256(orjson.dumps({"refs": list(refs), "tables": tables})).hexdigest()


def timed_build(build: Callable[[Callable[[str], None]], Any], verbose: bool) -> tuple[Any, dict[str, Any]]:
    """Run ``build(note)``: the snapshot, and its wall and CPU seconds with each stage's."""
    stages: list[dict[str, Any]] = []
    started, cpu = time.perf_counter(), time.process_time()
    last = [started, cpu]

    def note(stage: str) -> None:
        now, used = time.perf_counter(), time.process_time()
        stages.append({"stage": stage, "wall_s": now - last[0], "cpu_s": used - last[1]})
        if verbose:
            print(f"  {stage}: {now - last[0]:.2f} s wall, {used - last[1]:.2f} s CPU", flush=True)
        last[:] = [now, used]

    machine, children = machine_cpu(), children_cpu()
    snap = build(note)
    figures = {"s": time.perf_counter() - started, "cpu_s": time.process_time() - cpu, "stages": stages}
    figures["workers_cpu_s"] = (
        children_cpu() - children
    )  # the report worker processes' (graph.report_workers)
    after = machine_cpu()
    if machine is not None and after is not None:  # was the other CPU free? (a shared machine's noise)
        figures["machine_idle_cpu_s"] = after[0] - machine[0]
        mine = figures["cpu_s"] + figures["workers_cpu_s"]
        figures["others_cpu_s"] = max(0.0, after[1] - machine[1] - mine)
    return snap, figures


def children_cpu() -> float:
    """CPU seconds of this process's ended child processes (user and system)."""
    import resource

    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def machine_cpu() -> tuple[float, float] | None:
    """The machine's idle and busy CPU seconds so far (``/proc/stat``; None where there is none)."""
    import os

    try:
        with open("/proc/stat", encoding="ascii") as stat:
            ticks = [int(v) for v in stat.readline().split()[1:]]
        per_s = os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError):
        return None
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)
    return idle / per_s, (sum(ticks[:8]) - idle) / per_s


def measure(
    data_dir: Path, *, save: bool = False, verbose: bool = True, threads: int | None = None
) -> dict[str, Any]:
    """Build the snapshot of ``data_dir``'s store (and with ``save`` its matching index, then save both):
    the wall and CPU seconds of each step and of each stage of the build, by ``threads`` threads
    (default: every CPU this process may run on)."""
    from api.report_rows import DiskRows, discard_rows, report_graphs
    from api.settings import Settings, available_cpus
    from api.snapshot_build import build_snapshot
    from graph.iris import Iris
    from graph.store_oxigraph import OxigraphStore

    base_iri = Settings().base_iri
    store = OxigraphStore(data_dir / "oxigraph", read_only=True)
    scratch_dir = None if save else tempfile.TemporaryDirectory(prefix="snapshot-rows-")
    rows_dir = data_dir if scratch_dir is None else Path(scratch_dir.name)
    try:
        discard_rows(rows_dir)
        rows = DiskRows(rows_dir)
        if verbose:
            print("from scratch:", flush=True)
        snap, cold = timed_build(
            lambda note: build_snapshot(store, Iris(base_iri), "timed", note, rows, threads), verbose
        )
        result: dict[str, Any] = {
            "cpus": available_cpus(),
            "threads": threads or available_cpus(),
            "build_s": cold["s"],
            "build_cpu_s": cold["cpu_s"],
            "build_workers_cpu_s": cold["workers_cpu_s"],
            "build_machine_idle_cpu_s": cold.get("machine_idle_cpu_s"),
            "build_others_cpu_s": cold.get("others_cpu_s"),
            "forces": len(snap.forces),
            "findings": len(snap.findings),
            "stages": cold["stages"],
        }
        if save:
            from api.matching_saved import index_key, save_evidence
            from api.snapshot_store import content_key, save_snapshot

            t0, c0 = time.perf_counter(), time.process_time()
            evidence = snap.matcher.evidence
            result["index_s"] = time.perf_counter() - t0
            result["index_cpu_s"] = time.process_time() - c0
            t0 = time.perf_counter()
            key = content_key(store, base_iri)
            saved = [save_snapshot(snap, key, data_dir), save_evidence(evidence, index_key(key), data_dir)]
            result["save_s"] = time.perf_counter() - t0
            result["saved"] = {p.name: p.stat().st_size for p in saved}
            del evidence
        scratch = digest(snap)
        del snap  # one snapshot in memory at a time (the peak RSS the bench reports)
        graphs = sorted(key[0] for key in report_graphs(store))
        changed = graphs[len(graphs) // 2] if graphs else None
        if changed is not None:
            rows.path(changed).unlink(missing_ok=True)
        if verbose:
            print(f"rebuild after one report changed ({changed}):", flush=True)
        again, warm = timed_build(
            lambda note: build_snapshot(store, Iris(base_iri), "rebuilt", note, rows, threads), verbose
        )
        result.update(
            rebuild_s=warm["s"], rebuild_cpu_s=warm["cpu_s"], rebuild_workers_cpu_s=warm["workers_cpu_s"],
            rebuild_stages=warm["stages"],
            rebuild_changed=changed, same=digest(again) == scratch,
        )  # fmt: skip
    finally:
        store.close()
        if scratch_dir is not None:
            scratch_dir.cleanup()
    return result


def others(result: dict[str, Any]) -> str:
    """What else the machine did during the build from scratch (idle and other jobs' CPU seconds)."""
    if result.get("build_machine_idle_cpu_s") is None:
        return ""
    return (
        f" (machine idle {result['build_machine_idle_cpu_s']:.1f} CPU-s, "
        f"other jobs {result['build_others_cpu_s']:.1f} CPU-s)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path, help="a loaded hmic-kg data directory")
    parser.add_argument(
        "--save", action="store_true", help="also build the matching index and save both in DATA_DIR"
    )
    parser.add_argument(
        "--threads", type=int, default=None, help="processes reading the rows (default: the CPUs it may use)"
    )
    args = parser.parse_args(argv)
    if args.threads is not None and args.threads < 1:
        parser.error(f"--threads must be at least 1, got {args.threads}")
    result = measure(args.data_dir, save=args.save, threads=args.threads)
    print(
        f"snapshot of {result['forces']} forces, {result['findings']} findings "
        f"({result['threads']} threads, {result['cpus']} CPUs): from scratch "
        f"{result['build_s']:.2f} s wall, {result['build_cpu_s']:.2f} s CPU"
        f" (+{result['build_workers_cpu_s']:.2f} s in worker processes)"
        f"{others(result)}; rebuild after one report "
        f"changed {result['rebuild_s']:.2f} s wall, {result['rebuild_cpu_s']:.2f} s CPU; "
        f"{'the same snapshot' if result['same'] else 'DIFFERENT snapshots'}",
        flush=True,
    )
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
