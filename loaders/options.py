"""Options of a load, validated in one place."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_MAX_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class LoadOptions:
    """How to read a report: the size limit and where the force register lives."""

    max_bytes: int = DEFAULT_MAX_BYTES
    forces_csv: Path | None = None  # None: the register shipped with hmic-kg

    def __post_init__(self) -> None:
        if self.max_bytes <= 0:
            raise ValueError(f"max_bytes must be positive, not {self.max_bytes}")
