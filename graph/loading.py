"""Load report files into a store: read (loader) -> map (graph.mapping) -> replace the report's graph.

Reading and mapping run in worker processes when there are enough files (``jobs``), while this process
stores the results in file order; into the embedded Oxigraph store, up to ``jobs`` reports are written at
once by threads (its writes release the GIL), so the writer is no longer one core's worth. Each report
is one atomic ``replace_graph`` (its named graph and its metadata entry together), so a load that fails
or is killed part-way leaves every report graph old or new, never half-written. A bad file is reported
in its :class:`FileResult` and never stops the good ones.

The reader processes ask the kernel to kill them when the loading process dies (``PR_SET_PDEATHSIG``),
so a ``kill -9`` of ``hmic-kg load`` leaves no orphans. Folders are walked without recursion (any depth).
A file that now reads as another report than the one it produced before (its force was edited) replaces
that report: the old graph is removed, with a warning.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from rdflib import Graph, Literal

from graph.iris import Iris
from graph.reader_limits import large_file, memory_reason, prepare_isolated, reader_init
from graph.store import Store, StoreError
from graph.terms import TripleLines, triple_texts
from loaders.errors import LoaderError
from loaders.options import LoadOptions

REPORT_SUFFIXES = (".txt", ".pdf")

#: what the summary counts, over the whole store after the load
SUMMARY_QUERY = """
PREFIX hmic: <https://w3id.org/hmic-kg/ontology#>
SELECT (COUNT(DISTINCT ?force) AS ?forces) (COUNT(DISTINCT ?entity) AS ?entities) WHERE {
  { ?force a hmic:PoliceForce } UNION { ?report a hmic:InspectionReport ; hmic:mentions ?entity }
}
"""


@dataclass(frozen=True)
class FileResult:
    """The outcome of loading one file."""

    path: Path
    ok: bool
    report_id: str | None = None
    triples: int = 0
    error: str | None = None
    entities: int = 0


@dataclass(frozen=True)
class LoadSummary:
    """All files' results and what the store holds afterwards."""

    results: tuple[FileResult, ...]
    triples: int = 0  # quads in the store after the load
    forces: int = 0
    entities: int = 0
    vocabulary_triples: int = 0
    warnings: tuple[str, ...] = field(default=())

    @property
    def files_ok(self) -> int:
        return sum(1 for r in self.results if r.ok)

    @property
    def files_failed(self) -> int:
        return sum(1 for r in self.results if not r.ok)

    @property
    def loaded_triples(self) -> int:
        """Triples written for the reports of this load (their named graphs)."""
        return sum(r.triples for r in self.results)


def loader_version() -> str:
    try:
        return version("hmic-kg")
    except PackageNotFoundError:
        return "0+unknown"


def expand_paths(paths: Iterable[Path]) -> list[Path | FileResult]:
    """Files as given, folders expanded to their ``*.txt`` / ``*.pdf`` files (recursively, sorted).

    A path that does not exist, or a folder without reports, becomes a failed :class:`FileResult`.
    """
    expanded: list[Path | FileResult] = []
    for path in paths:
        if path.is_dir():
            # Entries named like reports that are not regular files (broken links, directories) go to
            # the loader too, which says what is wrong with them instead of skipping them silently.
            found = sorted(p for p in walk(path) if p.suffix.lower() in REPORT_SUFFIXES)
            expanded.extend(
                found or [FileResult(path, ok=False, error="no .txt or .pdf reports in this folder")]
            )
        elif path.exists() or path.is_symlink():
            expanded.append(path)  # the loader explains broken links, binaries, empty files
        else:
            expanded.append(FileResult(path, ok=False, error="no such file or directory"))
    return expanded


def walk(folder: Path) -> Iterator[Path]:
    """Every entry under ``folder`` (not following links to folders), with an explicit stack: a tree
    thousands of folders deep cannot overflow Python's recursion limit as ``Path.rglob`` does."""
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as entries:
                for entry in entries:
                    yield Path(entry.path)
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            stack.append(Path(entry.path))
                    except OSError:
                        continue
        except OSError:
            continue  # an unreadable folder holds nothing we can load


#: graphs of other reports produced earlier from a file of the same name
STALE_GRAPHS = """
PREFIX hmic: <https://w3id.org/hmic-kg/ontology#>
SELECT ?graph WHERE { GRAPH ?meta { ?graph hmic:sourceFile ?name } FILTER(?graph != ?current) }
"""


