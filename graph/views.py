"""networkx graph -> interactive network view (pyvis data, our own offline Jinja template).

Every function here is pure: a view is built once as a :class:`View` (a networkx graph plus a title and
an optional note) and rendered by :func:`render_view_html`. pyvis turns nodes and edges into vis-network
data; the page comes from ``graph/view_assets/network.html`` rather than pyvis's template, because
pyvis's template loads Bootstrap and vis-network from CDNs. The vis-network script shipped inside the
pyvis package is either inlined (standalone files) or referenced under ``static_url`` (served pages).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

import networkx as nx
import pyvis
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pyvis.edge import Edge
from pyvis.network import Network

from graph.view_layout import initial_layout

DEFAULT_BUDGET = 1500
LABEL_MAX = 40
TOOLTIP_TEXT_MAX = 600
ASSETS_DIR = Path(str(files("graph") / "view_assets"))
PYVIS_LIB_DIR = Path(pyvis.__file__).parent / "templates" / "lib"
VIS_DIR = PYVIS_LIB_DIR / "vis-9.1.2"
Assets = Literal["inline", "served"]


@dataclass(frozen=True)
class NodeStyle:
    """How one node type looks, and its name in the legend."""

    name: str
    color: str
    shape: str
    size: int = 16


NODE_STYLES: dict[str, NodeStyle] = {
    "force": NodeStyle("Police force", "#1f5fa8", "hexagon", 30),
    "report": NodeStyle("Inspection report", "#7f7f7f", "square", 14),
    "system": NodeStyle("IT system", "#e8750c", "diamond", 20),
    "unit-type": NodeStyle("Unit type", "#7b4fb5", "triangle", 20),
    "unit": NodeStyle("Unit", "#b59ad8", "triangleDown", 15),
    "role": NodeStyle("Role / post", "#8c564b", "square", 12),
    "person": NodeStyle("Person (lead)", "#d6409f", "dot", 14),
    "partner": NodeStyle("Partner body", "#9a9a1e", "square", 12),
    "practice": NodeStyle("Developing practice", "#23913b", "star", 20),
    "finding": NodeStyle("Finding", "#d43d3d", "dot", 9),
    "area": NodeStyle("Inspection area", "#178a8a", "hexagon", 18),
    "grade": NodeStyle("Grade", "#c9a400", "dot", 14),
}
OTHER_STYLE = NodeStyle("Other", "#999999", "dot", 10)

# Trimmed first when a view is over budget: detail before structure.
TRIM_ORDER: tuple[str, ...] = (
    "finding", "role", "partner", "unit", "person", "report", "practice", "grade", "area",
    "unit-type", "system", "force",
)  # fmt: skip


#: types whose labels are always drawn; the others show theirs on hover and in the details panel (unless
#: the view is small)
LABELLED_TYPES = frozenset({"force", "system", "practice", "person", "unit-type", "area"})
SMALL_VIEW = 60  # up to this many nodes every node is labelled


@dataclass(frozen=True)
class View:
    """One network view: what to draw, its title, the node to centre on, and what was left out.

    ``hidden``: node types left unticked at first (the layout is computed without them)."""

    kind: str
    title: str
    graph: nx.MultiDiGraph
    focus: str | None = None
    note: str | None = None
    params: Mapping[str, str] = field(default_factory=dict)
    hidden: tuple[str, ...] = ()


def style_for(node_type: str | None) -> NodeStyle:
    """The style of a node type (unknown types are grey dots)."""
    return NODE_STYLES.get(node_type or "", OTHER_STYLE)


def page_href(iri: str, base_iri: str | None = None) -> str:
    """The HTML page of a node: ``/page/{path}`` for IRIs under the base (or under any ``/id/``)."""
    if base_iri and iri.startswith(base_iri):
        return "/page/" + iri[len(base_iri) :]
    if "/id/" in iri:
        return "/page/" + iri.split("/id/", 1)[1]
    return iri


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def tooltip(attrs: Mapping[str, Any]) -> str:
    """Plain-text tooltip: type and label, the node's text, and its source report and lines.

    vis-network shows string titles with ``innerText``, so report text is never parsed as HTML.
    """
    style = style_for(attrs.get("type"))
    lines = [f"{style.name}: {attrs.get('label') or ''}"]
    if attrs.get("text"):
        lines.append(shorten(str(attrs["text"]), TOOLTIP_TEXT_MAX))
    source = _source_line(attrs)
    if source:
        lines.append(source)
    return "\n".join(lines)


def _source_line(attrs: Mapping[str, Any]) -> str | None:
    report = attrs.get("report")
    if not report:
        return None
    report_name = str(report).rstrip("/").rsplit("/", 1)[-1]
    start, end = attrs.get("line_from"), attrs.get("line_to")
    if start and end and end != start:
        return f"Source: {report_name}, lines {start}–{end}"
    if start:
        return f"Source: {report_name}, line {start}"
    return f"Source: {report_name}"


def _node_colour(colour: str) -> dict[str, Any]:
    """vis-network colour object: the type colour in every state, a dark border when selected."""
    return {
        "background": colour,
        "border": colour,
        "highlight": {"background": colour, "border": "#111111"},
        "hover": {"background": colour, "border": "#111111"},
    }


def trim_to_budget(
    graph: nx.MultiDiGraph, budget: int = DEFAULT_BUDGET, keep: frozenset[str] = frozenset()
) -> tuple[nx.MultiDiGraph, str | None]:
    """Drop the least structural nodes (findings first, lowest degree first) until ``budget`` remains.

    Returns the graph unchanged and ``None`` when it fits, else a trimmed copy and a note saying what
    was hidden.
    """
    total = graph.number_of_nodes()
    if total <= budget:
        return graph, None
    rank = {name: i for i, name in enumerate(TRIM_ORDER)}

    def order(node: str) -> tuple[int, int, str]:
        node_type = graph.nodes[node].get("type")
        return (rank.get(node_type, -1), graph.degree(node), str(node))

    candidates = sorted((n for n in graph.nodes if n not in keep), key=order)
    dropped = candidates[: total - budget]
    gone = set(dropped)
    trimmed = graph.subgraph(n for n in graph.nodes if n not in gone).copy()
    hidden = Counter(style_for(graph.nodes[n].get("type")).name for n in dropped)
    detail = ", ".join(f"{count:,} × {name}" for name, count in hidden.most_common())
    note = (
        f"Showing {trimmed.number_of_nodes():,} of {total:,} nodes (node budget {budget:,}); "
        f"hidden: {detail}. Open a force view or a node's neighbourhood for the detail."
    )
    return trimmed, note


def to_pyvis(
    view: View, base_iri: str | None = None, link_iris: bool = False, page_base: str | None = None
) -> Network:
    """The view as a pyvis Network: styled nodes at precomputed positions, labelled edges.

    Nodes link to their ``/page/...`` (served views) or, with ``link_iris``, to the IRI itself
    (standalone files, where the server answers the IRI with a redirect to the page).
    """
    net = Network(height="100%", width="100%", directed=True, cdn_resources="remote")
    positions = initial_layout(view)
    small = view.graph.number_of_nodes() <= SMALL_VIEW
    for node, attrs in view.graph.nodes(data=True):
        style = style_for(attrs.get("type"))
        label = str(attrs.get("label") or node)
        x, y = positions.get(node, (0.0, 0.0))
        iri = str(attrs.get("iri") or node)
        shown = small or attrs.get("type") in LABELLED_TYPES or node == view.focus
        net.add_node(
            str(node),
            label=shorten(label, LABEL_MAX) if shown else " ",
            hidden=attrs.get("type") in view.hidden,
            font={"size": 22 if attrs.get("type") == "force" else 15},
            title=tooltip({**attrs, "label": label}),
            color=_node_colour(style.color),
            shape=style.shape,
            size=style.size * (1.4 if node == view.focus else 1.0),
            x=x,
            y=y,
            physics=False,
            type=attrs.get("type") or "other",
            fullLabel=label,
            href=_href(iri, base_iri, link_iris, page_base),
            source=_source_href(attrs, page_base) if not link_iris or page_base else "",
        )
    for i, (source, target, attrs) in enumerate(view.graph.edges(data=True)):
        label = str(attrs.get("label") or attrs.get("type") or "")
        title = str(attrs.get("title") or label)
        kind = str(attrs.get("type") or label)
        # as ``net.add_edge`` without its linear search of the node list (the nodes were just added)
        # big views draw their links unlabelled (the labels covered the nodes); hover or the table names them
        shown = shorten(label, 48) if small else " "
        edge = Edge(str(source), str(target), net.directed, id=f"e{i}", label=shown, title=title, type=kind,
                    fullLabel=label)  # fmt: skip
        net.edges.append(edge.options)
    net.set_options(json.dumps(VIS_OPTIONS))
    return net


def _source_href(attrs: Mapping[str, Any], page_base: str | None) -> str:
    """The report text at the node's lines (``/reports/{id}?from=a&to=b#La``), or "" when unknown."""
    report, start = attrs.get("report"), attrs.get("line_from")
    if not report or not start:
        return ""
    report_id = str(report).rstrip("/").rsplit("/", 1)[-1]
    end = attrs.get("line_to") or start
    return f"{(page_base or '').rstrip('/')}/reports/{report_id}?from={start}&to={end}#L{start}"


