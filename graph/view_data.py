"""The subgraph behind each network view: whole graph, one force, one system or unit type, ego, shared.

Pure functions over the networkx projection of the store (:func:`graph.network.to_networkx`): nodes are
IRIs with ``type``, ``label``, ``text``, ``report``, ``line_from``, ``line_to``; edges carry ``label``.
:func:`build_view` picks the function for a view kind and applies the node budget.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import combinations

import networkx as nx

from graph.similarity import THEME_THRESHOLD, SimilarityIndex
from graph.views import DEFAULT_BUDGET, View, trim_to_budget

VIEW_KINDS: tuple[str, ...] = ("overview", "force", "system", "unit-type", "ego", "shared")
#: node types unticked when a view opens (a force's hundred findings and dozens of partner bodies hid its
#: structure)
DEFAULT_HIDDEN: dict[str, tuple[str, ...]] = {"force": ("finding", "partner")}
#: nodes an ego view of depth 2 reaches but does not walk through (the report links to everything in it)
HUB_TYPES = frozenset({"report"})
#: nodes that belong to one force (shared nodes such as systems or people may belong to many)
OWNED_TYPES = frozenset({"finding", "practice", "unit", "report"})


class ViewNotFound(LookupError):
    """The node a view is about is not in the graph, or the view kind is unknown."""


def node_type(graph: nx.MultiDiGraph, node: str) -> str:
    """A node's type ("" when the projection did not type it)."""
    return str(graph.nodes[node].get("type") or "")


def label_of(graph: nx.MultiDiGraph, node: str) -> str:
    return str(graph.nodes[node].get("label") or node)


def nodes_of_type(graph: nx.MultiDiGraph, *types: str) -> list[str]:
    """Nodes of the given types, sorted by label."""
    wanted = set(types)
    return sorted((n for n in graph.nodes if node_type(graph, n) in wanted), key=lambda n: label_of(graph, n))


def neighbours(graph: nx.MultiDiGraph, node: str) -> set[str]:
    """Nodes linked to ``node`` in either direction."""
    return set(graph.successors(node)) | set(graph.predecessors(node))


def owned_by(graph: nx.MultiDiGraph, force: str) -> set[str]:
    """The force's own findings, practices, units and reports (their ``force`` attribute names it)."""
    return owners(graph).get(force, set())


def owners(graph: nx.MultiDiGraph) -> dict[str, set[str]]:
    """Every force's own nodes (see :func:`owned_by`), from one pass over the nodes."""
    found: dict[str, set[str]] = {}
    for node, attrs in graph.nodes(data=True):
        owner = attrs.get("force")
        if owner is not None and attrs.get("type") in OWNED_TYPES:
            found.setdefault(str(owner), set()).add(node)
    return found


def reach_of(graph: nx.MultiDiGraph, force: str, owned: set[str] | None = None) -> set[str]:
    """A force, its own nodes and what they (or it) link to, other forces and their own nodes aside.

    ``owned``: the force's own nodes when already known (:func:`owners`)."""
    owned = owned_by(graph, force) if owned is None else owned
    reached = {force} | owned
    for node in {force} | owned:
        for other in neighbours(graph, node):
            kind = node_type(graph, other)
            if kind != "force" and (kind not in OWNED_TYPES or other in owned):
                reached.add(other)
    return reached


def overview_graph(graph: nx.MultiDiGraph) -> tuple[nx.MultiDiGraph, str | None]:
    """The whole graph without individual findings (they are counted in the note)."""
    kept = [n for n, kind in graph.nodes(data="type") if kind != "finding"]
    findings = graph.number_of_nodes() - len(kept)
    sub = graph.subgraph(kept).copy()
    if not findings:
        return sub, None
    return sub, f"{findings:,} findings are left out of the overview; open a force view to see them."


def force_graph(graph: nx.MultiDiGraph, force: str) -> nx.MultiDiGraph:
    """One force: its units, systems, reports, practices, findings, leads, areas and grades."""
    return graph.subgraph(reach_of(graph, force)).copy()


def across_forces_graph(graph: nx.MultiDiGraph, node: str) -> nx.MultiDiGraph:
    """An IT system or unit type across forces: what is linked to it, the areas and leads of those, and
    the force each belongs to (an ``of force`` link where the graph has no direct one)."""
    first = neighbours(graph, node)
    keep = {node} | first
    owner_links: list[tuple[str, str]] = []
    for other in first:
        for near in neighbours(graph, other):
            kind = node_type(graph, near)
            if kind == "area" or (kind == "person" and "leads" in (graph.get_edge_data(near, other) or {})):
                keep.add(near)
        owner = graph.nodes[other].get("force")
        if node_type(graph, other) in OWNED_TYPES and owner in graph:
            keep.add(owner)
            if not graph.has_edge(other, owner) and not graph.has_edge(owner, other):
                owner_links.append((other, owner))
    sub = graph.subgraph(keep).copy()
    for source, target in owner_links:
        sub.add_edge(source, target, key="of-force", type="of-force", label="of force")
    return sub


