"""The facts of :mod:`graph.sharing` (the one definition of "shared"), computed in one linear pass over
plain rows: what :func:`graph.sharing.force_facts` answers, for the read model, the views and the CLI.

``graph/queries/api/force_entities.rq`` states the definition; evaluated by the engine, its "no other
force's report repeats the sentence" test joins every mention with every copy of its sentence, which on
a corpus whose reports repeat sentences thousands of times ran for minutes (over 60 s at 43 reports).
Here each sentence key gets the set of forces whose reports print it once, and each claim is checked
against that. The result is the same list of facts, in the query's order (``tests/test_snapshot.py``
compares them on the samples).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from graph.report_tables import Row, graph_table, table
from graph.store import Store

TRUE = frozenset({"true", "1"})


@dataclass(frozen=True)
class Fact:
    """``force`` uses / has a unit of / names / works with ``entity`` (``member``: the force's own
    unit type when ``entity`` is the first of equivalent types, else ``entity``)."""

    kind: str
    entity: str
    force: str
    member: str
    unit: str | None = None


class _Evidence:
    """Mentions by (entity, report), and the forces whose reports print each sentence key."""

    def __init__(
        self, mentions: Iterable[Row], report_force: dict[str, str], claimed: set[str], posts: set[str]
    ) -> None:
        """``claimed``: the entities some force is said to use or work with; ``posts``: the posts (only
        their mentions are weighed; every sentence key is)."""
        self.report_force = report_force
        key_forces: dict[str, set[str]] = defaultdict(set)
        #: (entity, force) -> [(in boilerplate, sentence key)] of the mentions in the force's reports
        own: dict[tuple[str, str], list[tuple[bool, str | None]]] = defaultdict(list)
        #: (entity, report) -> [in boilerplate] of its mentions in that report
        in_report: dict[tuple[str, str], list[bool]] = defaultdict(list)
        force_of = report_force.get
        for report, entity, key, boilerplate in mentions:
            force = force_of(report or "")
            if key is not None and force is not None:
                key_forces[key].add(force)
            if entity is None:
                continue
            if entity in posts:
                in_report[(entity, report or "")].append(
                    boilerplate is not None and boilerplate.lower() in TRUE
                )
            if force is not None and entity in claimed:
                own[(entity, force)].append((boilerplate is not None and boilerplate.lower() in TRUE, key))
        self.key_forces, self.own, self.in_report = key_forces, own, in_report

    def own_words(self, entity: str, force: str) -> bool:
        """The force's own text names ``entity``: no mention of it in the force's reports (the claim is
        taken as it is), or one outside the boilerplate in a sentence no other force's report prints."""
        mentions = self.own.get((entity, force))
        if not mentions:
            return True
        return any(
            not boiler and (key is None or self.key_forces.get(key, set()) <= {force})
            for boiler, key in mentions
        )

    def role_named(self, entity: str, report: str) -> bool:
        """Not every mention of the role in the report is in the boilerplate."""
        flags = self.in_report.get((entity, report))
        return not flags or not all(flags)


def sharing_facts(store: Store) -> list[Fact]:
    """Every fact of every force, ordered as ``force_entities.rq`` orders them (kind, entity, force)."""
    claims = graph_table(store, "sharing_claims")
    mentions = graph_table(store, "sharing_mentions")
    return facts_from_rows(
        [r for part in claims.values() for r in part],
        [r for part in mentions.values() for r in part],
        table(store, "sharing_vocabulary"),
    )


def facts_from_rows(claims: Iterable[Row], mentions: Iterable[Row], vocabulary: Iterable[Row]) -> list[Fact]:
    """The facts from the rows of ``sharing_claims.rq`` and ``sharing_mentions.rq`` (every report graph's,
    without the graph column) and of ``sharing_vocabulary.rq``; the joins through shared nodes (a unit's
    type, whether a mentioned entity is a post) are made here, over every graph's rows."""
    by_kind: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for kind, subject, entity in claims:
        by_kind[kind or ""].add((subject or "", entity or ""))
    for kind, subject, entity in vocabulary:
        by_kind[kind or ""].add((subject or "", entity or ""))
    report_force = dict(sorted(by_kind["report"]))
    generic = {entity for _, entity in by_kind["generic"]}
    posts = {entity for _, entity in by_kind["post"]}
    close: dict[str, set[str]] = defaultdict(set)
    for a, b in by_kind["close match"]:
        close[a].add(b)
    types: dict[str, set[str]] = defaultdict(set)
    for unit, unit_type in by_kind["unit type of"]:
        types[unit].add(unit_type)
    unit_claims = {(force, t, unit) for force, unit in by_kind["has unit"] for t in types.get(unit, ())}
    claimed = {entity for kind in ("IT system", "partner") for _, entity in by_kind[kind]}
    evidence = _Evidence(mentions, report_force, claimed, posts)
    found: set[Fact] = set()
    for kind in ("IT system", "partner"):
        for force, entity in by_kind[kind]:
            if evidence.own_words(entity, force):
                found.add(Fact(kind, entity, force, entity))
    for report, entity in by_kind["report mentions"]:
        force = report_force.get(report)
        if entity in posts and force is not None and evidence.role_named(entity, report):
            found.add(Fact("role", entity, force, entity))
    used = {member for _, member, _ in unit_claims}  # types some force has a unit of
    for force, member, unit in unit_claims:
        if member in generic:
            continue
        # equivalent types are one kind, named by the first (by IRI) that some force has a unit of
        candidates = [t for t in ({member} | close.get(member, set())) if t in used and t not in generic]
        found.add(Fact("unit type", min(candidates), force, member, unit))
    return sorted(found, key=lambda f: (f.kind, f.entity, f.force, f.member, f.unit or ""))
