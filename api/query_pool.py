"""A small pool of query worker processes with a hard per-query time limit.

How a runaway query is stopped: the request thread hands the query to an idle worker process
(:mod:`api.sparql_worker`) and waits on the pipe for at most the time limit. If no answer came, the
worker is killed (``SIGKILL``: the native evaluation stops immediately and its memory is returned), the
caller gets :class:`QueryTimeout`, and a replacement worker is started in a background thread. Other
requests are never blocked: the lookups do not use the pool, and the other workers keep serving.

Workers are started by one long-lived thread of the pool, because the kernel's parent-death signal that
each worker asks for (``PR_SET_PDEATHSIG``) fires when the *thread* that started it ends: with the
server killed, no worker survives. Answers larger than the worker's inline limit arrive as files in the
pool's directory, which the endpoint streams and deletes. Directories of pools whose server was killed
(``hmic-kg-snapshots-*`` with no live owner) are removed when a new pool starts.

Each worker reads its own copy of the store, published per store generation: for the embedded Oxigraph
store, a backup directory (a RocksDB checkpoint, hard links: instant, and opened read-only, so a
worker's memory stays small whatever the store's size; :meth:`QueryPool.set_snapshot_store`); for other
backends, an N-Quads snapshot each worker loads into memory (:meth:`QueryPool.set_snapshot`). Every idle
worker opens a new copy when it is published (side by side), and a worker started later opens it before
it takes its first query; a worker busy at the time opens it before its next query. So a pool started
with the server (:meth:`api.runtime.Runtime.preload`) answers its first query at full speed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

log = logging.getLogger("hmic_kg.api.query_pool")
PROJECT_ROOT = str(Path(__file__).resolve().parent.parent)
SNAPSHOT_LOAD_TIMEOUT_S = 120.0


class PoolError(Exception):
    """The pool could not answer; ``status``/``code``/``message`` are fit for the client."""

    status = 503
    code = "query_unavailable"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class QueryTimeout(PoolError):
    code = "query_timeout"


class PoolBusy(PoolError):
    code = "query_busy"


class WorkerFailed(PoolError):
    code = "query_failed"


class QueryCrashed(PoolError):
    """The worker died while evaluating the query: the query's fault (memory), reported as a 4xx."""

    status = 422
    code = "query_error"


RECYCLE_RSS_MB = 768  # a worker that grew beyond this while answering is replaced (its memory returned)
DIR_PREFIX = "hmic-kg-snapshots-"


