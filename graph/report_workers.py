"""Per-report-graph tables read by worker processes, each opening the store read-only.

Reading the read model's per-graph tables (:mod:`graph.report_tables`) is mostly the engine's work, but
turning its answers into Python rows holds the GIL, so threads share one core for that part. Here each
worker is a process of its own (``python -m graph.report_workers``: stdlib and pyoxigraph only, so it
starts in a few tens of milliseconds) that opens the store with ``Store.read_only`` and reads its share
of the graphs, one graph at a time: each query over a dataset of that one graph with ``?g`` dropped from
its projection (one term fewer to decode per row), the solutions read directly (no JSON text to write
and parse), each graph's rows sorted as :func:`graph.report_tables.split` sorts them. A table with few
rows a graph (its query's parsing and planning most of its cost) is read over datasets of several graphs
instead, ``?g`` kept, and split. The rows come back through a pipe (``marshal``: lists of strings and
None, each distinct value one object, so written once), so the tables are the same as a serial read.
The worker never collects garbage (its rows hold no cycles; collections walked them again and again).

Only for a store no process writes (RocksDB's read-only mode is undefined beside a writer): a store
opened read-only is read in place, a writable one through a checkpoint of it (hard links, near instant:
:meth:`graph.store_oxigraph.OxigraphStore.backup_to`) removed afterwards. Anything else (an in-memory
store, a checkpoint that cannot be made, a worker that cannot start) is read by threads as before.
"""

from __future__ import annotations

import gc
import marshal
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

#: a worker reads at least this many graphs (fewer graphs: fewer workers, none below two: threads)
MIN_GRAPHS_PER_WORKER = 16
#: a worker reads each table graph by graph over its first PROBE_GRAPHS graphs; a table with fewer than
#: FEW_ROWS rows a graph there is read over datasets of CHUNK_GRAPHS graphs afterwards (``?g`` kept)
PROBE_GRAPHS, FEW_ROWS, CHUNK_GRAPHS = 8, 24, 16
#: the first line of a worker's error message names its kind (the caller's exception class)
QUERY_ERROR, STORE_ERROR = "query", "store"
#: where a writable store's checkpoint is made (beside the store), and when a left one is stale
CHECKPOINT_PREFIX, STALE_S = ".rows-read-", 3600.0
_PROJECTED_G = re.compile(r"\bSELECT\s+(DISTINCT\s+)?\?g\b\s*", re.IGNORECASE)


class WorkerError(Exception):
    """A worker's query failed (``kind``: :data:`QUERY_ERROR` or :data:`STORE_ERROR`)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def per_graph_text(text: str) -> str:
    """A per-graph query (first variable ``?g``) without ``?g`` in its projection: over a dataset of one
    graph its rows are the graph's rows without the graph column. ValueError if it does not start so."""
    found, count = _PROJECTED_G.subn(lambda m: "SELECT " + (m.group(1) or ""), text, count=1)
    if count != 1:
        raise ValueError("a per-graph query selects ?g first")
    return found


def worker_count(graphs: int, threads: int) -> int:
    """How many workers read ``graphs`` graphs with ``threads`` CPUs (0: too few graphs for two)."""
    count = min(threads, graphs // MIN_GRAPHS_PER_WORKER)
    return count if count >= 2 else 0


@contextmanager
def readable_copy(store: Any) -> Iterator[Path | None]:
    """The directory of a copy of ``store`` that worker processes may open read-only: its
    ``readable_path()`` (a store opened read-only, a serve worker's checkpoint), else a checkpoint of a
    writable on-disk store (removed on exit); None when there is none (an in-memory store, a failed
    checkpoint)."""
    readable = getattr(store, "readable_path", None)
    path = getattr(store, "path", None)
    if readable is not None and (found := readable()) is not None:
        yield Path(found)
    elif path is None or getattr(store, "read_only", False):
        yield None
    else:
        _remove_stale(Path(path).parent)
        try:
            folder = tempfile.TemporaryDirectory(prefix=CHECKPOINT_PREFIX, dir=Path(path).parent)
        except OSError:
            yield None
            return
        with folder:
            copy = Path(folder.name) / "store"
            yield copy if store.backup_to(copy) else None


def _remove_stale(folder: Path) -> None:
    """Remove the checkpoints a killed process left in ``folder`` (older than :data:`STALE_S`): only the
    process holding the store read-write makes them, so they are no one's now; their hard links would
    keep compacted-away files on disk."""
    now = time.time()
    for left in folder.glob(CHECKPOINT_PREFIX + "*"):
        try:
            if now - left.stat().st_mtime > STALE_S:
                shutil.rmtree(left, ignore_errors=True)
        except OSError:
            continue


def read_graphs(path: Path, texts: dict[str, str], graphs: Sequence[str], workers: int) -> dict[str, dict]:
    """Each query of ``texts`` (name -> per-graph query text) by graph over ``graphs``, read by ``workers``
    processes from the store at ``path`` (opened read-only): graph -> sorted rows, only graphs with rows,
    as :func:`graph.report_tables.graph_table` gives them. :class:`WorkerError` for a failed query (the
    first failing worker's, in order); OSError if a worker cannot start or dies."""
    for text in texts.values():
        per_graph_text(text)  # ValueError here, not in a worker
    shares = [list(graphs[i::workers]) for i in range(workers)]  # interleaved: graphs of every size
    with ThreadPoolExecutor(workers, thread_name_prefix="report-workers") as pool:
        jobs = [pool.submit(_run, path, texts, share) for share in shares]
        answers = [job.result() for job in jobs]
    found: dict[str, dict] = {name: {} for name in texts}
    for answer in answers:
        for name in texts:
            found[name].update(answer[name])
    return {name: dict(sorted(by_graph.items())) for name, by_graph in found.items()}


def _run(path: Path, texts: dict[str, str], graphs: list[str]) -> dict[str, dict]:
    """One worker process over ``graphs``: its answer (its errors raised here)."""
    child = subprocess.Popen(
        [sys.executable, "-m", "graph.report_workers", str(os.getpid())],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)},
    )  # fmt: skip
    sizes = (PROBE_GRAPHS, FEW_ROWS, CHUNK_GRAPHS)
    out, err = child.communicate(marshal.dumps((str(path), texts, graphs, sizes)))
    if child.returncode == 0:
        return marshal.loads(out)
    kind, _, message = err.decode("utf-8", "replace").partition("\n")
    if kind in (QUERY_ERROR, STORE_ERROR):
        raise WorkerError(kind, message.strip())
    raise OSError(f"a report worker exited with {child.returncode}: {err.decode('utf-8', 'replace')[-500:]}")


