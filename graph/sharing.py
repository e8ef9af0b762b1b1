"""What each force uses, operates, names and works with: the one definition of "shared".

The facts come from one named query, ``graph/queries/api/force_entities.rq``; the user-facing
``graph/queries/shared-entities.rq`` aggregates the same block of it (tests pin the two equal). A fact
stands only on the force's own text:

* an IT system used or a partner worked with needs a mention outside the inspectorate's boilerplate
  (``hmic:inBoilerplate``), in a sentence no other force's report repeats (``hmic:sentenceKey``);
* a unit type counts through the force's units (``org:hasUnit``, itself never resting on boilerplate);
  a generic head noun (``hmic:GenericUnitKind``: "team", "unit") never counts, and equivalent types
  (``skos:closeMatch``: SNT ≈ SCT) are one kind, named by the first of them (by IRI);
* local bodies and posts are per force (their IRIs name the force), so they are never shared.

The API's catalogue (``/shared``, ``/systems``, ``/units``, ``/forces/{id}``), the home page, the
``bridges`` command and the shared network view all read these facts.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from graph.sharing_pass import Fact, sharing_facts
from graph.store import Store

QUERY = Path(__file__).resolve().parent / "queries" / "api" / "force_entities.rq"
#: the query's ?kind -> the node type of the networkx projection (graph.network)
NODE_TYPES = {"IT system": "system", "unit type": "unit-type", "role": "role", "partner": "partner"}


@cache
def query_text() -> str:
    return QUERY.read_text(encoding="utf-8")


def force_facts(store: Store) -> list[Fact]:
    """Every fact of every force, in the query's order (kind, entity, force), computed in one linear
    pass (:mod:`graph.sharing_pass`; the engine takes minutes over the query's nested ``NOT EXISTS``
    on a few dozen reports)."""
    return sharing_facts(store)


def query_facts(store: Store) -> list[Fact]:
    """The facts as the engine evaluates ``force_entities.rq``, the definition (tests compare it with
    :func:`force_facts`; an Oxigraph store: rdflib's engine takes minutes over it even on the samples)."""
    facts = []
    for row in store.query(query_text()).dicts():
        unit = row.get("unit")
        facts.append(
            Fact(
                kind=str(row["kind"]),
                entity=str(row["entity"]),
                force=str(row["force"]),
                member=str(row.get("member") or row["entity"]),
                unit=None if unit is None else str(unit),
            )
        )
    return facts


def forces_by_entity(facts: list[Fact], kind: str) -> dict[str, list[Fact]]:
    """``kind``'s entities -> one fact per force (the first), forces in query order."""
    found: dict[str, dict[str, Fact]] = defaultdict(dict)
    for fact in facts:
        if fact.kind == kind:
            found[fact.entity].setdefault(fact.force, fact)
    return {entity: list(by_force.values()) for entity, by_force in found.items()}


def shared(facts: list[Fact], min_forces: int = 2) -> dict[tuple[str, str], set[str]]:
    """(kind, entity) -> its forces, for what ``min_forces`` or more forces have in common."""
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for fact in facts:
        found[(fact.kind, fact.entity)].add(fact.force)
    return {key: forces for key, forces in found.items() if len(forces) >= min_forces}


def entity_forces(facts: list[Fact]) -> dict[str, set[str]]:
    """Node IRI (entity, and each equivalent member type) -> the forces it stands for in the facts."""
    found: dict[str, set[str]] = defaultdict(set)
    for fact in facts:
        found[fact.entity].add(fact.force)
    return dict(found)


def node_forces(facts: list[Fact]) -> dict[str, frozenset[str]]:
    """Entity IRI -> the forces it stands for (what the network projection keeps as ``graph["shares"]``)."""
    return {entity: frozenset(forces) for entity, forces in entity_forces(facts).items()}


def dataset_facts(data: Graph | Dataset) -> list[Fact]:
    """:func:`force_facts` of an rdflib graph or dataset (each of its graphs copied to an in-memory
    Oxigraph store, whose default graph is their union, as the served store's)."""
    from graph.store_oxigraph import OxigraphStore

    store = OxigraphStore(None)
    try:
        graphs = list(data.graphs()) if isinstance(data, Dataset) else [data]
        for n, part in enumerate(g for g in graphs if len(g)):
            name = part.identifier if isinstance(part.identifier, URIRef) else f"urn:hmic-kg:part:{n}"
            store.replace_graph(str(name), part)
        return force_facts(store)
    finally:
        store.close()
