"""The HTML pages read the snapshot: once it is built, a noun's page queries the store only for that node's
own RDF description (``node_out.rq``/``node_in.rq``), and the force page, the home page and a report's
text page not at all."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.lookup import load_query
from api.snapshot import Snapshot
from api.snapshot_build import build_snapshot
from api.snapshot_store import read_snapshot, save_snapshot
from graph.iris import Iris
from graph.store_oxigraph import OxigraphStore
from tests.conftest_api import BASE

pytest_plugins = ["tests.conftest_api"]

DESCRIPTION = {load_query("node_out", "pages"), load_query("node_in", "pages")}


@pytest.fixture(scope="module")
def snap(sample_store: OxigraphStore) -> Snapshot:
    return build_snapshot(sample_store, Iris(BASE))


@pytest.fixture
def queries(
    sample_client: TestClient, sample_store: OxigraphStore, monkeypatch: pytest.MonkeyPatch
) -> Iterator[list[tuple[str, Any]]]:
    """Every store query made while a test runs, as (query text, bindings); the snapshot built first."""
    assert sample_client.get("/").status_code == 200  # builds the current snapshot
    seen: list[tuple[str, Any]] = []
    query, serialized = sample_store.query, sample_store.query_serialized

    def counted(text: str, bindings: Any = None, *args: Any, **kwargs: Any) -> Any:
        seen.append((text, bindings))
        return query(text, bindings, *args, **kwargs)

    def counted_serialized(text: str, *args: Any, **kwargs: Any) -> Any:
        seen.append((text, None))
        return serialized(text, *args, **kwargs)

    monkeypatch.setattr(sample_store, "query", counted)
    monkeypatch.setattr(sample_store, "query_serialized", counted_serialized)
    yield seen


def _pages(snap: Snapshot) -> dict[str, str]:
    """One page of each noun kind the samples have (path -> the node's IRI)."""
    practice = next(iter(snap.practices.values()))
    afi = next(f for f in snap.findings.values() if f.kind == "area_for_improvement")
    system = next(s for s in snap.systems.values() if s.forces)
    unit_type = next(u for u in snap.unit_types.values() if u.forces)
    used = {f.area.id for f in snap.findings.values() if f.area}
    area = next(a for a in snap.areas.values() if a.id in used)
    person = next(iter(snap.people.values()))
    post = next(c.value for c in snap.pages.cards if c.predicate == "holdsRole")
    partner = next(e for es in snap.mentions.values() for e in es if e.startswith(f"{BASE}partner/"))
    report = next(iter(snap.pages.reports.values()))
    return {
        iri[len(BASE) :]: iri
        for iri in (
            practice.iri, afi.iri, system.iri, unit_type.iri, area.iri, person.iri, post, partner, report.iri
        )
    }  # fmt: skip


def test_the_force_home_and_report_text_pages_never_query_the_store(
    sample_client: TestClient, snap: Snapshot, queries: list[tuple[str, Any]]
) -> None:
    """Regression: the force page ran force_statements.rq and force_who.rq on the live store, the home page
    grade_matrix.rq, the report text page report_source.rq."""
    force = next(iter(snap.forces.values()))
    report = next(iter(snap.pages.reports))
    for url in ("/", f"/page/force/{force.id}", f"/reports/{report}", f"/reports/{report}?from=3&to=5"):
        response = sample_client.get(url)
        assert response.status_code == 200, url
        assert queries == [], f"{url} queried the store: {[q[:80] for q, _ in queries]}"


def test_a_noun_page_queries_only_its_own_rdf_description(
    sample_client: TestClient, snap: Snapshot, queries: list[tuple[str, Any]]
) -> None:
    """Regression: entity pages ran mentioning.rq, person_roles.rq and node_in/node_out of other nodes (a
    practice's contact point) on the live store; now only the node's own description is read."""
    pages = _pages(snap)
    assert {path.split("/", 1)[0] for path in pages} >= {
        "practice", "finding", "system", "unit-type", "area", "person", "role", "partner", "report"
    }  # fmt: skip
    for path, iri in pages.items():
        queries.clear()
        response = sample_client.get(f"/page/{path}")
        assert response.status_code == 200, path
        assert {text for text, _ in queries} <= DESCRIPTION, f"{path}: {[q[:80] for q, _ in queries]}"
        assert {str(b["node"]) for _, b in queries} == {iri}, f"{path} read another node's description"


def test_the_pages_tables_round_trip_and_hold_every_kind(snap: Snapshot, tmp_path: Path) -> None:
    """The pages' tables are filled on the samples and read back equal, in order."""
    pages = snap.pages
    assert pages.sources and pages.leads and pages.contacts and pages.cards and pages.reports and pages.matrix
    assert all(s.report.startswith(f"{BASE}report/") for s in pages.sources.values())
    assert {c.predicate for c in pages.cards} == {"rank", "holdsRole", "memberOf"}
    save_snapshot(snap, "k", tmp_path)
    read = read_snapshot(tmp_path / "snapshot.json", "k", Iris(BASE), "g")
    assert read.pages == pages
    assert list(read.pages.sources) == list(pages.sources)


def test_warming_builds_the_pages_indexes(snap: Snapshot) -> None:
    """The first page of a kind after a load finds its indexes built (up to 0.7 s each at 430 reports)."""
    from api.pages.read import force_statements, mentioning, warm

    warm(snap)
    built = set(snap.memo._values)
    assert {("page statements by force",), ("page statements by entity",), ("page cards",)} <= built
    force = next(iter(snap.forces.values()))
    assert force_statements(snap, force.iri, BASE)
    assert mentioning(snap, next(s for s in snap.systems.values() if s.forces).iri, BASE)
    assert set(snap.memo._values) == built, "no index built on use after warming"


def test_a_contacts_practices_name_the_force_not_the_area(
    snap: Snapshot, sample_store: OxigraphStore
) -> None:
    """Regression (found comparing pages at 430 reports): a person's "contact for these practices" showed
    each practice's area, which the page built from person_roles.rq never did."""
    from rdflib import URIRef

    from api.pages.kinds import PageContext, kind_sections
    from api.pages.read import practices_led_by

    person = next(p for p in snap.people.values() if practices_led_by(snap, p.iri))
    sections = kind_sections("person", PageContext(snap, sample_store, BASE), URIRef(person.iri))
    contact_for = next(s for s in sections if s.anchor == "contact-for")
    items = [item for _, group in contact_for.groups for item in group]
    assert items and all(i.area is None and i.force is not None for i in items)
