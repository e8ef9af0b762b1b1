"""Worker processes that end when the process that started them dies.

A ``ProcessPoolExecutor`` worker (spawn) holds both ends of its call queue, so when its parent is
killed (``kill -9``, out of memory) it waits for work forever. :func:`exit_with_parent`, run as the
pool's ``initializer`` with the parent's pid, starts a daemon thread that ends the worker once its
parent is gone (its parent pid is no longer that one: it was re-parented to init or to a subreaper).
The pid is passed in because a worker may start only after its parent died. Portable: no ``prctl``,
which on Linux would also fire when the *thread* that started the worker exits.

Use: ``ProcessPoolExecutor(n, mp_context=…, initializer=exit_with_parent, initargs=(os.getpid(),))``.
"""

from __future__ import annotations

import os
import threading

POLL_S = 0.5


def exit_with_parent(parent_pid: int, poll_s: float = POLL_S) -> threading.Thread:
    """End this process (exit status 1) once ``parent_pid`` is no longer its parent; returns the
    (daemon) watching thread."""

    def orphaned() -> bool:
        return os.getppid() != parent_pid

    def watch() -> None:
        while True:
            if orphaned():
                os._exit(1)  # the work was the parent's: nothing to flush, nobody to answer
            threading.Event().wait(poll_s)

    thread = threading.Thread(target=watch, name="hmic-exit-with-parent", daemon=True)
    thread.start()
    return thread
