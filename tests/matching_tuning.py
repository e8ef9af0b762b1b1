"""Tune the help ranking's weights on the judged set, with cross-validation, and print the baselines.

Run: ``.venv/bin/python -m tests.matching_tuning`` (about a minute). It loads the two sample reports,
computes the evidence (:mod:`api.matching_evidence`) of every judged AFI once, then

* prints each single feature as a ranking (BM25 alone, embeddings alone, topics alone ...);
* fits weights (pairwise logistic regression) on the training folds of a k-fold split
  over AFIs and of a leave-one-force-out split, and reports the held-out figures;
* prints the weights to put in :data:`api.matching.WEIGHTS`: the mean of the weights fitted on every
  training fold of both splits at the best regularisation (bagging: with 35 AFIs a single fit on all of
  them moves with a few pairs; the mean of the fold fits is steadier), and the single fit on all AFIs.

A prior is tuned with C: the ``practice`` weight is at least :data:`PRACTICE_PRIORS` (one of), so that a
developing practice (what was done, and whom to call) goes before a strength or finding whose evidence is
as strong or within a hair of it; on the judged set the regression alone gives it about 0.001, which
decides nothing, and near-ties (score gaps under 0.01) are frequent within one area.

The held-out figures are the honest ones; the in-sample figure is what the shipped weights reach.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from api.matching_evidence import FEATURES, Evidence, Query
from api.snapshot_build import build_snapshot
from graph.iris import Iris
from graph.loading import load_paths
from graph.store_oxigraph import OxigraphStore
from graph.topics import load_scheme
from tests.matching_judgments import load_judgments, path_of, score

BASE = "http://127.0.0.1:8000/id/"
REPORTS = Path(__file__).resolve().parent.parent / "data" / "reports"
TOP = 3
PRACTICE_PRIORS = (0.0, 0.005, 0.01, 0.02)  # least weight of ``practice``, chosen held out with C


def judged_features() -> tuple[dict[str, tuple[np.ndarray, list[str]]], dict[str, dict[str, int]]]:
    """AFI -> (features of the other forces' candidates, their IRI paths), and the judgments."""
    store = OxigraphStore(None)
    load_paths(store, [REPORTS], Iris(BASE))
    cat = build_snapshot(store, Iris(BASE))
    evidence = Evidence(cat, load_scheme())
    judgments = load_judgments()
    out = {}
    for afi in judgments:
        finding = cat.findings[BASE + afi]
        force = (finding["force"] or {}).get("id")
        query = Query(finding["iri"], finding["text"], (finding["area"] or {}).get("id"), force)
        keep = np.flatnonzero(evidence.other_forces(force))
        feats = evidence.features(query)[keep]
        out[afi] = (feats, [path_of(evidence.rows[i]["iri"], BASE) for i in keep])
    return out, judgments


def rankings(data: dict, weights: Sequence[float], afis: Sequence[str], floor: float = -1e9) -> dict:
    w = np.asarray(weights, dtype=np.float32)
    out = {}
    for afi in afis:
        feats, items = data[afi]
        s = feats @ w
        order = np.argsort(-s, kind="stable")[:TOP]
        out[afi] = [items[i] for i in order if s[i] >= floor]
    return out


def evaluate(data: dict, judgments: dict, weights: Sequence[float], afis: Sequence[str], floor: float = -1e9):
    return score(rankings(data, weights, afis, floor), {a: judgments[a] for a in afis})


def search(
    data: dict, judgments: dict, afis: Sequence[str], c: float = 1.0, practice_prior: float = 0.0
) -> list[float]:
    """Weights from a pairwise logistic regression on ``afis``: for every AFI, each item graded above
    another should score higher (RankNet-style, L2-regularised by ``c``); negative weights are clipped
    to 0 and the rest normalised to sum to 1; the ``practice`` weight is then raised to at least
    ``practice_prior`` (and all normalised again)."""
    from sklearn.linear_model import LogisticRegression

    x, y = [], []
    for afi in afis:
        feats, items = data[afi]
        grades = np.array([judgments[afi].get(i, 0) for i in items])
        for hi in np.flatnonzero(grades > 0):
            for lo in np.flatnonzero(grades < grades[hi]):
                x += [feats[hi] - feats[lo], feats[lo] - feats[hi]]
                y += [1, 0]
    model = LogisticRegression(C=c, fit_intercept=False, max_iter=5000).fit(np.array(x), np.array(y))
    w = np.clip(model.coef_[0], 0.0, None)
    w = w / w.sum()
    practice = FEATURES.index("practice")
    w[practice] = max(w[practice], practice_prior)
    return [round(float(v), 3) for v in w / w.sum()]


def cross_validate(
    data: dict,
    judgments: dict,
    folds: list[list[str]],
    c: float = 1.0,
    fitted: list | None = None,
    practice_prior: float = 0.0,
) -> tuple[float, float, float]:
    """Held-out nDCG@3, P@3 and irrelevant-first over ``folds`` (each fold's weights added to ``fitted``)."""
    held: dict[str, list[str]] = {}
    for i, test in enumerate(folds):
        train = [a for j, fold in enumerate(folds) if j != i for a in fold]
        w = search(data, judgments, train, c, practice_prior)
        if fitted is not None:
            fitted.append(w)
        held.update(rankings(data, w, test))
    s = score(held, judgments)
    return s.ndcg3, s.p3, s.irrelevant_first


#: held-out nDCG@3 differences below this are one AFI moving one place: a tie
NDCG_TIE = 0.005


def choose_setting(
    settings: list[tuple[float, float, float, float, list[list[float]]]],
) -> tuple[float, float, list[list[float]]]:
    """(C, practice prior, fold fits) of the setting to ship: among those whose mean held-out nDCG@3
    is within :data:`NDCG_TIE` of the best, the fewest irrelevant first suggestions, then the best
    nDCG@3 (each a mean of the two splits)."""
    best = max(s[0] for s in settings)
    tied = [s for s in settings if s[0] >= best - NDCG_TIE]
    _, _, c, prior, fits = min(tied, key=lambda s: (round(s[1], 6), -s[0]))
    return c, prior, fits


def main() -> None:
    data, judgments = judged_features()
    afis = sorted(judgments)
    for j, name in enumerate(FEATURES):
        w = [0.0] * len(FEATURES)
        w[j] = 1.0
        print(f"{name:>10} alone: {evaluate(data, judgments, w, afis)}")
    rng = random.Random(11)
    shuffled = afis[:]
    rng.shuffle(shuffled)
    k = 5
    kfold = [shuffled[i::k] for i in range(k)]
    by_force = [[a for a in afis if a.split("/")[1] == r] for r in sorted({a.split("/")[1] for a in afis})]
    settings: list[tuple[float, float, float, float, list[list[float]]]] = []
    for c in (0.1, 1.0, 10.0):
        for prior in PRACTICE_PRIORS:
            fits: list[list[float]] = []
            folds_k = cross_validate(data, judgments, kfold, c, fits, prior)
            folds_f = cross_validate(data, judgments, by_force, c, fits, prior)
            print(f"C={c}, practice weight at least {prior}")
            print("  5-fold over AFIs, held out:", _fmt(folds_k))
            print("  leave one force out, held out:", _fmt(folds_f))
            held_ndcg, held_irrelevant = (folds_k[0] + folds_f[0]) / 2, (folds_k[2] + folds_f[2]) / 2
            settings.append((held_ndcg, held_irrelevant, c, prior, fits))
    best_c, best_prior, best_fits = choose_setting(settings)
    mean = np.mean(best_fits, axis=0)
    w = [round(float(v), 3) for v in mean / mean.sum()]
    print(
        f"mean of the fold fits, C={best_c}, practice at least {best_prior} (choose_setting; to ship):",
        dict(zip(FEATURES, w, strict=True)),
    )
    print("  ", evaluate(data, judgments, w, afis))
    single = search(data, judgments, afis, best_c, best_prior)
    print(f"one fit on all AFIs, C={best_c}:", dict(zip(FEATURES, single, strict=True)))
    print("  ", evaluate(data, judgments, single, afis))
    for floor in (0.2, 0.25, 0.3, 0.35, 0.4, 0.45):
        print(f"  floor {floor}: {evaluate(data, judgments, w, afis, floor)}")


def _fmt(values: tuple[float, float, float]) -> str:
    return f"nDCG@3 {values[0]:.3f}  P@3 {values[1]:.3f}  irrelevant first {values[2]:.1%}"


if __name__ == "__main__":
    main()
