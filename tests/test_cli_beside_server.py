"""Read-only commands work while another process (``hmic-kg serve``) holds the embedded store."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from graph.config import GraphConfig
from graph.store import open_store
from tests.conftest import NOTTS


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


@pytest.fixture(scope="module")
def held(tmp_path_factory: pytest.TempPathFactory):
    """A loaded store, then held open read-write as the server holds it."""
    directory = tmp_path_factory.mktemp("held") / "kg"
    assert invoke("load", str(NOTTS), "--data-dir", str(directory)).exit_code == 0
    store = open_store(GraphConfig(data_dir=directory))
    try:
        yield directory
    finally:
        store.close()


@pytest.mark.parametrize(
    "command",
    [
        ("query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "-f", "csv"),
        ("export", "-f", "ntriples", "-o", "{tmp}/out.nt"),
        ("bridges",),
        ("validate",),
        ("view", "force", "nottinghamshire", "-o", "{tmp}/v.html"),
    ],
    ids=lambda c: c[0],
)
def test_read_only_commands_work_while_the_store_is_in_use(held: Path, tmp_path: Path, command) -> None:
    """Regression: every README example failed with "in use by another process" beside `make run`."""
    args = [a.replace("{tmp}", str(tmp_path)) for a in command]
    result = invoke(*args, "--data-dir", str(held))
    assert result.exit_code == 0, result.output
    assert "in use by another process" not in result.output


def test_writing_commands_still_refuse_a_store_in_use_and_name_the_command(held: Path) -> None:
    result = invoke("load", str(NOTTS), "--data-dir", str(held))
    assert result.exit_code != 0
    assert "error: load:" in result.output


def test_errors_of_a_read_only_command_name_the_command(tmp_path: Path) -> None:
    result = invoke("query", "SELECT * WHERE { ?s ?p ?o }", "--data-dir", str(tmp_path / "none"))
    assert result.exit_code == 1
    assert "error: query:" in result.output


def test_view_of_an_unknown_force_suggests_the_closest(held: Path, tmp_path: Path) -> None:
    result = invoke("view", "force", "nottingham", "-o", str(tmp_path / "v.html"), "--data-dir", str(held))
    assert result.exit_code == 1
    assert "did you mean 'nottinghamshire'" in result.output
