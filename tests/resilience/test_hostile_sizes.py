"""Loader bounds that hold: hostile PDFs (decompression bombs, a text stream labelled as an image, a page
of 8 MB of text operators) and a 50 MB text report fail or load within 30 s and 1 GB each, measured as
the peak memory of the load's whole process tree (``wait4``) and its wall time."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import NOTTS
from tests.conftest_resilience import ROOT, cli_env, force_variant, load_command, record_figure
from tests.resilience.hostile_pdfs import hostile_pdfs

WORDS = "The force uses the ViSOR system and the Public Protection Unit works with its partners. "


def hostile_text(size: int) -> str:
    """A real report with ``size`` bytes of finding bullets in one area section (the probe's shape)."""
    text = force_variant(NOTTS, "Cheshire")
    anchor = "• Performance management is led by"
    at = text.index(anchor)
    bullets = ("• " + WORDS + "\n") * (size // (len(WORDS) + 4))
    return text[:at] + bullets + text[at:]


@pytest.mark.slow
def test_hostile_pdfs_and_a_50_mb_text_fail_within_30_s_and_1_gb(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    for name, data in hostile_pdfs().items():
        (folder / name).write_bytes(data)
    (folder / "cheshire-2007.txt").write_text(hostile_text(49_000_000), encoding="utf-8")
    (folder / "good-2007.txt").write_text(force_variant(NOTTS, "Cumbria"), encoding="utf-8")
    started = time.monotonic()
    load = subprocess.Popen(
        load_command([folder], tmp_path / "kg"),
        cwd=ROOT,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, err = load.communicate(timeout=240)
    elapsed = time.monotonic() - started
    peak_mb = _children_peak_kb() / 1024  # the largest process of the load's tree (all reaped by now)
    lines = {
        line.split()[1].rstrip(":").rsplit("/", 1)[-1]: line
        for line in out.splitlines()
        if line.startswith(("ok", "FAIL"))
    }
    record_figure(
        "hostile PDFs and a 49 MB text in one load",
        f"{elapsed:.0f} s in all, peak RSS of the load's process tree {peak_mb:.0f} MB; "
        + "; ".join(f"{k}: {v.split(': ', 1)[-1].strip()[:70]}" for k, v in sorted(lines.items())),
    )
    assert load.returncode == 1, err[-2000:]
    assert "Traceback" not in err
    assert lines["good-2007.txt"].startswith("ok"), out
    for name in (*hostile_pdfs(), "cheshire-2007.txt"):
        assert lines[name].startswith("FAIL"), (name, out)
    assert peak_mb < 1100, peak_mb
    assert elapsed < 30 + 5 * 2 + 30, elapsed  # the text's 30 s, each PDF's few seconds, start-up


def _children_peak_kb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
