"""Entity resolution across reports: one key per system, unit type, role, person and partner.

Pure functions over names. Abbreviation/expansion pairs come from the report's glossary and the curated
seed vocabulary (``ontology/vocabulary.ttl``), so no force-, person- or system-specific name lives here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from graph.iris import slugify
from loaders.model import Entity, EntityKind, InspectionReport
from loaders.vocabulary import Vocabulary

#: generic abbreviations inside printed ranks (used when the vocabulary does not list the whole form)
_RANK_WORDS: dict[str, str] = {
    "det": "Detective",
    "supt": "Superintendent",
    "insp": "Inspector",
    "sgt": "Sergeant",
    "ch": "Chief",
    "con": "Constable",
    "asst": "Assistant",
    "dep": "Deputy",
}
_TITLES = re.compile(r"^(mr|mrs|ms|miss|dr)\.?\s+", re.IGNORECASE)
_ABBREVIATION = re.compile(r"^[A-Z][A-Za-z0-9&]*[A-Z0-9]s?$")


def normalise(text: str) -> str:
    """Case-folded text with punctuation turned into single spaces (the comparison key of names)."""
    return " ".join(re.sub(r"[^\w&]+", " ", text.replace("’", "'").replace("'", "")).casefold().split())


def looks_like_abbreviation(text: str) -> bool:
    """``DPMU``, ``CAIUs``, ``ViSOR`` (two or more capitals, no spaces)."""
    return (
        " " not in text.strip()
        and bool(_ABBREVIATION.match(text.strip()))
        and sum(c.isupper() for c in text) >= 2
    )


def canonical_rank(printed: str, vocabulary: Vocabulary | None = None) -> str:
    """One canonical rank for its printed variants: ``Detective Supt`` -> ``Detective Superintendent``."""
    if vocabulary is not None:
        term = vocabulary.find("ranks", printed)
        if term is not None:
            return term.label
    words = [_RANK_WORDS.get(w.casefold().rstrip("."), w) for w in printed.split()]
    canonical = " ".join(words)
    if vocabulary is not None:
        term = vocabulary.find("ranks", canonical)
        if term is not None:
            return term.label
    return " ".join(w if w.isupper() else w[:1].upper() + w[1:] for w in canonical.split())


def person_key(name: str) -> str:
    """Slug of a person's full name without courtesy titles: ``Mrs Jo Bloggs`` -> ``jo-bloggs``."""
    return slugify(_TITLES.sub("", " ".join(name.split())))


@dataclass(frozen=True)
class Expansions:
    """Abbreviation <-> expansion pairs (glossary + seed vocabulary), compared by :func:`normalise`."""

    to_abbreviation: Mapping[str, str] = field(default_factory=dict)
    to_expansion: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, str]]) -> Expansions:
        """From ``(abbreviation, expansion)`` pairs; the first pair for a key wins."""
        short: dict[str, str] = {}
        long: dict[str, str] = {}
        for abbreviation, expansion in pairs:
            if not abbreviation.strip() or not expansion.strip():
                continue
            short.setdefault(normalise(expansion), abbreviation.strip())
            long.setdefault(normalise(abbreviation), expansion.strip())
        return cls(short, long)

    def abbreviate(self, text: str) -> str:
        """Replace every known expansion inside ``text`` by its abbreviation (longest first)."""
        key = normalise(text)
        for expansion in sorted(self.to_abbreviation, key=len, reverse=True):
            if expansion and re.search(rf"\b{re.escape(expansion)}\b", key):
                key = re.sub(rf"\b{re.escape(expansion)}\b", self.to_abbreviation[expansion], key)
        return key

    def expand(self, abbreviation: str) -> str | None:
        return self.to_expansion.get(normalise(abbreviation))


def report_expansions(report: InspectionReport, vocabulary: Vocabulary | None = None) -> Expansions:
    """The report's glossary first, then the vocabulary's unit types, posts, partners and systems."""
    pairs = [(entry.abbreviation, entry.expansion) for entry in report.glossary]
    if vocabulary is not None:
        for group in (vocabulary.unit_types, vocabulary.posts, vocabulary.partners, vocabulary.it_systems):
            for term in group:
                if term.expansion:
                    pairs.append((term.label, term.expansion))
                pairs.extend((term.label, hidden) for hidden in term.hidden_labels if " " in hidden)
    pairs.extend((abbr, exp) for abbr, exp in _plural_pairs(pairs))
    return Expansions.of(pairs)


def _plural_pairs(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(a, e + "s") for a, e in pairs if not e.endswith("s")]


def system_slug(name: str) -> str:
    """``ViSOR`` / ``Visor`` / ``VISOR`` -> ``visor``."""
    return slugify(name)


