"""Save the matcher's evidence tables next to the saved snapshot and load them on start, so the first
``/forces/{id}/help`` after a start does not rebuild them (BM25, topic profiles, entity keys, sentence
embeddings and the topic scheme: seconds at 430 reports).

The file (``<data dir>/matching-index.npz``) is a numpy archive read with ``allow_pickle=False``: arrays of
numbers, plus one array holding UTF-8 JSON (``orjson``) for the strings (vocabulary, entity keys, the topic
scheme); reading it can never run code. Its key is the snapshot's content key
(:func:`api.snapshot_store.content_key`) plus a digest of the matching code, the ontology files the topic
scheme is read from and the versions of ``bm25s`` and ``wordllama``; it also records the candidates' IRIs
digest. A file of another key, of other candidates, truncated or corrupt is ignored with one warning line
and the tables rebuilt, then saved again: in the data dir, or for a read-only store in the scratch dir
its ``serve --workers`` processes share, if any (one builds under the lock, the others load).
Candidates' stems are not saved: they are derived again on use for the few candidates a match is
explained for.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import tempfile
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import orjson

from api.build_lock import INDEX_LOCK_NAME, build_lock
from api.snapshot import Snapshot
from graph.lexical import Bm25Index, both_stems
from graph.topics import ONTOLOGY_FILES, Topic, TopicScheme, load_scheme
from loaders.resources import ontology_file

log = logging.getLogger(__name__)

FORMAT = 1
FILE_NAME = "matching-index.npz"
_CODE = ("api/matching_evidence.py", "api/matching_saved.py", "graph/lexical.py", "graph/topics.py",
         "graph/embeddings.py")  # fmt: skip
_ROOT = Path(__file__).resolve().parent.parent
_ARRAYS = ("topic_idf", "topic_counts", "has_topic", "topics", "sentence_start", "sentence_index")

__all__ = ["IndexPlace", "discard_index", "evidence_for", "index_path", "load_evidence", "save_evidence"]


class IndexFileError(ValueError):
    """A saved index that cannot be used (another key, other candidates, truncated, corrupt)."""


@dataclass(frozen=True)
class IndexPlace:
    """Where a snapshot's matching index is looked for (``data_dir``), under which content key, and where
    a build is saved (``save_dir``: the data dir, a read-only store's scratch dir shared by its serve
    workers, or None); kept in the snapshot's memo under ``("index_place",)`` by
    :class:`api.runtime.Runtime`."""

    data_dir: Path
    key: str
    save_dir: Path | None


def index_path(data_dir: Path) -> Path:
    return Path(data_dir) / FILE_NAME


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "-"


_DIGEST: str | None = None


def index_key(content_key: str) -> str:
    """``content_key`` with the digest of the matching code, ontology files and libraries."""
    global _DIGEST
    if _DIGEST is None:
        digest = hashlib.sha256(f"{FORMAT} {_version('bm25s')} {_version('wordllama')}".encode())
        for source in [_ROOT / name for name in _CODE] + [ontology_file(n) for n in ONTOLOGY_FILES]:
            digest.update(source.name.encode("utf-8") + b"\0" + Path(source).read_bytes() + b"\0")
        _DIGEST = digest.hexdigest()
    return hashlib.sha256(f"{content_key} {_DIGEST}".encode()).hexdigest()


def _rows_digest(iris: list[str]) -> str:
    return hashlib.sha256("\n".join(iris).encode("utf-8")).hexdigest()


class LazyStems:
    """Candidates' content stems, derived from their text on use (the same as a build computes)."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> list[str]:
        return both_stems(self.rows[i]["full"])[0]


class LazyEntities:
    """Candidates' entity keys (``(kind, group) -> label``), read from the saved table on use (only the
    candidates a match is explained for are asked)."""

    def __init__(self, triples: list[tuple[tuple[str, str], str]], starts: Any, of: Any) -> None:
        self.triples, self.starts, self.of = triples, starts.tolist(), of.tolist()

    def __len__(self) -> int:
        return len(self.starts) - 1

    def __getitem__(self, i: int) -> dict[tuple[str, str], str]:
        if not 0 <= i < len(self):
            raise IndexError(i)
        return dict(self.triples[j] for j in self.of[self.starts[i] : self.starts[i + 1]])

    def __iter__(self) -> Any:
        return (self[i] for i in range(len(self)))


