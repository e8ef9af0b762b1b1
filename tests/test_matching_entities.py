"""Shared entities as evidence of the help ranking (issue 17): weighted by how rare they are over the loaded
candidates, systems for the same job equivalent through SKOS data, a force's own partner body matching the
same kind of body of another force."""

from __future__ import annotations

import math

import pytest
from rdflib import Graph

from api.matching_evidence import FEATURES, Evidence, Query, entity_keys
from api.snapshot import Snapshot
from api.snapshot_build import build_snapshot
from graph.iris import Iris
from graph.store_oxigraph import OxigraphStore
from graph.topics import load_scheme, scheme_from_graph
from loaders.resources import ontology_file

pytest_plugins = ["tests.conftest_api"]
BASE = "http://127.0.0.1:8000/id/"
COLUMN = FEATURES.index("entities")


@pytest.fixture(scope="module")
def evidence(sample_store: OxigraphStore) -> Evidence:
    return Evidence(build_snapshot(sample_store, Iris(BASE)), load_scheme())


def afis(cat: Snapshot) -> list[dict]:
    return [f for f in cat.findings.values() if f["kind"] == "area_for_improvement"]


def query_of(finding: dict) -> Query:
    return Query(finding["iri"], finding["text"], finding["area"]["id"], finding["force"]["id"])


def test_a_common_unit_named_alone_is_not_a_full_match(evidence: Evidence) -> None:
    """Regression: the feature was the share of the query's own (countable) entities, so a finding naming
    one common unit scored 1 against every candidate naming that unit, as much as a rare system shared.
    Now each shared entity counts by its rarity over all candidates (1 only for one named once)."""
    n = len(evidence.rows)
    common = max(evidence.entity_idf, key=lambda k: len(evidence.postings[k]))
    assert len(evidence.postings[common]) > 5
    for finding in afis(evidence.cat):
        keys = entity_keys(evidence.cat, evidence.scheme, finding["iri"])
        counted = [k for k in keys if k in evidence.entity_idf]
        column = evidence.entity_column(finding["iri"])
        assert column.max() <= 1.0
        for i in range(n):
            shared = [k for k in counted if k in evidence.entities[i]]
            expected = max((evidence.entity_idf[k] / math.log(1 + n) for k in shared), default=0.0)
            assert column[i] == pytest.approx(expected, abs=1e-6), (finding["iri"], i)
    assert evidence.entity_idf[common] / math.log(1 + n) < 0.6


def test_systems_for_the_same_job_are_one_group_through_skos_data() -> None:
    """Two forces' missing-persons systems (and child-abuse case systems) are linked to one function concept
    in ontology/equivalences.ttl, not to each other, and not in code."""
    shipped = load_scheme()
    assert shipped.same_term("compact") == shipped.same_term("champion")
    assert shipped.same_term("cats") == shipped.same_term("child-protection-database")
    assert shipped.same_term("compact") != shipped.same_term("cats")
    without = Graph()
    for name in ("hmic.ttl", "vocabulary.ttl", "topics.ttl"):
        without.parse(ontology_file(name), format="turtle")
    plain = scheme_from_graph(without)
    assert plain.same_term("compact") != plain.same_term("champion")


def test_equivalent_systems_count_as_shared_across_forces(evidence: Evidence) -> None:
    """A finding naming one force's missing-persons system shares a system with the other force's
    candidates naming theirs."""
    scheme = evidence.scheme
    group = scheme.same_term("compact")
    finding = next(
        f for f in afis(evidence.cat) if ("system", group) in entity_keys(evidence.cat, scheme, f["iri"])
    )
    column = evidence.features(query_of(finding))[:, COLUMN]
    other = evidence.other_forces(finding["force"]["id"])
    naming = [i for i, keys in enumerate(evidence.entities) if ("system", group) in keys and other[i]]
    assert naming and all(column[i] > 0 for i in naming)


def test_a_forces_own_partner_body_matches_the_same_body_elsewhere(evidence: Evidence) -> None:
    """Partner IRIs carry the force ("{force}-mappa"): with the force dropped, MAPPA of one force and MAPPA of
    the other are the same kind of body (the force ids come from the loaded data, none is listed in code)."""
    cat = evidence.cat
    kinds: dict[str, set[str]] = {}
    for subject, entities in cat.mentions.items():
        for entity in entities:
            if "/partner/" not in entity:
                continue
            for force in cat.forces:
                if entity.rsplit("/", 1)[-1].startswith(force + "-"):
                    for kind, key in entity_keys(cat, evidence.scheme, subject):
                        if kind == "partner":
                            kinds.setdefault(key, set()).add(force)
    assert kinds and not any(key.startswith(f + "-") for key in kinds for f in cat.forces)
    assert any(len(forces) >= 2 for forces in kinds.values()), kinds
