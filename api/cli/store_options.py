"""Options and helpers every store-reading command shares: the store options, opening the store, safe
output of file names."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer
from rdflib import Dataset

from api.cli.app import fail
from graph.config import BACKENDS, ConfigError, GraphConfig
from graph.store import Store, StoreError
from graph.store_open import open_store

DataDir = Annotated[Path | None, typer.Option("--data-dir", help="Where the store lives (default .hmic-kg).")]
BackendOpt = Annotated[str | None, typer.Option("--backend", help=f"Store backend: {', '.join(BACKENDS)}.")]
BaseIri = Annotated[str | None, typer.Option("--base-iri", help="Base of the data IRIs (default …/id/).")]
QueryUrl = Annotated[str | None, typer.Option("--query-url", help="SPARQL query endpoint (remote backend).")]
UpdateUrl = Annotated[
    str | None, typer.Option("--update-url", help="SPARQL update endpoint (remote backend).")
]
UpdateToken = Annotated[
    str | None,
    typer.Option(
        "--update-token",
        help="Bearer token sent with updates to the remote endpoint (env HMIC_KG_UPDATE_TOKEN).",
        show_default=False,
    ),
]


def graph_config(
    data_dir: Path | None,
    backend: str | None,
    base_iri: str | None,
    query_url: str | None = None,
    update_url: str | None = None,
    update_token: str | None = None,
) -> GraphConfig:
    """Settings from the options, falling back on ``HMIC_KG_*`` variables; bad values exit with code 2."""
    try:
        return GraphConfig.from_env(
            data_dir=data_dir, backend=backend, base_iri=base_iri, query_url=query_url, update_url=update_url,
            update_token=update_token,
        )  # fmt: skip
    except ConfigError as exc:
        raise fail(str(exc), code=2) from None


_STORE_OPTIONS = [
    inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation)
    for name, annotation in (
        ("data_dir", DataDir), ("backend", BackendOpt), ("base_iri", BaseIri), ("query_url", QueryUrl)
    )
]  # fmt: skip


def with_store_options(command: Callable[..., None]) -> Callable[..., None]:
    """``command`` with the store options (``--data-dir``, ``--backend``, ``--base-iri``, ``--query-url``)
    added to what typer reads of its signature; it receives them as one ``config: GraphConfig``."""
    signature = inspect.signature(command, eval_str=True)
    own = [p for name, p in signature.parameters.items() if name != "config"]

    @functools.wraps(command)
    def run(
        *args: Any,
        data_dir: Path | None = None,
        backend: str | None = None,
        base_iri: str | None = None,
        query_url: str | None = None,
        **kwargs: Any,
    ) -> None:
        command(*args, config=graph_config(data_dir, backend, base_iri, query_url), **kwargs)

    run.__signature__ = signature.replace(parameters=[*own, *_STORE_OPTIONS])  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in [*own, *_STORE_OPTIONS]} | {"return": None}
    return run


@contextmanager
def opened(config: GraphConfig, command: str | None = None, writes: bool = False) -> Iterator[Store]:
    """The configured store, closed afterwards; store errors become one-line failures naming ``command``.

    A command that does not write (``writes=False``) opens an embedded store read-only, which works while
    ``hmic-kg serve`` holds it.
    """
    if command and not writes and config.backend == "oxigraph":
        config = replace(config, read_only=True)
    prefix = f"{command}: " if command else ""
    try:
        store = open_store(config)
    except StoreError as exc:
        raise fail(f"{prefix}{exc}") from None
    try:
        yield store
    except StoreError as exc:  # QueryError included
        raise fail(f"{prefix}{exc}") from None
    finally:
        with suppress(StoreError):
            store.close()


def store_dataset(store: Store) -> Dataset:
    """The whole store as an rdflib Dataset (for SHACL and the networkx projection)."""
    dataset = Dataset()
    dataset.parse(data=store.export("nquads"), format="nquads")
    return dataset


def shown(value: object) -> str:
    """``value`` as one safe line: newlines, terminal escapes and other invisible characters are written as
    ``\\n``, ``\\x1b``… so a file name cannot forge an output line or drive the terminal."""
    return "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape", "backslashreplace").decode("ascii")
        for ch in str(value)
    )
