"""One read-model build at a time per data dir, across processes (``serve --workers N``).

Every HTTP worker of ``hmic-kg serve --workers N`` needs the read model at start and after a change. Built
by all of them at once, the work is done N times over, and each build reads the report graphs with one
process per CPU (:mod:`graph.report_workers`): N × N processes. Under this lock the first worker builds
and saves it while the others wait, and then load what it saved (:meth:`api.runtime.Runtime.snapshot`);
the matching index likewise, under a lock of its own (:func:`api.matching_saved.load_evidence`). A
read-only store's data dir is never written: its workers take the lock, and save, in a scratch dir they
share (:class:`api.serve_workers.Supervisor`).

A lock file in the folder the build is saved in, held with ``flock``: the kernel releases it when its
holder exits, even by ``kill -9``, so no stale lock survives a crash. Where the file cannot be opened (a
read-only folder) or ``flock`` is missing (not POSIX), the build runs unlocked, as before.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)

LOCK_NAME = "snapshot-build.lock"
INDEX_LOCK_NAME = "matching-build.lock"  # the matching index (api.matching_saved), built after it


@contextlib.contextmanager
def build_lock(data_dir: Path, name: str = LOCK_NAME) -> Iterator[bool]:
    """Hold the build lock of ``data_dir`` (the folder the build is saved in), waiting while another
    process builds; yields whether it waited (then that build's result may be saved: look again before
    building). Where the lock cannot be taken, the caller builds unlocked (yields False). ``name``: the
    lock file (one per kind of build)."""
    try:
        import fcntl
    except ImportError:  # not POSIX
        yield False
        return
    try:
        fd = os.open(Path(data_dir) / name, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError as error:
        log.debug("building the read model unlocked: %s", error)
        yield False
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            waited = False
        except BlockingIOError:  # another process is building
            fcntl.flock(fd, fcntl.LOCK_EX)
            waited = True
        yield waited
    finally:
        os.close(fd)  # closing the only descriptor releases the lock
