"""First answers after a start: seconds from starting ``hmic-kg serve`` to its first 200 for ``/forces``
and then for one force's ``/forces/{id}/help``, with the saved read model next to the store
(``snapshot.json`` and ``matching-index.npz``, written by ``hmic-kg load`` or :mod:`bench.snapshot_time`)
and without it (the server builds the read model on the first request).

``python -m bench.bench_start DATA_DIR --work-dir DIR`` runs both; the saved files are moved aside for
the run without them and put back afterwards (a server that built its own meanwhile has it replaced).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

SAVED_FILES = ("snapshot.json", "matching-index.npz")
ANSWER_TIMEOUT_S = 600.0  # a whole build at 430 reports on a busy two-core machine fits


def saved_files(data_dir: Path) -> list[Path]:
    """The saved read model's files present in ``data_dir``."""
    return [data_dir / name for name in SAVED_FILES if (data_dir / name).exists()]


def _first_200(url: str, deadline: float) -> tuple[bytes | None, str | None]:
    """GET ``url`` until it answers 200 (a 503 or a refused connection is retried): the body, or why not."""
    problem = "no answer"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=max(1.0, deadline - time.monotonic())) as response:
                return response.read(), None
        except urllib.error.HTTPError as exc:
            if exc.code != 503:
                return None, f"HTTP {exc.code} from {url}"
            problem = "HTTP 503"
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            problem = str(exc)
        time.sleep(0.05)
    return None, f"{url}: {problem} within {ANSWER_TIMEOUT_S:.0f} s"


def time_first_answers(
    data_dir: Path, log: Path, *, workers: int, timeout_s: float = ANSWER_TIMEOUT_S
) -> dict[str, Any]:
    """Start ``hmic-kg serve`` on ``data_dir`` as it is; seconds from the start to its first 200 for
    ``/forces``, then for the first listed force's ``/forces/{id}/help``."""
    from bench.servers import start_ours

    server = start_ours(data_dir, log, workers=workers)
    try:
        result: dict[str, Any] = {"listening_s": time.perf_counter() - server.started}
        deadline = time.monotonic() + timeout_s
        body, problem = _first_200(server.base + "/forces", deadline)
        if body is None:
            return {**result, "error": problem}
        result["forces_s"] = time.perf_counter() - server.started
        items = json.loads(body)
        items = items.get("items", []) if isinstance(items, dict) else items
        ids = [str(item["id"]) for item in items if isinstance(item, dict) and item.get("id")]
        if not ids:
            return {**result, "error": "/forces listed no force"}
        result["force"] = ids[0]
        body, problem = _first_200(f"{server.base}/forces/{quote(ids[0], safe='')}/help", deadline)
        if body is None:
            return {**result, "error": problem}
        result["help_s"] = time.perf_counter() - server.started
        return result
    finally:
        server.stop()


def first_answers(data_dir: Path, work_dir: Path, *, workers: int = 2) -> dict[str, Any]:
    """:func:`time_first_answers` without the saved read model, then with it (when there is one)."""
    logs = work_dir / "logs"
    saved = saved_files(data_dir)
    aside = work_dir / "saved-read-model-aside"
    aside.mkdir(parents=True, exist_ok=True)
    for path in saved:
        shutil.move(path, aside / path.name)
    runs: dict[str, Any] = {"workers": workers}
    try:
        _log("start without the saved read model …")
        runs["without_saved"] = time_first_answers(data_dir, logs / "serve-start-cold.log", workers=workers)
        _log(f"  {_brief(runs['without_saved'])}")
    finally:
        for path in saved:
            shutil.move(aside / path.name, path)  # replaces what that server saved of its own
    if not saved:
        runs["with_saved"] = {"error": f"no saved read model in {data_dir} ({', '.join(SAVED_FILES)})"}
        return runs
    _log("start with the saved read model …")
    runs["with_saved"] = time_first_answers(data_dir, logs / "serve-start-saved.log", workers=workers)
    _log(f"  {_brief(runs['with_saved'])}")
    return runs


def _brief(run: dict[str, Any]) -> str:
    parts = [f"{key} {run[key]:.1f} s" for key in ("listening_s", "forces_s", "help_s") if key in run]
    return ", ".join(parts) + (f" ({run['error']})" if "error" in run else "")


def _log(message: str) -> None:
    print(f"[bench.start] {message}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_start", description=__doc__)
    parser.add_argument("data_dir", type=Path, help="a loaded hmic-kg data directory (its saved files move)")
    parser.add_argument("--work-dir", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    print(json.dumps(first_answers(args.data_dir, args.work_dir, workers=args.workers), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
