"""The evidence of the help ranking: topics and area names from SKOS data, SKOS equivalences read
generically, BM25 over stems, offline embeddings (and ranking without them)."""

from __future__ import annotations

import numpy as np
import pytest
from rdflib import Graph

from api.matching import build_matcher, finding_help
from api.matching_evidence import FEATURES, Evidence, Query, weighted
from api.snapshot_build import build_snapshot
from graph import embeddings
from graph.iris import Iris
from graph.lexical import Bm25Index, phrase_stems, stems
from graph.store_oxigraph import OxigraphStore
from graph.topics import equivalence_groups, load_scheme, scheme_from_graph
from loaders.resources import ontology_file

pytest_plugins = ["tests.conftest_api"]
BASE = "http://127.0.0.1:8000/id/"

EQUIVALENCES = """
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix hv: <https://w3id.org/hmic-kg/vocab/> .
hv:snt skos:exactMatch hv:sct .
hv:caiu skos:closeMatch hv:cpu .
"""


def scheme_with(extra: str):
    graph = Graph()
    for name in ("hmic.ttl", "vocabulary.ttl", "topics.ttl"):
        graph.parse(ontology_file(name), format="turtle")
    graph.parse(data=extra, format="turtle")
    return scheme_from_graph(graph)


def test_topics_are_detected_from_their_skos_trigger_terms() -> None:
    scheme = load_scheme()
    text = "Supervisors reviewed risk assessments; officers were trained on the database."
    found = scheme.detect(phrase_stems(text))
    assert {"topic-supervision", "topic-risk-assessment", "topic-training", "topic-it-systems"} <= set(found)
    assert scheme.detect(phrase_stems("The weather was fine.")) == {}
    assert "topic-training" in {t.key for t in scheme.topics}


def test_area_names_and_neighbours_come_from_the_ontology() -> None:
    scheme = load_scheme()
    named = scheme.areas_named(stems("Performance indicators for Neighbourhood Policing; domestic abuse"))
    assert named == {"neighbourhood-policing", "domestic-violence"}
    assert "performance-management" in scheme.neighbours["neighbourhood-policing"]


def test_skos_equivalences_are_read_from_whatever_triples_exist() -> None:
    plain = scheme_with("")
    linked = scheme_with(EQUIVALENCES)
    assert linked.same_term("snt") == linked.same_term("sct")
    assert linked.same_term("caiu") == linked.same_term("cpu")
    assert linked.same_term("dpmu") == "dpmu"
    assert equivalence_groups([("b", "c"), ("a", "b")]) == {"a": "a", "b": "a", "c": "a"}
    assert plain.same_term("visor") == "visor"


def test_equivalent_units_count_as_shared(sample_store: OxigraphStore) -> None:
    """SNT (Nottinghamshire) and SCT (Northamptonshire) are one kind of unit once the ontology says so."""
    cat = build_snapshot(sample_store, Iris(BASE))
    scheme = load_scheme()
    finding = next(
        f
        for f in cat.findings.values()
        if f["kind"] == "area_for_improvement"
        and any("/unit/" in e and e.endswith("/snt") for e in cat.mentions.get(f["iri"], ()))
    )
    query = Query(finding["iri"], finding["text"], finding["area"]["id"], finding["force"]["id"])
    column = FEATURES.index("entities")
    sharing = []
    for scheme in (scheme_with(""), scheme_with(EQUIVALENCES)):
        evidence = Evidence(cat, scheme)
        sct = [i for i, keys in enumerate(evidence.entities) if (("unit", scheme.same_term("sct")) in keys)]
        assert sct
        sharing.append(int((evidence.features(query)[sct, column] > 0).sum()))
    # with the equivalence every SCT candidate shares a unit type with the SNT finding (without it, the
    # finding may still share other entities with them, since the loader's own vocabulary now links
    # equivalent teams, so only the "with" side is pinned)
    assert sharing[1] == len(sct), sharing


def test_bm25_matches_word_forms_through_stems() -> None:
    index = Bm25Index([stems("Supervisors review risk assessments"), stems("Training was delivered")])
    scores = index.scores(stems("risk assessment reviewed by a supervisor"))
    assert scores[0] > 0 and scores[1] == 0
    assert index.idf("train") > 0 and index.idf("unknown") == 0.0
    assert list(Bm25Index([]).scores(["x"])) == []


def test_embeddings_load_offline_from_the_wheel() -> None:
    vectors = embeddings.embed(["missing person risk assessment", "risk assessment of missing persons"])
    if vectors is None:
        pytest.skip("wordllama not installed: the ranking runs without embeddings")
    assert vectors.shape[0] == 2
    assert float(vectors[0] @ vectors[1]) > 0.5


def test_ranking_works_without_embeddings(
    sample_store: OxigraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embeddings, "embed", lambda texts: None)
    matcher = build_matcher(build_snapshot(sample_store, Iris(BASE)))
    finding = next(f for f in matcher.cat.findings.values() if f["kind"] == "area_for_improvement")
    matches = finding_help(matcher, finding, 3)
    assert matches and all(m["why"]["parts"]["embedding"]["value"] == 0.0 for m in matches)
    assert np.all(np.diff([m["score"] for m in matches]) <= 0)


def test_embedding_only_where_it_can_matter_gives_the_full_ranking(sample_store: OxigraphStore) -> None:
    """:func:`api.matching.shortlist` embeds only candidates the embedding could lift into the list; the
    list must be what scoring every candidate with every feature gives."""
    from api.matching import FLOOR, Query, shortlist, weight_vector

    matcher = build_matcher(build_snapshot(sample_store, Iris(BASE)))
    ev = matcher.evidence
    weights = weight_vector()
    for finding in matcher.cat.findings.values():
        if finding["kind"] != "area_for_improvement":
            continue
        query = Query(finding["iri"], finding["text"], finding["area"]["id"], finding["force"]["id"])
        full = weighted(ev.features(query), weights)
        ok = np.flatnonzero(ev.other_forces(query.force_id) & (full >= FLOOR))
        expected = sorted(ok.tolist(), key=lambda i: (-full[i], ev.rows[i]["iri"]))[:5]
        assert list(shortlist(matcher, query, 5).order) == expected, finding["iri"]


def test_umbrella_area_and_its_sub_areas_are_one_family_from_skos_broader(
    sample_store: OxigraphStore,
) -> None:
    """Issue 17c: an umbrella finding ("Protecting vulnerable people") treats a sub-area candidate as in its
    family and a sub-area finding the umbrella likewise; the family is read from ``skos:broader`` in the
    store (every area declared narrower than another), not from a list of area names."""
    from api.matching_evidence import area_family

    cat = build_snapshot(sample_store, Iris(BASE))
    scheme = load_scheme()
    narrower: dict[str, set[str]] = {}
    for area_id, area in cat.areas.items():
        if area.get("broader"):
            narrower.setdefault(area["broader"], set()).add(area_id)
    assert narrower, "the ontology declares no area hierarchy"
    for umbrella, subs in narrower.items():
        assert umbrella in cat.areas
        assert subs <= area_family(cat, scheme, umbrella)
        for sub in subs:
            assert umbrella in area_family(cat, scheme, sub)
            assert subs - {sub} <= area_family(cat, scheme, sub)  # siblings too
    assert "protecting-vulnerable-people" in narrower and len(narrower["protecting-vulnerable-people"]) >= 4
