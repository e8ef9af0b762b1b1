"""What the running app holds: the store (opened lazily), the query worker pool and per-generation caches.

Nothing is opened when the app is created; the first request that needs the store opens it, and the
lifespan handler of :func:`api.app.create_app` closes everything. ``hmic-kg serve`` opens them at once
instead (:meth:`Runtime.preload`): the read model, and the query workers with their copy of the store.

Everything derived from the store is kept per *store generation* (the embedded store's write counter, or
a remote store's report graphs with their load time and checksum, plus a counter of updates accepted
through ``/sparql``): the read model
(:meth:`Runtime.snapshot`, which holds every other derived value in its memo) and the SPARQL workers'
copy of the store (:meth:`Runtime.pool`). The read model is also saved next to the store, keyed by content
(:mod:`api.snapshot_store`), so a start loads it instead of building it, with its per-report rows kept
beside it (a read-only store's data dir is only read: its ``serve --workers`` processes save their one
build in a scratch dir they share); updates through ``/sparql`` write change stamps into that key
(:mod:`api.update_stamps`), so both stay valid with updates enabled, in every ``serve --workers`` process
and after a restart.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from api.build_lock import build_lock
from api.lookup import load_query
from api.query_pool import QueryPool
from api.settings import Settings
from graph.iris import Iris
from graph.store import Store
from graph.store_open import open_store

if TYPE_CHECKING:
    from api.report_rows import MemoryRows
    from api.snapshot import Snapshot

log = logging.getLogger(__name__)

#: how long a request waits for the snapshot of a new generation before it is answered from the previous
FRESH_WAIT_S = 5.0


class Runtime:
    """Per-app state; thread-safe (handlers run in FastAPI's thread pool)."""

    def __init__(
        self,
        settings: Settings,
        store: Store | None = None,
        snapshot_dir: Path | None = None,
        scratch_dir: Path | None = None,
    ) -> None:
        """``snapshot_dir``: where the saved snapshot lives (default the data dir; a worker process that
        opens a read-only checkpoint of the store elsewhere passes the data dir of the store itself).
        ``scratch_dir``: a private folder the ``serve --workers`` processes of a read-only store share,
        where one of them builds and saves the read model and matching index for the others (nothing is
        written in a read-only store's data dir)."""
        self.settings = settings
        self._store = store
        self._owns_store = store is None
        self.snapshot_dir = snapshot_dir if snapshot_dir is not None else settings.graph.data_dir
        self._dir_given = snapshot_dir is not None
        self.scratch_dir = scratch_dir
        self._lock = threading.RLock()
        self._build_lock = threading.Lock()  # one SPARQL worker snapshot at a time
        self._snapshot_lock = threading.Lock()  # one read model build at a time
        self._pool: QueryPool | None = None
        self._updates = 0
        self._snapshot: Snapshot | None = None
        self._building: str | None = None  # the generation being built in the background
        self._built = threading.Event()  # set when that build ends
        self._rows: MemoryRows | None = None  # per-report rows between builds, without a data dir

    def store(self) -> Store:
        """The store, opened on first use."""
        with self._lock:
            if self._store is None:
                self._store = open_store(self.settings.graph)
            return self._store

    def meta_graph(self) -> str:
        """The metadata graph's IRI (where loads write each report's entry and updates their stamps)."""
        return str(Iris(self.settings.base_iri).meta_graph())

    def note_update(self, *, unsure: bool = False) -> None:
        """Record that the store changed through a SPARQL update. Its change stamps
        (:mod:`api.update_stamps`) keep the keys of the kept rows and of the saved snapshot true, so
        nothing is dropped; ``unsure``: an update that failed on a store that applies one operation at a
        time may have changed a graph behind its key, so the kept rows and the saved files are dropped."""
        with self._lock:
            self._updates += 1
            if not unsure:
                return
            self._rows = None
            if self._persists():
                from api.matching_saved import discard_index
                from api.snapshot_store import discard_saved

                discard_saved(self.snapshot_dir)
                discard_index(self.snapshot_dir)

    def _persists(self) -> bool:
        """Whether the snapshot is saved in (and loaded from) the data dir: for an embedded store this
        runtime opened itself, or one handed in with its ``snapshot_dir`` (a ``serve --workers``
        process); updates included, since their stamps keep the content key true in every process
        (a store handed in without a folder, as in tests, has no data dir of its own)."""
        if self.settings.graph.backend == "remote":
            return False
        return self._owns_store or self._dir_given

    def generation(self, store: Store) -> str:
        """A short key that changes whenever the store content changes.

        An embedded store counts the writes made through it (nothing else can write to it while it is
        open); a remote one is asked for its report graphs' count and latest load time.
        """
        writes = store.change_count
        if writes is not None:
            return f"{id(store):x}.{writes}.{self._updates}"
        rows = store.query(load_query("generation")).rows  # one aggregated row
        digest = hashlib.sha256(repr((self._updates, rows)).encode("utf-8"))
        return digest.hexdigest()[:16]

    def snapshot(self, store: Store, generation: str | None = None) -> Snapshot:
        """The read model of ``generation`` (read from the store when not given), the one cache of
        everything derived from the store.

        The first snapshot is built on request (concurrent first requests wait for that one build).
        After a change the new one is built in the background; a request waits for it at most
        :data:`FRESH_WAIT_S` (a small store's is ready by then), and is otherwise answered from the
        previous snapshot. A new snapshot's per-force detail and help are then warmed
        (:mod:`api.snapshot_warm`).
        """
        generation = generation if generation is not None else self.generation(store)
        current = self._snapshot
        if current is not None and current.generation == generation:
            return current
        if current is None:
            return self._build(store, generation)
        with self._lock:
            if self._building != generation:
                self._building = generation
                self._built = threading.Event()
                threading.Thread(
                    target=self._build, args=(store, generation), name="snapshot-build", daemon=True
                ).start()
            built = self._built
        built.wait(FRESH_WAIT_S)  # a small store's snapshot is ready by then: answer from it
        return self._snapshot or current  # the newest built (snapshots only move forward)

    def preload(self, *, queries: bool = False) -> threading.Thread:
        """Load (or build) the read model now, in the background, so the first request of a server that
        has just started finds it ready or under way; with ``queries`` (what ``serve`` asks), also start
        the SPARQL worker pool after it, each worker opening its copy of the store, so the first
        ``/sparql`` is answered at full speed. A failure is logged and left to the requests. The thread
        returned ends when both are done."""

        def start_pool() -> None:
            try:
                store = self.store()
                if not store.remote:  # a remote store answers /sparql itself
                    self.pool(store)
            except Exception as error:  # the first /sparql meets the same error and reports it
                log.warning("the SPARQL workers were not preloaded: %s", _first_line(error))

        def run() -> None:
            try:
                self.snapshot(self.store())
            except Exception as error:  # the first request meets the same error and reports it
                log.warning("the read model was not preloaded: %s", _first_line(error))
            if queries:  # then the pool: its processes' start would share the CPUs with the read model's
                start_pool()

        thread = threading.Thread(target=run, name="snapshot-preload", daemon=True)
        thread.start()
        return thread

    def _build(self, store: Store, generation: str) -> Snapshot:
        from api.snapshot_build import build_snapshot
        from api.snapshot_warm import start_warming

        with self._snapshot_lock:
            try:
                current = self._snapshot
                if current is not None and current.generation == generation:
                    return current
                built = self._load_or_build(store, generation, build_snapshot)
                self._snapshot = built
            finally:
                with self._lock:
                    if self._building == generation:
                        self._building = None
                        self._built.set()
        start_warming(built)
        return built

    def _load_or_build(self, store: Store, generation: str, build: Callable[..., Snapshot]) -> Snapshot:
        """The saved snapshot of the store's content if there is one, else a new build (then saved where
        :meth:`_save_dir` says, unless the store was changed by an update meanwhile)."""
        from api.report_rows import DiskRows, MemoryRows

        if not self._persists():
            rows = None
            if self.settings.graph.backend != "remote":  # a remote store may change behind any key
                with self._lock:
                    rows = self._rows = self._rows or MemoryRows()
            return build(store, Iris(self.settings.base_iri), generation, rows_cache=rows)
        from api.snapshot_store import content_key, load_saved, save_snapshot

        config, iris = self.settings.graph, Iris(self.settings.base_iri)
        key = content_key(store, self.settings.base_iri)
        saved = load_saved(self.snapshot_dir, key, iris, generation)
        if saved is not None:
            log.info("snapshot loaded from %s", self.snapshot_dir)
            return self._with_index_place(saved, key)
        # one build at a time per folder it is saved in: the other serve workers wait, then load what it
        # saved (a read-only store's workers share a scratch dir; without one nothing is saved or awaited)
        target = self._save_dir()
        locked = build_lock(target) if target is not None else contextlib.nullcontext(False)
        with locked as waited:
            # the scratch dir was not looked in yet: a worker started later loads what another saved there
            if target is not None and (waited or target != Path(self.snapshot_dir)):
                saved = load_saved(target, key, iris, generation)
                if saved is not None:
                    log.info("snapshot loaded from %s (built by another process)", target)
                    return self._with_index_place(saved, key)
            rows = DiskRows(self.snapshot_dir, writable=not config.read_only)
            built = build(store, iris, generation, rows_cache=rows)
            self._with_index_place(built, key)
            # saved only if the store did not change during the build (the build read it as it was then;
            # a key is never current again once it changed, so a file saved under an old one is unused)
            if target is not None and content_key(store, self.settings.base_iri) == key:
                try:
                    save_snapshot(built, key, target)
                except OSError as error:
                    log.warning("could not save the snapshot in %s: %s", target, error)
        return built

    def _save_dir(self) -> Path | None:
        """Where a build is saved and its build lock held: the data dir; for a read-only store, the scratch
        dir of its serve workers (None without one: each build is kept in its process alone)."""
        if self.settings.graph.read_only:
            return self.scratch_dir
        return Path(self.snapshot_dir)

    def _with_index_place(self, snap: Snapshot, key: str) -> Snapshot:
        """``snap`` told where its matching index is saved (:mod:`api.matching_saved`)."""
        from api.matching_saved import IndexPlace

        place = IndexPlace(Path(self.snapshot_dir), key, self._save_dir())
        snap.derived(("index_place",), lambda: place)
        return snap

    def pool(self, store: Store) -> QueryPool:
        """The worker pool, started on first use and holding a snapshot of the current generation."""
        with self._lock:
            if self._pool is None:
                self._pool = QueryPool(self.settings.query_workers, self.settings.query_memory_mb)
            pool = self._pool
        generation = self.generation(store)
        if pool.generation != generation:
            with self._build_lock:
                # embedded Oxigraph: a checkpoint; others (and a failed one): N-Quads
                if pool.generation != generation and not pool.set_snapshot_store(generation, store.backup_to):
                    pool.set_snapshot(generation, store.snapshot_nquads())
        return pool

    def close(self) -> None:
        """Stop the workers and close the store if this runtime opened it (idempotent)."""
        with self._lock:
            pool, self._pool = self._pool, None
            store, owned = self._store, self._owns_store
            if owned:
                self._store = None
        if pool is not None:
            pool.close()
        if store is not None and owned:
            store.close()


def _first_line(error: BaseException) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__