class _Worker:
    """One ``python -m api.sparql_worker`` process, talking over a socket pair.

    A plain subprocess rather than ``multiprocessing.Process``: the spawn start method re-imports the
    parent's ``__main__`` (uvicorn, pytest, a user's script), and fork is unsafe in a threaded server.
    """

    def __init__(self, memory_mb: int) -> None:
        parent, child = socket.socketpair()
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, (PROJECT_ROOT, os.environ.get("PYTHONPATH")))),
            "RUST_BACKTRACE": "0",  # a query that runs out of memory logs one line, not a native backtrace
        }
        try:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "api.sparql_worker",
                    str(child.fileno()),
                    str(memory_mb),
                    str(os.getpid()),
                ],
                pass_fds=(child.fileno(),),
                stdin=subprocess.DEVNULL,
                env=env,
            )
        finally:
            child.close()
        self.conn = Connection(parent.detach())
        self.generation: object = None

    def load(self, snapshot: tuple[object, Path]) -> bool:
        """Send the request to open ``snapshot``; False if this worker has it open already."""
        if self.generation == snapshot[0]:
            return False
        kind = "store" if snapshot[1].is_dir() else "nquads"
        self.conn.send({"op": "load", "path": str(snapshot[1]), "kind": kind})
        return True

    def loaded(self, snapshot: tuple[object, Path], timeout: float) -> bool:
        """Wait for the answer to :meth:`load`; True once the worker has ``snapshot`` open."""
        try:
            reply = self.conn.recv() if self.conn.poll(max(timeout, 0.0)) else None
        except (EOFError, OSError):
            reply = None
        if reply is None or not reply.get("ok"):
            return False
        self.generation = snapshot[0]
        return True

    def call(self, request: dict[str, Any], timeout: float) -> dict[str, Any] | None:
        """Send a request; the reply, or None when it did not come within ``timeout`` seconds."""
        self.conn.send(request)
        if not self.conn.poll(max(timeout, 0.0)):
            return None
        return self.conn.recv()

    def kill(self) -> None:
        with contextlib.suppress(OSError, ValueError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait(5)
        with contextlib.suppress(OSError):
            self.conn.close()


class QueryPool:
    """``size`` worker processes; :meth:`run` answers one query request within a time limit."""

    def __init__(self, size: int, memory_mb: int = 0) -> None:
        self._size = size
        self._memory_mb = memory_mb
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        remove_stale_dirs()
        self._dir = Path(tempfile.mkdtemp(prefix=DIR_PREFIX))
        (self._dir / "owner").write_text(str(os.getpid()), encoding="ascii")
        self.answer_dir = self._dir / "answers"
        self.answer_dir.mkdir()
        self._spawns: queue.Queue[threading.Event | None] = queue.Queue()
        threading.Thread(target=self._spawner, name="hmic-query-spawner", daemon=True).start()
        # removed on close(), or at exit for a pool whose app never ran its shutdown
        self._cleanup = weakref.finalize(self, shutil.rmtree, self._dir, True)
        self._snapshot: tuple[object, Path] | None = None
        self._retired: list[Path] = []
        self._closed = False
        self.killed = 0  # workers killed for overrunning their time limit (for tests and logs)
        self.opened_on_query = 0  # snapshots a worker had to open when a query came (busy when published)
        for _ in range(size):
            self._request_spawn().wait(60)

    @property
    def generation(self) -> object:
        return None if self._snapshot is None else self._snapshot[0]

    def _spawner(self) -> None:
        """Start every worker from this one thread (see the module docstring), until the pool closes."""
        while (done := self._spawns.get()) is not None:
            try:
                self._spawn()
            except OSError:
                log.exception("could not start a query worker")
            finally:
                done.set()

    def _request_spawn(self) -> threading.Event:
        done = threading.Event()
        self._spawns.put(done)
        return done

    def _spawn(self) -> None:
        worker = _Worker(self._memory_mb)
        with self._lock:
            if self._closed:
                worker.kill()
                return
            self._all.add(worker)
        snapshot = self._snapshot
        if snapshot is not None:  # a replacement opens the current copy before its first query
            with contextlib.suppress(OSError):  # if it cannot, its first query reports why
                if worker.load(snapshot):
                    worker.loaded(snapshot, SNAPSHOT_LOAD_TIMEOUT_S)
        self._idle.put(worker)

    def _open_everywhere(self) -> None:
        """Every idle worker opens the snapshot just published, side by side (busy ones open it before
        their next query); a worker that cannot is replaced."""
        snapshot = self._snapshot
        taken: list[_Worker] = []
        with contextlib.suppress(queue.Empty):
            while True:
                taken.append(self._idle.get_nowait())
        sent, failed = [], []
        for worker in taken:
            try:
                if worker.load(snapshot):  # type: ignore[arg-type]
                    sent.append(worker)
            except OSError:
                failed.append(worker)
        failed += [w for w in sent if not w.loaded(snapshot, SNAPSHOT_LOAD_TIMEOUT_S)]  # type: ignore[arg-type]
        for worker in taken:
            if worker in failed:
                self._discard(worker)
            else:
                self._idle.put(worker)

    def _discard(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)
            closed = self._closed
        if not closed:
            self._request_spawn()

    def set_snapshot(self, generation: object, nquads: bytes) -> None:
        """Publish the store content of ``generation``; workers load it before their next query."""
        with self._lock:
            path = self._dir / f"snapshot-{time.monotonic_ns()}.nq"
            path.write_bytes(nquads)
            old, self._snapshot = self._snapshot, (generation, path)
        if old is not None and not old[1].is_dir():
            # a worker may still be reading it; a late unlink is harmless on POSIX
            old[1].unlink(missing_ok=True)
        self._open_everywhere()

    def set_snapshot_store(self, generation: object, write: Callable[[Path], bool]) -> bool:
        """Publish ``generation`` as an Oxigraph directory that ``write(path)`` creates (a store backup);
        workers open it read-only, which takes no time and no memory. False if ``write`` could not."""
        with self._lock:
            path = self._dir / f"store-{time.monotonic_ns()}"
        if not write(path):
            shutil.rmtree(path, ignore_errors=True)
            return False
        with self._lock:
            old, self._snapshot = self._snapshot, (generation, path)
            if old is not None:
                self._retired.append(old[1])
            # a worker may still be answering a query on the previous directory: keep it one more round
            while len(self._retired) > 1:
                shutil.rmtree(self._retired.pop(0), ignore_errors=True)
        self._open_everywhere()
        return True

    def _ensure_loaded(self, worker: _Worker) -> None:
        snapshot = self._snapshot
        if snapshot is None or not worker.load(snapshot):
            return
        self.opened_on_query += 1
        if not worker.loaded(snapshot, SNAPSHOT_LOAD_TIMEOUT_S):
            raise WorkerFailed("the query engine could not load the current data; try again")

    def run(self, request: dict[str, Any], timeout_s: float) -> dict[str, Any]:
        """Evaluate ``request`` in a worker; raise :class:`QueryTimeout` after ``timeout_s`` seconds."""
        try:
            worker = self._idle.get(timeout=timeout_s)
        except queue.Empty:
            raise PoolBusy("all query workers are busy; try again shortly") from None
        try:
            self._ensure_loaded(worker)
        except (EOFError, OSError, PoolError):
            self._discard(worker)
            raise WorkerFailed("the query engine could not load the current data; try again") from None
        request = {"op": "query", "answer_dir": str(self.answer_dir), **request}
        try:
            reply = worker.call(request, timeout_s)
        except (EOFError, OSError):
            self._discard(worker)
            raise QueryCrashed(
                "the query stopped the query engine (it needs more memory than this endpoint allows); "
                "simplify it or add a LIMIT"
            ) from None
        if reply is None:
            self.killed += 1
            self._discard(worker)
            limit = f"{timeout_s:g}"
            raise QueryTimeout(
                f"query exceeded the {limit} s time limit and was stopped; simplify it or add a LIMIT"
            )
        if int(reply.get("rss_mb") or 0) > RECYCLE_RSS_MB:
            self._discard(worker)  # give its memory back; a fresh worker takes its place
        else:
            self._idle.put(worker)
        return reply

    def status(self, timeout_s: float = 10.0) -> dict[str, Any]:
        """What an idle worker reports about itself (its network fences, pid); for tests and diagnostics."""
        worker = self._idle.get(timeout=timeout_s)
        try:
            reply = worker.call({"op": "status"}, timeout_s)
        except (EOFError, OSError):
            reply = None
        if reply is None:
            self._discard(worker)
            raise WorkerFailed("the query worker did not answer")
        self._idle.put(worker)
        return reply

    def statuses(self, timeout_s: float = 10.0) -> list[dict[str, Any]]:
        """What every worker reports about itself, once all are idle (the copy of the store each has
        open: ``store``); for tests and diagnostics."""
        taken: list[_Worker] = []
        try:
            while len(taken) < self._size:
                taken.append(self._idle.get(timeout=timeout_s))
            replies = [worker.call({"op": "status"}, timeout_s) for worker in taken]
        except queue.Empty:
            raise WorkerFailed("not every query worker became idle") from None
        finally:
            for worker in taken:
                self._idle.put(worker)
        if any(reply is None for reply in replies):
            raise WorkerFailed("a query worker did not answer")
        return replies  # type: ignore[return-value]

    def worker_pids(self) -> list[int]:
        with self._lock:
            return [worker.process.pid for worker in self._all]

    def close(self) -> None:
        """Kill every worker and remove the snapshots (idempotent)."""
        with self._lock:
            self._closed = True
            workers, self._all = list(self._all), set()
        for worker in workers:
            worker.kill()
        self._spawns.put(None)
        self._cleanup()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_dirs(root: Path | None = None) -> list[Path]:
    """Remove pool directories (snapshots, checkpoints, answers) whose server is no longer running."""
    removed = []
    for folder in Path(root or tempfile.gettempdir()).glob(f"{DIR_PREFIX}*"):
        try:
            owner = int((folder / "owner").read_text(encoding="ascii"))
        except (OSError, ValueError):
            continue  # not ours to judge (older layout, or being created)
        if owner != os.getpid() and not _alive(owner):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed
