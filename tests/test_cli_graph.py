"""The graph commands load, query, queries, export, validate, bridges (CliRunner and the entry point)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from typer.testing import CliRunner

from api.cli import app
from graph.store_oxigraph import OxigraphStore
from tests.conftest import NOTTS, REPORTS
from tests.conftest_api import BASE, write_fixture_reports

GRAPH_COMMANDS = ("load", "query", "queries", "export", "validate", "bridges")


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("cli") / "kg"
    result = invoke("load", str(REPORTS), "--data-dir", str(directory))
    assert result.exit_code == 0, result.output
    return directory


def test_load_prints_one_line_per_file_and_a_summary(data_dir: Path) -> None:
    result = invoke("load", str(NOTTS), "--data-dir", str(data_dir))
    assert result.exit_code == 0, result.output
    assert "ok    " in result.output and "nottinghamshire-2007" in result.output
    assert "1 loaded, 0 failed; store:" in result.output and "2 forces" in result.output


def test_load_exits_1_when_a_file_fails_but_loads_the_good_ones(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    result = invoke("load", str(bad), str(NOTTS), "--data-dir", str(tmp_path / "kg"))
    assert result.exit_code == 1
    assert "FAIL  " in result.output and "1 loaded, 1 failed" in result.output
    graphs = invoke("query", "--name", "report-graphs", "-f", "csv", "--data-dir", str(tmp_path / "kg"))
    assert "nottinghamshire-2007.txt" in graphs.output


def test_query_named_with_param_as_csv(data_dir: Path) -> None:
    result = invoke(
        "query", "-n", "forces-using-system", "-p", "system=ViSOR", "-f", "csv", "--data-dir", str(data_dir)
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["forceLabel"] for r in rows] == ["Northamptonshire Police", "Nottinghamshire Police"]


def test_query_text_as_table_and_json(data_dir: Path) -> None:
    sparql = "SELECT (COUNT(*) AS ?n) WHERE { ?f a <https://w3id.org/hmic-kg/ontology#PoliceForce> }"
    table = invoke("query", sparql, "--data-dir", str(data_dir))
    assert table.exit_code == 0 and "1 row" in table.output
    data = json.loads(invoke("query", sparql, "-f", "json", "--data-dir", str(data_dir)).output)
    assert data["results"]["bindings"][0]["n"]["value"] == "2"


def test_query_construct_as_turtle(data_dir: Path) -> None:
    force = "<https://w3id.org/hmic-kg/ontology#PoliceForce>"
    sparql = f"CONSTRUCT {{ ?f a {force} }} WHERE {{ ?f a {force} }}"
    result = invoke("query", sparql, "-f", "turtle", "--data-dir", str(data_dir))
    assert result.exit_code == 0, result.output
    assert len(Graph().parse(data=result.output, format="turtle")) == 2


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (("query", "--name", "nope"), "unknown query 'nope'", 2),
        (("query", "--name", "forces-using-system"), "needs parameter system", 2),
        (("query", "--name", "report-graphs", "-p", "x=1"), "has no parameter x", 2),
        (("query", "SELEC"), "invalid SPARQL", 1),
        (("query",), "give either a SPARQL query or --name", 2),
        (("query", "ASK {}", "-f", "yaml"), "unknown format", 2),
        (("query", "ASK {}", "--backend", "nope"), "backend must be one of", 2),
        (("query", "CONSTRUCT WHERE { ?s ?p ?o }", "-f", "csv"), "does not fit", 1),
        (("export", "-f", "xlsx"), "unknown format", 2),
    ],
)
def test_errors_are_one_line_without_traceback(
    data_dir: Path, args: tuple[str, ...], message: str, code: int
) -> None:
    result = invoke(*args, "--data-dir", str(data_dir))
    assert result.exit_code == code, result.output
    assert message in result.output
    assert "Traceback" not in result.output and result.output.count("\n") == 1


def test_queries_lists_the_catalogue() -> None:
    result = invoke("queries")
    assert result.exit_code == 0
    assert "forces-using-system" in result.output and "system (term)" in result.output


@pytest.mark.parametrize(("fmt", "parse_as"), [("trig", "trig"), ("nquads", "nquads"), ("jsonld", "json-ld")])
def test_export_datasets(data_dir: Path, tmp_path: Path, fmt: str, parse_as: str) -> None:
    out = tmp_path / f"kg.{fmt}"
    result = invoke("export", "-f", fmt, "-o", str(out), "--data-dir", str(data_dir))
    assert result.exit_code == 0, result.output
    dataset = Dataset().parse(out, format=parse_as)
    assert len({g.identifier for g in dataset.graphs() if len(g)}) >= 4  # 2 reports, meta, vocabulary


def test_export_turtle_to_stdout_and_graphml(data_dir: Path, tmp_path: Path) -> None:
    turtle = invoke("export", "-f", "turtle", "--data-dir", str(data_dir))
    assert turtle.exit_code == 0 and len(Graph().parse(data=turtle.output, format="turtle")) > 10_000
    graphml = tmp_path / "kg.graphml"
    assert invoke("export", "-f", "graphml", "-o", str(graphml), "--data-dir", str(data_dir)).exit_code == 0
    assert b"<graphml" in graphml.read_bytes()


@pytest.fixture(scope="module")
def fixture_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir holding the small hand-built reports (they validate in a fraction of the samples' time)."""
    directory = tmp_path_factory.mktemp("cli-fixture") / "kg"
    store = OxigraphStore(directory / "oxigraph", meta_graph_iri=f"{BASE}graph/meta")
    try:
        write_fixture_reports(store)
    finally:
        store.close()
    return directory


def test_validate_conforms(fixture_data_dir: Path) -> None:
    result = invoke("validate", "--data-dir", str(fixture_data_dir), "--base-iri", BASE)
    assert result.exit_code == 0, result.output
    assert "Conforms" in result.output


@pytest.mark.slow  # ~10 CPU-s of SHACL; test_validate_conforms runs the command in the fast lane
def test_validate_conforms_over_the_samples(data_dir: Path) -> None:
    result = invoke("validate", "--data-dir", str(data_dir))
    assert result.exit_code == 0, result.output
    assert "Conforms" in result.output


def test_bridges_names_visor(data_dir: Path) -> None:
    result = invoke("bridges", "--data-dir", str(data_dir))
    assert result.exit_code == 0, result.output
    assert "ViSOR" in result.output


def test_every_graph_command_has_help_and_an_example() -> None:
    for command in GRAPH_COMMANDS:
        result = invoke(command, "--help")
        assert result.exit_code == 0, command
        assert "hmic-kg " in result.output, f"{command} --help shows no example"


def test_installed_entry_point(data_dir: Path) -> None:
    exe = Path(sys.executable).parent / "hmic-kg"
    if not exe.exists():
        pytest.skip("hmic-kg is not installed in this environment (pip install -e .)")
    result = subprocess.run(
        [str(exe), "query", "-n", "shared-entities", "-f", "tsv", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "ViSOR" in result.stdout
    failing = subprocess.run(
        [str(exe), "query", "SELEC", "--data-dir", str(data_dir)], capture_output=True, text=True, timeout=120
    )
    assert (
        failing.returncode == 1 and failing.stderr.startswith("error: ") and "Traceback" not in failing.stderr
    )
