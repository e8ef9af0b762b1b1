"""Where and how the knowledge graph is stored: one validated settings object for every store backend."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args
from urllib.parse import urlsplit

Backend = Literal["oxigraph", "memory", "remote"]
BACKENDS: tuple[str, ...] = get_args(Backend)
DEFAULT_BASE_IRI = "http://127.0.0.1:8000/id/"


class ConfigError(ValueError):
    """A graph setting is missing or invalid; the message names the setting."""


def _check_http_url(name: str, value: str | None) -> None:
    if value is None:
        return
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{name} must be an http(s) URL, got {value!r}")


@dataclass(frozen=True)
class GraphConfig:
    """Graph store settings.

    ``oxigraph`` keeps an embedded store in ``data_dir/oxigraph``; ``memory`` keeps an rdflib Dataset,
    persisted to ``data_dir/memory.trig`` on close; ``remote`` talks SPARQL 1.1 Protocol to ``query_url``
    and ``update_url`` (``store_url``, a Graph Store Protocol endpoint, is optional); when ``update_token``
    is set, updates carry ``Authorization: Bearer <update_token>`` (as ``hmic-kg serve
    --allow-updates-token`` expects). The token is left out of ``repr``.
    """

    data_dir: Path = Path(".hmic-kg")
    backend: Backend = "oxigraph"
    base_iri: str = DEFAULT_BASE_IRI
    query_url: str | None = None
    update_url: str | None = None
    store_url: str | None = None
    read_only: bool = False
    timeout_s: float = field(default=60.0)
    update_token: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "data_dir", Path(self.data_dir))
        if self.backend not in BACKENDS:
            raise ConfigError(f"backend must be one of {', '.join(BACKENDS)}, got {self.backend!r}")
        parts = urlsplit(self.base_iri)
        if parts.scheme not in ("http", "https") or not parts.netloc or not self.base_iri.endswith("/"):
            raise ConfigError(
                f"base IRI must be an absolute http(s) IRI ending in '/', got {self.base_iri!r}"
            )
        for name in ("query_url", "update_url", "store_url"):
            _check_http_url(name, getattr(self, name))
        if self.backend == "remote" and self.query_url is None:
            raise ConfigError("the remote backend needs a query URL (HMIC_KG_QUERY_URL)")
        if self.timeout_s <= 0:
            raise ConfigError(f"timeout must be positive, got {self.timeout_s}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> GraphConfig:
        """Build from ``HMIC_KG_*`` variables (DATA_DIR, BACKEND, BASE_IRI, QUERY_URL, UPDATE_URL,
        STORE_URL, UPDATE_TOKEN, READ_ONLY, TIMEOUT); keyword ``overrides`` that are not None win."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for name in (
            "data_dir",
            "backend",
            "base_iri",
            "query_url",
            "update_url",
            "store_url",
            "update_token",
        ):
            raw = env.get(f"HMIC_KG_{name.upper()}")
            if raw:
                values[name] = raw
        if env.get("HMIC_KG_READ_ONLY"):
            values["read_only"] = env["HMIC_KG_READ_ONLY"].strip().lower() in ("1", "true", "yes", "on")
        if env.get("HMIC_KG_TIMEOUT"):
            try:
                values["timeout_s"] = float(env["HMIC_KG_TIMEOUT"])
            except ValueError:
                raise ConfigError(
                    f"HMIC_KG_TIMEOUT must be a number, got {env['HMIC_KG_TIMEOUT']!r}"
                ) from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
