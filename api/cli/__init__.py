"""The ``hmic-kg`` command line: one typer app, one module per command group."""

from __future__ import annotations

from api.cli.app import app

# Command modules register themselves on ``app`` when imported.
from api.cli import parse_cmd  # noqa: F401  isort: skip
from api.cli import serve_cmd  # noqa: F401  isort: skip
from api.cli import load_cmd  # noqa: F401  isort: skip
from api.cli import graph_cmd  # noqa: F401  isort: skip
from api.cli import view_cmd  # noqa: F401  isort: skip


def main() -> None:
    """Console-script entry point."""
    app()
