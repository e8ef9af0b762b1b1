"""The same store gives the same "who has solved this?" answer, why included, whatever the hash seed.

Regression: topics tied on weight were listed in set order, so ``why.topics`` (and which three of them were
shown) changed from one server start to the next.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from tests.conftest_api import REPORTS

pytestmark = pytest.mark.slow

ANSWER = """
import sys
from pathlib import Path
from fastapi.testclient import TestClient
from api.app import create_app
from api.settings import Settings
from graph.config import GraphConfig
settings = Settings(graph=GraphConfig(data_dir=Path(sys.argv[1]), read_only=True))
with TestClient(create_app(settings)) as client:
    for force in ("nottinghamshire", "northamptonshire"):
        response = client.get(f"/forces/{force}/help", params={"per_finding": 3, "limit": 500})
        assert response.status_code == 200, response.text
        sys.stdout.write(response.text)
"""


def test_help_answers_do_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = CliRunner().invoke(app, ["load", str(REPORTS), "--data-dir", str(data), "--no-snapshot"])
    assert result.exit_code == 0, result.output
    answers = []
    for seed in ("1", "2", "3"):
        run = subprocess.run(
            [sys.executable, "-c", ANSWER, str(data)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert run.returncode == 0, run.stderr[-2000:]
        answers.append(run.stdout)
    assert answers[0] == answers[1] == answers[2]
