"""Change stamps: an update through ``/sparql`` records, in the same request, which report graphs it changed.

The read model keeps rows per report graph keyed by what the metadata graph says of it (checksum and load
time, written by every load) and saves itself under a key of the whole store's (:mod:`api.report_rows`,
:mod:`api.snapshot_store`). A SPARQL update can change a graph without touching those, so each update
accepted by the server is run with operations of its own appended (:func:`stamped`): a new random
``hmic:changeStamp`` in the metadata graph for every graph the update writes
(:mod:`api.sparql_scope`), for every subject whose statements in the metadata graph it changed (what the
graph held before is copied aside in the same request and compared: a remote ``hmic-kg load`` rewrites
one report's entry there, so only that report counts as changed, and a stamp can never be written back to
an old value), and for the metadata graph itself (the store-wide stamp). An update whose written graphs
cannot be pinned stamps every report graph (every subject with a key in any graph). The stamps are part
of both keys (``snapshot_key.rq``, ``change_stamps.rq``), so the key read from the store is true for
every serve worker and after a restart, and a kept row stays valid unless its graph changed. The request
is one transaction on the embedded store: if it fails, nothing (stamps included) is written.
"""

from __future__ import annotations

import uuid

from api.sparql_scope import UpdateScope
from graph.iris import HMIC, PROV
from graph.store import ScopedUpdate
from graph.terms import TermError, graph_name

STAMP = f"<{HMIC}changeStamp>"
#: the predicates a report graph's key is read from (``graph/queries/api/snapshot_key.rq``)
KEYED = (f"<{HMIC}graphOf>", f"<{HMIC}sha256>", f"<{PROV}generatedAtTime>", STAMP)
#: where the metadata graph is copied for the length of one update (to see which entries it changed)
META_BEFORE = "urn:hmic-kg:meta-before:{tag}"


def _renew(meta: str, subjects: str, value: str) -> str:
    """Replace the stamp of every ``?s`` the pattern ``subjects`` binds by ``value``."""
    return (
        f"DELETE {{ GRAPH {meta} {{ ?s {STAMP} ?old }} }} INSERT {{ GRAPH {meta} {{ ?s {STAMP} {value} }} }} "
        f"WHERE {{ {{ SELECT DISTINCT ?s WHERE {{ {subjects} }} }} FILTER (isIRI(?s)) "
        f"OPTIONAL {{ GRAPH {meta} {{ ?s {STAMP} ?old }} }} }}"
    )


def _iri(value: str) -> str:
    return str(graph_name(value))  # validated: raises TermError for what is not an IRI


def stamped(scope: UpdateScope, meta_graph: str, text: str) -> str | ScopedUpdate:
    """The update to run for the update ``text`` read as ``scope``: with its stamps, as a
    :class:`ScopedUpdate` when its written graphs are known, else as text; ``text`` itself when it has no
    operation (nothing changes)."""
    if not scope.operations.strip():
        return text
    tag = uuid.uuid4().hex
    value = f'"{tag}"'
    meta = _iri(meta_graph)
    writes = scope.writes
    try:
        written = sorted(_iri(g) for g in writes) if writes is not None else None
    except TermError:
        written = None
    if written is None:  # anything may have changed: every subject with a key, and the store
        keyed = " ".join(f"{{ GRAPH ?any {{ ?s {p} ?o }} }} UNION {{ ?s {p} ?o }} UNION" for p in KEYED)
        everything = _renew(meta, f"{keyed} {{ VALUES ?s {{ {meta} }} }}", value)
        return f"{scope.prologue}{scope.operations}\n;\n{everything}"
    after = [_renew(meta, f"VALUES ?s {{ {' '.join([*written, meta])} }}", value)]
    before = ""
    extra: frozenset[str] = frozenset()
    if meta in written:
        aside = f"<{META_BEFORE.format(tag=tag)}>"
        before = f"ADD SILENT GRAPH {meta} TO GRAPH {aside}"
        changed = (
            f"{{ GRAPH {aside} {{ ?s ?p ?o }} FILTER NOT EXISTS {{ GRAPH {meta} {{ ?s ?p ?o }} }} }} UNION "
            f"{{ GRAPH {meta} {{ ?s ?p ?o }} FILTER NOT EXISTS {{ GRAPH {aside} {{ ?s ?p ?o }} }} }}"
        )
        after = [_renew(meta, changed, value), *after, f"DROP SILENT GRAPH {aside}"]
        extra = frozenset({aside[1:-1]})
    operations = (
        " ;\n".join(part for part in (before, scope.operations) if part) + "\n;\n" + " ;\n".join(after)
    )
    return ScopedUpdate(scope.prologue, operations, writes | {meta_graph} | extra)
