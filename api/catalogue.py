"""The names the ranking code reads the read model by: a :class:`Catalogue` is the
:class:`api.snapshot.Snapshot` of a store generation (its tables read as mappings), built by
:func:`build_catalogue`. New code imports :mod:`api.snapshot` directly."""

from __future__ import annotations

from api.snapshot import Snapshot, last_segment
from api.snapshot_build import build_snapshot, practice_id
from graph.iris import Iris
from graph.store import Store

Catalogue = Snapshot

__all__ = ["Catalogue", "build_catalogue", "last_segment", "practice_id"]


def build_catalogue(store: Store, iris: Iris) -> Snapshot:
    """The snapshot of ``store`` as it is now (tests and tools; the API keeps one per generation)."""
    return build_snapshot(store, iris)
