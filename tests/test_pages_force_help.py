"""The force page's "who has solved this?" rows against ``/forces/{id}/help/by-item`` (the same ranking):
each row says why in words with the shared words marked, whom to call, and every AFI it helps."""

from __future__ import annotations

from html import escape

from fastapi.testclient import TestClient

pytest_plugins = ["tests.conftest_api"]
BASE = "http://127.0.0.1:8000/id/"


def _row(page: str, iri: str) -> str:
    """The help-table row of the item ``iri``."""
    href = f'<a href="/page/{iri.removeprefix(BASE)}">'
    start = page.index(href, page.index('id="help-table"'))
    return page[page.rindex("<tr", 0, start) : page.index("</tr>", start)]


def test_force_page_help_rows_show_why_whom_to_call_and_afis_as_the_api(sample_client: TestClient) -> None:
    """Regression: after the ranking changed, the force page showed only "Practice · summary" with no
    shared words marked and "none named" instead of the report naming no person."""
    for force in ("northamptonshire", "nottinghamshire"):
        page = sample_client.get(f"/page/force/{force}").text
        groups = sample_client.get(f"/forces/{force}/help/by-item?limit=500").json()["items"]
        assert groups
        marks = 0
        for group in groups:
            row = _row(page, group["iri"])
            best = max(group["helps"], key=lambda h: h["score"])
            assert f'<div class="why">Why: {escape(best["why"]["summary"])}</div>' in row
            marks += "<mark>" in row
            for helped in group["helps"]:
                assert f'href="/page/{helped["finding"]["iri"].removeprefix(BASE)}"' in row
            lead = group["lead"] or {}
            contact = row[row.index('class="lead-contact"') :]
            if lead.get("name"):
                assert escape(lead["name"]) in contact
            else:
                assert "the report names no person" in contact
            if lead.get("phone"):
                assert 'href="tel:' in contact
            if lead.get("email"):
                assert f'href="mailto:{escape(lead["email"])}"' in contact
        assert marks >= len(groups) // 2, "shared words are marked in most rows"
