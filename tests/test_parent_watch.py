"""Workers end with their parent (issue 13: "the kill -9 tests leave worker processes alive").

Regression: a ``hmic-kg load --jobs N`` killed with ``kill -9`` left its N spawn workers waiting
forever. ``graph.parent_watch.exit_with_parent`` as the pool's initializer ends them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parent.parent
POOL_PARENT = """
import multiprocessing, os, sys, time
from concurrent.futures import ProcessPoolExecutor
from graph.parent_watch import exit_with_parent

if __name__ == "__main__":
    guarded = sys.argv[1] == "guarded"
    pool = ProcessPoolExecutor(
        2,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=exit_with_parent if guarded else None,
        initargs=(os.getpid(),) if guarded else (),
    )
    print(*pool.map(int, ["1", "2"]), flush=True)  # both workers are up
    for child in multiprocessing.active_children():
        print(child.pid, flush=True)
    time.sleep(600)
"""


def _workers_after_kill(tmp_path: Path, mode: str, wait_s: float) -> list[psutil.Process]:
    script = tmp_path / "pool_parent.py"
    script.write_text(POOL_PARENT)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    parent = subprocess.Popen(
        [sys.executable, str(script), mode], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    assert parent.stdout.readline().split() == ["1", "2"]
    pids = [int(parent.stdout.readline()) for _ in range(2)]
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    parent.stdout.close()
    workers = [psutil.Process(pid) for pid in pids]
    _, alive = psutil.wait_procs(workers, timeout=wait_s)
    return alive


def _running(processes: list[psutil.Process]) -> list[psutil.Process]:
    found = []
    for process in processes:
        try:
            if process.status() != psutil.STATUS_ZOMBIE:
                found.append(process)
        except psutil.NoSuchProcess:
            pass
    return found


@pytest.mark.skipif(sys.platform == "win32", reason="kill -9 semantics")
def test_pool_workers_end_when_their_parent_is_killed(tmp_path: Path) -> None:
    started = time.monotonic()
    alive = _running(_workers_after_kill(tmp_path, "guarded", wait_s=10))
    assert not alive, [p.pid for p in alive]
    assert time.monotonic() - started < 30


@pytest.mark.skipif(sys.platform == "win32", reason="kill -9 semantics")
def test_unguarded_pool_workers_outlive_their_parent(tmp_path: Path) -> None:
    """The failure the guard exists for (so the test above can fail)."""
    alive = _running(_workers_after_kill(tmp_path, "plain", wait_s=2))
    try:
        assert alive
    finally:
        for process in alive:
            process.kill()
        psutil.wait_procs(alive, timeout=10)
