/* hmic-kg network view: draws window.hmicView (from #view-data) with vis-network; no network access.
   Click or tap selects a node and shows it in the side panel (a link opens its page); unticking a type
   lays the rest out again; the filters and the selection live in the URL's hash. */
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
  var typeNames = {};
  view.legend.forEach(function (item) { typeNames[item.type] = item.name; });
  var hiddenTypes = {};
  var edgeType = "";
  var selected = null;
  var boxes = document.querySelectorAll("input.type-filter");

  /* ---- state in the URL: #hide=finding,role&links=leads&node=<id> ---- */
  function readHash() {
    var state = {};
    window.location.hash.replace(/^#/, "").split("&").forEach(function (part) {
      var at = part.indexOf("=");
      if (at > 0) { state[part.slice(0, at)] = decodeURIComponent(part.slice(at + 1)); }
    });
    return state;
  }
  function writeHash() {
    var hide = Object.keys(hiddenTypes).filter(function (t) { return hiddenTypes[t]; });
    var parts = ["hide=" + encodeURIComponent(hide.join(","))];
    if (edgeType) { parts.push("links=" + encodeURIComponent(edgeType)); }
    if (selected) { parts.push("node=" + encodeURIComponent(selected)); }
    history.replaceState(null, "", "#" + parts.join("&"));
  }

  /* ---- details panel ---- */
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function showDetails(node) {
    var body = document.getElementById("details-body");
    body.textContent = "";
    if (!node) { return; }
    body.appendChild(el("p", "details-type", typeNames[node.type] || node.type));
    body.appendChild(el("p", "details-title", node.fullLabel));
    var lines = String(node.title || "").split("\n").slice(1);
    if (lines.length) { body.appendChild(el("p", "details-text", lines.join("\n"))); }
    if (node.source) {
      var source = el("a", "details-source", "Read it in the report");
      source.href = node.source;
      body.appendChild(source);
    }
    var open = el("a", "details-open", "Open the page of " + node.fullLabel);
    open.href = node.href;
    open.id = "details-link";
    body.appendChild(open);
    var near = network.getConnectedNodes(node.id).map(function (id) { return byId[id]; })
      .filter(function (n) { return n && !hiddenTypes[n.type]; });
    if (near.length) {
      body.appendChild(el("p", "details-near-title", "Linked to (" + near.length + "):"));
      var list = el("ul", "details-near");
      near.slice(0, 30).forEach(function (n) {
        var item = el("li");
        var button = el("button", "near", n.fullLabel);
        button.type = "button";
        button.addEventListener("click", function () { select(n.id, true); });
        item.appendChild(button);
        list.appendChild(item);
      });
      body.appendChild(list);
    }
  }
  function select(id, focus) {
    var node = id && byId[id];
    selected = node ? id : null;
    if (node) {
      network.selectNodes([id]);
      if (focus) { network.focus(id, { scale: Math.max(network.getScale(), 1.0), animation: false }); }
    } else {
      network.unselectAll();
    }
    showDetails(node || null);
    writeHash();
  }
  window.hmicSelect = select;

  network.on("click", function (params) {
    select(params.nodes.length > 0 ? params.nodes[0] : null, false);
  });
  network.on("doubleClick", function (params) {
    var node = params.nodes.length > 0 && byId[params.nodes[0]];
    if (node && node.href) { window.location.href = node.href; }
  });

  /* ---- filters and re-layout ---- */
  function relayout() {
    var shown = view.nodes.filter(function (n) { return !hiddenTypes[n.type]; });
    if (shown.length < 2) { network.fit(); return; }
    document.body.setAttribute("data-laid-out", "false");
    nodes.update(shown.map(function (n) { return { id: n.id, physics: true }; }));
    network.setOptions({ physics: { enabled: true, solver: "forceAtlas2Based",
      forceAtlas2Based: { gravitationalConstant: -60, springLength: 90, avoidOverlap: 0.4 },
      stabilization: { enabled: true, iterations: 150, fit: true } } });
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
      network.fit();
      document.body.setAttribute("data-laid-out", "true");
    });
    network.stabilize(150);
  }
  function applyFilters(layout) {
    nodes.update(view.nodes.map(function (n) { return { id: n.id, hidden: !!hiddenTypes[n.type] }; }));
    edges.update(view.edges.map(function (e) {
      return { id: e.id, hidden: edgeType !== "" && e.type !== edgeType };
    }));
    document.querySelectorAll("#node-table tbody tr").forEach(function (row) {
      row.hidden = !!hiddenTypes[row.getAttribute("data-type")];
    });
    if (layout) { relayout(); }
    if (selected && hiddenTypes[byId[selected].type]) { select(null); } else { writeHash(); }
  }
  boxes.forEach(function (box) {
    hiddenTypes[box.value] = !box.checked;
    box.addEventListener("change", function () {
      hiddenTypes[box.value] = !box.checked;
      applyFilters(true);
    });
  });
  var edgeFilter = document.getElementById("edge-filter");
  edgeFilter.addEventListener("change", function (event) {
    edgeType = event.target.value;
    applyFilters(false);
  });

  /* ---- zoom, fit and export ---- */
  function zoom(factor) {
    network.moveTo({ scale: network.getScale() * factor, animation: false });
  }
  document.getElementById("zoom-in").addEventListener("click", function () { zoom(1.3); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoom(1 / 1.3); });
  document.getElementById("fit").addEventListener("click", function () { network.fit({ animation: false }); });
  function slug() {
    return (view.kind + "-" + ((view.params && view.params.id) || "all")).replace(/[^A-Za-z0-9-]+/g, "-");
  }
  function download(blob, name) {
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    document.body.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
  }
  window.hmicPng = function () {
    var canvas = container.querySelector("canvas");
    var out = document.createElement("canvas");
    out.width = canvas.width;
    out.height = canvas.height;
    var ctx = out.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(canvas, 0, 0);
    return out;
  };
  document.getElementById("export-png").addEventListener("click", function () {
    window.hmicPng().toBlob(function (blob) { download(blob, slug() + ".png"); }, "image/png");
  });
  function xml(text) {
    return String(text).replace(/[<>&"']/g, function (c) {
      return { "<": "&lt;", ">": "&gt;", "&": "&amp;", "\"": "&quot;", "'": "&apos;" }[c];
    });
  }
  window.hmicGraphml = function () {
    var out = ['<?xml version="1.0" encoding="UTF-8"?>',
      '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
      '<key id="label" for="node" attr.name="label" attr.type="string"/>',
      '<key id="type" for="node" attr.name="type" attr.type="string"/>',
      '<key id="page" for="node" attr.name="page" attr.type="string"/>',
      '<key id="elabel" for="edge" attr.name="label" attr.type="string"/>',
      '<graph id="' + xml(slug()) + '" edgedefault="directed">'];
    view.nodes.forEach(function (n) {
      out.push('<node id="' + xml(n.id) + '"><data key="label">' + xml(n.fullLabel) + '</data><data key="type">' +
        xml(n.type) + '</data><data key="page">' + xml(n.href) + "</data></node>");
    });
    view.edges.forEach(function (e) {
      out.push('<edge id="' + xml(e.id) + '" source="' + xml(e.from) + '" target="' + xml(e.to) +
        '"><data key="elabel">' + xml(e.fullLabel || "") + "</data></edge>");
    });
    out.push("</graph>", "</graphml>");
    return out.join("\n");
  };
  document.getElementById("export-graphml").addEventListener("click", function () {
    download(new Blob([window.hmicGraphml()], { type: "application/graphml+xml" }), slug() + ".graphml");
  });

  /* ---- find a node by name ---- */
  document.getElementById("search").addEventListener("submit", function (event) {
    event.preventDefault();
    var wanted = document.getElementById("search-input").value.trim().toLowerCase();
    if (!wanted) { return; }
    var match = view.nodes.filter(function (n) { return n.fullLabel.toLowerCase() === wanted; })[0] ||
      view.nodes.filter(function (n) { return n.fullLabel.toLowerCase().indexOf(wanted) >= 0; })[0];
    if (!match) { return; }
    if (hiddenTypes[match.type]) {
      hiddenTypes[match.type] = false;
      boxes.forEach(function (box) { if (box.value === match.type) { box.checked = true; } });
      applyFilters(false);
    }
    select(match.id, true);
  });

  /* ---- start: the URL's state, else the view's defaults ---- */
  var state = readHash();
  var changed = false;
  if (state.hide !== undefined) {
    var hide = state.hide ? state.hide.split(",") : [];
    boxes.forEach(function (box) {
      var off = hide.indexOf(box.value) >= 0;
      changed = changed || off !== !!hiddenTypes[box.value];
      box.checked = !off;
      hiddenTypes[box.value] = off;
    });
  }
  if (state.links) { edgeType = state.links; edgeFilter.value = state.links; }
  if (changed || state.links) { applyFilters(changed); }
  if (window.matchMedia && window.matchMedia("(max-width: 720px)").matches) {
    document.getElementById("legend").open = false;
  }
  var first = state.node && byId[state.node] ? state.node : view.focus;
  if (first && byId[first]) {
    network.selectNodes([first]);
    selected = state.node && byId[state.node] ? first : null;
    showDetails(byId[first]);
  }
  network.once("afterDrawing", function () { document.body.setAttribute("data-drawn", "true"); });
})();
