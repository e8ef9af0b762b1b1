"""A remote SPARQL 1.1 Protocol endpoint (query + update), e.g. Oxigraph server, Fuseki, GraphDB.

Atomicity: a replace is ONE update request ``DROP SILENT GRAPH <g> ; DELETE {meta} ; INSERT DATA {…}``,
built completely before it is sent; SPARQL 1.1 Update requires servers to run a request atomically
(Oxigraph and Fuseki/TDB2 do). The request is never retried automatically: after a timeout the state
is either old or new, and loading again converges.

Default graph: the endpoint must answer queries over the union of its named graphs (``oxigraph serve
--union-default-graph``, Fuseki ``tdb2:unionDefaultGraph true``, GraphDB by default). Oxigraph's union
repeats a triple once per graph holding it (oxigraph#1919), so joins through shared nodes slow down with
many reports there; Fuseki and GraphDB deduplicate (docs/graph-model.md).

Bindings: the protocol has no binding API, so they become a ``VALUES`` clause at the start of the WHERE
group, built from serialised terms (``graph.terms.inject_values``).

Authorisation: with ``update_token`` every update request carries ``Authorization: Bearer <token>`` (what
``hmic-kg serve --allow-updates-token`` and most protected endpoints expect); queries carry none. A 401
or 403 answer to an update says so and names the setting.

``store_url`` (Graph Store Protocol) is kept for exports and tools; replaces do not use it, because a GSP
PUT cannot update the metadata graph in the same request.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Sequence
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.term import Node

from graph.rdf_formats import EXPORT_FORMATS, GRAPH_FORMATS, PREFIXES, TABLE_FORMATS
from graph.store import Bindings, QueryError, QueryResult, SparqlUpdateStore, StoreError, swap_graph_update
from graph.terms import TermError, from_ox, graph_name, inject_values, rdflib_graph, triples_block

RESULTS_JSON = "application/sparql-results+json"
ACCEPT_ANY = f"{RESULTS_JSON}, application/n-triples;q=0.9"
FORM = "application/x-www-form-urlencoded"
#: rows per page of an export (under our server's and Virtuoso's default row limits of 10,000)
EXPORT_PAGE = 5000
#: what is not a keyword: comments, strings, IRIs, variables (to find a query's form)
_NOT_KEYWORDS = re.compile(r"""\#[^\n]*|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|<[^<>\s]*>|[?$]\w+""")
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
#: graphs an engine keeps for itself, never report graphs: left out of graphs(), export and counts
#: (Virtuoso: its RDF-views metadata, the LDP vocabulary and the URIQA description of its endpoint)
#: engines (by Server header product) that cannot take a whole report graph in one update request, and
#: the triples per request they are sent instead (staged: see RemoteStore.replace_graph)
STAGED_ENGINES = {"Virtuoso": 500}
SYSTEM_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/sparql",
)
#: (default graphs, named graphs) of a protocol dataset; None: the endpoint's own
ProtocolDataset = tuple[Sequence[str] | None, Sequence[str] | None]
#: headers by which endpoints say an answer is partial: Virtuoso's "anytime" answers (X-SQL-State
#: S1TAT, X-SQL-Message, X-SPARQL-MaxRows when its ResultSetMaxRows cut the answer) and our own server
PARTIAL_HEADERS = ("x-sql-state", "x-sql-message", "x-sparql-maxrows")


def partial_answer(response: httpx.Response) -> str | None:
    """Why the endpoint's answer is incomplete, or None when it says nothing of the kind."""
    if response.headers.get("x-hmic-truncated", "").lower() == "true":
        limit = response.headers.get("x-hmic-row-limit", "?")
        return f"the answer was cut at the endpoint's row limit ({limit} rows)"
    found = {h: response.headers[h] for h in PARTIAL_HEADERS if h in response.headers}
    if found:
        said = "; ".join(f"{h}: {v}" for h, v in found.items())
        return f"the endpoint gave a partial (anytime or row-limited) answer ({said})"
    return None


def staged_parts(triples: Graph, size: int) -> Iterator[list[tuple[Node, Node, Node]]]:
    """The triples in parts of ``size``; every triple with a blank node in one part (a blank node label
    names one node only within one INSERT DATA)."""
    with_bnodes = [t for t in triples if any(isinstance(n, BNode) for n in t)]
    if with_bnodes:
        yield with_bnodes
    plain = [t for t in triples if not any(isinstance(n, BNode) for n in t)]
    for start in range(0, len(plain), size):
        yield plain[start : start + size]


def _graph_form(sparql: str) -> bool:
    """Whether the query is a CONSTRUCT or DESCRIBE (its first form keyword, outside strings and IRIs)."""
    form = _FORM.search(_NOT_KEYWORDS.sub(" ", sparql))
    return form is not None and form.group(1).upper() in ("CONSTRUCT", "DESCRIBE")


