"""Graph analytics on the networkx projection: what bridges forces, and GraphML export for Gephi."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from graph.network import nodes_of_type

BRIDGE_TYPES = ("system", "unit-type", "person")
#: node types whose forces come from graph.sharing when the projection carries them
SHARED_TYPES = frozenset({"system", "unit-type"})
#: above this many nodes betweenness is estimated from a fixed-seed sample (deterministic)
EXACT_BETWEENNESS_LIMIT = 5000


@dataclass(frozen=True)
class BridgeRow:
    """A system, unit type or person connected to two or more forces."""

    iri: str
    label: str
    type: str
    forces: tuple[str, ...]  # force IRIs, sorted
    force_count: int
    degree: int
    betweenness: float


def forces_of(net: nx.MultiDiGraph, node: str) -> set[str]:
    """Forces a node touches. A system or unit type: the forces :mod:`graph.sharing` counts for it
    (``net.graph["shares"]``: own evidence, no generic kind, equivalent types under the first of them).
    Else (a person, or a hand-built graph): adjacent forces, and the forces of adjacent units, findings
    and practices."""
    shares = net.graph.get("shares")
    if shares is not None and net.nodes[node].get("type") in SHARED_TYPES:
        return set(shares.get(node, ()))
    found: set[str] = set()
    for neighbour in set(net.predecessors(node)) | set(net.successors(node)):
        data = net.nodes[neighbour]
        if data.get("type") == "force":
            found.add(neighbour)
        elif data.get("type") in ("unit", "finding", "practice") and data.get("force"):
            found.add(str(data["force"]))
    return found


def betweenness(net: nx.MultiDiGraph) -> dict[str, float]:
    """Normalised betweenness centrality on the undirected simple graph."""
    simple = nx.Graph(net.to_undirected(as_view=True))
    if simple.number_of_nodes() > EXACT_BETWEENNESS_LIMIT:
        return nx.betweenness_centrality(simple, k=EXACT_BETWEENNESS_LIMIT // 10, seed=7)
    return nx.betweenness_centrality(simple)


def bridges(net: nx.MultiDiGraph, min_forces: int = 2) -> list[BridgeRow]:
    """Systems, unit types and people connecting ``min_forces`` or more forces, most connecting first."""
    centrality = betweenness(net)
    rows = []
    for node in nodes_of_type(net, *BRIDGE_TYPES):
        forces = forces_of(net, node)
        if len(forces) < min_forces:
            continue
        data = net.nodes[node]
        rows.append(
            BridgeRow(
                iri=node,
                label=str(data.get("label", node)),
                type=str(data["type"]),
                forces=tuple(sorted(forces)),
                force_count=len(forces),
                degree=int(net.degree(node)),
                betweenness=round(centrality.get(node, 0.0), 6),
            )
        )
    return sorted(rows, key=lambda r: (-r.force_count, -r.betweenness, -r.degree, r.label, r.iri))


def to_graphml(net: nx.MultiDiGraph, path: str | Path) -> Path:
    """Write GraphML that Gephi reads: every attribute a string (``None`` -> empty string)."""
    out = nx.MultiDiGraph()
    for node, data in net.nodes(data=True):
        out.add_node(node, **{k: _string(v) for k, v in data.items()})
    for source, target, key, data in net.edges(keys=True, data=True):
        out.add_edge(source, target, key=str(key), **{k: _string(v) for k, v in data.items()})
    path = Path(path)
    nx.write_graphml(out, path)
    return path


def _string(value: object) -> str:
    return "" if value is None else str(value)