def _href(iri: str, base_iri: str | None, link_iris: bool, page_base: str | None) -> str:
    """The page (``/page/...``, under ``page_base`` when given), or the IRI itself."""
    if page_base:
        page = page_href(iri, base_iri)
        return page_base.rstrip("/") + page if page.startswith("/") else page
    return iri if link_iris else page_href(iri, base_iri)


VIS_OPTIONS: dict[str, Any] = {
    "physics": {"enabled": False},
    "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False, "multiselect": False},
    "nodes": {
        "font": {"size": 14, "face": "system-ui, sans-serif", "strokeWidth": 3, "strokeColor": "#ffffff"},
        "borderWidth": 1,
        "scaling": {"label": {"drawThreshold": 3}},
    },
    "edges": {
        "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
        "color": {"color": "#9aa5b1", "highlight": "#333333", "hover": "#333333"},
        "font": {"size": 10, "color": "#555555", "strokeWidth": 3, "align": "middle"},
        "smooth": False,
    },
}


def view_payload(
    view: View, base_iri: str | None = None, link_iris: bool = False, page_base: str | None = None
) -> dict[str, Any]:
    """Everything the page needs, as JSON-ready data (also exposed to tests as ``window.hmicView``)."""
    net = to_pyvis(view, base_iri, link_iris, page_base)
    nodes, edges, _heading, _height, _width, options = net.get_network_data()
    present = Counter(n["type"] for n in nodes)
    legend = [
        {"type": t, "name": style_for(t).name, "color": style_for(t).color, "shape": style_for(t).shape,
         "count": present[t]}
        for t in [*NODE_STYLES, "other"] if present.get(t)
    ]  # fmt: skip
    return {
        "kind": view.kind,
        "title": view.title,
        "focus": view.focus,
        "note": view.note,
        "params": dict(view.params),
        "hidden": list(view.hidden),
        "nodes": nodes,
        "edges": edges,
        "legend": legend,
        "options": json.loads(options),
    }


