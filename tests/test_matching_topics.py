"""Topics and text evidence of the help ranking (issue 17): topic triggers matched as phrases, the
``main_topics`` feature, BM25 relative to the candidates that can be offered."""

from __future__ import annotations

import numpy as np
import pytest

from api.matching_evidence import FEATURES, MAIN_TOPICS, Evidence, Query
from api.snapshot_build import build_snapshot
from graph.iris import Iris
from graph.lexical import phrase_stems, stems
from graph.store_oxigraph import OxigraphStore
from graph.topics import load_scheme

pytest_plugins = ["tests.conftest_api"]
BASE = "http://127.0.0.1:8000/id/"


@pytest.fixture(scope="module")
def evidence(sample_store: OxigraphStore) -> Evidence:
    return Evidence(build_snapshot(sample_store, Iris(BASE)), load_scheme())


def queries(ev: Evidence) -> list[Query]:
    return [
        Query(f["iri"], f["text"], f["area"]["id"], f["force"]["id"])
        for f in ev.cat.findings.values()
        if f["kind"] == "area_for_improvement"
    ]


def test_a_phrase_trigger_does_not_fire_on_one_of_its_words() -> None:
    """Regression: triggers lost their stop words ("system" is one), so "information system" became
    "information" and "due date" became "date": IT system use was detected in every text saying
    "management information". Triggers and texts now keep every word for topic matching."""
    scheme = load_scheme()
    assert "topic-it-systems" not in scheme.detect(
        phrase_stems("Management information is produced monthly.")
    )
    assert "topic-it-systems" in scheme.detect(phrase_stems("Information systems are linked."))
    assert "topic-timeliness" not in scheme.detect(phrase_stems("The date of the meeting was set."))
    assert phrase_stems("access to the system") == ["access", "to", "the", "system"]
    assert stems("access to the system") == ["access"]  # BM25 and explanations still drop stop words


def test_main_topics_are_the_querys_heaviest_topics_and_the_share_a_candidate_has(evidence: Evidence) -> None:
    column = FEATURES.index("main_topics")
    checked = 0
    for query in queries(evidence):
        side = evidence.text_side(query.text)
        if not side.topics:
            assert not side.main_topics.size
            continue
        weights = side.topic_vector
        assert 1 <= side.main_topics.size <= MAIN_TOPICS
        heaviest = sorted(weights[j] for j in np.flatnonzero(weights > 0))[-side.main_topics.size :]
        assert sorted(weights[side.main_topics]) == heaviest
        values = evidence.features(query)[:, column]
        expected = (evidence.topic_counts[:, side.main_topics] > 0).mean(axis=1)
        assert np.allclose(values, expected)
        checked += 1
    assert checked > 20


def test_bm25_is_relative_to_the_best_candidate_that_can_be_offered(evidence: Evidence) -> None:
    """Regression: BM25 was divided by the best score over every candidate, the query force's own
    strengths included (often near-copies of the finding, never offered), which squashed it for the
    candidates that can be offered. The best of another force's candidates now scores 1 (since issue 17e
    each of the two parts, the whole text and its recommendation sentences, is relative to its own best:
    the best candidate scores 1 when one is best on both, at least the whole text's share otherwise)."""
    from api.matching_evidence import RECOMMENDATION_BM25

    column = FEATURES.index("bm25")
    for query in queries(evidence):
        values = evidence.features(query)[:, column]
        offered = values[evidence.other_forces(query.force_id)]
        if offered.max() > 0 and not evidence.text_side(query.text).recommendation_stems:
            assert offered.max() == pytest.approx(1.0), query.subject
        elif offered.max() > 0:
            assert 1 - RECOMMENDATION_BM25 - 1e-6 <= offered.max() <= 1 + 1e-6, query.subject


def test_both_stems_reads_a_text_once_for_bm25_and_for_topics() -> None:
    """The evidence tokenises each text once (:func:`graph.lexical.both_stems`), giving what BM25 and the
    topic triggers each read."""
    from graph.lexical import both_stems

    for text in ("Access to the CATS system is limited; the due date is not set.", "", "A b c"):
        assert both_stems(text) == (stems(text), phrase_stems(text))


def test_a_trigger_losing_a_word_or_a_bare_verb_is_not_a_topic() -> None:
    """Regression (issue 17d): the trigger "e-form" lost its one-letter "e" and became "form", so every
    survey or risk form was IT system use; "accessible" stems to "access", so "officers access the full
    menu of training" was too (a training strength came first for a finding about access to a database).
    Access to a system is now a phrase ("access to", "accessed by", "can access", "accessible via" ...)."""
    scheme = load_scheme()
    it = "topic-it-systems"
    assert it not in scheme.detect(phrase_stems("These forms seek to identify local priorities."))
    assert it not in scheme.detect(phrase_stems("They also access the full menu of training."))
    for text in (
        "The database can only be accessed by detectives via the unit.",
        "The system is accessible via the central unit.",
        "Partners can access local profiles.",
        "The force should consider providing access to area officers.",
        "It is accessible throughout the force.",
    ):
        assert it in scheme.detect(phrase_stems(text)), text


def test_the_pronoun_it_is_not_information_technology() -> None:
    """Regression: triggers and texts were lower-cased before matching, so the trigger "IT" fired on
    every "it" ("it is clear that…"): one paragraph in eight of the sample reports was "IT system use"
    and shared that topic with any other. An acronym spelt like a stop word now keeps its capitals."""
    scheme = load_scheme()
    it = "topic-it-systems"
    assert it not in scheme.detect(phrase_stems("It is clear that the unit has made it a priority."))
    assert it in scheme.detect(phrase_stems("IT support for the unit is limited."))
    assert phrase_stems("it IT") == ["it", "IT"]
    assert stems("IT it") == []  # BM25 still drops both as a stop word


