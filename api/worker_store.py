"""The store as the HTTP workers of ``hmic-kg serve --workers N`` see it: read-only checkpoints, one writer.

RocksDB lets one process open a directory read-write, and reading while another process writes is
undefined (:mod:`graph.store_oxigraph`). So the serve process owns the read-write store
(:class:`StoreOwner`) and publishes each *generation* of it as a RocksDB checkpoint (hard links:
near-instant) in its own directory, named in a small ``current`` file replaced atomically. Each worker
reads through a :class:`WorkerStore`: the checkpoint of the generation ``current`` names, reopened
read-only when it changes (one ``stat`` per look). A write that reaches a worker (an authorised SPARQL
update, e.g. ``hmic-kg load --backend remote``) is forwarded to the owner over the worker's socket pair;
the owner applies it (one transaction, as before), publishes the new generation, then answers, so the
writer reads its write at once and every other worker from its next request on.

Checkpoints superseded for more than :data:`RETIRE_AFTER_S` seconds (and not among the newest
:data:`KEEP`) are removed; the directory carries the owner's pid, so one left by a killed server is
removed by :func:`api.query_pool.remove_stale_dirs` at the next start.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from graph.store import QueryError, ScopedUpdate, StoreError
from graph.store_oxigraph import OxigraphStore, open_read_only

CURRENT = "current"
KEEP = 3
RETIRE_AFTER_S = 60.0
#: the store methods a worker may forward to the owner
WRITES = ("update", "replace_graph", "drop_graph")


class StoreOwner:
    """The read-write store of the serve process, applying forwarded writes and publishing checkpoints."""

    def __init__(self, store: OxigraphStore, root: Path) -> None:
        self.store = store
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.generation = 0
        self._lock = threading.Lock()
        self._published: list[tuple[Path, float]] = []  # (checkpoint, when it was superseded or 0)
        self.publish()

    def publish(self) -> tuple[int, Path]:
        """Checkpoint the store as the next generation and name it in ``current``."""
        self.generation += 1
        path = self.root / f"gen-{self.generation}"
        if not self.store.backup_to(path):
            raise StoreError(f"cannot checkpoint the store at {self.store.path} into {path}")
        temporary = self.root / f"{CURRENT}.tmp"
        temporary.write_text(f"{self.generation}\n{path}\n", encoding="utf-8")
        os.replace(temporary, self.root / CURRENT)
        now = time.monotonic()
        if self._published:
            self._published[-1] = (self._published[-1][0], now)
        self._published.append((path, 0.0))
        older, recent = self._published[:-KEEP], self._published[-KEEP:]
        for old, _ in (item for item in older if now - item[1] > RETIRE_AFTER_S):
            shutil.rmtree(old, ignore_errors=True)
        self._published = [item for item in older if now - item[1] <= RETIRE_AFTER_S] + recent
        return self.generation, path

    def apply(self, request: dict[str, Any]) -> dict[str, Any]:
        """Run one forwarded write, then publish; the reply names the new generation (or the error)."""
        name = request.get("op")
        if name not in WRITES:
            return {"ok": False, "error": "store", "message": f"not a write: {name!r}"}
        reply: dict[str, Any] = {"ok": True}
        with self._lock:
            try:
                getattr(self.store, name)(*request.get("args", ()), **request.get("kwargs", {}))
            except QueryError as exc:
                reply = {"ok": False, "error": "query", "message": str(exc)}
            except StoreError as exc:
                reply = {"ok": False, "error": "store", "message": str(exc)}
            # a failed update may have changed the store (a counter at least): publish in every case
            generation, path = self.publish()
        return {**reply, "generation": generation, "path": str(path)}

    def serve(self, conn: Connection) -> None:
        """Answer one worker's forwarded writes until it hangs up (run in a thread per worker)."""
        with contextlib.suppress(EOFError, OSError):
            while True:
                request = conn.recv()
                try:
                    reply = self.apply(request)
                except StoreError as exc:  # the checkpoint itself failed
                    reply = {"ok": False, "error": "store", "message": str(exc)}
                conn.send(reply)