class RemoteStore(SparqlUpdateStore):
    """SPARQL 1.1 Protocol client over httpx."""

    remote = True

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        *,
        store_url: str | None = None,
        timeout_s: float = 60.0,
        meta_graph_iri: str | None = None,
        client: httpx.Client | None = None,
        update_token: str | None = None,
    ) -> None:
        self.query_url = query_url
        self.update_url = update_url
        self.store_url = store_url
        self.meta_graph_iri = meta_graph_iri
        self._update_headers = {"Authorization": f"Bearer {update_token}"} if update_token else {}
        #: the engine, from the Server header of its answers (None until the first answer)
        self.engine: str | None = None
        ignored = ", ".join(f"<{g}>" for g in (*SYSTEM_GRAPHS, query_url))
        #: the data's own named graphs (an engine's system graphs left out)
        self._graph_filter = f"FILTER (?g NOT IN ({ignored}))"
        self._client = client or httpx.Client(timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 10.0)))

    # -- transport -----------------------------------------------------------------------------------
    def _post(
        self,
        url: str,
        data: str,
        content_type: str,
        accept: str | None = None,
        extra: dict[str, str] | None = None,
    ) -> httpx.Response:
        headers = {"Content-Type": f"{content_type}; charset=utf-8", **(extra or {})}
        if accept:
            headers["Accept"] = accept
        try:
            response = self._client.post(url, content=data.encode("utf-8"), headers=headers)
        except httpx.TimeoutException:
            raise StoreError(f"the SPARQL endpoint {url} timed out") from None
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach the SPARQL endpoint {url}: {exc}") from None
        if response.status_code == 406:
            raise QueryError("the requested result format does not fit this query's result form")
        if response.status_code in (401, 403) and content_type == "application/sparql-update":
            given = "was refused" if "Authorization" in headers else "needs a bearer token"
            raise StoreError(
                f"the endpoint {url} answered HTTP {response.status_code}: the update {given} "
                "(set --update-token or HMIC_KG_UPDATE_TOKEN)"
            )
        if response.status_code == 400:
            raise QueryError(f"the endpoint refused the request: {response.text.strip()[:300]}")
        if response.status_code >= 300:
            raise StoreError(
                f"the endpoint {url} answered HTTP {response.status_code}: {response.text[:200]}"
            )
        if self.engine is None:
            self.engine = response.headers.get("server", "")
        partial = partial_answer(response)
        if partial is not None:  # never pass a partial answer on as if it were complete
            raise StoreError(f"{url}: {partial}")
        return response

    def _update(self, sparql: str) -> None:
        if self.update_url is None:
            raise StoreError("no SPARQL update URL configured (HMIC_KG_UPDATE_URL): the store is read-only")
        self._post(self.update_url, sparql, "application/sparql-update", extra=self._update_headers)

    def _query(
        self, sparql: str, bindings: Bindings | None, accept: str, dataset: ProtocolDataset | None = None
    ) -> httpx.Response:
        try:
            text = inject_values(sparql, bindings or {})
        except TermError as exc:
            raise QueryError(str(exc)) from None
        # a URL-encoded POST (Protocol §2.1.2): every engine reads it, while Virtuoso 7 never answers a
        # direct application/sparql-query POST
        form: list[tuple[str, str]] = [("query", text)]
        if dataset is not None and (dataset[0] is not None or dataset[1] is not None):
            form += [("default-graph-uri", g) for g in dataset[0] or ()]
            form += [("named-graph-uri", g) for g in dataset[1] or ()]
        return self._post(self.query_url, urlencode(form), FORM, accept)

    # -- the Store interface -------------------------------------------------------------------------
    def query(self, sparql: str, bindings: Bindings | None = None) -> QueryResult:
        # ask for the form's own format: Virtuoso answers a CONSTRUCT in JSON when JSON is acceptable
        accept = "application/n-triples" if _graph_form(sparql) else ACCEPT_ANY
        response = self._query(sparql, bindings, accept)
        media = response.headers.get("content-type", "").split(";")[0].strip()
        if media == RESULTS_JSON:
            parsed = ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON)
            if isinstance(parsed, ox.QueryBoolean):
                return QueryResult("ask", boolean=bool(parsed))
            names = tuple(v.value for v in parsed.variables)
            rows = [tuple(None if s[n] is None else from_ox(s[n]) for n in names) for s in parsed]
            return QueryResult("select", vars=names, rows=rows)
        try:
            rdf_format = ox.RdfFormat.from_media_type(media) or ox.RdfFormat.N_TRIPLES
            triples = [q.triple for q in ox.parse(response.content, rdf_format)]
        except (SyntaxError, ValueError) as exc:
            raise StoreError(f"unreadable answer from the endpoint ({media}): {exc}") from None
        return QueryResult("graph", graph=rdflib_graph(triples))

    def query_serialized(self, sparql: str, result_format: str, bindings: Bindings | None = None) -> bytes:
        return self._serialized(sparql, result_format, bindings, None)

    def query_in_dataset(self, sparql: str, result_format: str, dataset: ProtocolDataset) -> bytes:
        """The endpoint's answer in ``result_format`` over ``dataset``: the protocol's default-graph-uri and
        named-graph-uri (a named-graphs-only dataset has an empty default graph, SPARQL 1.1 §13.2)."""
        return self._serialized(sparql, result_format, None, dataset)

    def _serialized(
        self, sparql: str, result_format: str, bindings: Bindings | None, dataset: ProtocolDataset | None
    ) -> bytes:
        if result_format in TABLE_FORMATS:  # fetched as JSON, written here: engines' CSV/TSV differ
            if _graph_form(sparql):
                raise QueryError(f"format {result_format!r} does not fit a CONSTRUCT or DESCRIBE query")
            response = self._query(sparql, bindings, RESULTS_JSON, dataset)
            media = response.headers.get("content-type", "").split(";")[0].strip()
            if media != RESULTS_JSON:
                raise QueryError(f"format {result_format!r} does not fit this query's result form ({media})")
            try:
                parsed = ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON)
            except (SyntaxError, ValueError) as exc:
                raise StoreError(f"unreadable answer from the endpoint: {exc}") from None
            return parsed.serialize(format=TABLE_FORMATS[result_format])
        if result_format in GRAPH_FORMATS:
            accept = GRAPH_FORMATS[result_format].media_type
        else:
            raise QueryError(f"unknown result format {result_format!r}")
        response = self._query(sparql, bindings, accept, dataset)
        media = response.headers.get("content-type", "").split(";")[0].strip()
        if (
            media != accept.split(";")[0]
        ):  # the endpoint chose another form: the format does not fit the query form
            raise QueryError(f"format {result_format!r} does not fit this query's result form ({media})")
        return response.content

    def _export(self, fmt: str) -> bytes:
        dataset = Dataset()
        for prefix, ns in PREFIXES.items():
            dataset.bind(prefix, ns)
        for name in self.graphs():
            graph = dataset.graph(URIRef(name))
            for s, p, o in self._graph_triples(name):
                graph.add((s, p, o))
        if fmt in ("trig", "nquads", "jsonld"):
            return dataset.serialize(format={"jsonld": "json-ld"}.get(fmt, fmt), encoding="utf-8")
        union = Graph()
        for prefix, ns in PREFIXES.items():
            union.bind(prefix, ns)
        for s, p, o, _ in dataset.quads((None, None, None, None)):
            union.add((s, p, o))
        assert fmt in EXPORT_FORMATS
        return union.serialize(format={"ntriples": "nt"}.get(fmt, fmt), encoding="utf-8")

    def _graph_triples(self, name: str) -> set[tuple[Node, Node, Node]]:
        """Every triple of one graph, in pages of ``EXPORT_PAGE`` rows (under the row limits of our own
        server and Virtuoso), checked against the graph's count: a page the endpoint cut or shifted is
        an error, never a short export. No ORDER BY: Virtuoso refuses sorted pages past its row limit."""
        found: set[tuple[Node, Node, Node]] = set()
        offset = 0
        while True:
            where = f"WHERE {{ GRAPH {graph_name(name)} {{ ?s ?p ?o }} }}"
            page = self.query(f"SELECT ?s ?p ?o {where} LIMIT {EXPORT_PAGE} OFFSET {offset}").rows
            found.update((s, p, o) for s, p, o in page)  # type: ignore[misc]
            if len(page) < EXPORT_PAGE:
                break
            offset += EXPORT_PAGE
        if offset and len(found) != self.triple_count(name):
            raise StoreError(f"the endpoint's pages of graph <{name}> do not add up: export stopped")
        return found

    def triple_count(self, graph_iri: str | None = None) -> int:
        if graph_iri is None:
            result = self.query(
                f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._graph_filter} }}"
            )
        else:
            result = self.query(
                "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": URIRef(graph_iri)}
            )
        return int(result.rows[0][0])  # type: ignore[arg-type]

    def _replace(self, graph_iri: str, triples: Graph, metadata: Graph | None, meta: str | None) -> None:
        """One update request, or on an engine that cannot take a whole graph in one request (Virtuoso
        7: at most about 10,000 lines of compiled SQL) the graph in parts into a staging graph, then one
        small request that moves it in place and swaps the metadata."""
        whole = swap_graph_update(graph_iri, triples, metadata, meta)  # validates every term first
        if self.engine is None:
            self.query("ASK {}")  # learn the engine from its Server header
        limit = STAGED_ENGINES.get((self.engine or "").split("/")[0])
        if limit is None or len(triples) <= limit:
            self._update(whole)
            return
        staging = f"{graph_iri}-staging-{uuid.uuid4().hex}"
        try:
            for part in staged_parts(triples, limit):
                self._update(f"INSERT DATA {{ GRAPH <{staging}> {{\n{triples_block(part)}\n}} }}")
            swap = swap_graph_update(graph_iri, Graph(), metadata, meta)
            self._update(f"{swap} ;\nMOVE SILENT GRAPH <{staging}> TO GRAPH <{graph_iri}>")
        except (QueryError, StoreError):
            self._update(f"DROP SILENT GRAPH <{staging}>")
            raise

    def graphs(self) -> list[str]:
        query = f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._graph_filter} }} ORDER BY ?g"
        return [str(row[0]) for row in self.query(query).rows]

    def close(self) -> None:
        self._client.close()
