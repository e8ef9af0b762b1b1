"""The read-model build lock: exclusive across processes, released by a holder's crash, optional."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from api.build_lock import LOCK_NAME, build_lock
from tests.conftest_servers import ROOT

HOLD = (
    "import sys, time\n"
    "from pathlib import Path\n"
    "from api.build_lock import build_lock\n"
    "with build_lock(Path(sys.argv[1])) as waited:\n"
    "    print(waited, flush=True)\n"
    "    time.sleep(600)\n"
)


def _taken(data_dir: Path) -> bool:
    fd = os.open(data_dir / LOCK_NAME, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _wait_for_lock(data_dir: Path, waits: list[bool]) -> None:
    with build_lock(data_dir) as waited:
        waits.append(waited)


def _until_blocked(lock: Path, timeout_s: float = 10.0) -> None:
    """Poll ``/proc/locks`` until a request for ``lock`` is waiting (its line starts ``N: ->``)."""
    inode = f":{lock.stat().st_ino} "
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        lines = Path("/proc/locks").read_text(encoding="ascii").splitlines()
        if any("->" in line and inode in line for line in lines):
            return
        time.sleep(0.01)
    raise AssertionError("no request waited for the lock")


def test_another_process_holds_it_until_it_is_killed(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "False"
        assert _taken(tmp_path)
        waits: list[bool] = []
        waiter = threading.Thread(target=_wait_for_lock, args=(tmp_path, waits))
        waiter.start()
        _until_blocked(tmp_path / LOCK_NAME)
        os.kill(holder.pid, signal.SIGKILL)  # a crashed builder leaves no stale lock
        waiter.join(10)
        assert waits == [True], "it waited for the other build: look for its result"
        holder.wait(10)
        with build_lock(tmp_path) as waited:
            assert waited is False  # free at once: no other build to look for
            assert _taken(tmp_path)  # another open file (another worker) waits
        assert not _taken(tmp_path)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(10)


def test_a_lock_file_that_cannot_be_opened_builds_unlocked(tmp_path: Path) -> None:
    (tmp_path / LOCK_NAME).mkdir()  # as unwritable as a read-only data dir, for root too
    with build_lock(tmp_path) as waited:
        assert waited is False


def test_a_missing_data_dir_builds_unlocked(tmp_path: Path) -> None:
    with build_lock(tmp_path / "missing") as held:
        assert held is False
