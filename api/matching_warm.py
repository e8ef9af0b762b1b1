"""Help for every force built in a background thread as soon as a store generation's matcher exists,
so that ``/forces/{id}/help`` and the force page find it ready instead of building it on request.

The thread builds the evidence tables, the contacts, then each force's help into the matcher's memo
(:meth:`api.matching.Matcher.memo`, the same keys the requests use). It never blocks a request: a
request for a force not yet built builds that one force itself (or, if the thread is on that very force,
waits for that one build only: the memo has one lock per key). The thread holds the matcher only weakly
and stops when the matcher is dropped (a newer store generation replaced it) or after its last force.

It runs at the server's own priority, on purpose: a thread given a higher nice value still takes
Python's global interpreter lock, and on a busy machine the scheduler left it holding the lock for
seconds while every request thread waited (measured: requests took 10 s instead of 30 ms).
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from api.matching import Matcher

log = logging.getLogger(__name__)
WARM_PER_FINDING = 5  # as ``/forces/{id}/help`` and the force page by default

__all__ = ["start_warming"]


def start_warming(matcher: Matcher, per_finding: int = WARM_PER_FINDING) -> threading.Thread:
    """Start the background thread that builds every force's help for ``matcher``; ``matcher.warmed``
    is set when it is done (or has given up)."""
    from api.matching import cached_help

    ref = weakref.ref(matcher)
    done = matcher.warmed

    def run() -> None:
        started = time.perf_counter()
        try:
            first = ref()
            if first is None:
                return
            first.evidence, first.contacts  # noqa: B018 - build the shared tables first
            forces = sorted(first.cat.forces)
            del first
            for force_id in forces:
                current = ref()
                if current is None:
                    return
                cached_help(current, force_id, per_finding)
                del current
                time.sleep(0)  # let request threads take the interpreter lock between forces
            log.info("help for %d forces built in %.1f s", len(forces), time.perf_counter() - started)
        except Exception:  # a request building the same help will report the error itself
            log.exception("building help in the background failed")
        finally:
            done.set()

    thread = threading.Thread(target=run, name="help-warm-up", daemon=True)
    thread.start()
    return thread
