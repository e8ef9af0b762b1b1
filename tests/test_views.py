"""Network views as pure functions: networkx subgraphs per kind, pyvis data, offline HTML, escaping."""

from __future__ import annotations

import json
import re
from pathlib import Path

import networkx as nx
import pytest
import rdflib

from graph.network import to_networkx
from graph.view_data import (
    ViewNotFound,
    build_view,
    similar_practices,
)
from graph.views import (
    NODE_STYLES,
    View,
    page_href,
    render_view_html,
    script_json,
    trim_to_budget,
    view_payload,
)
from tests.view_pairs import shared_between

BASE = "http://127.0.0.1:8000/id/"
FIXTURE = Path(__file__).parent / "data" / "pages_graph.trig"
EXTERNAL_SRC = re.compile(
    r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//", re.I
)


@pytest.fixture(scope="module")
def graph() -> nx.MultiDiGraph:
    dataset = rdflib.Dataset()
    dataset.parse(FIXTURE, format="trig")
    return to_networkx(dataset)


def data_of(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="view-data">(.*?)</script>', html, re.S)
    assert match, "the page does not expose its view data"
    return json.loads(match.group(1))


def labels(view: View) -> set[str]:
    return {str(view.graph.nodes[n]["label"]) for n in view.graph.nodes}


def test_force_view_has_the_force_its_units_systems_findings_and_grade(graph: nx.MultiDiGraph) -> None:
    view = build_view(graph, "force", "alpha", base_iri=BASE)
    assert view.focus == f"{BASE}force/alpha"
    assert {"Alpha Police", "Alpha MPU", "MPU", "TrackIt", "Poor"} <= labels(view)
    assert "Missing-person risk assessments are late" in labels(view)
    assert not {"Beta Constabulary", "Beta MPU", "Missing persons coordinator"} & labels(view)


def test_system_view_reaches_every_force_that_uses_it(graph: nx.MultiDiGraph) -> None:
    view = build_view(graph, "system", "trackit", base_iri=BASE)
    assert {"TrackIt", "Alpha Police", "Beta Constabulary"} <= labels(view)


def test_unit_type_view_links_each_force_unit(graph: nx.MultiDiGraph) -> None:
    view = build_view(graph, "unit-type", "mpu", base_iri=BASE)
    assert {"MPU", "Alpha MPU", "Beta MPU", "Alpha Police", "Beta Constabulary"} <= labels(view)


def test_ego_view_grows_with_depth(graph: nx.MultiDiGraph) -> None:
    one = build_view(graph, "ego", "system/trackit", base_iri=BASE, depth=1)
    two = build_view(graph, "ego", "system/trackit", base_iri=BASE, depth=2)
    assert set(one.graph) < set(two.graph)
    assert "Alpha MPU" in labels(two) and "Alpha MPU" not in labels(one)


def test_overview_leaves_findings_out_and_says_so(graph: nx.MultiDiGraph) -> None:
    view = build_view(graph, "overview", base_iri=BASE)
    assert all(view.graph.nodes[n]["type"] != "finding" for n in view.graph)
    assert view.note and "findings" in view.note


def test_shared_view_labels_the_force_pair_with_what_they_share(graph: nx.MultiDiGraph) -> None:
    view = build_view(graph, "shared", base_iri=BASE)
    pair = [d for _, _, d in view.graph.edges(data=True) if d["type"] == "shares"]
    assert len(pair) == 1
    assert pair[0]["label"] == "shares 1 system, 1 unit type"
    assert "TrackIt" in pair[0]["title"] and "MPU" in pair[0]["title"]
    shared = shared_between(graph, f"{BASE}force/alpha", f"{BASE}force/beta")
    assert shared.systems == (f"{BASE}system/trackit",)


def test_similar_practices_pairs_alike_texts_only() -> None:
    g = nx.MultiDiGraph()
    g.add_node("a", label="Activity based costing", text="costing of neighbourhood teams by activity")
    g.add_node("b", label="Activity-based costing analysis", text="activity costing for neighbourhood teams")
    g.add_node("c", label="Missing persons", text="coordinator reviews risk assessments")
    pairs = similar_practices(g, ["a"], ["b", "c"])
    assert [(p[0], p[1]) for p in pairs] == [("a", "b")]
    assert similar_practices(g, [], ["b"]) == []


def test_unknown_view_or_node_is_not_found(graph: nx.MultiDiGraph) -> None:
    for kind, ident in (("force", "nowhere"), ("bogus", None), ("force", None), ("system", "alpha")):
        with pytest.raises(ViewNotFound):
            build_view(graph, kind, ident, base_iri=BASE)


def test_budget_trims_findings_first_and_keeps_the_focus() -> None:
    g = nx.MultiDiGraph()
    g.add_node("f", type="force", label="F")
    for i in range(30):
        g.add_node(f"x{i}", type="finding", label=f"finding {i}")
        g.add_edge("f", f"x{i}")
    g.add_node("s", type="system", label="S")
    trimmed, note = trim_to_budget(g, budget=10, keep=frozenset({"f"}))
    assert trimmed.number_of_nodes() == 10
    assert {"f", "s"} <= set(trimmed)
    assert note is not None and "Showing 10 of 32 nodes" in note and "22 × Finding" in note
    assert trim_to_budget(g, budget=100) == (g, None)


def test_payload_styles_nodes_by_type_with_a_legend_and_positions(graph: nx.MultiDiGraph) -> None:
    payload = view_payload(build_view(graph, "force", "alpha", base_iri=BASE), BASE)
    force = next(n for n in payload["nodes"] if n["type"] == "force")
    assert force["shape"] == NODE_STYLES["force"].shape
    assert force["color"]["background"] == NODE_STYLES["force"].color
    assert force["href"] == "/page/force/alpha"
    assert all(isinstance(n["x"], float) and n["physics"] is False for n in payload["nodes"])
    assert payload["options"]["physics"]["enabled"] is False
    assert {item["type"] for item in payload["legend"]} == {n["type"] for n in payload["nodes"]}
    assert all(e["label"] for e in payload["edges"])


def test_tooltip_carries_text_and_source_report_and_lines(graph: nx.MultiDiGraph) -> None:
    payload = view_payload(build_view(graph, "force", "alpha", base_iri=BASE), BASE)
    finding = next(n for n in payload["nodes"] if n["type"] == "finding")
    assert "Risk assessments of missing persons are late." in finding["title"]
    assert "Source: alpha-2007, lines 120–122" in finding["title"]


def test_html_is_offline_and_self_contained(graph: nx.MultiDiGraph) -> None:
    for kind, ident in (("overview", None), ("force", "alpha"), ("shared", None)):
        html = render_view_html(build_view(graph, kind, ident, base_iri=BASE), assets="inline")
        assert not EXTERNAL_SRC.search(html), f"{kind} view loads something from the network"
        assert "<script src=" not in html and "stylesheet" not in html
        assert "vis.Network" in html and "window.hmicView" in html
    served = render_view_html(build_view(graph, "force", "alpha", base_iri=BASE), assets="served")
    assert not EXTERNAL_SRC.search(served)
    assert '<script src="/static/vendor/vis-network.min.js">' in served


def test_report_text_cannot_break_out_of_the_page() -> None:
    g = nx.MultiDiGraph()
    evil = "</script><script>alert(1)</script><!--"
    g.add_node(
        "n", iri=f"{BASE}finding/x/y/1", type="finding", label=evil, text=evil, report=f"{BASE}report/x"
    )
    html = render_view_html(View("ego", evil, g, focus="n"), assets="served")
    assert "<script>alert(1)" not in html and "<!--" not in html
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in html  # the title, escaped by Jinja
    node = data_of(html)["nodes"][0]
    assert node["fullLabel"] == evil and evil in node["title"]  # intact as data, shown with innerText
    assert script_json("\u2028</x>") == '"\\u2028\\u003c/x\\u003e"'


def test_standalone_links_go_to_the_iri_served_links_to_the_page() -> None:
    g = nx.MultiDiGraph()
    g.add_node(f"{BASE}person/p", iri=f"{BASE}person/p", type="person", label="P")
    view = View("ego", "P", g)
    assert data_of(render_view_html(view, assets="inline"))["nodes"][0]["href"] == f"{BASE}person/p"
    assert data_of(render_view_html(view, assets="served"))["nodes"][0]["href"] == "/page/person/p"
    assert page_href("https://elsewhere.example/x") == "https://elsewhere.example/x"


def test_cli_writes_a_standalone_view(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from api.cli import app
    from graph.config import GraphConfig
    from graph.store import open_store

    store = open_store(GraphConfig(data_dir=tmp_path, backend="memory"))
    dataset = rdflib.Dataset()
    dataset.parse(FIXTURE, format="trig")
    for named in dataset.graphs():
        if len(named) and str(named.identifier).startswith("http"):
            triples = rdflib.Graph()
            triples += named
            store.replace_graph(str(named.identifier), triples)
    store.close()
    out = tmp_path / "alpha.html"
    args = ["view", "force", "alpha", "-o", str(out), "--data-dir", str(tmp_path), "--backend", "memory"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "nodes" in result.output
    html = out.read_text(encoding="utf-8")
    assert not EXTERNAL_SRC.search(html)
    assert "Alpha Police" in {n["fullLabel"] for n in data_of(html)["nodes"]}
    missing = CliRunner().invoke(app, [*args[:2], "nowhere", *args[3:]])
    assert missing.exit_code == 1


def _practice_graph(pairs: int) -> nx.MultiDiGraph:
    """Forces a and b with ``pairs`` practices each on the same theme, and a system both use."""
    g = nx.MultiDiGraph()
    for force in ("a", "b"):
        g.add_node(force, type="force", label=force.upper())
        g.add_edge(force, "sys", key="uses-system")
        for i in range(pairs):
            node = f"{force}-p{i}"
            g.add_node(node, type="practice", label=f"Activity based costing {i}", force=force,
                       text=f"activity costing of neighbourhood teams, scheme {i}")  # fmt: skip
    g.add_node("sys", type="system", label="TrackIt")
    g.add_node("c", type="practice", label="Missing persons", force="a", text="coordinator reviews risk")
    return g


def test_shared_view_draws_each_link_once_and_caps_the_similar_practice_links() -> None:
    from graph.view_data import MAX_SIMILAR_LINKS, shared_graph

    g = _practice_graph(3)
    full = shared_graph(g)
    similar = [d for _, _, d in full.edges(data=True) if d["type"] == "similar practice"]
    assert len(similar) == 9 and "note" not in full.graph and "c" not in full
    assert full.number_of_edges("a", "sys") == 1 and full.number_of_edges("a", "a-p0") == 1
    pair = full.get_edge_data("a", "b")[0]
    assert pair["label"] == "shares 1 system, 9 similar practices"
    assert pair["title"].startswith("TrackIt; Activity based costing")
    capped = shared_graph(g, max_similar=4)
    kept = [d for _, _, d in capped.edges(data=True) if d["type"] == "similar practice"]
    assert len(kept) == 4 and MAX_SIMILAR_LINKS > 4
    assert capped.graph["note"] == "Showing the 4 most similar of 9 similar practice pairs."
    assert capped.get_edge_data("a", "b")[0]["label"] == pair["label"]  # the pair still counts all
    view = build_view(g, "shared", base_iri=BASE)
    assert view.note is None and view.graph.number_of_nodes() == full.number_of_nodes()


def test_shared_graph_agrees_with_shared_between_for_each_pair(graph: nx.MultiDiGraph) -> None:
    from graph.view_data import shared_graph, text_index

    out = shared_graph(graph)
    index = text_index(graph)
    for a, b, data in out.edges(data=True):
        if data["type"] == "shares":
            shared = shared_between(graph, a, b, index)
            assert set(shared.systems) <= set(out.successors(a)) & set(out.successors(b))
            assert data["label"].startswith("shares ")


def test_ego_view_is_networkx_ego_graph(graph: nx.MultiDiGraph) -> None:
    for depth in (1, 2):
        view = build_view(graph, "ego", "force/alpha", base_iri=BASE, depth=depth)
        expected = nx.ego_graph(graph, f"{BASE}force/alpha", radius=depth, undirected=True)
        assert sorted(view.graph.nodes) == sorted(expected.nodes)
        assert list(view.graph.nodes) == [n for n in graph if n in expected]  # the graph's own order
        assert sorted(view.graph.edges(keys=True)) == sorted(expected.edges(keys=True))


def test_large_views_are_laid_out_locally_deterministically_around_the_focus() -> None:
    from graph.view_layout import SPRING_MAX_NODES, compute_layout, local_force_layout

    g = nx.MultiDiGraph()
    size = SPRING_MAX_NODES + 100
    for i in range(1, size):
        g.add_edge(f"n{i // 7}", f"n{i}")
    positions = local_force_layout(g, focus="n0")
    assert positions == local_force_layout(g, focus="n0")
    assert positions["n0"] == (0.0, 0.0) and len(positions) == size
    assert max(max(abs(x), abs(y)) for x, y in positions.values()) == pytest.approx(1.0)
    assert len({(round(x, 3), round(y, 3)) for x, y in positions.values()}) > size * 0.95  # spread out
    pixels = compute_layout(g, focus="n0")
    assert pixels["n0"] == (0.0, 0.0) and set(pixels) == set(g)


def _hub_graph() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    g.add_node(f"{BASE}report/r", type="report", label="Report")
    g.add_node(f"{BASE}system/s", type="system", label="S")
    for i in range(10):
        g.add_node(f"{BASE}finding/r/{i}", type="finding", label=f"F{i}", force=f"{BASE}force/x")
        g.add_edge(f"{BASE}finding/r/{i}", f"{BASE}report/r", key="report", label="report")
    g.add_edge(f"{BASE}finding/r/1", f"{BASE}system/s", key="mentions", label="mentions")
    return g


def test_ego_depth_two_does_not_walk_through_the_report_hub() -> None:
    """Regression: depth 2 around anything in a report reached the whole report (286 nodes)."""
    view = build_view(_hub_graph(), "ego", "finding/r/1", base_iri=BASE, depth=2)
    assert set(view.graph.nodes) == {f"{BASE}finding/r/1", f"{BASE}report/r", f"{BASE}system/s"}
    around_report = build_view(_hub_graph(), "ego", "report/r", base_iri=BASE, depth=1)
    assert around_report.graph.number_of_nodes() == 11, "the report's own view still shows all of it"


def test_force_view_starts_without_findings_laid_out_without_them(graph: nx.MultiDiGraph) -> None:
    view = build_view(graph, "force", "alpha", base_iri=BASE)
    assert "finding" in view.hidden
    payload = view_payload(view, BASE)
    assert payload["hidden"] == list(view.hidden)
    findings = [n for n in payload["nodes"] if n["type"] == "finding"]
    assert findings and all(n["hidden"] for n in findings)
    assert all(not n["hidden"] for n in payload["nodes"] if n["type"] not in view.hidden)
    html = render_view_html(view, assets="served", base_iri=BASE)
    assert re.search(r'value="finding">', html) and 'value="finding" checked' not in html
    assert 'value="force" checked' in html


def test_overlapping_nodes_are_pushed_apart() -> None:
    """Regression: the two force nodes of the shared view sat on top of each other."""
    from graph.view_layout import MIN_DISTANCE, separate

    placed = separate({"a": (0.0, 0.0), "b": (0.0, 0.0), "c": (10.0, 0.0)})
    for p, q in (("a", "b"), ("a", "c"), ("b", "c")):
        (x1, y1), (x2, y2) = placed[p], placed[q]
        assert ((x1 - x2) ** 2 + (y1 - y2) ** 2) ** 0.5 >= MIN_DISTANCE * 0.95


def test_view_page_has_tools_a_text_table_and_no_inline_handlers(graph: nx.MultiDiGraph) -> None:
    view = build_view(graph, "force", "alpha", base_iri=BASE)
    html = render_view_html(view, assets="served", base_iri=BASE)
    for control in ("zoom-in", "zoom-out", "fit", "export-png", "export-graphml", "table-view", "legend"):
        assert f'id="{control}"' in html, control
    rows = re.findall(r'<tr data-type="([^"]+)"><td><a href="([^"]+)">', html)
    assert len(rows) == view.graph.number_of_nodes()
    assert len(re.findall(r"<tr><td>", html)) == view.graph.number_of_edges()
    assert not re.search(r"\son[a-z]+\s*=", html), "no inline event handlers (strict CSP)"
    assert "<script>" not in html and "<script src=" in html


def test_important_types_are_labelled_and_the_rest_on_demand(graph: nx.MultiDiGraph) -> None:
    from graph.views import LABELLED_TYPES, SMALL_VIEW

    view = build_view(graph, "force", "alpha", base_iri=BASE)
    payload = view_payload(view, BASE)
    big = len(payload["nodes"]) > SMALL_VIEW
    for node in payload["nodes"]:
        if node["type"] in LABELLED_TYPES or not big:
            assert node["label"].strip(), node["fullLabel"]
        assert node["fullLabel"]


def test_cli_view_can_link_to_a_running_server_s_pages(tmp_path: Path) -> None:
    """Regression: standalone views linked to http://127.0.0.1:8000 even for a server on another port."""
    from typer.testing import CliRunner

    from api.cli import app
    from tests.conftest import NOTTS

    data = tmp_path / "kg"
    assert CliRunner().invoke(app, ["load", str(NOTTS), "--data-dir", str(data)]).exit_code == 0
    out = tmp_path / "v.html"
    args = [
        "view",
        "system",
        "visor",
        "-o",
        str(out),
        "--data-dir",
        str(data),
        "--server",
        "http://127.0.0.1:8101",
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    hrefs = {n["href"] for n in data_of(out.read_text(encoding="utf-8"))["nodes"]}
    assert hrefs and all(h.startswith("http://127.0.0.1:8101/page/") for h in hrefs)
    bad = CliRunner().invoke(app, [*args[:-1], "ftp://x"])
    assert bad.exit_code == 2


def test_served_nodes_link_their_source_lines_to_the_report_text(graph: nx.MultiDiGraph) -> None:
    view = build_view(graph, "force", "alpha", base_iri=BASE)
    served = view_payload(view, BASE)["nodes"]
    cited = [n for n in served if n["source"]]
    assert cited and all(re.fullmatch(r"/reports/[\w.-]+\?from=\d+&to=\d+#L\d+", n["source"]) for n in cited)
    standalone = view_payload(view, BASE, link_iris=True)["nodes"]
    assert not any(n["source"] for n in standalone), "a file:// view has no server to show the text"
