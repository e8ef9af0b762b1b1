"""The force register and identifying a report's force from its text."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.forces import ForceRegister, identify_force, name_key, slug


@pytest.fixture(scope="module")
def register() -> ForceRegister:
    return ForceRegister.default()


@pytest.mark.parametrize(
    ("printed", "force_id"),
    [
        ("Nottinghamshire Police", "nottinghamshire"),
        ("Northamptonshire Police", "northamptonshire"),
        ("Avon & Somerset Constabulary", "avon-and-somerset"),
        ("Devon and Cornwall Police", "devon-and-cornwall"),
        ("Metropolitan Police Service", "metropolitan"),
        ("City of London Police", "city-of-london"),
        ("the City of London Police", "city-of-london"),
        ("Dyfed-Powys Police", "dyfed-powys"),
        ("West  Mercia Constabulary", "west-mercia"),
        ("Durham Constabulary", "durham"),
        ("Greater Manchester Police", "greater-manchester"),
    ],
)
def test_match_registered(register: ForceRegister, printed: str, force_id: str) -> None:
    force = register.match(printed)
    assert force.id == force_id
    assert force.in_register and force.ons_code
    assert force.name == " ".join(printed.split())


def test_match_nottinghamshire_ons_code(register: ForceRegister) -> None:
    assert register.match("Nottinghamshire Police").ons_code == "E23000019"


@pytest.mark.parametrize(
    ("printed", "force_id"),
    [
        ("British Transport Police", "british-transport"),
        ("Police Service of Northern Ireland", "northern-ireland"),
    ],
)
def test_match_unregistered(register: ForceRegister, printed: str, force_id: str) -> None:
    force = register.match(printed)
    assert (force.id, force.ons_code, force.in_register) == (force_id, None, False)


def test_name_key_and_slug() -> None:
    assert name_key("Avon & Somerset Constabulary") == name_key("Avon and Somerset") == "avon and somerset"
    assert slug("Isle of Man Constabulary") == "isle-of-man"


def test_load_rejects_missing_columns(tmp_path: Path) -> None:
    bad = tmp_path / "forces.csv"
    bad.write_text("id,title\nx,y\n", encoding="utf-8")
    with pytest.raises(ValueError, match="lacks columns"):
        ForceRegister.load(bad)


def test_load_custom_register(tmp_path: Path) -> None:
    path = tmp_path / "forces.csv"
    path.write_text("police_uk_id,name,ons_pfa_code,country\nisle-of-man,Isle of Man,,\n", encoding="utf-8")
    force = ForceRegister.load(path).match("Isle of Man Constabulary")
    assert (force.id, force.ons_code, force.in_register) == ("isle-of-man", None, True)


def test_identify_prefers_own_force_over_a_passing_mention(register: ForceRegister) -> None:
    text = (
        "A Muslim awareness unit is being developed with the Metropolitan Police Muslim contact unit. "
        "During the year Northamptonshire Police made progress. Northamptonshire has a population of 1. "
        "Across Northamptonshire the SCTs are in place."
    )
    force, warnings = identify_force(text, register)
    assert force is not None and force.id == "northamptonshire" and force.name == "Northamptonshire Police"
    assert warnings == ()


def test_identify_ignores_institutions(register: ForceRegister) -> None:
    text = "The Association of Chief Police Officers and the Royal Commission on the Police. " * 3
    assert identify_force(text, register) == (None, ())


def test_identify_unregistered_force(register: ForceRegister) -> None:
    text = "Commitments by Isle of Man Constabulary. The Isle of Man Constabulary has 200 officers."
    force, warnings = identify_force(text, register)
    assert force is not None and (force.id, force.in_register) == ("isle-of-man", False)
    assert warnings and "not in the force register" in warnings[0]
