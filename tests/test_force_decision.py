"""The report's own force is decided by its structure (title, overview, section summaries), counts only
break ties; an unregistered force is read as itself; ``--force`` overrides."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from api.cli import app
from loaders.forces import ForceRegister, decide_force, force_phrases
from loaders.options import LoadOptions
from loaders.pipeline import load_report
from tests.hmic2007_support import NORTHANTS

REGISTER = ForceRegister.default()


def test_unregistered_force_is_not_filed_under_a_force_it_mentions_in_passing() -> None:
    """Regression: a force missing from the register, mentioning "the Metropolitan Police Muslim contact
    unit" once, was filed under the Metropolitan Police."""
    decision = decide_force(
        REGISTER,
        title="",
        overview="The county of Mercia is in the Midlands. Mercia has 600,000 people.",
        summaries=["Mercia Police has made progress.", "The national picture."],
        whole="Mercia Police has made progress. Support from the Metropolitan Police Muslim contact unit.",
    )
    assert decision.force is not None
    assert (decision.force.id, decision.force.in_register) == ("mercia", False)
    assert "overview" in decision.basis and "summary" in decision.basis


def test_the_overview_outweighs_a_neighbour_named_more_often_elsewhere() -> None:
    decision = decide_force(
        REGISTER,
        title="",
        overview="Derbyshire Constabulary serves the county of Derbyshire.",
        summaries=["Derbyshire Constabulary works with Nottinghamshire Police on serious crime."],
        whole="Nottinghamshire Police " * 5,
    )
    assert decision.force is not None and decision.force.id == "derbyshire"


def test_counts_alone_decide_with_a_warning() -> None:
    decision = decide_force(REGISTER, "", "", [], "Kent Police did this. Kent Police did that.")
    assert decision.force is not None and decision.force.id == "kent"
    assert any("counts" in w for w in decision.warnings)


def test_acts_and_the_home_office_are_not_forces() -> None:
    assert force_phrases("the County and Borough Police Act 1856 and the Home Office Police Group") == []


def test_force_option_overrides_and_parse_says_what_decided() -> None:
    report = load_report(NORTHANTS, LoadOptions(force_id="cheshire"))
    assert (report.force.id, report.force.in_register, report.force_basis) == ("cheshire", True, "--force")
    result = CliRunner().invoke(app, ["parse", str(NORTHANTS), "--json"])
    assert json.loads(result.stdout)["force"]["decided_by"].startswith("named in the overview")
    result = CliRunner().invoke(app, ["parse", str(NORTHANTS), "--force", "not an id"])
    assert result.exit_code == 2 and "--force" in result.output


def test_load_takes_force(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["load", str(NORTHANTS), "--data-dir", str(tmp_path), "--backend", "memory", "--force", "wessex"]
    )
    assert result.exit_code == 0, result.output
    assert "wessex-2007" in result.output


def test_force_named_in_full_only_in_a_finding_is_found_by_its_bare_name_in_the_overview() -> None:
    decision = decide_force(
        REGISTER,
        title="",
        overview="The county of Wessex covers 900 square miles; Wessex has three divisions.",
        summaries=["The national programme began in 2005."],
        whole="Wessex Constabulary has a plan. The Metropolitan Police helped once.",
    )
    assert decision.force is not None and decision.force.id == "wessex"


def test_registered_force_printed_only_bare_in_the_overview() -> None:
    decision = decide_force(REGISTER, "", "The county of Kent is in the south east.", [], "Kent")
    assert decision.force is not None and decision.force.id == "kent"
    assert "overview" in decision.basis
