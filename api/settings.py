"""Settings of the HTTP API: one validated, frozen object built by the CLI or by tests.

Nothing here opens a store or reads the network; :func:`api.app.create_app` receives a ``Settings`` and
the store is opened lazily on first use (see :mod:`api.runtime`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from graph.config import GraphConfig

#: the server's own token (opens ``/sparql`` to updates); never read from ``HMIC_KG_UPDATE_TOKEN``, which is
#: the *client's* outbound token for ``hmic-kg load --backend remote`` (:class:`graph.config.GraphConfig`)
SERVER_TOKEN_VARIABLE = "HMIC_KG_SERVER_UPDATE_TOKEN"


def available_cpus() -> int:
    """CPUs this process may run on (its affinity mask, so ``taskset`` and container limits count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


class SettingsError(ValueError):
    """A setting is invalid; the message names it."""


@dataclass(frozen=True)
class Settings:
    """API settings.

    ``update_token``: when set, ``/sparql`` accepts SPARQL UPDATE from requests that carry
    ``Authorization: Bearer <token>``; otherwise every update is refused with 403.
    ``query_timeout_s`` / ``max_rows`` / ``max_query_bytes``: limits of the public SPARQL endpoint.
    ``max_update_bytes``: size limit of authenticated updates (a loader replacing a report graph sends
    the whole graph).
    ``query_workers``: size of the pool of worker processes that evaluate ``/sparql`` queries (a query
    that overruns its time limit is stopped by killing its worker); by default the CPUs this process may
    run on (``hmic-kg serve --query-workers``).
    ``query_memory_mb``: address-space cap of each worker process (0: no cap).
    ``sparql_queue``: how many ``/sparql`` requests may wait for a worker; more are answered 503 at once.
    ``max_answer_bytes``: the largest SPARQL answer sent (larger: 422 ``answer_too_large``).
    """

    graph: GraphConfig = field(default_factory=GraphConfig)
    update_token: str | None = None
    query_timeout_s: float = 10.0
    max_rows: int = 10_000
    max_query_bytes: int = 100_000
    max_update_bytes: int = 64_000_000
    query_workers: int = field(default_factory=available_cpus)
    query_memory_mb: int = 2048
    sparql_queue: int = 32
    max_answer_bytes: int = 64_000_000
    cors_origins: tuple[str, ...] = ("*",)

    def __post_init__(self) -> None:
        if self.update_token is not None and len(self.update_token) < 8:
            raise SettingsError("update token must be at least 8 characters")
        if self.query_timeout_s <= 0:
            raise SettingsError(f"query timeout must be positive, got {self.query_timeout_s}")
        for name in (
            "max_rows",
            "max_query_bytes",
            "max_update_bytes",
            "query_workers",
            "sparql_queue",
            "max_answer_bytes",
        ):
            if getattr(self, name) < 1:
                raise SettingsError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.query_memory_mb < 0:
            raise SettingsError("query_memory_mb must be 0 (no cap) or positive")

    @property
    def base_iri(self) -> str:
        """Base of every data IRI; ``/id/{path}`` resolves the IRIs under it."""
        return self.graph.base_iri
