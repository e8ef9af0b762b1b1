"""The evidence behind "who has solved this?": for one finding or practice, a row of features per
candidate (every practice and strength in the store), computed for all candidates at once with numpy.

Features (columns of :data:`FEATURES`, each 0–1):
``same_area``, ``near_area`` (same broader area, broader/narrower, or ``skos:related`` in the ontology),
``topic`` (cosine of the two texts' topic profiles, topics weighted by rarity: :mod:`graph.topics`),
``entities`` (share of the query's IT systems, unit types and partners, weighted by rarity, that the
candidate also names; SKOS-equivalent terms count as the same), ``bm25`` (BM25 over stems, divided by
the best candidate's), ``embedding`` (WordLlama cosine, rescaled per query; 0 when unavailable) and
``named_area`` (one text names the other's inspection area: "performance indicators for Neighbourhood
Policing" and a neighbourhood policing strength) and ``practice`` (the candidate is a developing practice, which says what was done and whom to call).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from api.catalogue import Catalogue
from graph import embeddings
from graph.lexical import Bm25Index, stems
from graph.topics import TopicScheme

FEATURES = ("same_area", "near_area", "named_area", "topic", "entities", "bm25", "embedding", "practice")
ENTITY_KINDS = {"system": "system", "unit": "unit", "unit-type": "unit", "partner": "partner"}


def practice_text(practice: dict[str, Any]) -> str:
    return " ".join(
        filter(None, (practice["title"], practice["problem"], practice["solution"], practice["outcomes"]))
    )


@dataclass(frozen=True)
class Query:
    """What a finding or practice brings to the ranking."""

    subject: str  # IRI
    text: str
    area_id: str | None
    force_id: str | None


def entity_keys(cat: Catalogue, scheme: TopicScheme, subject: str) -> dict[tuple[str, str], str]:
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
        table = cat.systems if kind == "system" else cat.unit_types if kind != "partner" else {}
        label = table.get(key, {}).get("label", key.replace("-", " "))
        found.setdefault((ENTITY_KINDS[kind], scheme.same_term(key)), label)
    return found


def area_family(cat: Catalogue, scheme: TopicScheme, area_id: str | None) -> set[str]:
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
    """Every practice and strength as rows (practices first, catalogue order), with their stems, topic
    profiles, entity postings, BM25 index and embeddings; :meth:`features` scores one query."""

    def __init__(self, cat: Catalogue, scheme: TopicScheme) -> None:
        import numpy as np

        self.cat, self.scheme = cat, scheme
        rows: list[dict[str, Any]] = []
        for p in cat.practices.values():
            rows.append({"kind": "practice", "id": p["id"], "iri": p["iri"], "title": p["title"],
                         "text": p["problem"] or "", "full": practice_text(p), "force": p["force"],
                         "area": p["area"], "contact": p["contact"]})  # fmt: skip
        for f in cat.findings.values():
            if f["kind"] == "strength":
                rows.append({"kind": "strength", "id": None, "iri": f["iri"], "title": f["text"][:120],
                             "text": f["text"], "full": f["text"], "force": f["force"], "area": f["area"],
                             "contact": None})  # fmt: skip
        self.rows = rows
        self.position = {r["iri"]: i for i, r in enumerate(rows)}
        n = len(rows)
        self.force_ids = [(r["force"] or {}).get("id") for r in rows]
        self.area_ids = [(r["area"] or {}).get("id") for r in rows]
        self.force = np.array([hash(f) for f in self.force_ids], dtype=np.int64)
        self.is_practice = np.array([r["kind"] == "practice" for r in rows], dtype=np.float32)
        self.stems = [stems(r["full"]) for r in rows]
        self.bm25 = Bm25Index(self.stems)
        self.named = [scheme.areas_named(doc) for doc in self.stems]
        # topics: rows of tf-idf weights, unit length
        self.topic_keys = [t.key for t in scheme.topics]
        counts = np.zeros((n, len(self.topic_keys)), dtype=np.float32)
        column = {k: j for j, k in enumerate(self.topic_keys)}
        for i, doc in enumerate(self.stems):
            for key, count in scheme.detect(doc).items():
                counts[i, column[key]] = count
        present = (counts > 0).sum(axis=0)
        self.topic_idf = np.log((1 + n) / (1 + present)).astype(np.float32) + 1.0
        self.topics = _unit_rows(self._topic_weights(counts))
        self.entities = [entity_keys(cat, scheme, r["iri"]) for r in rows]
        postings: dict[tuple[str, str], list[int]] = {}
        for i, keys in enumerate(self.entities):
            for key in keys:
                postings.setdefault(key, []).append(i)
        self.postings = {k: np.array(v, dtype=np.intp) for k, v in postings.items()}
        self.entity_idf = {k: math.log(1 + n / len(v)) for k, v in postings.items()}
        self.vectors = embeddings.embed([r["full"] for r in rows])

    def _topic_weights(self, counts: Any) -> Any:
        import numpy as np

        return np.where(counts > 0, 1.0 + np.log(np.maximum(counts, 1.0)), 0.0) * self.topic_idf

    def topic_profile(self, text_stems: list[str]) -> dict[str, int]:
        return self.scheme.detect(text_stems)

    def features(self, query: Query, query_stems: list[str] | None = None) -> Any:
        """The (candidates x :data:`FEATURES`) matrix for ``query``, float32."""
        import numpy as np

        n = len(self.rows)
        out = np.zeros((n, len(FEATURES)), dtype=np.float32)
        if n == 0:
            return out
        q_stems = stems(query.text) if query_stems is None else query_stems
        if query.area_id is not None:
            out[:, 0] = [a == query.area_id for a in self.area_ids]
            near = area_family(self.cat, self.scheme, query.area_id)
            out[:, 1] = [a in near for a in self.area_ids]
        named = self.scheme.areas_named(q_stems)
        out[:, 2] = [
            a != query.area_id and (a in named or (query.area_id is not None and query.area_id in names))
            for a, names in zip(self.area_ids, self.named, strict=True)
        ]
        counts = np.zeros(len(self.topic_keys), dtype=np.float32)
        for key, count in self.scheme.detect(q_stems).items():
            counts[self.topic_keys.index(key)] = count
        q_topics = self._topic_weights(counts[None, :])[0]
        norm = float(np.linalg.norm(q_topics))
        if norm > 0:
            out[:, 3] = self.topics @ (q_topics / norm)
        q_entities = entity_keys(self.cat, self.scheme, query.subject)
        total = sum(self.entity_idf.get(k, 0.0) for k in q_entities)
        if total > 0:
            for key in q_entities:
                if key in self.postings:
                    out[self.postings[key], 4] += self.entity_idf[key] / total
        lexical = self.bm25.scores(q_stems)
        best = float(lexical.max()) if lexical.size else 0.0
        if best > 0:
            out[:, 5] = lexical / best
        if self.vectors is not None:
            q_vec = embeddings.embed([query.text])
            if q_vec is not None:
                sims = self.vectors @ q_vec[0]
                low, high = float(np.percentile(sims, 50)), float(sims.max())
                if high > low:
                    out[:, 6] = np.clip((sims - low) / (high - low), 0.0, 1.0)
        out[:, 7] = self.is_practice
        return out

    def other_forces(self, force_id: str | None) -> Any:
        import numpy as np

        return np.array([f != force_id for f in self.force_ids], dtype=bool)


def _unit_rows(matrix: Any) -> Any:
    import numpy as np

    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0).astype(np.float32)
