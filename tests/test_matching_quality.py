"""How good "who has solved this?" is, measured through the API against the judged set.

``/forces/{id}/help`` over a store holding the two sample reports, scored against
``tests/data/help_judgments.json`` (see :mod:`tests.matching_judgments` and docs/matching.md). The floors
are the level the ranking reaches, less a little slack, so a change that makes the answers worse fails.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.matching_judgments import Scores, load_judgments, path_of, score

pytest_plugins = ["tests.conftest_api"]
BASE = "http://127.0.0.1:8000/id/"
FORCES = ("nottinghamshire", "northamptonshire")

# levels reached and their history: docs/matching.md
MIN_NDCG3 = 0.71  # reached: 0.720 (0.708 before 17e, 0.705 before 17d, 0.651 before 17c)
MIN_P3 = 0.73  # reached: 0.743 (0.733 before 17e, 0.724 before 17d, 0.676 before 17c)
MAX_IRRELEVANT_FIRST = 0.10  # reached: 8.6% (3 of 35 AFIs; 11.4% before 17e, 14.3% before 17d)
MIN_NDCG3_PER_FORCE = (
    0.70  # reached: Nottinghamshire 0.714, Northamptonshire 0.726 (0.721 / 0.694 before 17e)
)


def api_rankings(client: TestClient, forces: tuple[str, ...] = FORCES) -> dict[str, list[str]]:
    """AFI IRI path -> the IRI paths of its first three matches, as ``/forces/{id}/help`` ranks them."""
    ranked: dict[str, list[str]] = {}
    for force in forces:
        response = client.get(f"/forces/{force}/help", params={"per_finding": 3, "limit": 500})
        assert response.status_code == 200, response.text
        for item in response.json()["items"]:
            ranked[path_of(item["finding"]["iri"], BASE)] = [path_of(m["iri"], BASE) for m in item["matches"]]
    return ranked


@pytest.fixture(scope="module")
def measured(sample_client: TestClient) -> Scores:
    return score(api_rankings(sample_client), load_judgments())


def test_every_judged_afi_is_answered_by_help(sample_client: TestClient) -> None:
    """The judged set and the API agree on which AFIs exist (so no AFI is silently left unscored)."""
    assert set(api_rankings(sample_client)) == set(load_judgments())


def test_help_ndcg_at_3_is_at_least_the_level_reached(measured: Scores) -> None:
    assert measured.ndcg3 >= MIN_NDCG3, measured


def test_help_precision_at_3_is_at_least_the_level_reached(measured: Scores) -> None:
    assert measured.p3 >= MIN_P3, measured


def test_irrelevant_first_suggestions_stay_rare(measured: Scores) -> None:
    assert measured.irrelevant_first <= MAX_IRRELEVANT_FIRST, measured


@pytest.mark.parametrize("force", FORCES)
def test_help_is_good_for_each_sample_force(sample_client: TestClient, force: str) -> None:
    judgments = {a: g for a, g in load_judgments().items() if a.split("/")[1].startswith(force)}
    measured = score(api_rankings(sample_client, (force,)), judgments)
    assert measured.ndcg3 >= MIN_NDCG3_PER_FORCE, (force, measured)


def test_the_measures_themselves() -> None:
    """nDCG@3, P@3 and irrelevant-first on a hand-worked case."""
    grades = {"a": 2, "b": 1, "c": 0}
    perfect = score({"x": ["a", "b", "c"]}, {"x": grades})
    assert perfect.ndcg3 == pytest.approx(1.0) and perfect.p3 == pytest.approx(2 / 3)
    worst = score({"x": ["c"]}, {"x": grades})
    assert worst.ndcg3 == 0.0 and worst.irrelevant_first == 1.0
    empty = score({}, {"x": grades})  # nothing offered although something was useful
    assert empty.irrelevant_first == 1.0 and empty.p3 == 0.0


def test_practice_goes_before_a_finding_in_a_near_tie(sample_client: TestClient) -> None:
    """Regression (issue 17c): a Northamptonshire public-protection AFI had a Nottinghamshire finding first
    (graded irrelevant) and a developing practice graded 2 second, 0.0003 behind; the ``practice`` weight
    was 0.001 and decided nothing. A developing practice says what was done and whom to call, so with
    evidence as strong it goes first (``practice`` weight at least a prior chosen held out: 0.02 in 17c,
    0.005 since issue 17d, which still puts the practice first here)."""
    from api.matching import WEIGHTS

    assert WEIGHTS["practice"] >= 0.005
    judgments = load_judgments()
    ranked = api_rankings(sample_client, ("northamptonshire",))
    afi = "finding/northamptonshire-2007/public-protection/24"
    assert ranked[afi] and ranked[afi][0].startswith("practice/"), ranked[afi]
    assert judgments[afi].get(ranked[afi][0], 0) == 2