def test_a_number_in_a_trigger_is_part_of_the_phrase() -> None:
    """Regression: numbers were not words, so the trigger "category 3" became "category" and fired on
    any category ("category of crime"); a phrase now keeps its numbers."""
    scheme = load_scheme()
    texts = ("Crimes in this category are reviewed.", "Category 3 offenders are visited.")
    found = [scheme.detect(phrase_stems(t)) for t in texts]
    offender_topics = set(found[1]) - set(found[0])
    assert offender_topics, found
    assert phrase_stems("category 3") == ["categori", "3"]
    assert stems("category 3") == ["categori"]


def test_the_recommendation_sentence_counts_most_in_the_embedding(evidence: Evidence) -> None:
    """Issue 17d: what a finding asks for ("the force should consider providing access to ...") is what it
    is mainly about; its background sentences matched the strengths of the area in general. The
    ``embedding`` feature now weighs a sentence saying what should be done RECOMMENDATION_WEIGHT times."""
    from api.matching_evidence import RECOMMENDATION_WEIGHT

    text = (
        "The database can only be reached by the central unit during office hours. "
        "The force should consider providing access to area officers."
    )
    side = evidence.text_side(text)
    assert side.sentence_weights().tolist() == [1.0, RECOMMENDATION_WEIGHT]
    vectors, rows = side.vectors(), np.arange(len(evidence.rows))
    each = [evidence.embedding_of(vectors[j : j + 1], rows) for j in range(2)]
    expected = (each[0] + RECOMMENDATION_WEIGHT * each[1]) / (1 + RECOMMENDATION_WEIGHT)
    got = evidence.features(Query("urn:x", text, None, None))[:, FEATURES.index("embedding")]
    positive = (each[0] > 0) & (each[1] > 0)  # each value is clipped at 0: compare where none was
    assert positive.sum() > len(rows) / 2
    assert np.allclose(got[positive], expected[positive], atol=1e-6)
    plain = (each[0] + each[1]) / 2
    assert not np.allclose(got[positive], plain[positive], atol=1e-4)  # not the plain mean any more
    assert evidence.text_side("No recommendation here at all, just facts.").sentence_weights().tolist() == [
        1.0
    ]


def test_time_taken_from_the_job_is_a_workload_topic() -> None:
    """Regression (issue 17e): "staff spend a lot of time inputting into the system" was read as recording
    (and as timeliness, through "timely" stemmed to "time"), not as the workload it is; the activity
    analysis that answers it is about staffing and capacity. Workload phrases are staffing triggers,
    as phrases only: a bare "time" is not workload."""
    scheme = load_scheme()
    for text in (
        "Staff spend a lot of time inputting data.",
        "Time spent on data entry takes officers off patrol.",
        "The process is time-consuming for sergeants.",
        "Bureaucracy and paperwork keep officers in the station.",
        "The administrative burden on PCSOs is heavy.",
    ):
        assert "topic-staffing" in scheme.detect(phrase_stems(text)), text
    assert "topic-staffing" not in scheme.detect(phrase_stems("At the time of the inspection it was open."))


def test_incidents_captured_on_a_system_are_recorded_there() -> None:
    """Regression (issue 17e): "data capture" was a recording trigger but the verb was not, so a finding
    asking whether every incident is captured on the case system did not read as being about recording."""
    scheme = load_scheme()
    assert "topic-recording" in scheme.detect(phrase_stems("All incidents are captured on the system."))
    assert "topic-recording" in scheme.detect(phrase_stems("The unit is capturing referrals daily."))


def test_what_a_finding_asks_for_counts_in_bm25(evidence: Evidence) -> None:
    """Issue 17e: BM25 read a finding's every word alike, so the words of its background (the area's own
    vocabulary, incidental detail) outweighed what it asks for. RECOMMENDATION_BM25 of the ``bm25``
    feature is now BM25 of the sentences saying what should be done, each part relative to the best
    candidate that can be offered; a text asking nothing in so many words keeps BM25 of the whole."""
    from api.matching_evidence import RECOMMENDATION_BM25

    text = (
        "Staff spend a lot of time inputting surveys into the database. "
        "The force should consider appointing data entry staff to reduce this burden."
    )
    force = evidence.force_ids[0]
    offered = evidence.other_forces(force)
    column = evidence.features(Query("urn:x", text, None, force))[:, FEATURES.index("bm25")]
    side = evidence.text_side(text)
    assert side.recommendation_stems == stems(text.split(". ", 1)[1])
    whole, asks = evidence.bm25.scores(side.stems), evidence.bm25.scores(side.recommendation_stems)
    expected = (1 - RECOMMENDATION_BM25) * whole / whole[offered].max()
    expected += RECOMMENDATION_BM25 * asks / asks[offered].max()
    assert np.allclose(column, expected, atol=1e-6)
    assert column[offered].max() <= 1.0 + 1e-6
    assert not np.allclose(column, whole / whole[offered].max(), atol=1e-4)  # not the whole text alone
    facts = "Staff spend a lot of time inputting surveys into the database."
    plain = evidence.features(Query("urn:y", facts, None, force))[:, FEATURES.index("bm25")]
    assert not evidence.text_side(facts).recommendation_stems
    lexical = evidence.bm25.scores(evidence.text_side(facts).stems)
    assert np.array_equal(plain, (lexical / lexical[offered].max()).astype(np.float32))
