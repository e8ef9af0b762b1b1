"""docs/api.md documents every HTTP endpoint of the OpenAPI schema (fails when one is left out)."""

from __future__ import annotations

import re
from pathlib import Path

from api.app import create_app
from tests.conftest_api import settings

API_DOC = Path(__file__).resolve().parent.parent / "docs" / "api.md"


def documented_paths(text: str) -> set[str]:
    """Paths in backticks after an HTTP method, in headings or running text (``GET /forces/{force_id}``)."""
    return set(re.findall(r"`(?:GET|POST|PUT|DELETE|PATCH) (/[^`\s?]*)", text))


def test_every_openapi_path_is_documented_with_its_methods() -> None:
    schema = create_app(settings()).openapi()
    text = API_DOC.read_text(encoding="utf-8")
    missing = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
        if f"`{method.upper()} {path}`" not in text
    ]
    assert not missing, f"docs/api.md does not document: {', '.join(missing)}"


def test_docs_name_no_endpoint_that_does_not_exist() -> None:
    paths = set(create_app(settings()).openapi()["paths"])
    stale = documented_paths(API_DOC.read_text(encoding="utf-8")) - paths
    assert not stale, f"docs/api.md documents endpoints the app does not have: {sorted(stale)}"


def test_docs_explain_the_sparql_safety_rules_and_linked_data() -> None:
    text = API_DOC.read_text(encoding="utf-8")
    for phrase in ("X-HMIC-Truncated", "X-HMIC-Row-Limit", "Authorization: Bearer", "SERVICE", "LOAD",
                   "303 See Other", '"error": {"status"', "offset"):  # fmt: skip
        assert phrase in text, phrase