class WorkerStore(OxigraphStore):
    """A worker's view: the current checkpoint, read-only; writes forwarded to the :class:`StoreOwner`."""

    def __init__(self, root: Path, owner: Connection | None, *, meta_graph_iri: str | None = None) -> None:
        # not OxigraphStore.__init__: the directory changes with the generation
        self.root = root
        self.path = None
        self.read_only = True
        self.meta_graph_iri = meta_graph_iri
        self._union = False
        self._owner = owner
        self._owner_lock = threading.Lock()
        self._switch_lock = threading.Lock()
        self._seen: tuple[int, int] | None = None  # (inode, mtime) of ``current`` last read
        self._generation = 0
        self._checkpoint: Path | None = None
        self._store = None
        self._refresh()

    def _refresh(self, force: tuple[int, Path] | None = None) -> None:
        """Reopen on the published checkpoint when ``current`` changed (or on ``force``: a known one)."""
        if force is None:
            try:
                stat = os.stat(self.root / CURRENT)
            except OSError as exc:
                raise StoreError(f"the served store is gone: {exc.strerror or exc}") from None
            seen = (stat.st_ino, stat.st_mtime_ns)
            if seen == self._seen:
                return
        with self._switch_lock:
            if force is None:
                text = (self.root / CURRENT).read_text(encoding="utf-8").split("\n")
                generation, checkpoint = int(text[0]), Path(text[1])
            else:
                (generation, checkpoint), seen = force, self._seen
            if generation > self._generation:
                try:
                    self._store = open_read_only(checkpoint)
                except OSError as exc:
                    raise StoreError(f"cannot open the served store: {exc}") from None
                self._generation, self._checkpoint = generation, checkpoint
            self._seen = seen

    @property
    def store(self):  # type: ignore[no-untyped-def]  # the ox.Store of the current generation
        self._refresh()
        return super().store

    @property
    def change_count(self) -> int:  # type: ignore[override]
        """The published generation (the API's cache key)."""
        self._refresh()
        return self._generation

    def _forward(self, name: str, *args: object, **kwargs: object) -> None:
        if self._owner is None:
            raise StoreError("the store is open read-only")
        with self._owner_lock:
            try:
                self._owner.send({"op": name, "args": args, "kwargs": kwargs})
                reply = self._owner.recv()
            except (EOFError, OSError) as exc:
                raise StoreError(f"the server's store process did not answer: {exc}") from None
        if reply.get("generation"):
            self._refresh((reply["generation"], Path(reply["path"])))
        if not reply.get("ok"):
            error = QueryError if reply.get("error") == "query" else StoreError
            raise error(reply.get("message") or "update failed")

    def update(self, sparql: str | ScopedUpdate) -> None:
        self._forward("update", sparql)

    def replace_graph(self, graph_iri, triples, metadata=None, *, meta_graph_iri=None):  # type: ignore[no-untyped-def]
        self._forward("replace_graph", graph_iri, list(triples), metadata, meta_graph_iri=meta_graph_iri)

    def drop_graph(self, graph_iri: str, *, meta_graph_iri: str | None = None) -> None:
        self._forward("drop_graph", graph_iri, meta_graph_iri=meta_graph_iri)

    def _update(self, sparql: str) -> None:
        raise StoreError("the store is open read-only")

    def backup_to(self, target: Path) -> bool:
        """A copy of the current checkpoint for the query workers: hard links (copies across devices)."""
        self._refresh()
        source = self._checkpoint
        if source is None:
            return False

        def link(src: str, dst: str) -> None:
            try:
                os.link(src, dst)
            except OSError:
                shutil.copy2(src, dst)

        try:
            shutil.copytree(source, target, copy_function=link, ignore=shutil.ignore_patterns("LOG*", "LOCK"))
        except OSError:
            return False
        return True

    def readable_path(self) -> Path | None:
        """The current checkpoint (read-only, written by nobody): report rows are read from it."""
        self._refresh()
        return self._checkpoint

    def flush(self) -> None:
        """Nothing to write: the owner flushes."""

    def close(self) -> None:
        self._store = None
        if self._owner is not None:
            with contextlib.suppress(OSError):
                self._owner.close()