def _remove_stale(
    store: Store, result: FileResult, iris: Iris, loaded: dict[str, Path], pending: Iterable[str] = ()
) -> list[str]:
    """Drop report graphs that this file produced under another report id (its force changed); not one
    that a file of this load wrote (``loaded``) or is writing (``pending``: it is replaced anyway)."""
    if not result.ok or result.report_id is None:
        return []
    current = iris.report_graph(result.report_id)
    bindings = {"name": Literal(result.path.name), "current": current, "meta": iris.meta_graph()}
    warnings = []
    for row in store.query(STALE_GRAPHS, bindings).rows:
        old = str(row[0])
        if any(str(iris.report_graph(r)) == old for r in itertools.chain(loaded, pending)):
            continue  # produced by another file of this load
        store.drop_graph(old, meta_graph_iri=str(iris.meta_graph()))
        warnings.append(
            f"{result.path} now reads as report {result.report_id}; "
            f"the graph it gave before ({old}) was removed"
        )
    return warnings


FLUSH_EVERY = 25  # reports between flushes: RocksDB write buffers otherwise grow ~5-8 MB a report


def _flush(store: Store) -> None:
    """Flush a store that buffers writes natively (Oxigraph); others have nothing to flush."""
    flush = getattr(store, "flush", None)
    if callable(flush):
        flush()


def load_vocabulary(store: Store, iris: Iris) -> int:
    """(Re)load the vocabulary graph; returns its triple count."""
    from graph.mapping import vocabulary_graph

    graph = vocabulary_graph(iris)
    store.replace_graph(str(iris.vocabulary_graph()), graph)
    return len(graph)


@dataclass(frozen=True)
class PreparedReport:
    """A report read and mapped, ready to store (what a parallel load's workers send back)."""

    path: Path
    report_id: str
    triples: list | TripleLines
    metadata: Graph
    entities: int


def prepare_file(
    path: Path, iris: Iris, options: LoadOptions, loaded_at: datetime, *, as_text: bool = False
) -> PreparedReport | FileResult:
    """Read and map one report (no store involved); every expected failure becomes a failed result.

    ``as_text``: give the triples as N-Triples lines, cheap to send from a worker process.
    """
    from graph.mapping import report_metadata, report_triples
    from loaders.pipeline import load_report

    try:
        report = load_report(path, options)
    except LoaderError as exc:
        reason = exc.reason if exc.line is None else f"line {exc.line}: {exc.reason}"
        return FileResult(path, ok=False, error=reason)
    try:
        triples = report_triples(report, iris)
        metadata = report_metadata(
            report, iris, loader_version=loader_version(), loaded_at=loaded_at, triple_count=len(triples)
        )
        body = triple_texts(triples) if as_text else triples
    except Exception as exc:  # a mapping bug on one report must not stop the others
        error = f"cannot map the report to RDF (a bug, please report it): {type(exc).__name__}: {exc}"
        return FileResult(path, ok=False, report_id=report.report_id, error=error)
    return PreparedReport(path, report.report_id, body, metadata, len(report.entities))


def store_prepared(store: Store, prepared: PreparedReport | FileResult, iris: Iris) -> FileResult:
    """Atomically replace the report's graph and metadata entry with a prepared report."""
    if isinstance(prepared, FileResult):
        return prepared
    try:
        store.replace_graph(
            str(iris.report_graph(prepared.report_id)),
            prepared.triples,
            prepared.metadata,
            meta_graph_iri=str(iris.meta_graph()),
        )
    except StoreError as exc:
        return FileResult(prepared.path, ok=False, report_id=prepared.report_id, error=str(exc))
    return FileResult(
        prepared.path,
        ok=True,
        report_id=prepared.report_id,
        triples=len(prepared.triples),
        entities=prepared.entities,
    )


#: fewer files than this are read in the loading process itself (a worker pool costs ~1 s to start)
PARALLEL_MIN_FILES = 8