def _sort_key(row: list[str | None]) -> list[str]:
    return ["" if v is None else v for v in row]


class _Failed(Exception):
    """A worker's query failed: the first line of its message names the kind."""


def _rows(store: Any, text: str, dataset: list[Any], same: Any) -> list[list[str | None]]:
    """The solutions of ``text`` over ``dataset`` as lists of strings (None when unbound), each distinct
    value one object (``same``: a dict's ``setdefault``)."""
    try:
        return [
            [None if term is None else same(value := term.value, value) for term in solution]
            for solution in store.query(text, named_graphs=dataset)
        ]
    except (SyntaxError, ValueError) as exc:
        raise _Failed(f"{QUERY_ERROR}\n{exc}") from None
    except (OSError, RuntimeError) as exc:
        raise _Failed(f"{STORE_ERROR}\n{exc}") from None


def _keep(found: dict[str, list], graph: str, rows: list[list[str | None]]) -> None:
    if rows:
        # unbound sorts as "" (split's order); rows without one compare as they are, faster
        rows.sort(key=_sort_key if any(None in row for row in rows) else None)
        found[graph] = rows


def _read(
    store: Any, texts: dict[str, str], graphs: list[str], sizes: tuple[int, int, int]
) -> dict[str, dict[str, list]]:
    """Every table of ``texts`` (name -> per-graph query, ``?g`` first) by graph over ``graphs``: graph by
    graph over the first ``probe`` graphs, then, for a table that had fewer than ``few`` rows a graph
    there, over datasets of ``chunk`` graphs with ``?g`` kept (each query's parsing and planning, most of a
    small table's cost, shared by the chunk), else graph by graph without ``?g`` (``sizes``: probe, few,
    chunk; :data:`PROBE_GRAPHS`...)."""
    probe, few, chunk_graphs = sizes
    import pyoxigraph as ox

    alone = {name: per_graph_text(text) for name, text in texts.items()}
    found: dict[str, dict[str, list]] = {name: {} for name in texts}
    # one object per distinct value: marshal writes a repeated one as a reference (a force's IRI on every
    # row of its findings), so the parent reads less and holds one copy
    same = {}.setdefault
    probed = graphs[:probe]
    for graph in probed:
        for name, text in alone.items():
            _keep(found[name], graph, _rows(store, text, [ox.NamedNode(graph)], same))
    rest = graphs[len(probed) :]
    for name, text in alone.items():
        if sum(map(len, found[name].values())) < few * len(probed):
            for start in range(0, len(rest), chunk_graphs):
                chunk = rest[start : start + chunk_graphs]
                by_graph: dict[str, list[list[str | None]]] = {}
                for g, *row in _rows(store, texts[name], [ox.NamedNode(g) for g in chunk], same):
                    by_graph.setdefault(g or "", []).append(row)
                for graph in chunk:
                    _keep(found[name], graph, by_graph.get(graph, []))
        else:
            for graph in rest:
                _keep(found[name], graph, _rows(store, text, [ox.NamedNode(graph)], same))
    return found


def _serve(parent: int) -> int:
    """The worker: (store path, texts, graphs, sizes) from stdin, the tables by graph to stdout; it ends as
    soon as ``parent`` (the pid of the process that started it) is gone (:mod:`graph.parent_watch`)."""
    from graph.parent_watch import exit_with_parent

    exit_with_parent(parent)
    gc.disable()  # its rows are lists of strings (no cycles): collections would walk them again and again
    import pyoxigraph as ox

    path, texts, graphs, sizes = marshal.load(sys.stdin.buffer)
    try:
        store = ox.Store.read_only(path)
    except (OSError, RuntimeError) as exc:
        sys.stderr.write(f"{STORE_ERROR}\ncannot open the store read-only: {exc}\n")
        return 2
    try:
        found = _read(store, texts, graphs, sizes)
    except _Failed as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    sys.stdout.buffer.write(marshal.dumps(found))
    return 0


if __name__ == "__main__":
    raise SystemExit(_serve(int(sys.argv[1])))
