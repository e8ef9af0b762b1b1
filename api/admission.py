"""Admission of ``/sparql`` work, so that SPARQL — cheap or costly — can never starve the REST lookups.

* The guard (:mod:`api.sparql_guard`) runs in a thread of its own small limiter with a deadline, never on
  the event loop and never in the shared thread pool.
* Evaluation is admitted through a bounded queue: at most ``query_workers`` requests run at once (one per
  worker process), at most ``sparql_queue`` more wait — asynchronously, holding no thread — and any
  further request is answered 503 ``query_busy`` at once, with ``Retry-After``. A waiting request gives up
  with the same 503 after the query time limit.
* Admitted work runs in threads of a separate limiter, so the shared pool that serves ``/forces`` and the
  other lookups (anyio's default limiter) is never held by a query waiting for its worker.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio
from starlette.requests import Request

from api.errors import ApiError
from api.settings import Settings

T = TypeVar("T")
GUARD_THREADS = 2
GUARD_DEADLINE_S = 5.0
GUARD_BYTES_PER_S = 2_000_000  # the deadline's allowance for long texts (5x the guard's measured speed)


@dataclass
class Admission:
    """Per-app limiters (created in the event loop, on the first SPARQL request)."""

    settings: Settings
    guard_limiter: anyio.CapacityLimiter = field(init=False)
    query_limiter: anyio.CapacityLimiter = field(init=False)
    slots: anyio.Semaphore = field(init=False)
    waiting: int = 0

    def __post_init__(self) -> None:
        self.guard_limiter = anyio.CapacityLimiter(GUARD_THREADS)
        # one thread per worker, plus a few for updates and remote pass-through that need no worker
        self.query_limiter = anyio.CapacityLimiter(self.settings.query_workers + 2)
        self.slots = anyio.Semaphore(self.settings.query_workers)

    def busy(self) -> ApiError:
        return ApiError(
            503,
            "query_busy",
            "the SPARQL endpoint is busy; try again shortly",
            "query",
            headers={"Retry-After": "2"},
        )

    async def check(self, fn: Callable[..., T], *args: Any, text_bytes: int = 0) -> T:
        """Run the guard step ``fn(*args)`` off the event loop within its deadline (longer for a large
        update: the guard reads ~10 MB a second)."""
        with anyio.move_on_after(GUARD_DEADLINE_S + text_bytes / GUARD_BYTES_PER_S) as scope:
            return await anyio.to_thread.run_sync(
                fn, *args, limiter=self.guard_limiter, abandon_on_cancel=True
            )
        assert scope.cancelled_caught
        raise ApiError(503, "query_busy", "the query could not be checked in time; try again", "query")

    async def run_unqueued(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` in the SPARQL threads without a worker slot (an authorised update)."""
        return await anyio.to_thread.run_sync(fn, *args, limiter=self.query_limiter)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` (a query or update) once admitted; 503 when the queue is full or time is up."""
        if self.waiting >= self.settings.sparql_queue:
            raise self.busy()
        acquired = False
        self.waiting += 1
        try:
            with anyio.move_on_after(self.settings.query_timeout_s):
                await self.slots.acquire()
                acquired = True
        finally:
            self.waiting -= 1
        if not acquired:
            raise self.busy()
        try:
            return await anyio.to_thread.run_sync(fn, *args, limiter=self.query_limiter)
        finally:
            self.slots.release()


def admission(request: Request, settings: Settings) -> Admission:
    """The app's :class:`Admission` for the running event loop (created on first use in it: the limiters
    belong to one loop, and a test client may run the same app in several)."""
    state = request.app.state
    loop = asyncio.get_running_loop()
    current = getattr(state, "sparql_admission", None)
    if current is None or current[0] is not loop:
        current = (loop, Admission(settings))
        state.sparql_admission = current
    return current[1]