def ego_graph(graph: nx.MultiDiGraph, node: str, depth: int = 1) -> nx.MultiDiGraph:
    """Every node within ``depth`` links of ``node``, in either direction."""
    if depth not in (1, 2):
        raise ValueError("depth must be 1 or 2")
    return induced(graph, within(graph, node, depth))


def induced(graph: nx.MultiDiGraph, keep: set[str]) -> nx.MultiDiGraph:
    """The subgraph on ``keep`` with nodes and edges in the graph's own order (``graph.subgraph`` follows a
    set's order, which changes with the hash seed: the same view must come out the same in every process)."""
    sub = graph.__class__()
    sub.graph.update(graph.graph)
    sub.add_nodes_from((n, data) for n, data in graph.nodes(data=True) if n in keep)
    sub.add_edges_from(
        (u, v, k, data)
        for u in sub
        for v, keyed in graph.adj[u].items()
        if v in keep
        for k, data in keyed.items()
    )
    return sub


def within(graph: nx.MultiDiGraph, node: str, depth: int) -> set[str]:
    """Nodes at most ``depth`` links from ``node`` in either direction (as ``nx.ego_graph`` with
    ``undirected=True``, without copying the graph to an undirected one). Hubs (:data:`HUB_TYPES`, other
    than ``node`` itself) are reached but not walked through: depth 2 through a report is the whole report."""
    seen, frontier = {node}, {node}
    for _ in range(depth):
        walk = {f for f in frontier if f == node or node_type(graph, f) not in HUB_TYPES}
        frontier = {n for f in walk for n in neighbours(graph, f)} - seen
        seen |= frontier
    return seen


@dataclass(frozen=True)
class Shared:
    """What two forces have in common."""

    systems: tuple[str, ...]
    unit_types: tuple[str, ...]
    practices: tuple[tuple[str, str, float], ...]  # (practice of a, practice of b, similarity)

    def __bool__(self) -> bool:
        return bool(self.systems or self.unit_types or self.practices)


def practice_text(graph: nx.MultiDiGraph, node: str) -> str:
    """Title and problem of a practice: the text ``/shared`` compares for its practice themes."""
    attrs = graph.nodes[node]
    return f"{attrs.get('label') or ''} {attrs.get('text') or ''}"


#: text index per projection (fitting it is linear in the findings: seconds for hundreds of reports)
def text_index(graph: nx.MultiDiGraph) -> SimilarityIndex:
    """The TF-IDF index fitted on every practice and finding of the graph, like the API's matcher.

    Kept in the graph's own attributes (the served projection lives in the store generation's snapshot),
    refitted when its size changes."""
    size = (graph.number_of_nodes(), graph.number_of_edges())
    cached = graph.graph.get("text_index")
    if cached is not None and cached[0] == size:
        return cached[1]
    index = _fit_text_index(graph)
    graph.graph["text_index"] = (size, index)
    return index


def _fit_text_index(graph: nx.MultiDiGraph) -> SimilarityIndex:
    practices, findings = nodes_of_type(graph, "practice"), nodes_of_type(graph, "finding")
    texts = [practice_text(graph, n) for n in practices]
    texts += [str(graph.nodes[n].get("text") or "") for n in findings]
    return SimilarityIndex([*practices, *findings], texts)


def similar_practices(
    graph: nx.MultiDiGraph,
    left: Iterable[str],
    right: Iterable[str],
    threshold: float = THEME_THRESHOLD,
    index: SimilarityIndex | None = None,
) -> list[tuple[str, str, float]]:
    """Pairs of practices whose texts are alike (TF-IDF cosine similarity at least ``threshold``).

    ``index`` is fitted on the whole graph by :func:`shared_graph` (:func:`text_index`); without it, on
    the two lists of practices alone.
    """
    left, right = sorted(left), sorted(right)
    texts = lambda nodes: [practice_text(graph, n) for n in nodes]  # noqa: E731
    index = index or SimilarityIndex([*left, *right], [*texts(left), *texts(right)])
    sims = index.cross_scores(texts(left), texts(right))
    pairs = [
        (a, b, sims[i][j]) for i, a in enumerate(left) for j, b in enumerate(right) if sims[i][j] >= threshold
    ]
    return [(a, b, round(score, 2)) for a, b, score in sorted(pairs, key=lambda p: -p[2])]


