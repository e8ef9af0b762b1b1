"""A folder of hostile files loaded with the real ``hmic-kg load``: the good reports go in, each bad file
is reported on exactly one line, the exit status is non-zero, and the store holds exactly the good ones.

Everything is generated under ``tmp_path``: empty, binary, truncated report, non-report text, corrupt
and encrypted PDFs, a file over the 50 MB size limit (sparse, so it costs no disk), a zip bomb renamed
``.pdf``, a directory named like a report and a broken symbolic link.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pypdf
import pytest

from loaders.options import DEFAULT_MAX_BYTES
from tests.conftest import NORTHANTS, NOTTS, render_pdf
from tests.conftest_resilience import (
    META_GRAPH,
    VOCABULARY_GRAPH,
    record_figure,
    report_graph,
    run_load,
    store_snapshot,
)

GOOD = {"nottinghamshire-2007": NOTTS, "northamptonshire-2007": NORTHANTS}


def _zip_bomb(size: int = 200 * 1024 * 1024) -> bytes:
    """A ZIP whose single member inflates to ``size`` bytes of zeros (the archive is ~200 KB)."""
    buffer = io.BytesIO()
    chunk = b"\0" * (1024 * 1024)
    with (
        zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("report.pdf", "w", force_zip64=True) as member,
    ):
        for _ in range(size // len(chunk)):
            member.write(chunk)
    return buffer.getvalue()


def hostile_files(folder: Path) -> dict[str, str]:
    """Write the hostile files into ``folder``; file name -> what is wrong with it."""
    folder.mkdir(parents=True, exist_ok=True)
    notts = NOTTS.read_bytes()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "whitespace.txt").write_bytes(b" \n\r\n\t\n" * 100)
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 64)
    cut = notts.index("’".encode()) + 1  # inside a multi-byte character, before any summary table
    (folder / "truncated-2007.txt").write_bytes(notts[:cut])
    (folder / "minutes.txt").write_text(
        "Minutes of the parish council, 4 March 2007.\nApologies were received from Cllr Smith.\n" * 40
    )
    pdf = render_pdf(NOTTS.read_text(encoding="utf-8").split("\n")[200:400], folder / "source.tmp")
    (folder / "corrupt.pdf").write_bytes(pdf.read_bytes()[: pdf.stat().st_size // 2])
    (folder / "garbage.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(4096))
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(pdf))
    writer.encrypt(user_password="secret", owner_password="owner")
    with (folder / "encrypted.pdf").open("wb") as handle:
        writer.write(handle)
    pdf.unlink()
    with (folder / "huge.txt").open("wb") as handle:  # sparse: over the limit without using the disk
        handle.truncate(DEFAULT_MAX_BYTES + 1)
    (folder / "bomb.pdf").write_bytes(_zip_bomb())
    return {
        "empty.txt": "empty",
        "whitespace.txt": "whitespace",
        "binary.txt": "binary",
        "truncated-2007.txt": "not an HMIC inspection report",
        "minutes.txt": "not an HMIC inspection report",
        "corrupt.pdf": "PDF",
        "garbage.pdf": "PDF",
        "encrypted.pdf": "encrypted",
        "huge.txt": "over the limit",
        "bomb.pdf": "ZIP",
    }


def _outcome_lines(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith(("ok ", "FAIL "))]


@pytest.mark.timeout(180)
def test_hostile_folder_loads_exactly_the_good_reports(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    bad = hostile_files(folder)
    for report_id, sample in GOOD.items():
        (folder / f"{report_id}.txt").write_bytes(sample.read_bytes())
    # not found by a folder walk (see the regression test below), so named on the command line
    directory = tmp_path / "northamptonshire-2008.txt"
    directory.mkdir()
    link = tmp_path / "gone-2007.pdf"
    link.symlink_to(tmp_path / "deleted-2007.pdf")
    bad |= {directory.name: "no .txt or .pdf reports", link.name: "broken symbolic link"}

    data_dir = tmp_path / "kg"
    result = run_load([folder, directory, link], data_dir)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = _outcome_lines(result.stdout)
    for name, reason in bad.items():
        mine = [line for line in lines if line.startswith("FAIL ") and f"{name}:" in line]
        assert len(mine) == 1, (name, lines)
        assert reason.lower() in mine[0].lower(), mine[0]
    ok = [line for line in lines if line.startswith("ok ")]
    assert sorted(line.split()[2] for line in ok) == sorted(GOOD), ok
    assert len(lines) == len(bad) + len(GOOD), lines
    assert f"{len(GOOD)} loaded, {len(bad)} failed" in result.stdout

    counts, hashes = store_snapshot(data_dir)
    reports = {g for g in counts if g not in (META_GRAPH, VOCABULARY_GRAPH)}
    assert reports == {report_graph(r) for r in GOOD}
    assert set(hashes) == reports and all(len(h) == 1 for h in hashes.values())
    assert all(counts[g] > 1000 for g in reports)
    record_figure(
        "hostile files",
        f"{len(bad)} hostile files + {len(GOOD)} good reports in one `hmic-kg load`: "
        f"{len(bad)} one-line failures, exit 1, store holds exactly the {len(GOOD)} good reports",
    )


def test_regression_corrupt_pdf_leaves_no_stray_log_lines_on_stderr(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.pdf"
    corrupt.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 16)
    result = run_load([corrupt], tmp_path / "kg")
    assert result.returncode == 1 and "corrupt.pdf: not a readable PDF" in result.stdout
    assert [line for line in result.stderr.splitlines() if line.strip()] == []


def test_regression_folder_walk_reports_broken_links_and_directories_named_like_reports(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "nottinghamshire-2007.txt").write_bytes(NOTTS.read_bytes())
    (folder / "gone-2007.txt").symlink_to(tmp_path / "deleted.txt")
    (folder / "northamptonshire-2008.txt").mkdir()
    result = run_load([folder], tmp_path / "kg")
    fails = [line for line in _outcome_lines(result.stdout) if line.startswith("FAIL ")]
    assert any("gone-2007.txt" in line for line in fails), result.stdout
    assert any("northamptonshire-2008.txt" in line for line in fails), result.stdout
    assert result.returncode == 1
