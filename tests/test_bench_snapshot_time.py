"""``bench.snapshot_time``: the read model built from scratch and rebuilt after one report changed, side by
side, and the two snapshots compared."""

from __future__ import annotations

from pathlib import Path

from api.report_rows import FOLDER
from bench.snapshot_time import measure

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
