"""The shared typer application and its global options."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

import typer

app = typer.Typer(
    name="hmic-kg",
    help="Turn HMIC police-inspection reports into a knowledge graph you can query, browse and serve.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def package_version() -> str:
    try:
        return version("hmic-kg")
    except PackageNotFoundError:  # running from a checkout without install
        return "0+unknown"


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"hmic-kg {package_version()}")
        raise typer.Exit()


@app.callback()
def root(
    version_: bool = typer.Option(
        False, "--version", callback=_version_callback, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """hmic-kg: HMIC inspection reports as a knowledge graph."""


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print a one-line error on stderr and return the Exit to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)
