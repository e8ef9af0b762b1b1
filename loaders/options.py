"""Options of a load, validated in one place."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
FORCE_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class LoadOptions:
    """How to read a report: the size limit and where the force register lives."""

    max_bytes: int = DEFAULT_MAX_BYTES
    forces_csv: Path | None = None  # None: the register shipped with hmic-kg
    force_id: str | None = None  # the report's force given by the user (``--force``), not read from the text

    def __post_init__(self) -> None:
        if self.max_bytes <= 0:
            raise ValueError(f"max_bytes must be positive, not {self.max_bytes}")
        if self.force_id is not None and not FORCE_ID.fullmatch(self.force_id):
            raise ValueError(f"force id must be lower-case words joined by hyphens, not {self.force_id!r}")
