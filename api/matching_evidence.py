"""The evidence behind "who has solved this?": for one finding or practice, a row of features per
candidate (every practice and strength in the store), computed for all candidates at once with numpy.

Features (:data:`FEATURES`, each 0–1; docs/matching.md): ``same_area``, ``near_area``, ``named_area``;
``topic`` (topic profiles' cosine: :mod:`graph.topics`); ``entities`` (the rarest system, unit or partner
both name); ``bm25`` (relative to the best that can be offered, :data:`RECOMMENDATION_BM25` of it from the
query's recommendation sentences); ``embedding`` (each query sentence's closest candidate sentence, those
recommending weighing :data:`RECOMMENDATION_WEIGHT`); ``practice``; ``main_topics`` (share of the query's
:data:`MAIN_TOPICS` heaviest topics the candidate is about).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from api.snapshot import Snapshot
from graph import embeddings
from graph.lexical import Bm25Index, both_stems, stems, words
from graph.topics import TopicScheme

FEATURES = ("same_area", "near_area", "named_area", "topic", "entities", "bm25", "embedding", "practice",
            "main_topics")  # fmt: skip
MAIN_TOPICS = 2  # a text's main topics: its most weighted ones (the ``main_topics`` feature)
TOPIC_SHARPNESS = 1.0  # topic weights are raised to this power: a text's main topics count most
TOKEN_CACHE = 4096  # candidates whose words are kept for explaining matches
TEXT_CACHE = 8192  # query texts whose stems, topics, words and sentence embeddings are kept
COMMON_ENTITY = 0.25  # share of candidates above which an entity is too common to count
ENTITY_KINDS = {"system": "system", "unit": "unit", "unit-type": "unit", "partner": "partner"}
SENTENCE_END = re.compile(r"(?<=[.;•])\s+")
# what a finding asks for ("the force should consider ...") is what it is mainly about (issue 17d)
RECOMMENDS = re.compile(r"\b(should|needs? to|must|would|consider|ensure|requires?|recommend)\b", re.I)
RECOMMENDATION_WEIGHT = 3.0
RECOMMENDATION_BM25 = 0.3  # share of ``bm25`` from the recommendation sentences alone (issue 17e)


def sentences_of(text: str) -> list[str]:
    """``text`` cut into sentences (short scraps joined to the text as a whole); at least one item."""
    parts = [p for p in SENTENCE_END.split(text or "") if len(p) > 20]
    return parts or [text or ""]


def practice_text(practice: dict[str, Any]) -> str:
    return " ".join(
        filter(None, (practice["title"], practice["problem"], practice["solution"], practice["outcomes"]))
    )


@dataclass
class TextSide:
    """What the ranking needs of a query's text, once per distinct text and store generation
    (:meth:`Evidence.text_side`); its words and sentence embeddings on first use."""

    text: str
    stems: list[str]
    topics: dict[str, int]
    topic_vector: Any  # unit length, zeros when no topic is detected
    main_topics: Any  # columns of its most weighted topics (at most MAIN_TOPICS), heaviest first
    named_areas: set[str]
    recommendation_stems: list[str]  # stems of the sentences saying what should be done (may be empty)
    _words: list[Any] | None = None
    _vectors: Any = False  # False: not computed yet; None: embeddings unavailable

    def words(self) -> list[Any]:
        if self._words is None:
            self._words = words(self.text)
        return self._words

    def vectors(self) -> Any:
        if self._vectors is False:
            self._vectors = embeddings.embed(sentences_of(self.text))
        return self._vectors

    def sentence_weights(self) -> Any:
        """Per sentence: :data:`RECOMMENDATION_WEIGHT` if it says what should be done, else 1."""
        import numpy as np

        found = [RECOMMENDATION_WEIGHT if RECOMMENDS.search(x) else 1.0 for x in sentences_of(self.text)]
        return np.array(found, dtype=np.float32)


@dataclass(frozen=True)
class Query:
    """What a finding or practice brings to the ranking."""

    subject: str  # IRI
    text: str
    area_id: str | None
    force_id: str | None


def entity_keys(cat: Snapshot, scheme: TopicScheme, subject: str) -> dict[tuple[str, str], str]:
    """(kind, equivalence group) -> label, for the IT systems, unit types and partners ``subject`` names."""
    found: dict[tuple[str, str], str] = {}
    for entity in sorted(cat.mentions.get(subject, ())):
        try:
            kind, parts = cat.iris.parse(entity)
        except ValueError:
            continue
        if kind not in ENTITY_KINDS or not parts:
            continue
        key = parts[-1]
        if kind == "partner":  # a force's own body ("{force}-mappa") is the same kind of body elsewhere
            key = next((key[len(f) + 1 :] for f in cat.forces if key.startswith(f + "-")), key)
        table = cat.systems if kind == "system" else cat.unit_types if kind != "partner" else {}
        default = key.upper() if len(key) <= 5 else key.replace("-", " ")
        label = table.get(key, {}).get("label", default)
        found.setdefault((ENTITY_KINDS[kind], scheme.same_term(key)), label)
    return found


def area_family(cat: Snapshot, scheme: TopicScheme, area_id: str | None) -> set[str]:
    """Areas near ``area_id`` (not itself): same broader area, its broader or narrower areas, related."""
    if not area_id:
        return set()
    broader = cat.areas.get(area_id, {}).get("broader")
    near = {a for a, v in cat.areas.items() if broader and (v.get("broader") == broader or a == broader)}
    near |= {a for a, v in cat.areas.items() if v.get("broader") == area_id}
    near |= set(scheme.neighbours.get(area_id, ()))
    near.discard(area_id)
    return near


class Evidence:
    """Every practice and strength as rows (practices first, snapshot order), with their stems, topic
    profiles, entity postings, BM25 index and embeddings; :meth:`features` scores one query."""

    @staticmethod
    def rows_of(cat: Snapshot) -> list[dict[str, Any]]:
        """The candidates: every practice, then every strength, in snapshot order."""
        rows: list[dict[str, Any]] = []
        for p in cat.practices.values():
            body = " ".join(filter(None, (p["problem"], p["solution"], p["outcomes"])))
            rows.append({"kind": "practice", "id": p["id"], "iri": p["iri"], "title": p["title"],
                         "text": body, "full": practice_text(p), "force": p["force"],
                         "area": p["area"], "contact": p["contact"]})  # fmt: skip
        for f in cat.findings.values():
            if f["kind"] == "strength":
                rows.append({"kind": "strength", "id": None, "iri": f["iri"], "title": f["text"][:120],
                             "text": f["text"], "full": f["text"], "force": f["force"], "area": f["area"],
                             "contact": None})  # fmt: skip
        return rows

    def __init__(self, cat: Snapshot, scheme: TopicScheme, saved: dict[str, Any] | None = None) -> None:
        """``saved``: the tables of a saved index (:mod:`api.matching_saved`, with ``rows`` from
        :meth:`rows_of`) instead of building them."""
        import numpy as np

        self.cat, self.scheme = cat, scheme
        self.rows = rows = saved["rows"] if saved is not None else self.rows_of(cat)
        self._by_area: dict[str | None, tuple[Any, Any, Any]] = {}
        self._forces: dict[str | None, Any] = {}
        self._tokens: dict[int, list[Any]] = {}  # words of candidates already explained (bounded)
        self._texts: dict[str, TextSide] = {}  # query texts already seen (bounded)
        self._area_base: dict[tuple[Any, ...], Any] = {}  # per area and weights (api.matching_batch)
        self.position = {r["iri"]: i for i, r in enumerate(rows)}
        n = len(rows)
        self.force_ids = [(r["force"] or {}).get("id") for r in rows]
        self.area_ids = [(r["area"] or {}).get("id") for r in rows]
        self.force_codes: dict[str | None, int] = {}
        self.force = np.array([self.force_codes.setdefault(f, len(self.force_codes)) for f in self.force_ids])
        self.area_codes: dict[str | None, int] = {}
        self.area = np.array([self.area_codes.setdefault(a, len(self.area_codes)) for a in self.area_ids])
        self.is_practice = np.array([r["kind"] == "practice" for r in rows], dtype=np.float32)
        if saved is not None:
            vars(self).update({k: v for k, v in saved.items() if k not in ("rows", "scheme")})
            return
        by_text: dict[str, tuple[list[str], list[str]]] = {}  # texts repeat (a strength quoted twice)
        for r in rows:
            if r["full"] not in by_text:
                by_text[r["full"]] = both_stems(r["full"])
        self.stems = [by_text[r["full"]][0] for r in rows]
        phrases = [by_text[r["full"]][1] for r in rows]  # stop words kept: what topics are matched on
        self.bm25 = Bm25Index(self.stems)
        self.names_area: dict[str, Any] = {}  # area id -> which candidates' texts name it
        named_by: dict[int, set[str]] = {}  # by identity of the (shared) stem list
        for i, doc in enumerate(self.stems):
            if id(doc) not in named_by:
                named_by[id(doc)] = scheme.areas_named(doc)
            for area_id in named_by[id(doc)]:
                self.names_area.setdefault(area_id, np.zeros(n, dtype=bool))[i] = True
        # topics: rows of tf-idf weights, unit length
        self.topic_keys = [t.key for t in scheme.topics]
        counts = np.zeros((n, len(self.topic_keys)), dtype=np.float32)
        column = {k: j for j, k in enumerate(self.topic_keys)}
        detected: dict[int, dict[str, int]] = {}  # by identity of the (shared) stem list
        for i, doc in enumerate(self.stems):
            found = detected.get(id(doc))
            if found is None:
                found = detected[id(doc)] = scheme.detect(phrases[i])
            for key, count in found.items():
                counts[i, column[key]] = count
        present = (counts > 0).sum(axis=0)
        self.topic_idf = np.log((1 + n) / (1 + present)).astype(np.float32) + 1.0
        self.topic_counts = counts
        self.has_topic = counts > 0
        self.topics = _unit_rows(self._topic_weights(counts))
        self.entities = [entity_keys(cat, scheme, r["iri"]) for r in rows]
        postings: dict[tuple[str, str], list[int]] = {}
        for i, keys in enumerate(self.entities):
            for key in keys:
                postings.setdefault(key, []).append(i)
        self.postings = {k: np.array(v, dtype=np.intp) for k, v in postings.items()}
        # a unit every force has ("BCU": SKOS data) or an entity named by more than COMMON_ENTITY of the
        # candidates says nothing about what a text is about: it is left out of the evidence
        self.entity_idf = {
            k: math.log(1 + n / len(v))
            for k, v in postings.items()
            if len(v) <= COMMON_ENTITY * n and not (k[0] == "unit" and k[1] in scheme.generic_units)
        }
        # embeddings of every sentence; a candidate scores its best sentence (long practices are not
        # diluted by their other sentences)
        unique: dict[str, int] = {}
        sentence_rows = [[unique.setdefault(x, len(unique)) for x in sentences_of(r["full"])] for r in rows]
        self.sentence_start = np.cumsum([0] + [len(x) for x in sentence_rows[:-1]]).astype(np.intp)
        self.sentence_index = np.array([j for group in sentence_rows for j in group], dtype=np.intp)
        self.vectors = embeddings.embed(list(unique))

    def text_side(self, text: str) -> TextSide:
        """:class:`TextSide` of ``text``, kept for the last :data:`TEXT_CACHE` texts (thread-safe enough:
        two threads may compute the same text twice, with the same result)."""
        import numpy as np

        side = self._texts.get(text)
        if side is None:
            q_stems, q_phrase = both_stems(text)
            topics = self.scheme.detect(q_phrase)
            counts = np.zeros(len(self.topic_keys), dtype=np.float32)
            for key, count in topics.items():
                counts[self.topic_keys.index(key)] = count
            q_topics = self._topic_weights(counts[None, :])[0]
            norm = float(np.linalg.norm(q_topics))
            vector = (q_topics / norm) if norm > 0 else np.zeros_like(q_topics)
            main = [j for j in np.argsort(-vector, kind="stable")[:MAIN_TOPICS] if vector[j] > 0]
            asks = stems(" ".join(x for x in sentences_of(text) if RECOMMENDS.search(x)))  # what it asks for
            side = TextSide(
                text, q_stems, topics, vector, np.array(main, np.intp), self.scheme.areas_named(q_stems), asks
            )
            if len(self._texts) >= TEXT_CACHE:
                self._texts.pop(next(iter(self._texts)), None)
            self._texts[text] = side
        return side

    def _topic_weights(self, counts: Any) -> Any:
        import numpy as np

        weights = np.where(counts > 0, 1.0 + np.log(np.maximum(counts, 1.0)), 0.0) * self.topic_idf
        return weights**TOPIC_SHARPNESS

    def features(self, query: Query) -> Any:
        """The (candidates x :data:`FEATURES`) matrix for ``query``, float32, every feature filled."""
        import numpy as np

        out = self.cheap_features(query)
        self.add_embedding(query, out, np.arange(len(self.rows)))
        return out

    def add_embedding(self, query: Query, out: Any, rows: Any) -> None:
        """Fill the ``embedding`` column of ``out`` for the candidates ``rows`` (positions, ascending)."""

        if self.vectors is None or not len(self.vectors) or not len(rows):
            return
        q_vecs = (side := self.text_side(query.text)).vectors()
        if q_vecs is None:
            return
        out[rows, FEATURES.index("embedding")] = self.embedding_of(q_vecs, rows, side.sentence_weights())

    def embedding_of(self, q_vecs: Any, rows: Any, q_weights: Any = None) -> Any:
        """The ``embedding`` feature of the candidates ``rows`` (positions, ascending, not empty) for a
        query's sentence vectors ``q_vecs`` weighed by ``q_weights`` (:meth:`TextSide.sentence_weights`)."""
        import numpy as np

        starts = self.sentence_start[rows]
        ends = np.append(self.sentence_start[1:], len(self.sentence_index))[rows]
        lengths = ends - starts
        picked = np.repeat(starts - np.cumsum(np.append(0, lengths[:-1])), lengths) + np.arange(lengths.sum())
        wanted = self.sentence_index[picked]
        # each distinct sentence once (texts repeat), its cosine with each query sentence a sum along its
        # own row: the same value whichever other candidates are asked with it (a matrix product's
        # rounding can depend on its shape)
        seen = np.zeros(len(self.vectors), dtype=bool)
        seen[wanted] = True
        distinct = np.flatnonzero(seen)
        where = np.empty(len(self.vectors), dtype=np.intp)
        where[distinct] = np.arange(distinct.size)
        chosen = self.vectors[distinct]
        sims = np.stack([(chosen * q).sum(axis=1) for q in q_vecs], axis=1)[where[wanted]]
        offsets = np.cumsum(np.append(0, lengths[:-1]))
        closest = np.maximum.reduceat(sims, offsets, axis=0)  # candidates x query sentences
        share = np.asarray(np.ones(closest.shape[1]) if q_weights is None else q_weights, np.float32)
        return np.clip((closest * (share / share.sum())).sum(axis=1), 0.0, 1.0)  # along each row

    def cheap_features(self, query: Query) -> Any:
        """:meth:`features` without the embedding column (0 there), which costs most at scale."""
        import numpy as np

        n = len(self.rows)
        out = np.zeros((n, len(FEATURES)), dtype=np.float32, order="F")  # written column by column
        if n == 0:
            return out
        side = self.text_side(query.text)
        same, near, names_it = self._area_columns(query.area_id)
        out[:, 0], out[:, 1] = same, near
        named = self._in_areas(side.named_areas) | names_it if side.named_areas else names_it
        out[:, 2] = named & ~same
        if side.topics:
            out[:, 3] = self.topics @ side.topic_vector
            out[:, 8] = self.main_topic_column(side)
        out[:, 4] = self.entity_column(query.subject)
        out[:, 5] = self.bm25_column(side, query.force_id)
        out[:, 7] = self.is_practice
        return out

    def bm25_column(self, side: TextSide, force_id: str | None) -> Any:
        """Per candidate: the ``bm25`` feature, BM25 of the query's stems relative to the best candidate
        that can be offered, :data:`RECOMMENDATION_BM25` of it from its recommendation sentences alone."""
        import numpy as np

        offered, column = self.other_forces(force_id), np.zeros(len(self.rows), dtype=np.float32)
        asks = RECOMMENDATION_BM25 if side.recommendation_stems else 0.0  # else the whole text alone
        for query, share in ((side.stems, 1.0 - asks), (side.recommendation_stems, asks)):
            lexical = self.bm25.scores(query)
            best = float(lexical[offered].max()) if share and offered.any() else 0.0
            if best > 0:
                column += np.float32(share) * (lexical / best).astype(np.float32)
        return column

    def main_topic_column(self, side: TextSide) -> Any:
        """Per candidate: the ``main_topics`` feature for a query's :class:`TextSide`."""
        import numpy as np

        if not side.main_topics.size:
            return np.zeros(len(self.rows), dtype=np.float32)
        return self.has_topic[:, side.main_topics].mean(axis=1, dtype=np.float32)

    def entity_column(self, subject: str) -> Any:
        """Per candidate: the ``entities`` feature for the finding or practice ``subject``."""
        import numpy as np

        column = np.zeros(len(self.rows), dtype=np.float32)
        q_entities = entity_keys(self.cat, self.scheme, subject)
        most = math.log(1 + len(self.rows))  # the rarity of an entity only one candidate names
        for key in q_entities:
            if key in self.entity_idf:
                rows = self.postings[key]
                column[rows] = np.maximum(column[rows], self.entity_idf[key] / most)
        return np.minimum(column, 1.0)

    def _area_columns(self, area_id: str | None) -> tuple[Any, Any, Any]:
        """Per candidate: in ``area_id``, in a nearby area, its text names ``area_id`` (kept per area)."""
        import numpy as np

        if area_id not in self._by_area:
            n = len(self.rows)
            same = self.area == self.area_codes[area_id] if area_id in self.area_codes else np.zeros(n, bool)
            near = self._in_areas(area_family(self.cat, self.scheme, area_id))
            names_it = self.names_area.get(area_id, np.zeros(n, dtype=bool)) if area_id else np.zeros(n, bool)
            self._by_area[area_id] = (same, near, names_it)
        return self._by_area[area_id]

    def _in_areas(self, area_ids: set[str]) -> Any:
        import numpy as np

        codes = [self.area_codes[a] for a in area_ids if a in self.area_codes]
        return np.isin(self.area, codes) if codes else np.zeros(len(self.rows), dtype=bool)

    def other_forces(self, force_id: str | None) -> Any:
        """Per candidate: of a force other than ``force_id`` (kept per force)."""
        if force_id not in self._forces:
            self._forces[force_id] = self.force != self.force_codes.get(force_id, -1)
        return self._forces[force_id]

    def words_of(self, i: int) -> list[Any]:
        """:func:`graph.lexical.words` of candidate ``i``'s text, kept for the last few thousand asked."""
        if i not in self._tokens:
            if len(self._tokens) >= TOKEN_CACHE:
                self._tokens.pop(next(iter(self._tokens)))
            self._tokens[i] = words(self.rows[i]["text"])
        return self._tokens[i]

    def topic_counts_of(self, i: int) -> dict[str, int]:
        return {k: int(c) for k, c in zip(self.topic_keys, self.topic_counts[i], strict=True) if c > 0}


def weighted(rows: Any, weights: Any) -> Any:
    """Scores of feature ``rows`` (C order), rounded to 4 places: a sum along each row, so a candidate's
    score does not depend on which other candidates are scored with it."""
    import numpy as np

    return np.round((np.ascontiguousarray(rows) * weights).sum(axis=1), 4)


def _unit_rows(matrix: Any) -> Any:
    import numpy as np

    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0).astype(np.float32)
