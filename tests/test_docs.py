"""The docs stay in step with the code: every CLI command and every API route is documented."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from api.cli import app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _command_names() -> list[str]:
    click_group = typer.main.get_command(app)
    return sorted(click_group.commands)  # type: ignore[attr-defined]


def test_every_cli_command_is_in_the_readme() -> None:
    missing = [name for name in _command_names() if f"hmic-kg {name}" not in README]
    assert not missing, f"commands missing from README.md: {missing}"


def test_every_cli_command_has_help_with_an_example() -> None:
    click_group = typer.main.get_command(app)
    for name, command in click_group.commands.items():  # type: ignore[attr-defined]
        assert command.help, f"hmic-kg {name} has no help text"
        assert "hmic-kg" in command.help, f"hmic-kg {name} help has no example"


def test_readme_links_point_to_existing_files() -> None:
    for target in re.findall(r"\]\(([^)#]+)\)", README):
        if target.startswith("http"):
            continue
        assert (ROOT / target).exists(), f"README links to missing {target}"


def test_readme_opens_with_the_two_commands() -> None:
    head = README[:400]
    assert "make run" in head and "make test" in head