def _scheme_json(scheme: TopicScheme) -> dict[str, Any]:
    def topics(items: tuple[Topic, ...]) -> list[Any]:
        return [[t.key, t.label, [list(x) for x in t.triggers]] for t in items]

    return {"topics": topics(scheme.topics), "area_names": topics(scheme.area_names),
            "neighbours": {k: sorted(v) for k, v in scheme.neighbours.items()},
            "equivalents": scheme.equivalents, "chief": list(scheme.chief_officer_ranks),
            "generic": sorted(scheme.generic_units)}  # fmt: skip


def _scheme_of(data: dict[str, Any]) -> TopicScheme:
    def topics(items: list[Any]) -> tuple[Topic, ...]:
        return tuple(Topic(key, label, tuple(tuple(x) for x in triggers)) for key, label, triggers in items)

    return TopicScheme(
        topics(data["topics"]),
        {k: frozenset(v) for k, v in data["neighbours"].items()},
        dict(data["equivalents"]),
        topics(data["area_names"]),
        tuple(data["chief"]),
        frozenset(data["generic"]),
    )


def _ragged(lists: list[list[int]]) -> tuple[Any, Any]:
    import numpy as np

    starts = np.cumsum([0] + [len(x) for x in lists]).astype(np.int64)
    return starts, np.array([v for x in lists for v in x], dtype=np.int64)


