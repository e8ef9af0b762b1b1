"""Save the read model next to the store and load it on start, so a start answers without a build.

The file (``<data dir>/snapshot.json``) is keyed by *content*, not by the in-process generation (a write
counter): :func:`content_key` hashes every report graph with its checksum, load time and change stamp
(metadata graph, ``graph/queries/api/snapshot_key.rq``), every change stamp in the store
(``change_stamps.rq``: one is renewed by every update through ``/sparql``, :mod:`api.update_stamps`), the
base IRI, :data:`FORMAT` and the source of the code that builds the snapshot, so it is the same in every
process and after a restart, and changes with every load, reload, drop or update, and with every change to
the builders. Only the records are saved (no memo: rendered answers and
the matching index are derived again on use).

Format: JSON (read and written by ``orjson``, twice as fast as ``json`` at 430 reports; reading JSON can
never run code, and the data dir may be shared). The first line is a
header (``{"format": …, "key": …}``) so a file of another generation is skipped without parsing the rest;
the second holds the tables, each record as the list of its field values in declaration order. It is
written to a temporary file in the same folder, then ``os.replace``-d: a reader sees the old file or the
new one, never part of one. A file that is missing, of another key, truncated or corrupt is ignored (one
warning line) and the snapshot rebuilt. The per-report rows the builders read are kept beside it
(``snapshot-rows/``, :mod:`api.report_rows`), so that rebuild reads only the reports that changed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import tempfile
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from types import NoneType, UnionType
from typing import Any

import orjson

from api.lookup import QUERY_DIR, rows
from api.snapshot import Record, Ref, Snapshot
from graph.iris import Iris
from graph.store import Store

log = logging.getLogger(__name__)

#: bump when the file layout changes (the builders' source is part of the key as well)
FORMAT = 3
FILE_NAME = "snapshot.json"
#: the tables of a snapshot that are saved (every field but the generation, the IRIs and the memo)
TABLES: tuple[str, ...] = tuple(
    f.name for f in dataclasses.fields(Snapshot) if f.name not in ("generation", "iris", "memo")
)
_BUILDER_MODULES = (
    "snapshot.py", "snapshot_build.py", "snapshot_pages.py", "snapshot_store.py", "report_rows.py",
    "../graph/sharing_pass.py", "../graph/report_tables.py", "../graph/report_workers.py",
)  # fmt: skip


class SnapshotFileError(ValueError):
    """A saved snapshot that cannot be used (another key, truncated, corrupt)."""


def snapshot_path(data_dir: Path) -> Path:
    return Path(data_dir) / FILE_NAME


def _code_digest() -> str:
    """A digest of the code and queries the snapshot is built by (a changed builder changes the key)."""
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    sources = [here / name for name in _BUILDER_MODULES] + sorted((QUERY_DIR / "api").glob("*.rq"))
    for source in sources:
        digest.update(source.name.encode("utf-8") + b"\0" + source.read_bytes() + b"\0")
    return digest.hexdigest()


_CODE_DIGEST: str | None = None


def code_digest() -> str:
    """The digest of the builders' code and queries (read once per process)."""
    global _CODE_DIGEST
    if _CODE_DIGEST is None:
        _CODE_DIGEST = _code_digest()
    return _CODE_DIGEST


