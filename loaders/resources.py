"""Where shipped data files live: inside the installed wheel, or in the source checkout."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def data_file(name: str) -> Path:
    """Path of a shipped data file such as ``police-forces.csv``.

    A wheel carries ``data/`` files under ``loaders/_data``; a checkout (or editable install) has them in
    ``data/`` at the top of the project.
    """
    for candidate in (_HERE / "_data" / name, _HERE.parent / "data" / name):
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"shipped data file {name!r} not found")


def ontology_file(name: str) -> Path:
    """Path of a file in ``ontology/`` (Turtle vocabularies and shapes)."""
    path = _HERE.parent / "ontology" / name
    if not path.exists():
        raise FileNotFoundError(f"ontology file {name!r} not found")
    return path
