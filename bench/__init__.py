"""Performance benchmarks of hmic-kg (``python -m bench``; results in ``docs/benchmarks.md``).

Shared helpers: latency statistics and a subprocess runner that reports the child's own peak memory.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by linear interpolation; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def latency_summary(seconds: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99/max in milliseconds and the sample count."""
    return {
        "n": len(seconds),
        "p50_ms": percentile(seconds, 50) * 1000,
        "p95_ms": percentile(seconds, 95) * 1000,
        "p99_ms": percentile(seconds, 99) * 1000,
        "max_ms": max(seconds) * 1000 if seconds else math.nan,
    }


@dataclass(frozen=True)
class ChildRun:
    """A finished child process: its JSON answer (last stdout line), exit code, wall time and peak RSS."""

    result: dict
    returncode: int
    wall_s: float
    max_rss_mb: float
    stderr: str
    cpu_s: float = 0.0  # user + system CPU of the child (and its reaped children): robust to a busy machine


#: a child (with its descendants) using more resident memory than this is killed: the machine is shared
MEMORY_LIMIT_MB = 6144.0


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and its descendants, in MB (0 when it has gone)."""
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0
    for proc in procs:
        try:
            total += proc.memory_info().rss
        except psutil.Error:
            pass
    return total / 2**20


def memory_watchdog(
    pid: int, kill: Callable[[], None], limit_mb: float, killed: list[float]
) -> threading.Thread:
    """A daemon thread that calls ``kill`` once the process tree of ``pid`` goes over ``limit_mb``."""

    def watch() -> None:
        while True:
            rss = tree_rss_mb(pid)
            if rss == 0.0:
                return
            if rss > limit_mb:
                killed.append(rss)
                kill()
                return
            time.sleep(0.25)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def run_child(
    args: Sequence[str],
    timeout_s: float,
    env: dict[str, str] | None = None,
    memory_limit_mb: float = MEMORY_LIMIT_MB,
    prefix: Sequence[str] = (),
) -> ChildRun:
    """Run ``python ARGS`` in a fresh process and reap it with ``os.wait4``, whose rusage is that child's
    own (``ru_maxrss``: its peak resident memory, in KiB on Linux). The child is killed at ``timeout_s``
    or when its resident memory passes ``memory_limit_mb``. ``prefix``: a command that execs the rest
    (``taskset -c 0``), so the child keeps its pid."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [*prefix, PYTHON, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
        text=True,
    )
    out: list[str] = []
    err: list[str] = []
    readers = [
        threading.Thread(target=lambda: out.append(proc.stdout.read()), daemon=True),  # type: ignore[union-attr]
        threading.Thread(target=lambda: err.append(proc.stderr.read()), daemon=True),  # type: ignore[union-attr]
    ]
    for reader in readers:
        reader.start()
    killer = threading.Timer(timeout_s, proc.kill)
    killer.start()
    over_memory: list[float] = []
    memory_watchdog(proc.pid, proc.kill, memory_limit_mb, over_memory)
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        killer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join()
    wall = time.perf_counter() - started
    stdout, stderr = "".join(out), "".join(err)
    if over_memory:
        stderr += f"\n[bench] killed: resident memory {over_memory[0]:,.0f} MB over the {memory_limit_mb:,.0f} MB limit"
    elif wall >= timeout_s:
        stderr += f"\n[bench] killed after {timeout_s:.0f} s"
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    result = json.loads(lines[-1]) if lines else {}
    cpu = usage.ru_utime + usage.ru_stime
    return ChildRun(result, proc.returncode, wall, usage.ru_maxrss / 1024, stderr, cpu)