@dataclass(frozen=True)
class _Profile:
    """What a force could share: systems in its reach, unit types of its units, its own practices."""

    systems: frozenset[str]
    unit_types: frozenset[str]
    practices: tuple[str, ...]  # sorted


def _profile(graph: nx.MultiDiGraph, force: str, owned: set[str]) -> _Profile:
    """A force's systems and unit types as :mod:`graph.sharing` counts them (``graph["shares"]``, kept by
    the projection: own evidence, no generic kind, equivalent types as one); a hand-built graph without
    it falls back to what the force's reach links to."""
    practices = tuple(sorted(n for n in owned if node_type(graph, n) == "practice"))
    shares = graph.graph.get("shares")
    if shares is not None:
        mine = [n for n, forces in shares.items() if force in forces and n in graph]
        return _Profile(
            frozenset(n for n in mine if node_type(graph, n) == "system"),
            frozenset(n for n in mine if node_type(graph, n) == "unit-type"),
            practices,
        )
    reach = reach_of(graph, force, owned)
    units = [n for n in reach if node_type(graph, n) == "unit"]
    return _Profile(
        frozenset(n for n in reach if node_type(graph, n) == "system"),
        frozenset(t for u in units for t in neighbours(graph, u) if node_type(graph, t) == "unit-type"),
        practices,
    )


def _shared(
    graph: nx.MultiDiGraph, a: _Profile, b: _Profile, practices: list[tuple[str, str, float]]
) -> Shared:
    by_label = lambda nodes: tuple(sorted(nodes, key=lambda n: label_of(graph, n)))  # noqa: E731
    return Shared(by_label(a.systems & b.systems), by_label(a.unit_types & b.unit_types), tuple(practices))


class _PracticeScores:
    """Similarity of every pair of the given practices, vectorised once (for :func:`shared_graph`)."""

    def __init__(self, graph: nx.MultiDiGraph, practices: list[str], index: SimilarityIndex) -> None:
        self.position = {p: i for i, p in enumerate(practices)}
        self.matrix = index.score_matrix([practice_text(graph, p) for p in practices])

    def similar(
        self, left: tuple[str, ...], right: tuple[str, ...], threshold: float = THEME_THRESHOLD
    ) -> list[tuple[str, str, float]]:
        """As :func:`similar_practices` with the whole-graph index (``left`` and ``right`` sorted)."""
        import numpy as np

        if not left or not right:
            return []
        rows = [self.position[p] for p in left]
        cols = [self.position[p] for p in right]
        sub = self.matrix[np.ix_(rows, cols)]
        pairs = []
        for i, j in zip(*np.nonzero(sub >= threshold - 1e-4), strict=True):  # rounded below, as there
            score = round(float(sub[i, j]), 4)
            if score >= threshold:
                pairs.append((left[i], right[j], score))
        return [(a, b, round(score, 2)) for a, b, score in sorted(pairs, key=lambda p: -p[2])]


#: most ``similar practice`` links the shared view draws (the best first); the pair labels count them all
MAX_SIMILAR_LINKS = 2000
#: most names listed in a force pair's tooltip in the shared view
MAX_TITLE_NAMES = 25


def shared_graph(graph: nx.MultiDiGraph, max_similar: int = MAX_SIMILAR_LINKS) -> nx.MultiDiGraph:
    """The cross-force map: forces linked by one edge per pair, labelled with what they share, plus the
    shared systems, unit types and similar practices themselves.

    Each force's reach and the practices' vectors are computed once. At most ``max_similar`` of the most
    similar practice pairs are drawn (with their practices); the graph's ``note`` says how many were
    left out."""
    out = nx.MultiDiGraph()
    forces = nodes_of_type(graph, "force")
    for force in forces:
        out.add_node(force, **graph.nodes[force])
    own = owners(graph)
    profiles = {f: _profile(graph, f, own.get(f, set())) for f in forces}
    scores = (
        _PracticeScores(graph, [p for f in forces for p in profiles[f].practices], text_index(graph))
        if forces
        else None
    )
    similar: list[tuple[float, int, str, str, str, str]] = []
    for a, b in combinations(forces, 2):
        practices = scores.similar(profiles[a].practices, profiles[b].practices) if scores else []
        shared = _shared(graph, profiles[a], profiles[b], practices)
        if not shared:
            continue
        for thing in (*shared.systems, *shared.unit_types):
            out.add_node(thing, **graph.nodes[thing])
            relation = "uses" if node_type(graph, thing) == "system" else "has unit type"
            for force in (a, b):
                out.add_edge(force, thing, key=relation, label=relation, type=relation)
        similar += [(-score, len(similar) + i, left, right, a, b) for i, (left, right, score) in
                    enumerate(shared.practices)]  # fmt: skip
        out.add_edge(a, b, label=_shared_label(shared), type="shares", title=_shared_title(graph, shared))
    drawn = sorted(similar)[:max_similar] if len(similar) > max_similar else similar
    for minus_score, _, left, right, a, b in drawn:
        for practice, force in ((left, a), (right, b)):
            out.add_node(practice, **graph.nodes[practice])
            out.add_edge(force, practice, key="practice", label="practice", type="practice")
        out.add_edge(left, right, label=f"similar ({-minus_score:.2f})", type="similar practice")
    if len(drawn) < len(similar):
        out.graph["note"] = (
            f"Showing the {len(drawn):,} most similar of {len(similar):,} similar practice pairs."
        )
    return out


