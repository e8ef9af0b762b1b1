"""What the running app holds: the store (opened lazily), the query worker pool and per-generation caches.

Nothing is opened when the app is created; the first request that needs the store opens it, and the
lifespan handler of :func:`api.app.create_app` closes everything. Costly derived data (the similarity
index, the SPARQL snapshot) is cached per *store generation*: a key made of the report graphs with their
load time and checksum in the metadata graph, plus a counter of updates accepted through ``/sparql``.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from api.lookup import load_query
from api.query_pool import QueryPool
from api.settings import Settings
from graph.store import Store
from graph.store_open import open_store

T = TypeVar("T")


class Runtime:
    """Per-app state; thread-safe (handlers run in FastAPI's thread pool)."""

    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        self.settings = settings
        self._store = store
        self._owns_store = store is None
        self._lock = threading.RLock()
        self._build_lock = threading.Lock()
        self._pool: QueryPool | None = None
        self._updates = 0
        self._cache: dict[str, tuple[str, Any]] = {}

    def store(self) -> Store:
        """The store, opened on first use."""
        with self._lock:
            if self._store is None:
                self._store = open_store(self.settings.graph)
            return self._store

    def note_update(self) -> None:
        """Record that the store changed outside a report load (a SPARQL update)."""
        with self._lock:
            self._updates += 1

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

    def cached(self, name: str, store: Store, build: Callable[[], T]) -> T:
        """``build()`` once per store generation (one build at a time)."""
        generation = self.generation(store)
        hit = self._cache.get(name)
        if hit is not None and hit[0] == generation:
            return hit[1]
        with self._build_lock:
            hit = self._cache.get(name)
            if hit is not None and hit[0] == generation:
                return hit[1]
            value = build()
            self._cache[name] = (generation, value)
            return value

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
