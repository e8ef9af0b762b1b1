"""Words of a finding or practice as stems, and BM25 over them: the lexical evidence of the help ranking.

Why ``bm25s`` and PyStemmer: BM25 rewards a rare word two texts share more than a word every report
repeats, and saturates repeated words, which suits short findings ranked against longer practices;
``bm25s`` scores a query against every document with one sparse sum (fast enough for the 430-report
bench corpus) and is a small, maintained library. PyStemmer is the Snowball stemmer (``reviews``,
``reviewed`` -> ``review``), so "review of risk assessments" meets "risk assessment reviewed". Both are
imported when an index is first built, so modules that never compare texts stay fast to import.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:['’][a-z]+)?")
#: a word or a number: phrases keep their numbers ("category 3" is not any "category")
PHRASE_WORD = re.compile(rf"{WORD.pattern}|[0-9]+")


@dataclass(frozen=True)
class Word:
    """One word of a text: where it is (character offsets) and its stem ('' for a stop word)."""

    start: int
    end: int
    stem: str


@functools.lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


@functools.lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """scikit-learn's English stop words (the list the TF-IDF measure already uses), read from the one
    module that holds them when it is where expected: importing scikit-learn itself takes about a second,
    on the path of the first ``/help`` after a start."""
    import importlib.util
    from pathlib import Path

    package = importlib.util.find_spec("sklearn")
    for folder in (package.submodule_search_locations or []) if package else []:
        source = Path(folder) / "feature_extraction" / "_stop_words.py"
        spec = importlib.util.spec_from_file_location("_sklearn_stop_words", source)
        if source.is_file() and spec is not None and spec.loader is not None:
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            found = getattr(module, "ENGLISH_STOP_WORDS", None)
            if isinstance(found, frozenset) and found:
                return found
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


@functools.lru_cache(maxsize=262144)
def stem(word: str) -> str:
    """The Snowball stem of one word, lower-cased, possessive dropped (cached: words repeat a lot)."""
    lower = word.lower()
    if lower.endswith(("'s", "’s")):
        lower = lower[:-2]
    return _stemmer().stemWord(lower)


def words(text: str) -> list[Word]:
    """Every word of ``text`` with its offsets and stem (stop words and one-letter words: stem '')."""
    stops = stop_words()
    out = []
    for match in WORD.finditer(text or ""):
        raw = match.group().lower()
        keep = len(raw) > 1 and raw not in stops
        out.append(Word(match.start(), match.end(), stem(raw) if keep else ""))  # as :func:`stems`
    return out


def stems(text: str) -> list[str]:
    """The stems of ``text``'s content words, in order (what :func:`words` keeps, faster)."""
    stops = stop_words()
    lowered = (w.lower() for w in WORD.findall(text or ""))
    return [stem(w) for w in lowered if len(w) > 1 and w not in stops]


def acronym(word: str) -> str | None:
    """``word`` as written when it is an acronym spelt like a stop word ("IT", "US"), else None: the
    pronoun "it" is not information technology, so the two must not share a stem."""
    return word if word.isupper() and word.lower() in stop_words() else None


def phrase_stem(word: str) -> str:
    """The stem of one word for phrase matching: a number as written, an acronym spelt like a stop
    word with its capitals, '' for a one-letter word."""
    if word.isdigit():
        return word
    if len(word) < 2:
        return ""
    return acronym(word) or stem(word)


def phrase_stems(text: str) -> list[str]:
    """The stems of every word of ``text``, stop words kept: what topic triggers are matched on, so a
    phrase keeps its meaning ("information system" is not "information", "access to" not "access")."""
    return [found for w in PHRASE_WORD.findall(text or "") if (found := phrase_stem(w))]


def both_stems(text: str) -> tuple[list[str], list[str]]:
    """:func:`stems` and :func:`phrase_stems` of ``text`` in one pass (the text is read once)."""
    stops = stop_words()
    content, every = [], []
    for word in PHRASE_WORD.findall(text or ""):
        lower = word.lower()
        if (found := phrase_stem(word)) != "":
            every.append(found)
            if not word.isdigit() and lower not in stops:
                content.append(every[-1])
    return content, every


class Bm25Index:
    """BM25 (``bm25s``, Lucene variant) over stemmed documents; a query is scored against all at once."""

    def __init__(self, documents: Sequence[Sequence[str]], k1: float = 1.5, b: float = 0.5) -> None:
        import bm25s

        self.vocab: dict[str, int] = {}
        ids = [[self.vocab.setdefault(t, len(self.vocab)) for t in doc] for doc in documents]
        self.size = len(ids)
        self.document_frequency: dict[str, int] = {}
        for doc in documents:
            for token in set(doc):
                self.document_frequency[token] = self.document_frequency.get(token, 0) + 1
        self._retriever = None
        if self.vocab:
            self._retriever = bm25s.BM25(k1=k1, b=b)
            self._retriever.index((ids, self.vocab), show_progress=False)

    def parts(self) -> dict[str, Any]:
        """The index as plain values and numpy arrays (no objects), for :meth:`from_parts` (a saved
        matching index: :mod:`api.matching_saved`)."""
        import numpy as np

        vocab = list(self.vocab)
        arrays = {"df": np.array([self.document_frequency.get(t, 0) for t in vocab], dtype=np.int64)}
        found = self._retriever
        if found is not None:
            if getattr(found, "nonoccurrence_array", None) is not None:
                arrays["nonoccurrence"] = found.nonoccurrence_array
            arrays.update({k: found.scores[k] for k in ("data", "indices", "indptr")})
        params = {} if found is None else {"k1": found.k1, "b": found.b, "num_docs": found.scores["num_docs"],
                                           "vocab_dict": found.vocab_dict}  # fmt: skip
        return {"vocab": vocab, "size": self.size, "params": params, "arrays": arrays}

    @classmethod
    def from_parts(cls, parts: dict[str, Any]) -> Bm25Index:
        """The index :meth:`parts` describes, scoring exactly as the one it was taken from."""
        import bm25s

        index = cls([])
        index.vocab = {t: i for i, t in enumerate(parts["vocab"])}
        index.size = int(parts["size"])
        index.document_frequency = {
            t: int(n) for t, n in zip(parts["vocab"], parts["arrays"]["df"], strict=True) if n
        }
        params, arrays = parts["params"], parts["arrays"]
        if params:
            found = bm25s.BM25(k1=params["k1"], b=params["b"])
            found.scores = {k: arrays[k] for k in ("data", "indices", "indptr")}
            found.scores["num_docs"] = int(params["num_docs"])
            found.vocab_dict = dict(params["vocab_dict"])
            found.unique_token_ids_set = set(found.vocab_dict.values())
            found.nonoccurrence_array = arrays.get("nonoccurrence")
            index._retriever = found
        return index

    def scores(self, query: Sequence[str]) -> Any:
        """BM25 score of every document for the stems ``query`` (unknown stems ignored)."""
        import numpy as np

        known = sorted({self.vocab[t] for t in query if t in self.vocab})
        if self._retriever is None or not known:
            return np.zeros(self.size, dtype=np.float32)
        return self._retriever.get_scores_from_ids(known)

    def idf(self, token: str) -> float:
        """``log(1 + N / df)``: how rare a stem is among the documents (0 for an unknown stem)."""
        import math

        df = self.document_frequency.get(token, 0)
        return math.log(1 + self.size / df) if df else 0.0
