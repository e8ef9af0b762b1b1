/* The SPARQL page: named-query examples, parameters as a VALUES block, results as a table. */
(function () {
  "use strict";
  var examples = JSON.parse(document.getElementById("named-queries").textContent);
  var form = document.getElementById("sparql-form");
  var select = document.getElementById("example");
  var textarea = document.getElementById("query");
  var paramsBox = document.getElementById("params");
  var statusLine = document.getElementById("status");
  var table = document.getElementById("results");
  var current = null;

  function byName(name) { return examples.filter(function (e) { return e.name === name; })[0] || null; }

  function showParams(example) {
    paramsBox.textContent = "";
    (example ? example.params : []).forEach(function (p) {
      var label = document.createElement("label");
      label.textContent = p.name + (p.optional ? " (optional)" : "") + ": " + p.description;
      var input = document.createElement("input");
      input.name = p.name;
      input.dataset.type = p.type;
      input.className = "param";
      label.appendChild(input);
      paramsBox.appendChild(label);
    });
  }

  function choose(name) {
    current = byName(name);
    if (!current) { return; }
    textarea.value = current.text;
    document.getElementById("example-description").textContent = current.description;
    showParams(current);
    updateDownloads();
  }

  /* A value as a SPARQL term: an IRI for absolute http(s)/urn values, else an escaped string literal. */
  function term(value, type) {
    var v = value.trim();
    if (type === "integer" && /^-?\d+$/.test(v)) { return v; }
    if ((type === "iri" || type === "term") && /^(https?|urn):[^\s<>"{}|\\^`]+$/.test(v)) { return "<" + v + ">"; }
    return '"' + v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\r/g, "\\r") + '"';
  }

  /* The editor's query with filled-in parameters bound by a VALUES block at the top of WHERE. */
  function queryText() {
    var text = textarea.value;
    var values = [];
    paramsBox.querySelectorAll("input.param").forEach(function (input) {
      if (input.value.trim()) { values.push("VALUES ?" + input.name + " { " + term(input.value, input.dataset.type) + " }"); }
    });
    if (!values.length) { return text; }
    var where = text.search(/WHERE\s*\{/i);
    if (where < 0) { return text; }
    var brace = text.indexOf("{", where) + 1;
    return text.slice(0, brace) + "\n  " + values.join("\n  ") + text.slice(brace);
  }

  function updateDownloads() {
    var q = encodeURIComponent(queryText());
    document.getElementById("download-csv").href = "/sparql?format=csv&query=" + q;
    document.getElementById("download-json").href = "/sparql?format=json&query=" + q;
  }

  function cell(binding) {
    var td = document.createElement("td");
    if (!binding) { return td; }
    if (binding.type === "uri" && binding.value.indexOf("/id/") >= 0) {
      var a = document.createElement("a");
      a.href = "/page/" + binding.value.split("/id/").slice(1).join("/id/");
      a.textContent = binding.value.split("/id/").slice(1).join("/id/");
      td.appendChild(a);
    } else {
      td.textContent = binding.value;
    }
    return td;
  }

  function showResults(data, truncated) {
    table.textContent = "";
    if (data.boolean !== undefined) { statusLine.textContent = "Answer: " + data.boolean; return; }
    var vars = data.head.vars, rows = data.results.bindings;
    var head = table.createTHead().insertRow();
    vars.forEach(function (v) { var th = document.createElement("th"); th.textContent = v; head.appendChild(th); });
    var body = table.createTBody();
    rows.forEach(function (row) {
      var tr = body.insertRow();
      vars.forEach(function (v) { tr.appendChild(cell(row[v])); });
    });
    statusLine.textContent = rows.length + (rows.length === 1 ? " row" : " rows") +
      (truncated ? " (cut at the row limit)" : "");
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    updateDownloads();
    statusLine.textContent = "Running…";
    table.textContent = "";
    fetch("/sparql", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json" },
      body: "query=" + encodeURIComponent(queryText())
    }).then(function (response) {
      var truncated = response.headers.get("X-HMIC-Truncated");
      return response.text().then(function (body) {
        if (!response.ok) {
          var message = body;
          try { message = JSON.parse(body).error.message; } catch (e) { /* plain text error */ }
          statusLine.textContent = "Error " + response.status + ": " + message;
          return;
        }
        try { showResults(JSON.parse(body), truncated === "true" || truncated === "1"); }
        catch (e) { statusLine.textContent = "This query returns RDF, not a table: use the download links."; }
      });
    }).catch(function (error) { statusLine.textContent = "Request failed: " + error; });
  });
  select.addEventListener("change", function () { choose(select.value); });
  textarea.addEventListener("input", updateDownloads);
  paramsBox.addEventListener("input", updateDownloads);
  current = byName(select.value);
  showParams(current);
  updateDownloads();
})();
