"""The one check of a resource path after the base IRI (``/id/{path}`` and ``/page/{path}``)."""

from __future__ import annotations

import re
from urllib.parse import unquote

from api.errors import ApiError

SAFE_PATH = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~\-]*(/[A-Za-z0-9._~\-]+)*$")


def check_path(path: str, raw_path: str) -> str:
    """The path if it is a plain relative IRI path; 400 for traversal, control characters and the like."""
    decoded = unquote(unquote(raw_path))
    for text in (path, decoded):
        if ".." in text or "\\" in text or "//" in text or any(ord(c) < 32 or ord(c) == 127 for c in text):
            raise ApiError(400, "bad_path", "the path is not a valid resource path", "path")
    if len(path) > 500 or not SAFE_PATH.fullmatch(path):
        raise ApiError(400, "bad_path", "the path is not a valid resource path", "path")
    return path