def unit_type_of(
    entity: Entity, expansions: Expansions, vocabulary: Vocabulary | None = None
) -> tuple[str, str, str | None]:
    """``(slug, label, expansion)`` of a unit's type; ``child abuse investigation unit`` ≡ ``CAIU``.

    A unit with no abbreviation takes a known unit type from the vocabulary, else the generic kind of
    its head noun (``A division`` -> ``division``), else a type of its own.
    """
    name = " ".join(entity.name.split())
    if looks_like_abbreviation(name):
        label = name[:-1] if name.endswith("s") and name[:-1].isupper() else name
        return slugify(label), label, entity.expansion or expansions.expand(label)
    abbreviation = expansions.to_abbreviation.get(normalise(name))
    if abbreviation is not None:
        return (
            slugify(abbreviation),
            abbreviation,
            entity.expansion or expansions.expand(abbreviation) or name,
        )
    if vocabulary is not None:
        known = vocabulary.find("unit_types", name)
        if known is not None:
            return slugify(known.label), known.label, known.expansion
        kind = _unit_kind(name, vocabulary)
        if kind is not None:
            return slugify(kind), kind, None
    fallback = entity.id.partition("/")[2] or slugify(name)
    return slugify(fallback), name, entity.expansion


def unit_key(entity: Entity, expansions: Expansions, vocabulary: Vocabulary | None = None) -> str:
    """The slug of a force's unit: its type's for a specific type (one DPMU per force), its own name's
    when the type is only a generic kind (``A division`` and ``B division`` stay two units)."""
    slug, label, _ = unit_type_of(entity, expansions, vocabulary)
    if vocabulary is not None and vocabulary.find("unit_kinds", label) is not None:
        own = slugify(" ".join(entity.name.split()))
        return own if own != slug else slug
    return slug


def _unit_kind(name: str, vocabulary: Vocabulary) -> str | None:
    """The generic kind named by the head noun of ``name`` (brackets ignored, plural allowed)."""
    words = re.sub(r"\([^)]*\)", " ", name).split()
    if not words:
        return None
    head = words[-1].casefold()
    for candidate in (head, head[:-1] if head.endswith("s") else None):
        term = vocabulary.find("unit_kinds", candidate) if candidate else None
        if term is not None:
            return term.label
    return None


def role_slug(name: str, expansions: Expansions) -> str:
    """``ACC (crime)`` ≡ ``assistant chief constable (crime)`` -> ``acc-crime``."""
    return slugify(expansions.abbreviate(name))


def entity_slug(entity: Entity, expansions: Expansions, vocabulary: Vocabulary | None = None) -> str:
    """The cross-report key of an entity (the unit's is its type's)."""
    if entity.kind is EntityKind.IT_SYSTEM:
        return system_slug(entity.name)
    if entity.kind is EntityKind.UNIT:
        return unit_key(entity, expansions, vocabulary)
    if entity.kind is EntityKind.PERSON:
        return person_key(entity.name)
    term = _term_of(entity, vocabulary)
    if term is not None:  # "PA" and "police authority", "SC" and "special constable": one slug
        return slugify(term.label)
    if entity.kind is EntityKind.ROLE:
        return role_slug(entity.name, expansions)
    return slugify(expansions.abbreviate(entity.name)) if " " in entity.name else slugify(entity.name)


def _term_of(entity: Entity, vocabulary: Vocabulary | None):
    """The vocabulary post, rank or partner term an entity is printed as (its name or expansion)."""
    if vocabulary is None:
        return None
    groups = ("posts", "ranks") if entity.kind is EntityKind.ROLE else ("partners",)
    for text in (entity.name, entity.expansion):
        for group in groups:
            if text and (term := vocabulary.find(group, text)) is not None:
                return term
    return None


def is_local(entity: Entity, vocabulary: Vocabulary | None) -> bool:
    """True for a post or partner body each force has its own of (its IRI carries the force).

    Posts are local unless the vocabulary lists them in ``hv:national-bodies`` (HM Inspector, Home
    Secretary); partner bodies are local when listed in ``hv:local-bodies`` (police authority, LSCB, CDRP,
    probation, councils …) or named as a council or authority of a place, otherwise shared.
    """
    scope = vocabulary.scope(entity.name) if vocabulary is not None else None
    if scope is None and vocabulary is not None and entity.expansion:
        scope = vocabulary.scope(entity.expansion)
    if entity.kind is EntityKind.ROLE:
        return scope != "national"
    if entity.kind is EntityKind.PARTNER:
        if scope is not None:
            return scope == "local"
        return _LOCAL_HEAD.search(entity.name) is not None
    return False


_LOCAL_HEAD = re.compile(r"\b(?:[Cc]ouncils?|[Ll]ocal\s+\w+|[Pp]olice\s+authority)\b")


def owned_slug(force_id: str, slug: str) -> str:
    """The slug of a force's own post or body: ``nottinghamshire-dcc``."""
    return f"{force_id}-{slug}"


def entity_slugs(
    report: InspectionReport, expansions: Expansions, vocabulary: Vocabulary | None = None
) -> dict[str, str]:
    """Loader entity id -> resolved ``"<kind prefix>/<slug>"`` for every entity of the report.

    Posts and local partner bodies (:func:`is_local`) get the report's force in their slug, so two forces'
    DCCs or police authorities are two nodes; national bodies and posts are one node for all reports.
    """
    slugs: dict[str, str] = {}
    for entity in report.entities:
        slug = entity_slug(entity, expansions, vocabulary)
        if is_local(entity, vocabulary):
            slug = owned_slug(report.force.id, slug)
        slugs[entity.id] = f"{entity.kind.id_prefix}/{slug}"
    return slugs
