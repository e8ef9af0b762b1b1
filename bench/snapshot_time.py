"""Time the read model's build on a loaded store, stage by stage (wall and CPU seconds).

``python -m bench.snapshot_time DATA_DIR`` opens ``DATA_DIR/oxigraph`` read-only (copy a store that a
server or a load is using first) and builds :class:`api.snapshot.Snapshot` once, as the API does for
each store generation.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path


def main(argv: Sequence[str] | None = None) -> int:
    from api.settings import Settings
    from api.snapshot_build import build_snapshot
    from graph.iris import Iris
    from graph.store_oxigraph import OxigraphStore

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path, help="a loaded hmic-kg data directory")
    args = parser.parse_args(argv)
    store = OxigraphStore(args.data_dir / "oxigraph", read_only=True)
    started, cpu = time.perf_counter(), time.process_time()
    last = [started, cpu]

    def note(stage: str) -> None:
        now, used = time.perf_counter(), time.process_time()
        print(f"  {stage}: {now - last[0]:.2f} s wall, {used - last[1]:.2f} s CPU", flush=True)
        last[:] = [now, used]

    try:
        snap = build_snapshot(store, Iris(Settings().base_iri), "timed", note)
    finally:
        store.close()
    wall, used = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"snapshot of {len(snap.forces)} forces, {len(snap.findings)} findings: {wall:.2f} s wall, {used:.2f} s CPU"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
