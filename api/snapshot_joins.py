"""Joins of the per-report rows (:mod:`api.report_rows`) with what shared nodes are given by any report.

A person, a post or a force is named by several reports, each in its own graph, so its name or label is
not part of one graph's rows: these joins read the values of the nodes the rows refer to
(:func:`graph.report_tables.values`) and give the rows a whole-store query would (one per combination of
values), in a fixed order, so the snapshot does not depend on which graphs' rows were kept.
"""

from __future__ import annotations

from collections import defaultdict

from graph.report_tables import SKOS_PREF_LABEL, Row, values
from graph.store import Store

NONE: list[str | None] = [None]


def lead_rows(store: Store, table: list[Row]) -> list[Row]:
    """The rows of ``force_leads.rq`` (lead, force, leader, subject, subject text, text) with the labels
    of the leader and the subject: (lead, force, leader, leader label, subject, subject label, subject
    text, text), one per label of each, ordered by lead."""
    named = values(store, {n for r in table for n in (r[2], r[3]) if n is not None})
    found: list[Row] = []
    for lead, force, leader, subject, subject_text, text in sorted(table, key=lambda r: r[0] or ""):
        for leader_label in named.get(leader or "") or NONE:
            for subject_label in (named.get(subject) or NONE) if subject else NONE:
                found.append([lead, force, leader, leader_label, subject, subject_label, subject_text, text])
    return found


def people_rows(store: Store, table: list[Row]) -> list[tuple[str | None, ...]]:
    """From the rows of ``people.rq`` (node, kind, value): (person, name, rank, force, post, post label)
    for every combination of each person's values (any report's), ordered by name, person and force
    (unbound first) and then the rest."""
    typed: set[str] = set()
    given: dict[tuple[str, str], set[str]] = defaultdict(set)
    for node, kind, value in table:
        if kind == "person":
            typed.add(node or "")
        elif value is not None:
            given[(node or "", kind or "")].add(value)
    posts = {post for person in typed for post in given.get((person, "role"), ())}
    labels = values(store, posts, SKOS_PREF_LABEL)
    found = [
        (person, name, rank, force, post, label)
        for person in typed
        for name in sorted(given.get((person, "name"), ())) or NONE
        for rank in sorted(given.get((person, "rank"), ())) or NONE
        for force in sorted(given.get((person, "force"), ())) or NONE
        for post in sorted(given.get((person, "role"), ())) or NONE
        for label in (labels.get(post) or NONE if post is not None else NONE)
    ]
    found.sort(key=_people_order)
    return found


def _people_order(row: tuple[str | None, ...]) -> list[tuple[bool, str]]:
    """ORDER BY ?name ?person ?force (unbound first), then rank, post and post label."""
    person, name, rank, force, post, label = row
    return [(v is not None, v or "") for v in (name, person, force, rank, post, label)]
