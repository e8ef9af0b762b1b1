"""Why a practice or strength was matched, in words: the topics, entities and words the two texts share,
with where those words are in each text (character offsets, for highlighting), and the score's parts.
"""

from __future__ import annotations

from typing import Any

from api.matching_evidence import FEATURES, Evidence
from graph.lexical import Word

MAX_PHRASES = 4
MIN_IDF = 2.0  # a shared word must be at least this rare among the candidates to be named


def _phrases(text: str, tokens: list[Word], shared: set[str], idf: dict[str, float]) -> list[str]:
    """Runs of consecutive shared words of ``text`` (stop words inside a run kept, punctuation ends it),
    best first, one per sequence of stems."""
    runs: list[tuple[float, tuple[str, ...], str]] = []
    run: list[Word] = []

    def close() -> None:
        while run and run[-1].stem not in shared:
            run.pop()
        if run:
            key = tuple(w.stem for w in run if w.stem)
            runs.append((sum(idf[s] for s in key), key, text[run[0].start : run[-1].end]))
        run.clear()

    for word in tokens:
        joined = not run or not text[run[-1].end : word.start].strip(" -")
        if not joined:
            close()
        if word.stem in shared or (run and word.stem == ""):
            run.append(word)
        else:
            close()
    close()
    seen: set[tuple[str, ...]] = set()
    out = []
    for _, key, phrase in sorted(runs, key=lambda r: -r[0]):
        if key not in seen and not any(set(key) <= set(k) for k in seen):
            seen.add(key)
            out.append(phrase)
    return out[:MAX_PHRASES]


def _spans(tokens: list[Word], shared: set[str]) -> list[list[int]]:
    return [[w.start, w.end] for w in tokens if w.stem in shared]


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def explain(
    ev: Evidence,
    query_text: str,
    q_tokens: list[Word],
    query_topics: dict[str, int],
    query_entities: dict[tuple[str, str], str],
    i: int,
    features: Any,
    weights: Any,
) -> dict[str, Any]:
    """The ``why`` of candidate ``i`` for a query (its text and :func:`words`, topic counts, entities)."""
    row = ev.rows[i]
    c_tokens = ev.words_of(i)
    q_stems = {w.stem for w in q_tokens if w.stem}
    c_stems = set(ev.stems[i])
    idf = {s: ev.bm25.idf(s) for s in q_stems & c_stems}
    shared = {s for s, v in idf.items() if v >= MIN_IDF}
    phrases = _phrases(query_text, q_tokens, shared, idf)
    c_topics = ev.topic_counts_of(i)
    shared_topics = query_topics.keys() & c_topics.keys()
    topics = sorted(shared_topics, key=lambda k: (-(query_topics[k] * c_topics[k]), k))  # ties by key
    topic_labels = [ev.scheme.label(k) for k in topics[:3]]
    c_entities = ev.entities[i]
    common = sorted({query_entities[k] for k in query_entities.keys() & c_entities.keys()})
    systems = sorted(
        {query_entities[k] for k in query_entities.keys() & c_entities.keys() if k[0] == "system"}
    )
    units = sorted({query_entities[k] for k in query_entities.keys() & c_entities.keys() if k[0] == "unit"})
    same, near, named = bool(features[0]), bool(features[1]), bool(features[2])
    sentences = []
    if topic_labels:
        sentences.append(f"both are about {_join(topic_labels)}")
    if common:
        sentences.append(f"both name {_join(common)}")
    if phrases:
        sentences.append("both say " + _join([f"“{p}”" for p in phrases]))
    area = (row["area"] or {}).get("label", "").lower()
    if same:
        sentences.append("same area")
    elif (near or named) and area:
        sentences.append(f"from the neighbouring area {area}")
    summary = "; ".join(sentences)
    parts = {
        name: {"value": round(float(features[j]), 4), "weight": round(float(weights[j]), 4),
               "contribution": round(float(features[j] * weights[j]), 4)}
        for j, name in enumerate(FEATURES)
    }  # fmt: skip
    return {
        "same_area": same,
        "related_area": near or named,
        "shared_systems": systems,
        "shared_units": units,
        "text_similarity": round(float(features[FEATURES.index("bm25")]), 4),
        "summary": summary[:1].upper() + summary[1:],
        "topics": topic_labels,
        "shared_entities": common,
        "shared_terms": phrases,
        "highlights": {"finding": _spans(q_tokens, shared), "match": _spans(c_tokens, shared)},
        "parts": parts,
    }
