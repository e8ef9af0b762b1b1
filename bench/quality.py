"""Code figures of issue 13's "Done when", recorded with the run: module sizes and ``duplicates`` pairs.

``duplicates`` is a command of the development machines (``duplicates --most 200`` lists pairs of places
sharing six or more lines); where it is not installed the figure is reported as not measured.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

MODULE_LINES = 400
PACKAGES = ("loaders", "graph", "api", "bench", "tests")
#: the folders in which issue 13 wants no duplicated pair
DUPLICATE_FOLDERS = ("api", "graph")
_ROW = re.compile(r"^D\d+\s+(\S+):(\d+)-(\d+)\s+~\s+(\S+):(\d+)-(\d+)(.*)$")


def module_lines(root: Path, packages: Sequence[str] = PACKAGES) -> dict[str, Any]:
    """Line counts of the project's Python modules: the largest, and every one over the limit."""
    counts = []
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            lines = len(path.read_text(encoding="utf-8").splitlines())
            counts.append((path.relative_to(root).as_posix(), lines))
    largest = max(counts, key=lambda c: c[1], default=("", 0))
    return {
        "limit": MODULE_LINES,
        "modules": len(counts),
        "largest": {"path": largest[0], "lines": largest[1]},
        "over": [{"path": p, "lines": n} for p, n in counts if n > MODULE_LINES],
    }


def _folder(path: str) -> str:
    return path.split("/", 1)[0] if "/" in path else ""


def parse_duplicates(output: str, folders: Sequence[str] = DUPLICATE_FOLDERS) -> dict[str, Any]:
    """The pairs of ``duplicates`` output with both places in ``folders``: inside one folder, or between
    two of them; plus the tool's ``incomplete``/``left out`` lines and whether rows were cut."""
    inside: list[str] = []
    between: list[str] = []
    total = 0
    for line in output.splitlines():
        match = _ROW.match(line.strip())
        if not match:
            continue
        total += 1
        a, b = _folder(match.group(1)), _folder(match.group(4))
        if a in folders and b in folders:
            (inside if a == b else between).append(line.strip())
    caveats = [
        line.strip()
        for line in output.splitlines()
        if line.startswith(("incomplete:", "left out:")) or re.match(r"^\(\+\d+ more pairs\)", line)
    ]
    return {
        "folders": list(folders),
        "pairs_listed": total,
        "inside": inside,
        "between": between,
        "caveats": caveats,
    }


def duplicates(root: Path, most: int = 200, seconds: int = 60) -> dict[str, Any]:
    """Run ``duplicates`` over the working tree at ``root`` and keep the pairs in api/ and graph/."""
    command = shutil.which("duplicates")
    if command is None:
        return {"skipped": "the `duplicates` command is not installed on this machine"}
    try:
        done = subprocess.run(
            [command, "--most", str(most), "--seconds", str(seconds)],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return {"skipped": f"`duplicates` failed: {exc}"}
    result = parse_duplicates(done.stdout)
    result["summary"] = done.stdout.strip().splitlines()[0] if done.stdout.strip() else ""
    return result
