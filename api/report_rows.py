"""The read model's per-report rows, kept between builds so a rebuild after a load reads only what changed.

The heavy queries of the snapshot (:data:`TABLES`, ``graph/queries/api``) hold their report-local patterns
inside ``GRAPH ?g`` (:mod:`graph.report_tables`), so each report graph's rows depend on that graph alone.
:func:`read_tables` keeps them per report graph, keyed by the graph's IRI, checksum and load time (the
metadata graph, as ``snapshot_key.rq`` lists them) and by the digest of the builders' code and queries
(:func:`api.snapshot_store.code_digest`: a code change invalidates every entry), and on the next build
reads from the store only the report graphs whose key changed, plus the other named graphs (vocabulary,
metadata: never kept). Each graph's rows are sorted, so the tables are the same whichever way they were
read, and the snapshot built from them is the same as one built from scratch. What is read from the
store is read by a worker process (or thread) per CPU (:func:`graph.report_tables.graph_tables`), with the
same result.

Where they are kept: :class:`DiskRows`, one file per report graph in ``<data dir>/snapshot-rows/`` (beside
the saved snapshot; JSON, the first line a header with the key; written to a temporary file then
``os.replace``-d, so several serve workers may write the same file; files of graphs no longer in the
store are removed; a file that is truncated, corrupt or of another shape is a miss, with one warning
line), or :class:`MemoryRows` in the process (a store with no data dir).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import time
from collections.abc import Mapping
from itertools import chain
from pathlib import Path
from typing import Protocol

import orjson

from graph.report_tables import ByGraph, Row, graph_tables, named_graphs, restrictable, table
from graph.store import Store

log = logging.getLogger(__name__)

#: the per-graph queries (``graph/queries/api/{name}.rq``, first variable ``?g``) and their widths
TABLES: dict[str, int] = {
    "sharing_mentions": 4,
    "sharing_claims": 3,
    "snapshot_findings": 5,
    "page_sources": 5,
    "mentions": 2,
    "force_leads": 6,
    "practices": 14,
    "judgements": 11,
    "page_contacts": 5,
    "people": 3,
}
FORMAT = 1
FOLDER = "snapshot-rows"
#: more missing graphs than this share of the store: one whole-store read (cheaper than graph by graph)
WHOLE_SHARE = 0.25
#: a temporary file older than this was left by a writer that died: removed when the folder is pruned
STALE_TEMP_S = 3600.0

Tables = dict[str, list[Row]]
#: a report graph's key: IRI, SHA-256, load time and change stamp (metadata graph, ``snapshot_key.rq``)
GraphKey = tuple[str, ...]


class RowCache(Protocol):
    """Where each report graph's rows are kept between builds."""

    def get(self, key: GraphKey, code: str) -> Tables | None: ...

    def put(self, key: GraphKey, code: str, tables: Tables) -> None: ...

    def keep(self, graphs: set[str]) -> None: ...


class MemoryRows:
    """In the process (a store without a data dir); the runtime that holds it drops it after an update."""

    def __init__(self) -> None:
        self.entries: dict[str, tuple[GraphKey, str, Tables]] = {}

    def get(self, key: GraphKey, code: str) -> Tables | None:
        entry = self.entries.get(key[0])
        return entry[2] if entry is not None and entry[:2] == (key, code) else None

    def put(self, key: GraphKey, code: str, tables: Tables) -> None:
        self.entries[key[0]] = (key, code, tables)

    def keep(self, graphs: set[str]) -> None:
        for graph in set(self.entries) - graphs:
            del self.entries[graph]


_ROW_TYPES = frozenset({list})
_CELL_TYPES = frozenset({str, type(None)})


def _valid(tables: object) -> Tables:
    """``tables`` if it has every table, each a list of rows of the table's width holding strings or
    nulls; ValueError if not."""
    if not isinstance(tables, dict) or set(tables) != set(TABLES):
        raise ValueError("tables missing or unknown")
    for name, width in TABLES.items():
        rows = tables[name]
        if not isinstance(rows, list):
            raise ValueError(f"{name}: not a list")
        if not set(map(type, rows)) <= _ROW_TYPES or not set(map(len, rows)) <= {width}:
            raise ValueError(f"{name}: a row of another width")
        if not set(map(type, chain.from_iterable(rows))) <= _CELL_TYPES:
            raise ValueError(f"{name}: a value that is not a string")
    return tables