def save_evidence(ev: Any, key: str, data_dir: Path) -> Path:
    """Write ``ev``'s tables (an :class:`api.matching_evidence.Evidence`) under ``key`` atomically."""
    import numpy as np

    target = index_path(data_dir)
    arrays = {name: getattr(ev, name) for name in _ARRAYS}
    triples: dict[tuple[str, str, str], int] = {}
    rows = [
        [triples.setdefault((*k, label), len(triples)) for k, label in keys.items()] for keys in ev.entities
    ]
    arrays["entity_start"], arrays["entity_of"] = _ragged(rows)
    keys = list(ev.postings)
    arrays["posting_start"], arrays["posting_of"] = _ragged([ev.postings[k].tolist() for k in keys])
    names = list(ev.names_area)
    arrays["named_start"], arrays["named_of"] = _ragged(
        [np.flatnonzero(ev.names_area[a]).tolist() for a in names]
    )
    if ev.vectors is not None:
        arrays["vectors"] = ev.vectors
    bm25 = ev.bm25.parts()
    arrays.update({f"bm25_{k}": v for k, v in bm25.pop("arrays").items()})
    meta = {"format": FORMAT, "key": key, "rows": _rows_digest([r["iri"] for r in ev.rows]),
            "scheme": _scheme_json(ev.scheme), "topic_keys": ev.topic_keys, "triples": list(triples),
            "posting_keys": keys, "entity_idf": [[*k, v] for k, v in ev.entity_idf.items()],
            "named_areas": names, "bm25": bm25}  # fmt: skip
    fd, temp = tempfile.mkstemp(prefix=f".{FILE_NAME}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            np.savez(out, meta=np.frombuffer(orjson.dumps(meta), dtype=np.uint8), **arrays)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target


def read_tables(path: Path, key: str, cat: Snapshot, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The tables saved at ``path`` for ``key`` and these candidate ``rows``, as Evidence attributes."""
    import numpy as np

    with open(path, "rb") as source:
        data = io.BytesIO(source.read())
    with np.load(data, allow_pickle=False) as saved:
        meta = orjson.loads(saved["meta"].tobytes())
        if not isinstance(meta, dict) or meta.get("format") != FORMAT or meta.get("key") != key:
            raise IndexFileError("saved for other content or by another version")
        if meta.get("rows") != _rows_digest([r["iri"] for r in rows]):
            raise IndexFileError("saved for other candidates")
        arrays = {name: saved[name] for name in saved.files if name != "meta"}
    n = len(rows)
    tables: dict[str, Any] = {name: arrays[name] for name in _ARRAYS}
    triples = [((kind, group), label) for kind, group, label in meta["triples"]]
    tables["entities"] = LazyEntities(triples, arrays["entity_start"], arrays["entity_of"])
    starts, of = arrays["posting_start"], arrays["posting_of"]
    tables["postings"] = {
        tuple(k): of[starts[i] : starts[i + 1]].astype(np.intp) for i, k in enumerate(meta["posting_keys"])
    }
    tables["entity_idf"] = {(kind, group): idf for kind, group, idf in meta["entity_idf"]}
    starts, of = arrays["named_start"], arrays["named_of"]
    tables["names_area"] = {}
    for i, area in enumerate(meta["named_areas"]):
        mask = np.zeros(n, dtype=bool)
        mask[of[starts[i] : starts[i + 1]]] = True
        tables["names_area"][area] = mask
    tables["vectors"] = arrays.get("vectors")
    tables["bm25"] = Bm25Index.from_parts({**meta["bm25"], "arrays": {
        k.removeprefix("bm25_"): v for k, v in arrays.items() if k.startswith("bm25_")}})  # fmt: skip
    tables["topic_keys"] = list(meta["topic_keys"])
    tables["scheme"] = _scheme_of(meta["scheme"])
    tables["stems"] = LazyStems(rows)
    shapes = (len(tables["entities"]), len(tables["sentence_start"]), len(tables["topic_counts"]))
    if shapes != (n, n, n) or tables["topic_counts"].shape[1:] != (len(tables["topic_keys"]),):
        raise IndexFileError("tables of the wrong shape")
    return tables


#: what a saved index that cannot be used raises (it is then rebuilt)
UNREADABLE = (IndexFileError, OSError, ValueError, KeyError, IndexError, TypeError, zipfile.BadZipFile)


def load_evidence(cat: Snapshot, place: IndexPlace | None) -> Any:
    """The evidence of ``cat``: from the saved index at ``place`` when it fits, else built (and saved in
    ``place.save_dir``, if any)."""
    from api.matching_evidence import Evidence

    if place is None:
        return Evidence(cat, load_scheme())
    key, rows = index_key(place.key), Evidence.rows_of(cat)

    def saved(folder: Path) -> Any:
        tables = read_tables(index_path(folder), key, cat, rows)
        return Evidence(cat, tables["scheme"], {**tables, "rows": rows})

    try:
        loaded = saved(place.data_dir)
        log.info("matching index loaded from %s", index_path(place.data_dir))
        return loaded
    except FileNotFoundError:
        pass
    except UNREADABLE as error:
        log.warning("ignoring saved matching index %s: %s; rebuilding it", index_path(place.data_dir), error)
    target = place.save_dir
    if target is None:
        return Evidence(cat, load_scheme())
    # one build at a time per folder it is saved in: another serve worker waits, then loads what it saved
    with build_lock(target, INDEX_LOCK_NAME) as waited:
        # the scratch dir was not looked in yet: a worker started later loads what another saved there
        if waited or target != place.data_dir:
            try:
                loaded = saved(target)
                log.info("matching index loaded from %s (built by another process)", index_path(target))
                return loaded
            except UNREADABLE:  # not saved, or not for this key: build it here
                pass
        built = Evidence(cat, load_scheme())
        try:
            save_evidence(built, key, target)
        except OSError as error:
            log.warning("could not save the matching index in %s: %s", target, error)
    return built


def evidence_for(cat: Snapshot) -> Any:
    """The evidence of a snapshot, using the saved index at the place its runtime recorded, if any."""
    return load_evidence(cat, cat.derived(("index_place",), lambda: None))


def discard_index(data_dir: Path) -> None:
    """Remove the saved index (the store changed in a way its key does not see)."""
    try:
        index_path(data_dir).unlink(missing_ok=True)
    except OSError as error:
        log.warning("could not remove saved matching index %s: %s", index_path(data_dir), error)
