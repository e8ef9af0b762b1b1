"""Open the store backend a :class:`graph.config.GraphConfig` names (nothing is opened at import time).

The one module that knows every backend: :mod:`graph.store` (the interface) imports none of them, and
each backend imports only the interface, so there is no import circle.
"""

from __future__ import annotations

from graph.config import GraphConfig
from graph.store import Store
from graph.store_memory import MemoryStore
from graph.store_oxigraph import OxigraphStore
from graph.store_remote import RemoteStore


def open_store(config: GraphConfig) -> Store:
    """Open the backend ``config.backend`` names, with the contract's metadata graph."""
    meta = f"{config.base_iri}graph/meta"  # the contract's metadata graph (docs/graph-model.md)
    if config.backend == "oxigraph":
        return OxigraphStore(config.data_dir / "oxigraph", read_only=config.read_only, meta_graph_iri=meta)
    if config.backend == "memory":
        return MemoryStore(config.data_dir / "memory.trig", meta_graph_iri=meta)
    assert config.query_url is not None  # GraphConfig validates this
    return RemoteStore(
        config.query_url,
        config.update_url,
        store_url=config.store_url,
        timeout_s=config.timeout_s,
        meta_graph_iri=meta,
        update_token=config.update_token,
    )