def default_jobs() -> int:
    """Worker processes for a parallel load: the CPUs this process may use, at most 8."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 8))


def _prepared(
    items: list[Path | FileResult], iris: Iris, options: LoadOptions, loaded_at: datetime, jobs: int
) -> Iterator[PreparedReport | FileResult]:
    """Every item read and mapped, in order; by ``jobs`` worker processes when that is worth it."""
    paths = [item for item in items if not isinstance(item, FileResult)]
    if jobs <= 1 or len(paths) < PARALLEL_MIN_FILES:
        for item in items:
            if isinstance(item, FileResult):
                yield item
            elif large_file(item):
                yield prepare_isolated(item, iris, options, loaded_at)
            else:
                yield prepare_file(item, iris, options, loaded_at)
        return
    # spawn, not fork: the loading process holds an open store and maybe a progress thread
    context = multiprocessing.get_context("spawn")
    init = {"initializer": reader_init, "initargs": (os.getpid(),)}
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, **init) as pool:

        def submit(item: Path | FileResult) -> tuple[Path, Future | FileResult]:
            if isinstance(item, FileResult):
                return item.path, item
            if large_file(item):  # its own child, killed after READ_TIMEOUT_S, not one of the pool's readers
                return item, prepare_isolated(item, iris, options, loaded_at)
            return item, pool.submit(prepare_file, item, iris, options, loaded_at, as_text=True)

        pending = iter(items)
        # a bounded window: the readers never run far ahead of the store (memory stays flat)
        window = deque(submit(item) for item in itertools.islice(pending, 2 * jobs))
        while window:
            path, head = window.popleft()
            following = next(pending, None)
            if following is not None:
                window.append(submit(following))
            if isinstance(head, FileResult):
                yield head
                continue
            try:
                yield head.result()
            except MemoryError:
                yield FileResult(path, ok=False, error=memory_reason())
            except Exception as exc:  # a worker died (killed, out of memory): this file failed, say why
                yield FileResult(
                    path, ok=False, error=f"the reading process failed: {type(exc).__name__}: {exc}"
                )


def _store_retrying(store: Store, prepared: PreparedReport | FileResult, iris: Iris) -> FileResult:
    """:func:`store_prepared`, tried again once if it failed (a write conflicting with a concurrent one
    fails whole: nothing of it was written)."""
    result = store_prepared(store, prepared, iris)
    return result if result.ok or isinstance(prepared, FileResult) else store_prepared(store, prepared, iris)


def _stored(
    store: Store, prepared: Iterable[PreparedReport | FileResult], iris: Iris, writers: int
) -> Iterator[tuple[FileResult, set[str]]]:
    """Every prepared report stored, results in order, each with the report ids still being written.

    With ``writers`` > 1 (a store whose writes run concurrently: embedded Oxigraph's release the GIL),
    up to that many reports are written at once, each still one transaction; two files of one report id
    are never written at once, so the later file still wins.
    """
    if writers <= 1:
        for item in prepared:
            yield store_prepared(store, item, iris), set()
        return
    with ThreadPoolExecutor(writers, thread_name_prefix="hmic-writer") as pool:
        window: deque[tuple[str | None, Future[FileResult]]] = deque()

        def oldest() -> tuple[FileResult, set[str]]:
            _, future = window.popleft()
            return future.result(), {rid for rid, _ in window if rid is not None}

        for item in prepared:
            report_id = item.report_id if isinstance(item, PreparedReport) else None
            while report_id is not None and any(rid == report_id for rid, _ in window):
                yield oldest()
            window.append((report_id, pool.submit(_store_retrying, store, item, iris)))
            while len(window) > writers:
                yield oldest()
        while window:
            yield oldest()


def load_paths(
    store: Store,
    paths: Sequence[Path],
    iris: Iris,
    options: LoadOptions | None = None,
    *,
    on_start: Callable[[int], None] | None = None,
    on_result: Callable[[FileResult], None] | None = None,
    jobs: int | None = None,
) -> LoadSummary:
    """Load every report under ``paths``; ``on_start(total)`` and ``on_result(result)`` drive progress UIs.

    The vocabulary graph is loaded once per call. Two files with the same report id: the later one wins
    (each replace is atomic) and the summary warns about it.
    """
    options = options or LoadOptions()
    jobs = default_jobs() if jobs is None else jobs
    items = expand_paths(paths)
    if on_start is not None:
        on_start(len(items))
    vocabulary_triples = load_vocabulary(store, iris)
    loaded_at = datetime.now(UTC)
    results: list[FileResult] = []
    seen: dict[str, Path] = {}
    warnings: list[str] = []
    writers = jobs if store.concurrent_writes else 1
    for result, pending in _stored(store, _prepared(items, iris, options, loaded_at, jobs), iris, writers):
        if result.ok and result.report_id is not None:
            if result.report_id in seen:
                warnings.append(
                    f"{result.path} replaced {seen[result.report_id]} (same report {result.report_id})"
                )
            seen[result.report_id] = result.path
            try:
                warnings.extend(_remove_stale(store, result, iris, seen, pending))
            except StoreError as exc:
                warnings.append(f"{result.path}: could not check for an older report from this file: {exc}")
        results.append(result)
        if len(results) % FLUSH_EVERY == 0:
            _flush(store)
        if on_result is not None:
            on_result(result)
    forces, entities = store_counts(store)
    return LoadSummary(
        tuple(results),
        triples=store.triple_count(),
        forces=forces,
        entities=entities,
        vocabulary_triples=vocabulary_triples,
        warnings=tuple(warnings),
    )


def store_counts(store: Store) -> tuple[int, int]:
    """Distinct forces and distinct mentioned entities in the store."""
    row = store.query(SUMMARY_QUERY).rows[0]
    return int(row[0] or 0), int(row[1] or 0)  # type: ignore[arg-type]
