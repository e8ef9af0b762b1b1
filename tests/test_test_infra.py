"""The test suite's own machinery: servers on kernel-picked ports, and the reaper that fails a run
whose tests leave processes behind (issue 13: "free_port() races", "the kill -9 tests leave worker
processes alive after the run")."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psutil
import pytest

from tests.conftest_servers import ServerDidNotStart, start_server, stop_process

ROOT = Path(__file__).resolve().parent.parent


def _http_server(port: int) -> list[str]:
    return [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]


def _answers(base: str) -> bool:
    return httpx.get(base, timeout=1).status_code == 200


def test_servers_started_together_get_their_own_ports(tmp_path: Path) -> None:
    """Regression: free_port() handed out a port another process could take before the server bound it."""
    with ThreadPoolExecutor(4) as pool:
        started = list(pool.map(lambda _: start_server(_http_server, _answers, cwd=tmp_path), range(4)))
    try:
        bases = [base for _, base in started]
        assert len(set(bases)) == 4
        assert all(_answers(base) for base in bases)
    finally:
        for process, _ in started:
            stop_process(process)


def test_a_server_that_exits_is_reported_with_its_stderr() -> None:
    failing = [sys.executable, "-c", "import sys; sys.exit('cannot bind: no such interface')"]
    with pytest.raises(ServerDidNotStart, match="no such interface"):
        start_server(lambda port: failing, _answers, timeout_s=20)


LEAKY_TEST = """
import subprocess
from pathlib import Path


def test_leaves_an_orphan_behind():
    # the shell exits at once; its background child is orphaned (as workers are by a kill -9)
    subprocess.run(["sh", "-c", "sleep 120 & echo $! > {pidfile}"], check=True)
    assert Path("{pidfile}").read_text().strip()
"""


def _run_leaky_suite(tmp_path: Path, mode: str) -> tuple[subprocess.CompletedProcess[str], int]:
    pidfile = tmp_path / "orphan.pid"
    (tmp_path / "conftest.py").write_text(
        "from tests.conftest import pytest_configure, pytest_sessionfinish  # noqa: F401\n"
    )
    (tmp_path / "test_leaky.py").write_text(LEAKY_TEST.format(pidfile=pidfile))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HMIC_KG_TEST_LEAKS": mode}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path / "test_leaky.py")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done, int(pidfile.read_text())


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="child subreapers are Linux only")
def test_the_reaper_kills_orphans_and_fails_the_run(tmp_path: Path) -> None:
    done, orphan = _run_leaky_suite(tmp_path, "fail")
    try:
        assert done.returncode == 1, done.stdout + done.stderr
        assert "leaked processes" in done.stdout and "sleep 120" in done.stdout
        assert _gone(orphan)
    finally:
        if not _gone(orphan):
            os.kill(orphan, 9)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="child subreapers are Linux only")
def test_the_reaper_can_only_warn(tmp_path: Path) -> None:
    done, orphan = _run_leaky_suite(tmp_path, "warn")
    try:
        assert done.returncode == 0, done.stdout + done.stderr
        assert "leaked processes" in done.stdout
        assert _gone(orphan)
    finally:
        if not _gone(orphan):
            os.kill(orphan, 9)


def test_our_code_uses_none_of_the_rdflib_apis_whose_warnings_are_filtered() -> None:
    """pyproject.toml filters rdflib's deprecation warnings about its own internal calls; a call from
    our code would be hidden by that filter, so there must be none."""
    deprecated = ("default_context", ".contexts(", "ConjunctiveGraph")
    for package in ("loaders", "graph", "api", "tests", "bench"):
        for path in (ROOT / package).rglob("*.py"):
            if path == Path(__file__):
                continue
            text = path.read_text(encoding="utf-8")
            assert not [name for name in deprecated if name in text], path


def test_the_slow_parametrisations_name_tests_that_exist() -> None:
    from tests.conftest import SLOW_PARAMETRISATIONS

    for node in SLOW_PARAMETRISATIONS:
        path, _, test = node.partition("::")
        assert f"def {test.split('[')[0]}(" in (ROOT / path).read_text(encoding="utf-8"), node


def test_make_test_fast_leaves_the_slow_shared_entities_query_out() -> None:
    """Regression: test_sample_shared_entities[memory] took 99 s, unmarked, in every run."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", "slow", "tests/test_queries.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "tests/test_queries.py::test_sample_shared_entities[memory]" in done.stdout, done.stdout[-2000:]
    assert "test_sample_shared_entities[oxigraph]" not in done.stdout
