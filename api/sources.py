"""The report files behind the graph, found again to show their text with line numbers (``/reports/{id}``).

The graph keeps each report's file name and SHA-256 (metadata graph). ``hmic-kg load`` keeps a copy of
every file it loads in ``DATA_DIR/sources``; the server also looks in the folders of
``HMIC_KG_REPORTS_DIR`` (``os.pathsep``-separated) and in ``data/reports``. A file is shown only when its
SHA-256 is the one recorded, so the line numbers always match the graph's.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from functools import lru_cache
from pathlib import Path

from loaders.errors import LoaderError
from loaders.model import Line
from loaders.source import read_source

SOURCES_DIR = "sources"
PROJECT_REPORTS = Path(__file__).resolve().parent.parent / "data" / "reports"


def keep_source(data_dir: Path, path: Path) -> None:
    """Copy a loaded report file into ``data_dir/sources`` (best effort: a failure only loses the view)."""
    target = data_dir / SOURCES_DIR / path.name
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.resolve() != path.resolve():
            shutil.copyfile(path, target)
    except OSError:
        pass


def search_dirs(data_dir: Path, environ: dict[str, str] | None = None) -> list[Path]:
    """Where report files are looked for, in order."""
    env = os.environ if environ is None else environ
    extra = [Path(p) for p in env.get("HMIC_KG_REPORTS_DIR", "").split(os.pathsep) if p]
    return [data_dir / SOURCES_DIR, *extra, Path.cwd() / "data" / "reports", PROJECT_REPORTS]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def find_source(name: str, sha256: str | None, dirs: list[Path]) -> Path | None:
    """The first file called ``name`` in ``dirs`` whose SHA-256 is ``sha256`` (any, when unknown)."""
    if not name or Path(name).name != name:
        return None
    for folder in dirs:
        candidate = folder / name
        try:
            if candidate.is_file() and (sha256 is None or _sha256(candidate) == sha256):
                return candidate
        except OSError:
            continue
    return None


@lru_cache(maxsize=8)
def _lines(path: str, mtime: float) -> tuple[Line, ...]:
    return read_source(path).lines


def source_lines(path: Path) -> tuple[Line, ...] | None:
    """The report's lines as the loader numbered them (page furniture left out), or None if unreadable."""
    try:
        return _lines(str(path), path.stat().st_mtime)
    except (LoaderError, OSError):
        return None
