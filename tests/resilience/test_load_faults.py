"""Faults of loading said in words, and no process outliving a killed load or server.

* ``kill -9`` of ``hmic-kg load`` (parallel readers) and of ``hmic-kg serve`` (query workers): the
  children are gone within seconds; the server's snapshot directory is removed when the next one starts;
* a full disk and a read-only file system (a real 1 MB tmpfs, mounted in a private mount namespace: as
  root, or as any user inside a user namespace), a store locked by a running load: one line naming the
  path and the cause, exit 1, no traceback;
* file names with newlines and terminal escapes are printed escaped; a report 1,000 folders deep loads;
* a report whose force was edited replaces its old graph, with a warning.
"""

from __future__ import annotations

import functools
import os
import resource
import signal
import subprocess
import time
from pathlib import Path

import httpx
import psutil
import pytest

from api.query_pool import DIR_PREFIX
from graph.store_oxigraph import OxigraphStore
from tests.conftest import NOTTS
from tests.conftest_resilience import (
    HMIC_KG,
    ROOT,
    Server,
    cli_env,
    force_variant,
    load_command,
    open_data_dir,
    record_figure,
    report_graph,
    run_load,
    write_variants,
)


def _children(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _gone(processes: list[psutil.Process], within_s: float = 10.0) -> int:
    """How many of ``processes`` are still alive after ``within_s`` seconds."""
    _, alive = psutil.wait_procs(processes, timeout=within_s)
    for process in alive:  # do not leave them behind whatever the verdict
        process.kill()
    return len(alive)


@pytest.mark.slow
def test_no_reader_outlives_a_killed_load(tmp_path: Path) -> None:
    files = list(write_variants(tmp_path / "reports", 12).values())
    command = [*load_command(files, tmp_path / "kg"), "--jobs", "2"]
    load = subprocess.Popen(
        command, cwd=ROOT, env=cli_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    readers: list[psutil.Process] = []
    while time.monotonic() < deadline and len(readers) < 2:
        readers = [p for p in _children(load.pid) if "python" in p.name().lower()]
        time.sleep(0.1)
    assert readers, "the load started no reader processes"
    readers = _children(load.pid)  # every child at the moment of the kill
    load.send_signal(signal.SIGKILL)
    load.wait()
    alive = _gone(readers)
    record_figure("kill -9 of a parallel load", f"{len(readers)} reader processes, {alive} alive 10 s later")
    assert alive == 0


@pytest.mark.slow
def test_no_worker_outlives_a_killed_server_and_its_snapshots_are_removed(
    tmp_path: Path, loaded_samples_dir: Path
) -> None:
    data_dir = tmp_path / "kg"
    result = run_load([NOTTS], data_dir)
    assert result.returncode == 0, result.stderr
    server = Server(data_dir)
    response = httpx.get(f"{server.url}/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=60)
    assert response.status_code == 200
    workers = _children(server.process.pid)
    dirs = [
        p for p in Path(os.environ.get("TMPDIR", "/tmp")).glob(f"{DIR_PREFIX}*") if (p / "owner").exists()
    ]
    ours = [d for d in dirs if (d / "owner").read_text() == str(server.process.pid)]
    assert workers and ours
    server.process.send_signal(signal.SIGKILL)
    server.process.wait()
    alive = _gone(workers)
    record_figure("kill -9 of serve", f"{len(workers)} query workers, {alive} alive 10 s later")
    assert alive == 0
    assert ours[0].exists()  # nobody removed it yet: the next server does
    restarted = Server(data_dir)
    restarted.stop()
    assert not ours[0].exists()


@functools.cache
def _can_mount_privately() -> bool:
    probe = ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", "mount -t tmpfs tmpfs /mnt"]
    try:
        return subprocess.run(probe, capture_output=True, timeout=30, check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _limited_file_size(size: str) -> None:
    """(In the child) the fallback fault: files may not grow beyond ``size`` (writes fail with EFBIG)."""
    limit = int(size.rstrip("m")) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def _in_tiny_fs(
    tmp_path: Path, size: str, *command: str, read_only: bool = False
) -> tuple[subprocess.CompletedProcess[str], Path, tuple[str, ...]]:
    """``command`` (``{fs}`` in it: the file system's folder) on a fresh tmpfs of ``size`` in a private
    mount namespace; where the system allows no mount namespace, the same fault injected another way
    (RLIMIT_FSIZE for a full disk, /sys for a read-only file system). The result, the folder and the
    causes to expect."""
    run = {
        "cwd": ROOT,
        "env": cli_env(),
        "capture_output": True,
        "text": True,
        "timeout": 180,
        "check": False,
    }
    mount_point = tmp_path / "fs"
    mount_point.mkdir()
    if _can_mount_privately():
        options = f"size={size}" + (",ro" if read_only else "")
        script = f'mount -t tmpfs -o {options} tmpfs "{mount_point}" && exec "$@"'
        argv = [part.replace("{fs}", str(mount_point)) for part in command]
        unshare = ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script, "sh"]
        causes = ("Read-only file system",) if read_only else ("No space left on device",)
        return subprocess.run([*unshare, *argv], **run), mount_point, causes
    if read_only:
        folder = Path("/sys/kernel/hmic-kg-test")
        argv = [part.replace("{fs}", str(folder)) for part in command]
        return subprocess.run(argv, **run), folder, ("Read-only file system", "Operation not permitted")
    argv = [part.replace("{fs}", str(mount_point)) for part in command]
    done = subprocess.run(argv, preexec_fn=lambda: _limited_file_size(size), **run)
    return done, mount_point, ("File too large", "No space left on device")


@pytest.mark.parametrize(
    ("size", "read_only"),
    [("1m", False), ("8m", False), ("1m", True)],
    ids=["new store on a 1 MB file system", "disk full during a load", "read-only file system"],
)
def test_file_system_faults_are_one_line(tmp_path: Path, size: str, read_only: bool) -> None:
    reports = [str(p) for p in write_variants(tmp_path / "reports", 4).values()]
    result, folder, causes = _in_tiny_fs(
        tmp_path, size, str(HMIC_KG), "load", *reports, "--data-dir", "{fs}/kg", read_only=read_only
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output, output
    assert any(c.lower() in output.lower() for c in causes) and str(folder / "kg") in output, output


def test_a_store_locked_by_a_load_is_one_line(tmp_path: Path) -> None:
    holder = OxigraphStore(tmp_path / "kg" / "oxigraph")
    try:
        result = run_load([NOTTS], tmp_path / "kg")
    finally:
        holder.close()
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "in use by another process" in lines[0] and str(tmp_path / "kg") in lines[0]


def test_file_names_are_printed_escaped(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    forged = folder / "x\nok    forged-2007.txt  fake-2007  999 triples\x1b[2K.txt"
    forged.write_text(force_variant(NOTTS, "Cheshire"), encoding="utf-8")
    result = run_load([folder], tmp_path / "kg")
    assert "\x1b" not in result.stdout + result.stderr
    assert not any(line.startswith("ok    forged") for line in result.stdout.splitlines()), result.stdout
    assert "\\nok    forged" in result.stdout and "\\x1b[2K" in result.stdout


def test_a_report_a_thousand_folders_deep_loads(tmp_path: Path) -> None:
    folder = tmp_path / "deep"
    deepest = str(folder)
    os.mkdir(deepest)
    for _ in range(1000):  # one level at a time: pathlib's and os's makedirs recurse themselves
        deepest += "/d"
        os.mkdir(deepest)
    report = Path(deepest) / "cheshire-2007.txt"
    report.write_text(force_variant(NOTTS, "Cheshire"), encoding="utf-8")
    try:
        result = run_load([folder], tmp_path / "kg")
    finally:  # bottom-up: pytest's own clean-up of old temporary folders recurses too
        report.unlink()
        while deepest != str(folder):
            os.rmdir(deepest)
            deepest = os.path.dirname(deepest)
    assert result.returncode == 0, result.stdout[-500:] + result.stderr[-2000:]
    assert "RecursionError" not in result.stderr and "cheshire-2007" in result.stdout


def test_a_report_whose_force_changed_replaces_its_old_graph(tmp_path: Path) -> None:
    report = tmp_path / "reports" / "report.txt"
    report.parent.mkdir()
    report.write_text(force_variant(NOTTS, "Cheshire"), encoding="utf-8")
    assert run_load([report], tmp_path / "kg").returncode == 0
    report.write_text(force_variant(NOTTS, "Cumbria"), encoding="utf-8")  # the force was edited
    result = run_load([report], tmp_path / "kg")
    assert result.returncode == 0, result.stderr
    assert "now reads as report cumbria-2007" in result.stderr and "was removed" in result.stderr
    store = open_data_dir(tmp_path / "kg")
    try:
        graphs = set(store.graphs())
    finally:
        store.close()
    assert report_graph("cumbria-2007") in graphs and report_graph("cheshire-2007") not in graphs
