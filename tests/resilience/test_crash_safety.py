"""kill -9 of ``hmic-kg load`` at random points, repeated: every report graph stays complete-old or
complete-new, with its metadata entry from the same version, and the store always opens.

tests/test_loading.py kills an in-process loop over the two samples at a few fixed-seed times; this is
the randomised, repeated version against the real CLI: a store holding ``REPORTS`` reports of
different forces ("old" editions) is reloaded with "new" editions (the same reports without their
glossary: same report ids, fewer triples) in a random order, and the loader is killed after a random
number of files plus a random delay, so kills land in parsing, mapping and the store write alike.
Reference counts come from loading each edition alone into an in-memory store with ``load_paths``.
The seed is random per run and printed on failure; ``HMIC_KG_CRASH_SEED`` replays one.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest_resilience import (
    META_GRAPH,
    ROOT,
    VOCABULARY_GRAPH,
    cli_env,
    load_command,
    record_figure,
    reference,
    report_graph,
    run_load,
    store_snapshot,
    write_variants,
)

REPORTS = 12  # variants of the samples with different force names (each ~1.5 s to load)
ROUNDS = 6  # kill -9 rounds
MAX_FILES_BEFORE_KILL = 3  # each round lets 0..2 files finish, then kills within the next one
PER_FILE_S = 1.5


def _kill_mid_load(files: list[Path], data_dir: Path, rng: random.Random) -> tuple[int, bool]:
    """Start loading ``files``; after a random number of them, kill -9 within the next one.

    Returns (files reported done before the kill, whether the process was still running when killed).
    """
    wait_for = rng.randrange(MAX_FILES_BEFORE_KILL)
    process = subprocess.Popen(
        load_command(files, data_dir),
        cwd=ROOT,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    done = 0
    while done < wait_for:
        line = process.stdout.readline()
        if not line:
            break
        done += line.startswith(("ok ", "FAIL "))
    time.sleep(rng.uniform(0.0, PER_FILE_S if wait_for else PER_FILE_S + 2.5))  # +2.5: start-up
    running = process.poll() is None
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    process.stdout.close()
    return done, running


@pytest.mark.slow
@pytest.mark.timeout(420)
def test_kill_9_at_random_points_leaves_every_report_graph_old_or_new(tmp_path: Path) -> None:
    seed = int(os.environ.get("HMIC_KG_CRASH_SEED") or random.SystemRandom().randrange(2**32))
    rng = random.Random(seed)
    old = write_variants(tmp_path / "old", REPORTS)
    new = write_variants(tmp_path / "new", REPORTS, without_glossary=True)
    data_dir = tmp_path / "kg"
    first = run_load(list(old.values()), data_dir)
    assert first.returncode == 0, first.stdout + first.stderr
    old_counts, old_hashes = store_snapshot(data_dir)
    graphs = {report_graph(r) for r in old}
    assert set(old_counts) == graphs | {META_GRAPH, VOCABULARY_GRAPH}

    kills = mid_load = 0
    replaced: set[str] = set()
    for round_no in range(ROUNDS):
        order = list(new.items())
        rng.shuffle(order)
        done, running = _kill_mid_load([path for _, path in order], data_dir, rng)
        kills += 1
        mid_load += running
        context = f"seed {seed}, round {round_no}, killed after {done} files"
        counts, hashes = store_snapshot(data_dir)  # the store opens after every kill
        assert set(counts) == graphs | {META_GRAPH, VOCABULARY_GRAPH}, context
        assert counts[VOCABULARY_GRAPH] == old_counts[VOCABULARY_GRAPH], context
        assert counts[META_GRAPH] == old_counts[META_GRAPH], context
        for report_id, path in order:
            graph = report_graph(report_id)
            assert len(hashes.get(graph, [])) == 1, (context, graph, hashes.get(graph))
            if counts[graph] == old_counts[graph] and hashes[graph] == old_hashes[graph]:
                continue
            new_count, new_sha = reference(path)
            assert (counts[graph], hashes[graph]) == (new_count, [new_sha]), (
                f"{context}: {graph} has {counts[graph]} triples (old {old_counts[graph]}, new {new_count}) "
                f"and metadata {hashes[graph]}"
            )
            replaced.add(graph)
    assert mid_load >= ROUNDS // 2, f"seed {seed}: most kills should land while the loader runs"
    record_figure(
        "crash safety",
        f"{kills} kill -9 of `hmic-kg load` ({mid_load} mid-load) over {REPORTS} report graphs: "
        f"{len(replaced)} graphs seen complete-new, the rest complete-old, 0 torn graphs (seed {seed})",
    )
