"""The shared-entities query on both samples: equivalent unit types count as one kind; generic kinds and
boilerplate never make two forces share something."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from tests.test_ownership import _graph

QUERY = Path(__file__).resolve().parent.parent / "graph" / "queries" / "shared-entities.rq"


def _rows(graphs: dict[str, Graph]) -> set[tuple[str, str]]:
    """The query's (kind, label) rows, run by the embedded Oxigraph store over the report graphs."""
    from graph.iris import Iris
    from graph.store_oxigraph import OxigraphStore

    store = OxigraphStore(None)
    try:
        for report_id, graph in graphs.items():
            store.replace_graph(str(Iris().report_graph(report_id)), graph)
        result = store.query(QUERY.read_text(encoding="utf-8"))
        return {(str(row["kind"]), str(row["label"])) for row in result.dicts()}
    finally:
        store.close()


def _shared() -> set[tuple[str, str]]:
    return _rows({name: _graph(name) for name in ("nottinghamshire-2007", "northamptonshire-2007")})


def test_shared_entities_equivalents_generic_kinds_and_boilerplate() -> None:
    shared = _shared()
    # SNT (Notts) ≈ SCT (Northants), CAIU ≈ CPU, PPD ≈ PPU: one shared type each, named by the first
    assert {("unit type", "SCT"), ("unit type", "CAIU"), ("unit type", "PPD")} <= shared
    assert not {("unit type", "SNT"), ("unit type", "CPU"), ("unit type", "PPU")} & shared
    assert ("unit type", "DPMU") in shared and ("IT system", "ViSOR") in shared
    generic = {("unit type", kind) for kind in ("team", "unit", "division", "department", "directorate")}
    assert not generic & shared
    # named only in the inspectorate's introduction or national context of one report
    assert not {("IT system", "iQuanta"), ("IT system", "COMPACT"), ("partner", "Jobcentre Plus")} & shared
    # local bodies are per force: never shared
    assert not {("partner", "police authority"), ("partner", "LSCB"), ("partner", "CDRP")} & shared


def test_text_repeated_across_reports_shares_nothing() -> None:
    """A system both reports name only in a sentence they both print (the inspectorate's wording, whatever
    the heading structure) is not shared; one each force names in its own words is."""
    from rdflib import RDF, Literal, Namespace, URIRef
    from rdflib.namespace import SKOS

    hmic = Namespace("https://w3id.org/hmic-kg/ontology#")
    base = "http://127.0.0.1:8000/id/"
    graph = Graph()
    for system, label in (("zed", "ZED"), ("yak", "YAK")):
        node = URIRef(f"{base}system/{system}")
        graph.add((node, RDF.type, hmic.ITSystem))
        graph.add((node, SKOS.prefLabel, Literal(label)))
    for force in ("alpha", "beta"):
        force_node, report = URIRef(f"{base}force/{force}"), URIRef(f"{base}report/{force}-2007")
        graph.add((force_node, SKOS.prefLabel, Literal(force.title())))
        graph.add((report, hmic.aboutForce, force_node))
        for n, (system, key) in enumerate((("zed", "same-sentence"), ("yak", f"own-{force}"))):
            mention = URIRef(f"{base}mention/{force}-2007/{n}")
            graph.add((force_node, hmic.usesSystem, URIRef(f"{base}system/{system}")))
            graph.add((mention, hmic.entity, URIRef(f"{base}system/{system}")))
            graph.add((mention, hmic.report, report))
            graph.add((mention, hmic.sentenceKey, Literal(key)))
    assert _rows({"alpha-2007": graph}) == {("IT system", "YAK")}


def test_sentence_keys_ignore_wrapping_and_the_force_name() -> None:
    from loaders.boilerplate import SentenceKeys
    from loaders.model import Force
    from tests.test_entities import synthetic_report

    one = synthetic_report(
        "Intro. Forces such as Alpha Police should record", "cases on a system such as ZED."
    )
    two = synthetic_report(
        "Forces such as Beta", "Police should record cases on a", "system such as ZED. Next."
    )
    one = type(one)(**{**one.__dict__, "force": Force("Alpha Police", "alpha", None)})
    two = type(two)(**{**two.__dict__, "force": Force("Beta Police", "beta", None)})
    assert SentenceKeys(one).key(2, "ZED") == SentenceKeys(two).key(3, "ZED") is not None
    assert SentenceKeys(one).key(1, "Intro") is None  # too short to say it was copied
