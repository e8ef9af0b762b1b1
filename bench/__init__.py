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
from collections.abc import Sequence
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


def run_child(args: Sequence[str], timeout_s: float, env: dict[str, str] | None = None) -> ChildRun:
    """Run ``python ARGS`` in a fresh process and reap it with ``os.wait4``, whose rusage is that child's
    own (``ru_maxrss``: its peak resident memory, in KiB on Linux)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [PYTHON, *args],
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
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        killer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join()
    wall = time.perf_counter() - started
    stdout, stderr = "".join(out), "".join(err)
    if wall >= timeout_s:
        stderr += f"\n[bench] killed after {timeout_s:.0f} s"
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    result = json.loads(lines[-1]) if lines else {}
    cpu = usage.ru_utime + usage.ru_stime
    return ChildRun(result, proc.returncode, wall, usage.ru_maxrss / 1024, stderr, cpu)
