"""A thread-safe memo of values built once per owner (the snapshot's memo: once per store generation)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")
_MISSING = object()


class Memo:
    """``get(key, build)`` runs ``build()`` once per key; concurrent first callers of a key wait for that
    one build, while builds of different keys run side by side.

    ``bound`` caps the entries kept for keys of the same kind (``key[0]``), oldest dropped first.
    """

    def __init__(self) -> None:
        self._values: dict[tuple[Hashable, ...], Any] = {}
        self._lock = threading.Lock()  # guards the dicts, never held during a build
        self._building: dict[tuple[Hashable, ...], Any] = {}  # key -> the lock its builders share

    def get(self, key: tuple[Hashable, ...], build: Callable[[], T], bound: int | None = None) -> T:
        hit = self._values.get(key, _MISSING)
        if hit is not _MISSING:
            return hit
        with self._lock:
            key_lock = self._building.setdefault(key, threading.RLock())
        with key_lock:
            hit = self._values.get(key, _MISSING)
            if hit is not _MISSING:
                return hit
            value = build()
            with self._lock:
                if bound is not None:
                    same_kind = [k for k in self._values if k[0] == key[0]]
                    for old in same_kind[: max(0, len(same_kind) - bound + 1)]:
                        del self._values[old]
                self._values[key] = value
                self._building.pop(key, None)
            return value
