"""``bench.snapshot_time``: the read model built from scratch and rebuilt after one report changed, side by
side, and the two snapshots compared."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.report_rows import FOLDER
from bench.snapshot_time import main, measure

pytest_plugins = ["tests.conftest_api"]


def test_both_figures_and_the_same_snapshot(data_dir: Path) -> None:
    before = sorted((data_dir / FOLDER).iterdir())
    result = measure(data_dir, verbose=False)
    assert result["build_s"] > 0 and result["rebuild_s"] > 0 and result["same"] is True
    assert result["rebuild_changed"].endswith("-2007")
    assert result["rebuild_stages"][0]["stage"] == "report rows"
    assert sorted((data_dir / FOLDER).iterdir()) == before, "without --save the data dir is left alone"


def test_save_keeps_the_rows_beside_the_saved_snapshot(data_dir: Path) -> None:
    result = measure(data_dir, save=True, verbose=False)
    assert result["same"] is True and set(result["saved"]) == {"snapshot.json", "matching-index.npz"}
    assert len(list((data_dir / FOLDER).iterdir())) == 2, "one file per report graph"


def test_threads_option_is_reported_and_checked(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = measure(data_dir, verbose=False, threads=2)
    assert result["threads"] == 2 and result["cpus"] >= 1 and result["same"] is True
    idle, others = result["build_machine_idle_cpu_s"], result["build_others_cpu_s"]
    assert (idle is None) == (others is None) and (idle is None or (idle >= 0 and others >= 0))
    with pytest.raises(SystemExit) as exit_:
        main([str(data_dir), "--threads", "0"])
    assert exit_.value.code != 0 and "--threads must be at least 1" in capsys.readouterr().err
