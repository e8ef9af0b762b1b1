"""Limits of the processes that read reports for a load: memory, time, and death with the load.

Every reader process (the parallel load's pool, or a file's own child) asks the kernel to kill it when the
loading process dies (``PR_SET_PDEATHSIG``) and caps its address space at ``READER_MEMORY_MB``. A file
larger than ``ISOLATE_BYTES`` — twenty times a real report's text — is read and mapped in a child of its
own, killed after ``READ_TIMEOUT_S``: a hostile text fails with a reason instead of taking the load's
memory or time.
"""

from __future__ import annotations

import multiprocessing
import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from graph.iris import Iris
from loaders.limits import die_with_parent, limit_memory
from loaders.options import LoadOptions

if TYPE_CHECKING:
    from graph.loading import FileResult, PreparedReport

#: a file larger than this (20x a real report's text) is read in a child of its own, with the limits below
ISOLATE_BYTES = 2 * 1024 * 1024
READ_TIMEOUT_S = 30.0  # wall-clock limit of reading and mapping an isolated file
READER_MEMORY_MB = 1024  # address-space cap of every reader process


def reader_init(parent_pid: int) -> None:
    """Initializer of the reader processes: die with the load, and stay within the memory cap."""
    die_with_parent(parent_pid)
    limit_memory(READER_MEMORY_MB)


def _read_in_child(conn: object, path: Path, iris: Iris, options: LoadOptions, loaded_at: datetime) -> None:
    from graph.loading import prepare_file

    try:
        outcome = prepare_file(path, iris, options, loaded_at, as_text=True)
    except MemoryError:
        from graph.loading import FileResult

        outcome = FileResult(path, ok=False, error=memory_reason())
    conn.send(outcome)  # type: ignore[attr-defined]


def memory_reason() -> str:
    return f"needs more than {READER_MEMORY_MB} MB of memory to read (is it really one report?)"


def prepare_isolated(
    path: Path, iris: Iris, options: LoadOptions, loaded_at: datetime
) -> PreparedReport | FileResult:
    """:func:`prepare_file` in a child process with the memory cap and ``READ_TIMEOUT_S``; the child is
    killed when the time is up, and the file fails with the reason."""
    from graph.loading import FileResult

    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_isolated_main, args=(os.getpid(), send, path, iris, options, loaded_at))
    child.start()
    send.close()
    try:
        if receive.poll(READ_TIMEOUT_S):
            try:
                return receive.recv()
            except (EOFError, OSError):
                pass
        else:
            return FileResult(
                path,
                ok=False,
                error=f"took more than {READ_TIMEOUT_S:g} s to read (is it really one report?)",
            )
        child.join(5)
        if child.exitcode not in (0, None):
            return FileResult(
                path,
                ok=False,
                error=f"the reading process failed (exit {child.exitcode}): {memory_reason()}",
            )
        return FileResult(path, ok=False, error="the reading process stopped without an answer")
    finally:
        if child.is_alive():
            child.kill()
        child.join(5)
        receive.close()


def _isolated_main(
    parent_pid: int, conn: object, path: Path, iris: Iris, options: LoadOptions, loaded_at: datetime
) -> None:
    reader_init(parent_pid)
    _read_in_child(conn, path, iris, options, loaded_at)


def large_file(path: Path) -> bool:
    try:
        return path.stat().st_size > ISOLATE_BYTES
    except OSError:
        return False
