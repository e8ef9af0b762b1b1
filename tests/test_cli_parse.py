"""`hmic-kg parse`: the JSON contract of shared/gold/PARSE-JSON.md and one-line errors on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from tests.conftest import NORTHANTS, NOTTS

runner = CliRunner()

REQUIRED_TOP = {
    "source",
    "force",
    "assessment_period",
    "national_summary",
    "force_summary",
    "sections",
    "entities",
    "glossary",
    "force_facts",
    "warnings",
}
AREA_IDS = {
    "neighbourhood-policing",
    "performance-management",
    "protecting-vulnerable-people",
    "child-abuse",
    "domestic-violence",
    "public-protection",
    "missing-persons",
}


def _parse_json(path: Path) -> dict:
    result = runner.invoke(app, ["parse", str(path), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("path", [NOTTS, NORTHANTS], ids=["notts", "northants"])
def test_json_has_the_contract_keys(path: Path) -> None:
    data = _parse_json(path)
    assert data.keys() >= REQUIRED_TOP
    assert {"file", "sha256", "format", "pages"} <= data["source"].keys()
    assert data["source"]["format"] == "text"
    assert {"name", "id", "ons_code"} <= data["force"].keys()
    assert {section["area_id"] for section in data["sections"]} == AREA_IDS
    for row in data["national_summary"]:
        assert {"area_id", "excellent", "good", "fair", "poor"} <= row.keys()
        assert sum(row[g] for g in ("excellent", "good", "fair", "poor")) == 43
    for row in data["force_summary"]:
        assert row["grade"] in {"excellent", "good", "fair", "poor"}
    for section in data["sections"]:
        assert {
            "area_id",
            "title",
            "grade",
            "national_distribution",
            "findings",
            "practices",
        } <= section.keys()
        for finding in section["findings"]:
            assert finding["kind"] in {"strength", "work_in_progress", "area_for_improvement"}
            assert {"page", "line_from", "line_to"} <= finding["span"].keys()
            assert finding["span"]["line_from"] <= finding["span"]["line_to"]
            for mention in finding["mentions"]:
                assert {"entity_id", "text"} <= mention.keys()
        for practice in section["practices"]:
            assert {"inspection_area", "title", "problem", "solution", "outcomes", "contact", "span"} <= (
                practice.keys()
            )
            assert {"name", "rank", "role", "phone"} <= practice["contact"].keys()
    kinds = {"it_system", "unit", "role", "person", "partner"}
    for entity in data["entities"]:
        assert entity["kind"] in kinds
        assert entity["id"].split("/")[0] == entity["kind"].replace("_", "-")
        assert all("line" in m and "page" in m for m in entity["mentions"])


def test_json_matches_the_gold_headline_facts() -> None:
    gold = json.loads(Path(__file__).with_name("data").joinpath("notts_gold.json").read_text())
    data = _parse_json(NOTTS)
    assert data["force"]["name"] == gold["force_name"]
    assert data["force"]["id"] == "nottinghamshire"
    assert data["force"]["ons_code"] == "E23000019"
    assert data["assessment_period"] == gold["assessment_period"]
    assert data["force_facts"]["population"] == gold["force_facts"]["population"]
    glossary = {entry["abbreviation"]: entry["expansion"] for entry in data["glossary"]}
    assert glossary == gold["glossary"]


def test_summary_names_force_grades_and_practices() -> None:
    result = runner.invoke(app, ["parse", str(NORTHANTS)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Northamptonshire Police" in result.stdout
    assert "missing-persons" in result.stdout
    assert "practice:" in result.stdout


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02\x03binary\x00" * 50, "binary"),
        (b"A shopping list:\neggs\nmilk\nbread\n" * 20, "not an hmic inspection report"),
    ],
    ids=["empty", "binary", "not-a-report"],
)
def test_bad_input_is_one_line_error_and_nonzero_exit(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "input.txt"
    path.write_bytes(content)
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", "parse", str(path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(path) in lines[0] and reason in lines[0].lower()


def test_size_limit_is_configurable(tmp_path: Path) -> None:
    result = runner.invoke(app, ["parse", str(NOTTS), "--max-mb", "0.01"])
    assert result.exit_code != 0
    assert "limit" in result.output


def test_truncated_report_parses_what_is_there_with_warnings(tmp_path: Path) -> None:
    lines = NOTTS.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "truncated.txt"
    path.write_text("\n".join(lines[: len(lines) // 2]), encoding="utf-8")
    data = _parse_json(path)
    assert data["force"]["id"] == "nottinghamshire"
    assert data["sections"], "the sections before the cut are kept"
    assert any("glossary" in warning.lower() for warning in data["warnings"])
