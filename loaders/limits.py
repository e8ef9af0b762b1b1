"""Process limits for the work that reads untrusted files: address space, CPU time, parent death.

Linux-only where it matters (``prctl`` through ctypes); elsewhere the calls are no-ops that say so.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal

PR_SET_PDEATHSIG = 1


def limit_memory(megabytes: int) -> None:
    """Cap this process's address space (``RLIMIT_AS``); allocation beyond it fails with MemoryError."""
    if megabytes <= 0:
        return
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def limit_cpu(seconds: int) -> None:
    """Cap this process's CPU time (``RLIMIT_CPU``: SIGXCPU, then SIGKILL)."""
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 5))


def die_with_parent(parent_pid: int | None = None, sig: int = signal.SIGKILL) -> bool:
    """Have the kernel send ``sig`` to this process when its parent exits; False where unsupported.

    The signal follows the parent *thread* that started this process. ``parent_pid``: the parent's pid
    as the parent knew it; if the parent is already gone, die now."""
    try:
        ok = ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False
    if ok and parent_pid is not None and os.getppid() != parent_pid:
        os.kill(os.getpid(), sig)
    return ok


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB (``ru_maxrss``)."""
    try:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    except (ImportError, OSError):
        return 0.0
