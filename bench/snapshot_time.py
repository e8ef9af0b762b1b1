"""Time the read model's build on a loaded store, stage by stage (wall and CPU seconds), and save it.

``python -m bench.snapshot_time DATA_DIR`` opens ``DATA_DIR/oxigraph`` read-only (copy a store that a
server or a load is using first) and builds :class:`api.snapshot.Snapshot` once, as the API does for
each store generation. With ``--save`` it then builds the matching index (what ``/forces/{id}/help``
ranks with) and saves both next to the store, as ``hmic-kg load`` does after a load, so that the next
``hmic-kg serve`` answers without a build. The last line printed is the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def measure(data_dir: Path, *, save: bool = False, verbose: bool = True) -> dict[str, Any]:
    """Build the snapshot of ``data_dir``'s store (and with ``save`` its matching index, then save both):
    the wall and CPU seconds of each step and of each stage of the build."""
    from api.settings import Settings
    from api.snapshot_build import build_snapshot
    from graph.iris import Iris
    from graph.store_oxigraph import OxigraphStore

    base_iri = Settings().base_iri
    store = OxigraphStore(data_dir / "oxigraph", read_only=True)
    stages: list[dict[str, Any]] = []
    started, cpu = time.perf_counter(), time.process_time()
    last = [started, cpu]

    def note(stage: str) -> None:
        now, used = time.perf_counter(), time.process_time()
        stages.append({"stage": stage, "wall_s": now - last[0], "cpu_s": used - last[1]})
        if verbose:
            print(f"  {stage}: {now - last[0]:.2f} s wall, {used - last[1]:.2f} s CPU", flush=True)
        last[:] = [now, used]

    try:
        snap = build_snapshot(store, Iris(base_iri), "timed", note)
        result: dict[str, Any] = {
            "build_s": time.perf_counter() - started,
            "build_cpu_s": time.process_time() - cpu,
            "forces": len(snap.forces),
            "findings": len(snap.findings),
            "stages": stages,
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
    finally:
        store.close()
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path, help="a loaded hmic-kg data directory")
    parser.add_argument(
        "--save", action="store_true", help="also build the matching index and save both in DATA_DIR"
    )
    args = parser.parse_args(argv)
    result = measure(args.data_dir, save=args.save)
    print(
        f"snapshot of {result['forces']} forces, {result['findings']} findings: "
        f"{result['build_s']:.2f} s wall, {result['build_cpu_s']:.2f} s CPU",
        flush=True,
    )
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
