"""Load report files into a store: read (loader) -> map (graph.mapping) -> replace the report's graph.

Each report is one atomic ``replace_graph`` (its named graph and its metadata entry together), so a load
that fails or is killed part-way leaves every report graph old or new, never half-written. A bad file
is reported in its :class:`FileResult` and never stops the good ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from graph.iris import Iris
from graph.store import Store, StoreError
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
            found = sorted(p for p in path.rglob("*") if p.suffix.lower() in REPORT_SUFFIXES)
            expanded.extend(
                found or [FileResult(path, ok=False, error="no .txt or .pdf reports in this folder")]
            )
        elif path.exists() or path.is_symlink():
            expanded.append(path)  # the loader explains broken links, binaries, empty files
        else:
            expanded.append(FileResult(path, ok=False, error="no such file or directory"))
    return expanded


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


def load_file(store: Store, path: Path, iris: Iris, options: LoadOptions, loaded_at: datetime) -> FileResult:
    """Read, map and atomically store one report; every expected failure becomes a failed result."""
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
    except Exception as exc:  # a mapping bug on one report must not stop the others
        error = f"cannot map the report to RDF (a bug, please report it): {type(exc).__name__}: {exc}"
        return FileResult(path, ok=False, report_id=report.report_id, error=error)
    try:
        store.replace_graph(
            str(iris.report_graph(report.report_id)),
            triples,
            metadata,
            meta_graph_iri=str(iris.meta_graph()),
        )
    except StoreError as exc:
        return FileResult(path, ok=False, report_id=report.report_id, error=str(exc))
    return FileResult(
        path, ok=True, report_id=report.report_id, triples=len(triples), entities=len(report.entities)
    )


def load_paths(
    store: Store,
    paths: Sequence[Path],
    iris: Iris,
    options: LoadOptions | None = None,
    *,
    on_start: Callable[[int], None] | None = None,
    on_result: Callable[[FileResult], None] | None = None,
) -> LoadSummary:
    """Load every report under ``paths``; ``on_start(total)`` and ``on_result(result)`` drive progress UIs.

    The vocabulary graph is loaded once per call. Two files with the same report id: the later one wins
    (each replace is atomic) and the summary warns about it.
    """
    options = options or LoadOptions()
    items = expand_paths(paths)
    if on_start is not None:
        on_start(len(items))
    vocabulary_triples = load_vocabulary(store, iris)
    loaded_at = datetime.now(UTC)
    results: list[FileResult] = []
    seen: dict[str, Path] = {}
    warnings: list[str] = []
    for item in items:
        result = item if isinstance(item, FileResult) else load_file(store, item, iris, options, loaded_at)
        if result.ok and result.report_id is not None:
            if result.report_id in seen:
                warnings.append(
                    f"{result.path} replaced {seen[result.report_id]} (same report {result.report_id})"
                )
            seen[result.report_id] = result.path
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
