"""Node positions of the network views, computed on the server so a view appears at once (no physics in
the browser): networkx's spring layout for small views, a vectorised force layout for large ones, nodes
pushed apart where they would overlap, and the types a view hides at first left out of the layout."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import networkx as nx

if TYPE_CHECKING:
    from graph.views import View


#: above this many nodes :func:`compute_layout` uses :func:`local_force_layout` instead of networkx's
#: spring layout (whose sparse variant loops over the nodes in Python: seconds for 1,500 nodes)
SPRING_MAX_NODES = 500


def compute_layout(graph: nx.MultiDiGraph, focus: str | None = None, seed: int = 7) -> dict[str, tuple]:
    """Node positions in pixels (deterministic), so the browser needs no physics: networkx's spring layout
    for up to :data:`SPRING_MAX_NODES` nodes, :func:`local_force_layout` above."""
    if graph.number_of_nodes() == 0:
        return {}
    scale = 70.0 * math.sqrt(graph.number_of_nodes()) + 120.0
    if graph.number_of_nodes() > SPRING_MAX_NODES:
        return _pixels(local_force_layout(graph, focus, seed), scale, graph)
    simple = nx.Graph(graph.to_undirected(as_view=True))
    fixed = None
    pos0 = None
    if focus is not None and focus in simple:
        pos0 = {focus: (0.0, 0.0)}
        fixed = [focus]
    k = 1.6 / math.sqrt(max(graph.number_of_nodes(), 1))
    iterations = 40 if graph.number_of_nodes() <= 600 else 25
    positions = nx.spring_layout(simple, k=k, pos=pos0, fixed=fixed, seed=seed, iterations=iterations)
    if fixed:  # fixed layouts are not rescaled by networkx
        spread = max((max(abs(x), abs(y)) for x, y in positions.values()), default=1.0) or 1.0
        positions = {n: (x / spread, y / spread) for n, (x, y) in positions.items()}
    return _pixels(positions, scale, graph)


def _pixels(positions: Mapping[str, Any], scale: float, graph: nx.MultiDiGraph) -> dict[str, tuple]:
    placed = {n: (float(x) * scale, float(y) * scale) for n, (x, y) in positions.items()}
    if len(placed) <= SPRING_MAX_NODES:
        room = {n: EXTRA_ROOM.get(str(graph.nodes[n].get("type")), 0.0) for n in placed}
        placed = separate(placed, room)
    return {n: (round(x, 1), round(y, 1)) for n, (x, y) in placed.items()}


#: more room around big nodes with long labels (two forces of the shared view drew on top of each other)
EXTRA_ROOM = {"force": 60.0}
MIN_DISTANCE = 100.0  # pixels between node centres after :func:`separate` (a force hexagon is 60 wide)


def separate(
    positions: dict[str, tuple[float, float]], room: Mapping[str, float] | None = None, rounds: int = 30
) -> dict[str, tuple[float, float]]:
    """Push apart nodes closer than :data:`MIN_DISTANCE` (two forces of the shared view drew on top of each
    other); deterministic, for small views only (pairwise)."""
    import numpy as np

    nodes = list(positions)
    if len(nodes) < 2:
        return positions
    pos = np.array([positions[n] for n in nodes], dtype=float)
    extra = np.array([(room or {}).get(n, 0.0) for n in nodes], dtype=float)
    wanted = MIN_DISTANCE + extra[:, None] + extra[None, :]
    jitter = np.linspace(0.0, 1.0, len(nodes))
    for _ in range(rounds):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.hypot(delta[..., 0], delta[..., 1])
        np.fill_diagonal(dist, np.inf)
        close = dist < wanted
        if not close.any():
            break
        same = dist < 1e-6  # exactly on top of each other: part them along a fixed direction
        delta[same] = np.stack([jitter[:, None] - jitter[None, :] + 0.5, np.ones_like(dist)], axis=-1)[same]
        dist = np.where(same, 1.0, dist)
        push = np.zeros_like(dist)
        push[close] = (wanted[close] - dist[close]) / 2.0 / dist[close]
        pos += (delta * push[..., None]).sum(axis=1)
    return {n: (float(pos[i, 0]), float(pos[i, 1])) for i, n in enumerate(nodes)}


def local_force_layout(
    graph: nx.MultiDiGraph, focus: str | None = None, seed: int = 7, iterations: int = 50
) -> dict[str, tuple[float, float]]:
    """A force-directed layout: linear attraction along links, Fruchterman-Reingold repulsion cut off
    beyond 1.5 ideal edge lengths (as the grid variant of their paper), vectorised with numpy and a k-d
    tree: milliseconds per iteration where networkx's all-pairs force costs seconds. Deterministic for
    a ``seed``; ``focus`` is pinned at the centre.
    Positions are centred and scaled to [-1, 1]."""
    import numpy as np
    from scipy.spatial import cKDTree

    nodes = list(graph.nodes)
    n = len(nodes)
    index = {node: i for i, node in enumerate(nodes)}
    pairs = {(index[u], index[v]) for u, v in graph.edges() if u != v}
    links = np.array(sorted({(min(p), max(p)) for p in pairs}), dtype=np.int64).reshape(-1, 2)
    rng = np.random.default_rng(seed)
    side = math.sqrt(n)  # ideal edge length 1: about one node per unit of area
    pos = (rng.random((n, 2)) - 0.5) * side
    pinned = index.get(focus) if focus is not None else None
    if pinned is not None:
        pos[pinned] = 0.0
    cutoff = 1.5
    step = side / 10.0
    for it in range(iterations):
        disp = np.zeros((n, 2))
        close = cKDTree(pos).query_pairs(cutoff, output_type="ndarray")
        for group, attract in ((close, False), (links, True)):
            if not len(group):
                continue
            a, b = group[:, 0], group[:, 1]
            delta = pos[a] - pos[b]
            dist = np.maximum(np.hypot(delta[:, 0], delta[:, 1]), 0.01)
            force = -np.ones_like(dist) if attract else 1.0 / dist**2  # linear attraction, k²/d repulsion
            push = delta * force[:, None]
            for axis in (0, 1):
                disp[:, axis] += np.bincount(a, push[:, axis], n) - np.bincount(b, push[:, axis], n)
        length = np.maximum(np.hypot(disp[:, 0], disp[:, 1]), 1e-9)
        limit = step * (1.0 - it / iterations)
        pos += disp * (np.minimum(length, limit) / length)[:, None]
        if pinned is not None:
            pos[pinned] = 0.0
    centre = pos[pinned] if pinned is not None else pos.mean(axis=0)
    pos -= centre
    spread = float(np.abs(pos).max()) or 1.0
    pos /= spread
    return {node: (float(pos[i, 0]), float(pos[i, 1])) for i, node in enumerate(nodes)}


def initial_layout(view: View) -> dict[str, tuple]:
    """Positions of the nodes shown at first (types in ``view.hidden`` take no room); each hidden node
    sits among its shown neighbours, ready for the re-layout the page runs when it is ticked."""
    graph = view.graph
    shown = [n for n, t in graph.nodes(data="type") if t not in view.hidden]
    positions = compute_layout(graph.subgraph(shown), view.focus) if len(shown) < len(graph) else (
        compute_layout(graph, view.focus))  # fmt: skip
    for node in graph.nodes:
        if node not in positions:
            near = [
                positions[n] for n in (*graph.successors(node), *graph.predecessors(node)) if n in positions
            ]
            x = sum(p[0] for p in near) / len(near) if near else 0.0
            y = sum(p[1] for p in near) / len(near) if near else 0.0
            positions[node] = (round(x + 12.0, 1), round(y + 12.0, 1))
    return positions