def script_json(data: Any) -> str:
    """JSON that is safe inside ``<script>``: ``<``, ``>``, ``&`` and line separators are escaped."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escape)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(str(ASSETS_DIR)), autoescape=select_autoescape(default=True))


def render_view_html(
    view: View,
    *,
    assets: Assets = "inline",
    static_url: str = "/static",
    base_iri: str | None = None,
    home_url: str | None = None,
    page_base: str | None = None,
) -> str:
    """The view as one HTML page.

    ``assets="inline"`` embeds vis-network and our script and styles (works from ``file://``, no
    network); ``"served"`` links them under ``static_url`` (see :data:`STATIC_FILES`). ``page_base``: the
    address of a server whose pages the nodes link to (standalone files link to the IRIs otherwise).
    """
    payload = view_payload(view, base_iri, link_iris=assets == "inline", page_base=page_base)
    inline: dict[str, str] = {}
    if assets == "inline":
        inline = {name: path.read_text(encoding="utf-8") for name, path in STATIC_FILES.items()}
    template = _environment().get_template("network.html")
    return template.render(
        view=payload,
        data_json=script_json(payload),
        inline=inline,
        static_url=static_url.rstrip("/"),
        home_url=home_url,
        standalone=assets == "inline",
    )


# Served path under ``static_url`` -> file. vis-network's own CSS is not needed: network.css styles
# the tooltip, and we use no navigation buttons or configurator.
STATIC_FILES: dict[str, Path] = {
    "vendor/vis-network.min.js": VIS_DIR / "vis-network.min.js",
    "network.js": ASSETS_DIR / "network.js",
    "network.css": ASSETS_DIR / "network.css",
}
