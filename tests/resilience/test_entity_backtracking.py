"""Entity and lead patterns must not backtrack: one long hostile line costs time linear in its length.

Regression for the probe's 79 KB finding line of ``AB 1 AB 1 …`` (83 s): the IT-system name pattern took
any number of capitalised words and was rescanned from each of them. Each input runs in a child process
with a hard timeout, so a regression fails the test instead of hanging the suite.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from tests.conftest_resilience import ROOT

#: repeated units, each a shape one of the entity, person or lead patterns reads
UNITS = {
    "caps-and-digits": "AB 1 ",
    "caps": "ABC ",
    "camel": "AbC ",
    "capitalised": "Abc Def Ghi ",
    "definitions": "AB (AB) ",
    "units": "the abc def unit ",
    "ranked-names": "Inspector Abc Def ",
    "led-by": "the DCC x is led by ",
    "chaired-by": "the DCC chaired by x ",
    "lead-for": "the DCC is the lead for x the DCC ",
    "partners": "Abc and Def Council ",
    "acc": "ACC (crime ",
    "head-of": "head of the ",
}
SMALL, LARGE = 20_000, 80_000

_CHILD = textwrap.dedent(
    """
    import json, sys, time
    from tests.test_entities import synthetic_report
    from loaders.entities import extract_entities
    from loaders.leads import extract_leads
    from loaders.vocabulary import Vocabulary

    unit, sizes = sys.argv[1], [int(s) for s in sys.argv[2:]]
    vocabulary = Vocabulary.load()
    times = []
    for size in sizes:
        report = synthetic_report(unit * (size // len(unit)))
        start = time.perf_counter()
        extract_leads(report, extract_entities(report, vocabulary))
        times.append(time.perf_counter() - start)
    print(json.dumps(times))
    """
)


@pytest.mark.parametrize("name", sorted(UNITS))
def test_entity_backtracking_hostile_line_is_linear(name: str) -> None:
    """80 KB of one repeated shape: under 10 s (was 83 s), and 4x the text at most ~8x the time."""
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, UNITS[name], str(SMALL), str(LARGE)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    small, large = json.loads(result.stdout.strip().splitlines()[-1])
    assert large < 10, f"{name}: {large:.1f} s for {LARGE} characters"
    assert large < max(8 * small, 0.5), f"{name}: {small:.2f} s -> {large:.2f} s for 4x the text"