def _shared_label(shared: Shared) -> str:
    parts = [
        (len(shared.systems), "system"), (len(shared.unit_types), "unit type"),
        (len(shared.practices), "similar practice"),
    ]  # fmt: skip
    return "shares " + ", ".join(f"{n} {name}{'s' if n != 1 else ''}" for n, name in parts if n)


def _shared_title(graph: nx.MultiDiGraph, shared: Shared, limit: int = MAX_TITLE_NAMES) -> str:
    names = [label_of(graph, n) for n in (*shared.systems, *shared.unit_types)]
    pairs = shared.practices[: max(limit - len(names), 0)]
    names += [f"{label_of(graph, a)} ~ {label_of(graph, b)}" for a, b, _ in pairs]
    total = len(shared.systems) + len(shared.unit_types) + len(shared.practices)
    more = f"; … and {total - limit:,} more" if total > limit else ""
    return "; ".join(names[:limit]) + more


def _with_note(sub: nx.MultiDiGraph, title: str) -> tuple[nx.MultiDiGraph, str | None, str, None]:
    return sub, sub.graph.get("note"), title, None


def _require(graph: nx.MultiDiGraph, iri: str, *types: str) -> str:
    if iri not in graph or (types and node_type(graph, iri) not in types):
        raise ViewNotFound(f"no {' or '.join(types) or 'node'} {iri!r} in the graph")
    return iri


def build_view(
    graph: nx.MultiDiGraph,
    kind: str,
    ident: str | None = None,
    *,
    base_iri: str,
    depth: int = 1,
    budget: int = DEFAULT_BUDGET,
) -> View:
    """The view ``kind`` about ``ident`` (a path after the base: ``nottinghamshire`` for a force view,
    ``visor`` for a system, ``force/x`` or ``practice/x-2007/1`` for an ego view), within ``budget``."""
    builders: dict[str, Callable[[], tuple[nx.MultiDiGraph, str | None, str, str | None]]] = {
        "overview": lambda: (*overview_graph(graph), "The whole graph", None),
        "shared": lambda: _with_note(shared_graph(graph), "Shared across forces"),
    }
    if kind in ("force", "system", "unit-type", "ego") and not ident:
        raise ViewNotFound(f"the {kind} view needs an id")
    if kind in ("force", "system", "unit-type"):
        focus = _require(graph, f"{base_iri}{kind}/{ident}", kind)
        pick = force_graph if kind == "force" else across_forces_graph
        builders[kind] = lambda: (pick(graph, focus), None, label_of(graph, focus), focus)
    elif kind == "ego":
        focus = _require(graph, f"{base_iri}{ident}")
        title = f"Around {label_of(graph, focus)} (depth {depth})"
        builders[kind] = lambda: (ego_graph(graph, focus, depth), None, title, focus)
    if kind not in builders:
        raise ViewNotFound(f"unknown view kind {kind!r}; use one of {', '.join(VIEW_KINDS)}")
    sub, note, title, focus = builders[kind]()
    trimmed, budget_note = trim_to_budget(sub, budget, keep=frozenset({focus}) if focus else frozenset())
    params = {"id": ident or "", "depth": str(depth)} if ident else {}
    notes = " ".join(n for n in (budget_note, note) if n) or None
    hidden = DEFAULT_HIDDEN.get(kind, ())
    return View(kind=kind, title=title, graph=trimmed, focus=focus, note=notes, params=params, hidden=hidden)