class DiskRows:
    """One JSON file per report graph in ``<data dir>/snapshot-rows/`` (named by a digest of its IRI)."""

    def __init__(self, data_dir: Path, *, writable: bool = True) -> None:
        """``writable``: False for a read-only store (its rows are read, never written or removed)."""
        self.folder = Path(data_dir) / FOLDER
        self.writable = writable
        self._warned = False  # one warning per build for unreadable files (a folder of them: one line)

    def path(self, graph: str) -> Path:
        return self.folder / (hashlib.sha256(graph.encode("utf-8")).hexdigest()[:32] + ".json")

    def _header(self, key: GraphKey, code: str) -> bytes:
        return orjson.dumps({"format": FORMAT, "key": list(key), "code": code})

    def get(self, key: GraphKey, code: str) -> Tables | None:
        path = self.path(key[0])
        try:
            with open(path, "rb") as source:
                header = source.readline().rstrip(b"\n")
                if header != self._header(key, code):
                    if not isinstance(orjson.loads(header), dict):
                        raise ValueError("unreadable header")
                    return None  # of another version of the graph, or of other code: read again
                body = orjson.loads(source.read())
            return _valid(body.get("tables") if isinstance(body, dict) else None)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:  # orjson.JSONDecodeError is a ValueError
            (log.debug if self._warned else log.warning)(
                "ignoring the saved rows %s: %s; reading the graph again", path, error
            )
            self._warned = True
            return None

    def put(self, key: GraphKey, code: str, tables: Tables) -> None:
        if not self.writable:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix=".rows.", suffix=".tmp", dir=self.folder)
        except OSError as error:
            self._failed(key, error)
            return
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(self._header(key, code) + b"\n" + orjson.dumps({"tables": tables}) + b"\n")
            os.chmod(temp, 0o644)  # as readable as the store beside it (mkstemp makes it private)
            os.replace(temp, self.path(key[0]))
        except OSError as error:
            Path(temp).unlink(missing_ok=True)
            self._failed(key, error)

    def _failed(self, key: GraphKey, error: OSError) -> None:
        """One warning, then no more writes by this build (a full disk would fail every graph's)."""
        log.warning("could not save the rows of %s in %s: %s; not saving rows", key[0], self.folder, error)
        self.writable = False

    def keep(self, graphs: set[str]) -> None:
        if not self.writable:
            return
        wanted = {self.path(g).name for g in graphs}
        try:
            entries = list(os.scandir(self.folder))
        except OSError:
            return
        now = time.time()
        for entry in entries:
            try:
                stale = entry.name.endswith(".json") and entry.name not in wanted
                left = entry.name.endswith(".tmp") and now - entry.stat().st_mtime > STALE_TEMP_S
                if stale or left:
                    os.unlink(entry.path)
            except OSError:  # removed meanwhile by another worker
                continue


def discard_rows(data_dir: Path) -> None:
    """Remove every kept row file (the store changed in a way the graphs' keys do not see)."""
    folder = Path(data_dir) / FOLDER
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        try:
            os.unlink(entry.path)
        except OSError as error:
            log.warning("could not remove saved rows %s: %s", entry.path, error)


def report_graphs(store: Store) -> list[GraphKey]:
    """Every report graph with its checksum, load time and change stamp (metadata graph), one per IRI."""
    found: dict[str, GraphKey] = {}
    for g, *values in table(store, "snapshot_key"):
        if g is not None and g not in found:
            found[g] = (g, *(v or "" for v in values))
    return list(found.values())


def read_tables(
    store: Store, cache: RowCache | None = None, code: str = "", threads: int | None = None
) -> Tables:
    """Every per-graph table (:data:`TABLES`) of ``store``, graph by graph in IRI order: the rows of report
    graphs whose key ``cache`` holds (under ``code``) from it, the others read from the store (and kept),
    by ``threads`` threads (default: :func:`api.settings.available_cpus`;
    :func:`graph.report_tables.graph_tables`)."""
    if threads is None:
        from api.settings import available_cpus

        threads = available_cpus()
    if cache is None:
        return _assemble(_read(store, None, threads), {})
    keys = report_graphs(store)
    kept: dict[str, Tables] = {}
    missing: list[GraphKey] = []
    for key in keys:
        hit = cache.get(key, code)
        if hit is None:
            missing.append(key)
        else:
            kept[key[0]] = hit
    if missing and (not restrictable(store) or len(missing) > WHOLE_SHARE * len(keys)):
        fresh = _read(store, None, threads)
    else:
        reports = {key[0] for key in keys}
        graphs = [key[0] for key in missing] + [g for g in named_graphs(store) if g not in reports]
        fresh = _read(store, graphs, threads)
    for key in missing:
        cache.put(key, code, {name: fresh[name].get(key[0], []) for name in TABLES})
    cache.keep({key[0] for key in keys})
    return _assemble(fresh, kept)


def _read(store: Store, graphs: list[str] | None, threads: int) -> dict[str, ByGraph]:
    """Every table of :data:`TABLES` by graph, over ``graphs`` (None: every named graph)."""
    return graph_tables(store, list(TABLES), graphs, threads)


def _assemble(fresh: Mapping[str, Mapping[str, list[Row]]], kept: Mapping[str, Tables]) -> Tables:
    """One table per name: each graph's rows (kept ones where there are, else fresh), graphs by IRI."""
    found: Tables = {}
    for name in TABLES:
        graphs = set(fresh[name]) | set(kept)
        rows: list[Row] = []
        for graph in sorted(graphs):
            part = kept[graph][name] if graph in kept else fresh[name].get(graph, [])
            rows += part
        found[name] = rows
    return found
