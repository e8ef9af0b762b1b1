"""The reference a test compares the shared view with: what two forces share, computed pair by pair
(the served view computes every pair at once, :func:`graph.view_data.shared_graph`)."""

from __future__ import annotations

import networkx as nx

from graph.similarity import SimilarityIndex
from graph.view_data import Shared, _profile, _shared, owners, similar_practices


def shared_between(graph: nx.MultiDiGraph, a: str, b: str, index: SimilarityIndex | None = None) -> Shared:
    """Systems, unit types and similar practices shared by forces ``a`` and ``b`` (``index``: see
    :func:`graph.view_data.similar_practices`)."""
    own = owners(graph)
    profile_a, profile_b = _profile(graph, a, own.get(a, set())), _profile(graph, b, own.get(b, set()))
    practices = similar_practices(graph, profile_a.practices, profile_b.practices, index=index)
    return _shared(graph, profile_a, profile_b, practices)
