"""api.memo.Memo: one build per key, and builds of different keys do not wait for each other."""

from __future__ import annotations

import threading
import time

from api.memo import Memo


def test_concurrent_first_callers_of_a_key_share_one_build() -> None:
    memo, calls = Memo(), []

    def build() -> int:
        calls.append(1)
        time.sleep(0.05)
        return 42

    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(memo.get(("k",), build))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert results == [42] * 8 and len(calls) == 1


def test_regression_one_slow_build_does_not_block_other_keys() -> None:
    """One force's help being built held up every other force's (a single lock for all keys)."""
    memo, started, release = Memo(), threading.Event(), threading.Event()

    def slow() -> str:
        started.set()
        release.wait(5)
        return "slow"

    worker = threading.Thread(target=lambda: memo.get(("help", "a"), slow))
    worker.start()
    assert started.wait(5)
    begun = time.perf_counter()
    assert memo.get(("help", "b"), lambda: "fast") == "fast"
    assert time.perf_counter() - begun < 1.0
    release.set()
    worker.join(5)
    assert memo.get(("help", "a"), lambda: "rebuilt") == "slow"


def test_bound_keeps_the_newest_entries_of_a_kind() -> None:
    memo = Memo()
    for n in range(5):
        memo.get(("similar", n), lambda n=n: n, bound=2)
    assert memo.get(("similar", 4), lambda: -1) == 4
    assert memo.get(("similar", 0), lambda: -1) == -1
