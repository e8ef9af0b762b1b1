/* hmic-kg network view: draws window.hmicView (from #view-data) with vis-network; no network access. */
(function () {
  "use strict";
  var view = JSON.parse(document.getElementById("view-data").textContent);
  window.hmicView = view;
  var container = document.getElementById("network");
  var nodes = new vis.DataSet(view.nodes);
  var edges = new vis.DataSet(view.edges);
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, view.options);
  window.hmicNetwork = network;
  var byId = {};
  view.nodes.forEach(function (n) { byId[n.id] = n; });
  var hiddenTypes = {};
  var edgeType = "";

  function showDetails(node) {
    var body = document.getElementById("details-body");
    body.textContent = "";
    if (!node) { return; }
    var title = document.createElement("p");
    title.className = "details-title";
    title.textContent = node.title;
    body.appendChild(title);
    var link = document.createElement("a");
    link.href = node.href;
    link.id = "details-link";
    link.textContent = "Open the page of " + node.fullLabel;
    body.appendChild(link);
  }

  function openNode(id) {
    var node = byId[id];
    if (node && node.href) { window.location.href = node.href; }
  }
  window.hmicOpenNode = openNode;

  network.on("click", function (params) {
    if (params.nodes.length > 0) { openNode(params.nodes[0]); }
  });
  network.on("hoverNode", function (params) { showDetails(byId[params.node]); });

  function applyFilters() {
    nodes.update(view.nodes.map(function (n) { return { id: n.id, hidden: !!hiddenTypes[n.type] }; }));
    edges.update(view.edges.map(function (e) {
      return { id: e.id, hidden: edgeType !== "" && e.type !== edgeType };
    }));
  }
  document.querySelectorAll("input.type-filter").forEach(function (box) {
    box.addEventListener("change", function () {
      hiddenTypes[box.value] = !box.checked;
      applyFilters();
    });
  });
  document.getElementById("edge-filter").addEventListener("change", function (event) {
    edgeType = event.target.value;
    applyFilters();
  });

  document.getElementById("search").addEventListener("submit", function (event) {
    event.preventDefault();
    var wanted = document.getElementById("search-input").value.trim().toLowerCase();
    if (!wanted) { return; }
    var match = view.nodes.filter(function (n) { return n.fullLabel.toLowerCase() === wanted; })[0] ||
      view.nodes.filter(function (n) { return n.fullLabel.toLowerCase().indexOf(wanted) >= 0; })[0];
    if (!match) { return; }
    network.selectNodes([match.id]);
    network.focus(match.id, { scale: 1.2, animation: false });
    showDetails(match);
  });

  if (view.focus && byId[view.focus]) {
    network.selectNodes([view.focus]);
    showDetails(byId[view.focus]);
  }
  network.once("afterDrawing", function () { document.body.setAttribute("data-drawn", "true"); });
})();
