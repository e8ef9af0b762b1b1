"""Text similarity between findings and practices: the one TF-IDF measure behind ``/shared``,
``/practices/{id}/similar``, ``/forces/{id}/help``, the force page and the shared-practice network view.

Why scikit-learn's ``TfidfVectorizer`` and ``cosine_similarity``: TF-IDF weighs the words that set a
passage apart (``activity-based costing``, ``ViSOR``) above the words every inspection report repeats,
needs no model download or network, is deterministic, and scikit-learn is a well-kept, widely used
library whose implementation (sparse matrices, English stop words, n-grams) we would otherwise have to
write and test ourselves. Reports are short, so the whole index is built in milliseconds and cached per
store generation. scikit-learn (and numpy) are imported inside the functions that use them, so importing
this module, and the CLI commands that never compare texts, stay fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

THEME_THRESHOLD = 0.2  # cosine similarity of title + problem for two practices to share a theme
TOKEN_PATTERN = r"(?u)\b[a-zA-Z]{2,}\b"


@dataclass(frozen=True)
class Theme:
    """Practices of two or more forces on the same problem; ``terms`` are the words they share most."""

    members: tuple[int, ...]  # positions in the document list given to :meth:`SimilarityIndex.themes`
    terms: tuple[str, ...]
    cohesion: float  # mean pairwise similarity of the members


class SimilarityIndex:
    """TF-IDF vectors of a list of documents (keys given by the caller), fitted on the documents."""

    def __init__(self, keys: Sequence[str], texts: Sequence[str]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.keys = list(keys)
        self._position = {key: i for i, key in enumerate(self.keys)}
        self._vectorizer = TfidfVectorizer(
            stop_words="english", ngram_range=(1, 2), sublinear_tf=True, token_pattern=TOKEN_PATTERN
        )
        self._normalized: Any = None  # see :meth:`normalized_rows`
        texts = [t or "" for t in texts]
        try:
            self._matrix = self._vectorizer.fit_transform(texts) if texts else None
        except ValueError:  # empty vocabulary (no words at all)
            self._matrix = None

    def _vectors(self, texts: Sequence[str]) -> Any:
        return self._vectorizer.transform([t or "" for t in texts])

    def scores(self, text: str, keys: Sequence[str]) -> list[float]:
        """Cosine similarity of ``text`` with each document of ``keys`` (0.0 for unknown keys)."""
        from sklearn.metrics.pairwise import cosine_similarity

        if self._matrix is None or not keys:
            return [0.0] * len(keys)
        rows = [self._position.get(k) for k in keys]
        known = [r for r in rows if r is not None]
        values = cosine_similarity(self._vectors([text]), self._matrix[known])[0] if known else []
        lookup = dict(zip(known, values, strict=True))
        return [round(float(lookup[r]), 4) if r is not None else 0.0 for r in rows]

    def normalized_rows(self, keys: Sequence[str]) -> Any:
        """The L2-normalised TF-IDF rows of ``keys`` as a sparse matrix (an empty row for an unknown key),
        normalised once per index. With :meth:`query_vectors`, ``query_vectors(texts) @
        normalized_rows(keys).T`` is bit-for-bit what :meth:`scores` rounds: the same vectoriser and
        row-by-row normalisation as ``cosine_similarity``, and a sparse product whose sum for one pair of
        documents does not depend on the other rows. None when the index has no vocabulary."""
        import scipy.sparse as sp
        from sklearn.preprocessing import normalize

        if self._matrix is None:
            return None
        if self._normalized is None:
            empty = sp.csr_matrix((1, self._matrix.shape[1]), dtype=self._matrix.dtype)
            self._normalized = sp.vstack([normalize(self._matrix, copy=True), empty], format="csr")
        last = self._normalized.shape[0] - 1
        return self._normalized[[self._position.get(k, last) for k in keys]]

    def query_vectors(self, texts: Sequence[str]) -> Any:
        """The L2-normalised TF-IDF vectors of ``texts`` (see :meth:`normalized_rows`)."""
        from sklearn.preprocessing import normalize

        return normalize(self._vectors(texts), copy=True)

    def cross_scores(self, left: Sequence[str], right: Sequence[str]) -> list[list[float]]:
        """Cosine similarity of every text of ``left`` with every text of ``right`` (rows: ``left``)."""
        if self._matrix is None or not left or not right:
            return [[0.0] * len(right) for _ in left]
        sims = self.score_matrix(left, right)
        return [[round(float(x), 4) for x in row] for row in sims]

    def score_matrix(self, left: Sequence[str], right: Sequence[str] | None = None) -> Any:
        """:meth:`cross_scores` unrounded, as a numpy array; ``right`` defaults to ``left`` (each text is
        then vectorised once). All zeros when the index has no vocabulary."""
        import numpy as np
        from sklearn.metrics.pairwise import cosine_similarity

        if self._matrix is None or not left or (right is not None and not right):
            return np.zeros((len(left), len(left if right is None else right)))
        vectors = self._vectors(left)
        return cosine_similarity(vectors, vectors if right is None else self._vectors(right))

    def themes(
        self, texts: Sequence[str], groups: Sequence[str], threshold: float = THEME_THRESHOLD
    ) -> list[Theme]:
        """Clusters of ``texts`` (single linkage over pairs above ``threshold``) spanning 2+ ``groups``.

        ``groups[i]`` is the force of ``texts[i]``: only pairs from different forces link documents.
        """
        from sklearn.metrics.pairwise import cosine_similarity

        if self._matrix is None or len(texts) < 2:
            return []
        vectors = self._vectors(texts)
        sims = cosine_similarity(vectors)
        parent = list(range(len(texts)))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for i in range(len(texts)):
            for j in range(i + 1, len(texts)):
                if groups[i] != groups[j] and sims[i, j] >= threshold:
                    parent[find(i)] = find(j)
        clusters: dict[int, list[int]] = {}
        for i in range(len(texts)):
            clusters.setdefault(find(i), []).append(i)
        themes = []
        for members in clusters.values():
            if len({groups[m] for m in members}) < 2:
                continue
            pairs = [float(sims[a, b]) for a in members for b in members if a < b]
            cohesion = sum(pairs) / len(pairs)
            themes.append(Theme(tuple(members), self._shared_terms(vectors, members), cohesion))
        return sorted(themes, key=lambda t: -t.cohesion)

    def _shared_terms(self, vectors: Any, members: list[int], top: int = 4) -> tuple[str, ...]:
        """The highest-weighted terms present in every member, longest n-grams first among equals."""
        import numpy as np

        names = self._vectorizer.get_feature_names_out()
        sub = vectors[members]
        present = len(members) == (sub > 0).sum(axis=0).A1
        weights = sub.sum(axis=0).A1 * present
        order = [str(names[i]) for i in np.argsort(-weights) if weights[i] > 0][: top * 3]
        return tuple(merge_phrases(order)[:top])


def merge_phrases(terms: list[str]) -> list[str]:
    """Join overlapping n-grams into phrases (``activity based`` + ``based costing`` -> ``activity based
    costing``) and drop terms contained in a longer one, keeping the order of first appearance."""
    phrases = list(dict.fromkeys(terms))
    changed = True
    while changed:
        changed = False
        for a in phrases:
            for b in phrases:
                wa, wb = a.split(), b.split()
                if a != b and len(wa) > 1 and len(wb) > 1 and wa[-1] == wb[0]:
                    at = phrases.index(a)
                    phrases = [p for p in phrases if p not in (a, b)]
                    phrases.insert(min(at, len(phrases)), " ".join(wa + wb[1:]))
                    changed = True
                    break
            if changed:
                break
    kept = [p for p in phrases if not any(p != q and f" {p} " in f" {q} " for q in phrases)]
    return sorted(kept, key=lambda p: -len(p.split()))
