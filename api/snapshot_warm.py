"""Warm a new snapshot in a background thread: the matching tables first (loaded from the saved index
when there is one: :mod:`api.matching_saved`), then every force's ``/forces/{id}`` body (cheap), then
every force's ``/forces/{id}/help`` (default parameters), then the search indexes
(:mod:`api.routes.search` for JSON, :mod:`api.pages.search_docs` for the search page), the HTML pages'
indexes (:func:`api.pages.read.warm`) and the systems' mentions, so those requests find their answer ready
instead of building it (and build no long-lived objects after the heap is frozen).

It never blocks a request: a request for a force not yet warmed builds that one itself (or waits for
that one build only: the snapshot's memo has one lock per key). The thread holds the snapshot only
weakly and stops when it is dropped (a newer generation replaced it). It runs at the server's own
priority, on purpose (see :mod:`api.matching_warm`), and yields the interpreter lock between forces.

A warmed snapshot is a million and a half long-lived objects at 430 reports, and each full pass of
Python's cyclic garbage collector walked them all (0.5 s with every request of the process waiting: the
bench's p99 of 0.5–0.9 s on cheap lookups). :func:`settle_heap` moves them out of the collector's reach
once the matching tables are loaded and again when the warm-up ends.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
import weakref

from api.snapshot import Snapshot

log = logging.getLogger(__name__)

__all__ = ["settle_heap", "start_warming"]


def settle_heap() -> None:
    """Collect, then freeze every object alive (``gc.freeze``): later collections skip them. The previous
    generation's objects are unfrozen first, so what it left in reference cycles is reclaimed here."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def start_warming(snap: Snapshot) -> threading.Thread:
    """Start the thread that renders every force's detail and help of ``snap``."""
    from api.pages.search_page import page_index
    from api.renderers import system_detail
    from api.routes.forces import HelpParams, force_json, help_json
    from api.routes.search import search_index
    from graph.embeddings import embedder

    ref = weakref.ref(snap)
    forces = sorted(snap.forces)

    def each_force(job: str) -> bool:
        for force_id in forces:
            current = ref()
            if current is None:
                return False
            if job == "detail":
                force_json(current, force_id)
            else:
                help_json(current, force_id, HelpParams())
            del current
            time.sleep(0)  # let request threads take the interpreter lock between forces
        return True

    def run() -> None:
        started = time.perf_counter()
        try:
            first = ref()
            if first is not None:  # the matching tables first (loaded when saved): /help needs them
                first.matcher.evidence, first.matcher.contacts  # noqa: B018
                embedder()  # the query side of the embedding feature
            del first
            settle_heap()
            if each_force("detail") and each_force("help") and (current := ref()) is not None:
                from api.pages.read import warm

                # after the forces' answers (the first /help after a start waits for none of these), and
                # frozen with the rest below: a full collection never walks them
                search_index(current)
                page_index(current)  # the search page's, likewise
                warm(current)  # then the pages' indexes
                for system in list(current.systems.values())[:1]:  # and what /systems/{id} reads (20,000
                    system_detail(current, system)  # objects at 430 reports, walked by every collection)
                del current
                settle_heap()
                log.info("%d forces warmed in %.1f s", len(forces), time.perf_counter() - started)
        except Exception:  # a request building the same answer will report the error itself
            log.exception("warming the snapshot failed")
        finally:
            current = ref()
            if current is not None:
                current.matcher.warmed.set()

    thread = threading.Thread(target=run, name="snapshot-warm-up", daemon=True)
    thread.start()
    return thread
