"""The loader's one error type: every bad input becomes a ``LoaderError`` naming the file and the reason."""

from __future__ import annotations


class LoaderError(Exception):
    """A report file that cannot be read or understood.

    ``str(error)`` is a one-line message: ``path: reason`` or ``path:line: reason``.
    """

    def __init__(self, path: str, reason: str, line: int | None = None) -> None:
        self.path = str(path)
        self.reason = " ".join(str(reason).split())  # always one line
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.reason}"
