"""Collect candidate entities from many kinds of evidence, merge variants, then find every mention.

Discovery rules call :meth:`Registry.add` with whatever they learned (a label as printed, an abbreviation,
an expansion, extra surface forms). Drafts sharing a merge key (normalised name, abbreviation or
expansion) of the same kind become one entity. :meth:`Registry.entities` scans the joined text once per
kind for all surface forms and returns frozen :class:`Entity` values.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from loaders.entity_patterns import JoinedText, entity_id, normalise, singular
from loaders.model import Entity, EntityKind, EntityMention
from loaders.regex_tools import compiled, first_char_alternation, literal_body, word_start_alternation

_PLURAL = r"(?:s|es|’s|'s)?"


def merge_key(text: str) -> str:
    """Merge key of a name: normalised, words singular (``"SNTs"`` and ``"SNT"`` agree)."""
    return " ".join(singular(w) for w in normalise(text).replace("(", " ").replace(")", " ").split())


@dataclass(eq=False)
class Draft:
    """A candidate entity while evidence is being gathered."""

    kind: EntityKind
    labels: list[str] = field(default_factory=list)
    abbreviations: list[str] = field(default_factory=list)
    expansion: str | None = None
    forms: set[str] = field(default_factory=set)  # matched case-sensitively
    iforms: set[str] = field(default_factory=set)  # matched ignoring case
    rank: str | None = None
    roles: list[Draft] = field(default_factory=list)
    printed_at: list[tuple[int, str]] = field(default_factory=list)  # (offset, text) no form scan finds
    merged_into: Draft | None = None

    def root(self) -> Draft:
        draft = self
        while draft.merged_into is not None:
            draft = draft.merged_into
        return draft

    def merge_keys(self) -> set[str]:
        texts = (*self.labels, *self.abbreviations, *((self.expansion,) if self.expansion else ()))
        return {merge_key(t) for t in texts if t.strip()}

    def absorb(self, other: Draft) -> None:
        self.labels.extend(x for x in other.labels if x not in self.labels)
        self.abbreviations.extend(x for x in other.abbreviations if x not in self.abbreviations)
        self.expansion = self.expansion or other.expansion
        self.forms |= other.forms
        self.iforms |= other.iforms
        self.rank = self.rank or other.rank
        self.roles.extend(other.roles)
        self.printed_at.extend(other.printed_at)
        other.merged_into = self


class Registry:
    """Drafts by kind and merge key; see the module docstring."""

    def __init__(self) -> None:
        self._by_key: dict[tuple[EntityKind, str], Draft] = {}

    def get(self, kind: EntityKind, text: str) -> Draft | None:
        """The draft of ``kind`` known under ``text`` (name, abbreviation or expansion), if any."""
        draft = self._by_key.get((kind, merge_key(text)))
        return draft.root() if draft else None

    def add(
        self,
        kind: EntityKind,
        label: str,
        *,
        abbreviation: str | None = None,
        expansion: str | None = None,
        forms: tuple[str, ...] = (),
        printed_at: tuple[int, str] | None = None,
    ) -> Draft:
        """Record evidence for an entity; returns the (possibly merged) draft.

        ``printed_at`` is an ``(offset, text)`` mention for a name the text only implies ("the two HQ
        divisions, operations and support" names the HQ operations division).
        """
        label = " ".join(label.split())
        new = Draft(kind, labels=[label], expansion=expansion)
        if printed_at is not None:
            new.printed_at.append(printed_at)
        if abbreviation:
            new.abbreviations.append(abbreviation)
        for form in (label, abbreviation, *forms):
            if form:
                (new.forms if _is_proper(form) else new.iforms).add(form)
        if expansion:
            new.iforms.add(expansion)
        found = {d.root() for key in new.merge_keys() if (d := self._by_key.get((kind, key)))}
        target = new
        if found:
            target, *others = sorted(found, key=lambda d: -len(d.merge_keys()))
            for other in others:
                target.absorb(other)
            target.absorb(new)
        for key in target.merge_keys():
            self._by_key[(kind, key)] = target
        return target

    def drafts(self) -> list[Draft]:
        seen: dict[int, Draft] = {}
        for draft in self._by_key.values():
            root = draft.root()
            seen.setdefault(id(root), root)
        return list(seen.values())

    def entities(self, joined: JoinedText) -> tuple[Entity, ...]:
        """Final entities with every mention in ``joined``; drafts never mentioned are dropped."""
        drafts = self.drafts()
        by_kind: dict[EntityKind, list[Draft]] = {}
        for draft in drafts:
            by_kind.setdefault(draft.kind, []).append(draft)
        mentions: dict[int, list[EntityMention]] = {}
        for kind_drafts in by_kind.values():
            for draft, mention in _scan(joined, kind_drafts):
                mentions.setdefault(id(draft), []).append(mention)
        for draft in drafts:
            for offset, text in draft.printed_at:
                line = joined.line_at(offset)
                mentions.setdefault(id(draft), []).append(
                    EntityMention(" ".join(text.split()), line.number, line.page)
                )
        names = {id(d): _name(d, mentions.get(id(d), [])) for d in drafts}
        ids = {key: entity_id(d.kind, names[key]) for d in drafts if (key := id(d))}
        merged: dict[str, Entity] = {}
        for draft in drafts:
            found = mentions.get(id(draft))
            if not found:
                continue
            eid = ids[id(draft)]
            roles = tuple(dict.fromkeys(ids[id(r.root())] for r in draft.roles if id(r.root()) in ids))
            entity = Entity(
                id=eid,
                kind=draft.kind,
                name=names[id(draft)],
                expansion=draft.expansion,
                mentions=tuple(found),
                rank=draft.rank,
                roles=roles,
            )
            if eid in merged:
                old = merged[eid]
                entity = Entity(
                    eid,
                    old.kind,
                    old.name,
                    old.expansion or entity.expansion,
                    old.mentions + entity.mentions,
                    old.rank or entity.rank,
                    old.roles + entity.roles,
                )
            merged[eid] = entity
        return tuple(
            Entity(
                e.id,
                e.kind,
                e.name,
                e.expansion,
                tuple(sorted(set(e.mentions), key=lambda m: (m.line, m.text))),
                e.rank,
                tuple(dict.fromkeys(e.roles)),
            )
            for e in sorted(merged.values(), key=lambda e: e.id)
        )


def _is_proper(form: str) -> bool:
    """Forms with a capital after the first letter, or a digit, are names matched case-sensitively."""
    return any(c.isupper() or c.isdigit() for c in form[1:]) or (form[:1].isupper() and " " not in form)


def _name(draft: Draft, mentions: list[EntityMention]) -> str:
    """Canonical name: the abbreviation printed most often (at least once), else the first label."""
    counts: Counter[str] = Counter()
    for mention in mentions:
        text = _SUFFIX_RE.sub("", mention.text)
        counts.update((text, text[:-1]) if text.endswith("s") else (text,))
    printed = [a for a in draft.abbreviations if counts[a]]
    if printed:
        return max(printed, key=lambda a: (counts[a], -draft.abbreviations.index(a)))
    return draft.labels[0]


def _pattern(forms: list[str], flags: int = 0) -> str:
    """``(?<![\\w-])(?:<forms, longest first>){_PLURAL}(?![\\w-])``.

    Case-sensitive forms are written with ``word_start_alternation`` (same matches, found faster). Ignoring
    case, ``re`` cannot skip ahead to a first letter, and a lookbehind per form would be tried at every
    character, so there the single lookbehind stays in front.
    """
    alternatives = sorted(set(forms), key=len, reverse=True)
    if not flags & re.IGNORECASE:
        return rf"(?:{word_start_alternation(alternatives)}){_PLURAL}(?![\w-])"
    body = first_char_alternation(alternatives) or "|".join(map(literal_body, alternatives))
    return rf"(?<![\w-])(?:{body}){_PLURAL}(?![\w-])"


def _scan(joined: JoinedText, drafts: list[Draft]) -> list[tuple[Draft, EntityMention]]:
    """Leftmost-longest matches of every draft's forms (case-sensitive and case-insensitive passes)."""
    found: list[tuple[Draft, EntityMention]] = []
    for attribute, flags in (("forms", 0), ("iforms", re.IGNORECASE)):
        owner: dict[str, Draft] = {}
        for draft in drafts:
            for form in getattr(draft, attribute):
                key = normalise(form) if flags else " ".join(form.split())
                owner.setdefault(key, draft)
        if not owner:
            continue
        regex = compiled(_pattern(list(owner), flags), flags)
        for match in regex.finditer(joined.text):
            text = " ".join(match.group(0).split())
            draft = _owner_of(owner, text, bool(flags))
            if draft is None:
                continue
            line = joined.line_at(match.start())
            found.append((draft, EntityMention(text=text, line=line.number, page=line.page)))
    return found


_SUFFIX_RE = re.compile(r"(?:’s|'s)$")


def _owner_of(owner: dict[str, Draft], text: str, ignore_case: bool) -> Draft | None:
    for candidate in (text, re.sub(r"(?:’s|'s|es|s)$", "", text), text[:-1]):
        key = normalise(candidate) if ignore_case else candidate
        if key in owner:
            return owner[key]
    return None