def content_key(store: Store, base_iri: str) -> str:
    """The key of the store's content: the same in every process and after a restart."""
    graphs = [(r["g"], r["sha"], r["at"], r["stamp"]) for r in rows(store, "snapshot_key")]
    stamps = [(r["s"], r["stamp"]) for r in rows(store, "change_stamps")]
    text = json.dumps([FORMAT, code_digest(), base_iri, graphs, stamps], separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _encode(value: Any, refs: dict[tuple[str, str, str], int]) -> Any:
    """Records as lists of their field values, links (:class:`Ref`) as their number in ``refs`` (a few
    hundred links stand for the ~140,000 of the findings at 430 reports), tuples as lists, frozensets as
    sorted lists."""
    if type(value) is Ref:
        return refs.setdefault((value.id, value.label, value.iri), len(refs))
    if isinstance(value, Record):
        return [_encode(getattr(value, name), refs) for name in value.__dataclass_fields__]  # type: ignore[attr-defined]
    if isinstance(value, Mapping):
        return {k: _encode(v, refs) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(v, refs) for v in value]
    if isinstance(value, frozenset):
        return sorted(value)
    return value


Decoder = Callable[[Any], Any]


def _scalar(kinds: tuple[type, ...]) -> Decoder:
    def check(data: Any) -> Any:
        if not isinstance(data, kinds) or (isinstance(data, bool) and bool not in kinds):
            wanted = "/".join(k.__name__ for k in kinds)
            raise SnapshotFileError(f"expected {wanted}, got {type(data).__name__}")
        return data

    return check


class _Reader:
    """Decoders turning the JSON form of a value of a type back into it (checking its shape), one per
    type; links are looked up in the file's table of links."""

    def __init__(self, refs: Any) -> None:
        self.decoders: dict[Any, Decoder] = {}
        table = [self._record(Ref)(r) for r in _scalar((list,))(refs)]
        self.decoders[Ref] = lambda number: table[_scalar((int,))(number)]

    def decoder(self, hint: Any) -> Decoder:
        if hint in self.decoders:
            return self.decoders[hint]
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        decode: Decoder
        if isinstance(hint, type) and issubclass(hint, Record):
            decode = self._record(hint)
        elif origin in (UnionType, typing.Union) and NoneType in args:
            (inner,) = [a for a in args if a is not NoneType]
            some = self.decoder(inner)
            decode = lambda data: None if data is None else some(data)  # noqa: E731
        elif origin in (tuple, frozenset):
            item, kind = self.decoder(args[0]), origin
            decode = lambda data: kind(item(x) for x in _scalar((list,))(data))  # noqa: E731
        elif origin in (Mapping, dict):
            value = self.decoder(args[1])
            decode = lambda data: {k: value(v) for k, v in _scalar((dict,))(data).items()}  # noqa: E731
        elif hint in (str, int, bool):
            decode = _scalar((hint,))
        else:
            raise TypeError(f"no decoder for {hint!r}")
        self.decoders[hint] = decode
        return decode

    def _record(self, cls: type) -> Decoder:
        hints = typing.get_type_hints(cls)
        fields = [self.decoder(hints[f.name]) for f in dataclasses.fields(cls)]

        def build(data: Any) -> Any:
            if not isinstance(data, list) or len(data) != len(fields):
                raise SnapshotFileError(f"{cls.__name__}: expected {len(fields)} fields")
            return cls(*[decode(x) for decode, x in zip(fields, data, strict=True)])

        return build


def save_snapshot(snap: Snapshot, key: str, data_dir: Path) -> Path:
    """Write ``snap``'s records under ``key`` to ``data_dir/snapshot.json`` atomically; the path written."""
    target = snapshot_path(data_dir)
    header = orjson.dumps({"format": FORMAT, "key": key})
    refs: dict[tuple[str, str, str], int] = {}
    tables = {name: _encode(getattr(snap, name), refs) for name in TABLES}
    body = orjson.dumps({"refs": list(refs), "tables": tables})
    fd, temp = tempfile.mkstemp(prefix=f".{FILE_NAME}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(header + b"\n" + body + b"\n")
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, 0o644)  # as readable as the store beside it (mkstemp makes it private)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target


def read_snapshot(path: Path, key: str, iris: Iris, generation: str) -> Snapshot:
    """The snapshot saved at ``path`` if it was saved under ``key``; :class:`SnapshotFileError` if not
    (``FileNotFoundError`` if there is no file)."""
    with open(path, "rb") as source:
        try:
            header = orjson.loads(source.readline())
        except ValueError as error:
            raise SnapshotFileError(f"unreadable header ({error})") from None
        if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("key") != key:
            raise SnapshotFileError("saved for other content or by another version")
        try:
            body = orjson.loads(source.read())
        except ValueError as error:
            raise SnapshotFileError(f"truncated or corrupt ({error})") from None
    if not isinstance(body, dict) or not isinstance(tables := body.get("tables"), dict):
        raise SnapshotFileError("tables missing")
    if set(tables) != set(TABLES):
        raise SnapshotFileError(f"tables missing or unknown: {sorted(set(tables) ^ set(TABLES))}")
    hints = typing.get_type_hints(Snapshot)
    try:
        reader = _Reader(body.get("refs"))
        tables = {name: reader.decoder(hints[name])(tables[name]) for name in TABLES}
    except (TypeError, ValueError, KeyError, IndexError) as error:
        raise SnapshotFileError(f"corrupt ({error})") from None
    return Snapshot(generation=generation, iris=iris, **tables)


def load_saved(data_dir: Path, key: str, iris: Iris, generation: str) -> Snapshot | None:
    """The snapshot saved in ``data_dir`` for ``key``, or None (with one warning line if a file was there
    but could not be used)."""
    path = snapshot_path(data_dir)
    try:
        return read_snapshot(path, key, iris, generation)
    except FileNotFoundError:
        return None
    except (SnapshotFileError, OSError, UnicodeDecodeError) as error:
        log.warning("ignoring saved snapshot %s: %s; rebuilding it", path, error)
        return None


def discard_saved(data_dir: Path) -> None:
    """Remove the saved snapshot and the kept per-report rows (the store changed in a way their keys do
    not see)."""
    from api.report_rows import discard_rows

    discard_rows(data_dir)
    try:
        snapshot_path(data_dir).unlink(missing_ok=True)
    except OSError as error:
        log.warning("could not remove saved snapshot %s: %s", snapshot_path(data_dir), error)


def build_and_save(store: Store, data_dir: Path, base_iri: str) -> Path:
    """Build the snapshot of ``store`` and its matching index and save both in ``data_dir`` (what
    ``hmic-kg load`` does after a load, so the next ``serve`` answers at once, ``/help`` included)."""
    from api.matching_saved import index_key, save_evidence
    from api.report_rows import DiskRows
    from api.snapshot_build import build_snapshot

    snap = build_snapshot(store, Iris(base_iri), rows_cache=DiskRows(data_dir))
    key = content_key(store, base_iri)
    path = save_snapshot(snap, key, data_dir)
    save_evidence(snap.matcher.evidence, index_key(key), data_dir)
    return path
