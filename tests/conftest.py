"""Shared test helpers: the sample reports, a PDF renderer for round-trip tests, and the reaper that
makes sure no process started by the tests outlives the run."""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import psutil
import pytest

# helper modules that test modules load as plugins (``pytest_plugins``) after others imported them:
# registered here, before any test module is imported, so their asserts are rewritten too
pytest.register_assert_rewrite("tests.conftest_api", "tests.conftest_servers", "tests.conftest_resilience")
#: the one conftest's plugins: the resilience suite's helpers, fixtures and figures section
pytest_plugins = ["tests.conftest_resilience"]

T = TypeVar("T")
REPORTS = Path(__file__).resolve().parent.parent / "data" / "reports"
NOTTS = REPORTS / "nottinghamshire-2007.txt"
NORTHANTS = REPORTS / "northamptonshire-2007.txt"

# A TrueType font with curly quotes, dashes, bullets and the minus sign (Helvetica's standard encoding
# lacks some of them). DejaVu Sans where the system has it, else Vera, which reportlab ships.
_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
)
_FONT_NAME = "HmicTestSans"


def _register_font() -> str:
    """Register (once) the test font with reportlab and return its name."""
    from reportlab import rl_config
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if _FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        bundled = Path(rl_config.__file__).parent / "fonts" / "Vera.ttf"
        font = next((Path(p) for p in _FONT_CANDIDATES if Path(p).is_file()), bundled)
        pdfmetrics.registerFont(TTFont(_FONT_NAME, str(font)))
    return _FONT_NAME


def render_pdf(lines: Sequence[str], path: Path, lines_per_page: int = 50) -> Path:
    """Write ``lines`` to a PDF at ``path``, one line of text per PDF line, ``lines_per_page`` a page.

    Blank lines keep their slot (so the layout follows the text) but a PDF has no blank lines to extract:
    a reader gets back the non-blank lines, in order. Returns ``path``.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    font = _register_font()
    height = A4[1]
    leading = (height - 100) / lines_per_page
    pdf = canvas.Canvas(str(path), pagesize=A4, pageCompression=1)
    for start in range(0, max(len(lines), 1), lines_per_page):
        pdf.setFont(font, min(9, leading * 0.8))
        for row, text in enumerate(lines[start : start + lines_per_page]):
            if text.strip():
                pdf.drawString(40, height - 50 - row * leading, text.rstrip())
        pdf.showPage()
    pdf.save()
    return path


# --- polling instead of sleeping ---------------------------------------------------------------------
def eventually(condition: Callable[[], T], what: str, timeout_s: float = 30.0, every_s: float = 0.05) -> T:
    """Poll ``condition`` until it returns something truthy, and return that; an AssertionError naming
    ``what`` when it has not by ``timeout_s``. For tests that would otherwise sleep, then assert."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout_s:g} s: {what}")
        time.sleep(every_s)


def cpu_seconds(pid: int) -> dict[int, float]:
    """CPU seconds used so far by each descendant of process ``pid``."""
    used = {}
    for child in psutil.Process(pid).children(recursive=True):
        with contextlib.suppress(psutil.Error):
            times = child.cpu_times()
            used[child.pid] = times.user + times.system
    return used


def a_descendant_works(pid: int, before: dict[int, float], cpu_s: float = 0.2) -> bool:
    """Whether a descendant of ``pid`` has used ``cpu_s`` more CPU seconds than in ``before`` (a query
    worker has started on a query), for :func:`eventually`."""
    return any(used - before.get(child, 0.0) >= cpu_s for child, used in cpu_seconds(pid).items())


# --- slow parametrisations -------------------------------------------------------------------------
#: node id -> why: one parametrisation of a shared fixture that takes over 20 s (a decorator on the test
#: would mark every backend); ``make test-fast`` leaves ``slow`` tests out, ``make test`` runs them
SLOW_PARAMETRISATIONS: dict[str, str] = {
    "tests/test_queries.py::test_sample_shared_entities[memory]": "90-155 s on a loaded 2-core machine: "
    "rdflib's SPARQL engine evaluates the shared-entities join over the in-memory dataset",
    "tests/test_cli_beside_server.py::test_read_only_commands_work_while_the_store_is_in_use[validate]": (
        "~10 CPU-s of SHACL over the samples; the other commands check the same read-only opening"
    ),
}


#: fixtures that start a real server on loopback: a test using one is a ``server`` test
SERVER_FIXTURES = frozenset({"samples_server", "oxigraph_server"})
#: backend parameters whose store is a server
SERVER_BACKENDS = frozenset({"remote", "virtuoso"})


def _starts_a_server(item: pytest.Item) -> bool:
    """A test that uses a server fixture, or is parametrised with a backend that is a server (the remote
    backend's Oxigraph server, Virtuoso)."""
    params = getattr(getattr(item, "callspec", None), "params", {}).values()
    return bool(SERVER_FIXTURES & set(getattr(item, "fixturenames", ()))) or any(
        value in SERVER_BACKENDS for value in params if isinstance(value, str)
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.nodeid in SLOW_PARAMETRISATIONS:
            item.add_marker(pytest.mark.slow)
        if _starts_a_server(item):
            item.add_marker(pytest.mark.server)


# --- no process outlives the suite ------------------------------------------------------------------
PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h
#: interpreter-lifetime helpers that exit with the test process itself
_HELPERS = ("multiprocessing.resource_tracker", "multiprocessing.forkserver", "joblib.externals.loky")
LEAK_MODE_VARIABLE = "HMIC_KG_TEST_LEAKS"  # "fail" (default) or "warn"


def become_subreaper() -> bool:
    """Make this process the Linux "child subreaper": a process orphaned by a killed test server (its
    query workers after ``kill -9``) is re-parented here instead of to init, so the reaper finds it.
    False where the platform has no such thing."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _describe(process: psutil.Process) -> str | None:
    """``pid: command line`` of a live descendant, or None for zombies and interpreter helpers."""
    try:
        if process.status() == psutil.STATUS_ZOMBIE:
            return None
        command = " ".join(process.cmdline())
    except psutil.Error:
        return None
    if any(helper in command for helper in _HELPERS):
        return None
    return f"{process.pid}: {command[:300]}"


def reap_children(grace_s: float = 3.0) -> list[str]:
    """Stop every live descendant of this process (terminate, then kill) and reap the zombies;
    returns a description of each process that was still running."""
    found = psutil.Process().children(recursive=True)
    leaked = {p: d for p in found if (d := _describe(p)) is not None}
    for process in leaked:
        with contextlib.suppress(psutil.Error):
            process.terminate()
    _, alive = psutil.wait_procs(list(leaked), timeout=grace_s)
    for process in alive:
        with contextlib.suppress(psutil.Error):
            process.kill()
    psutil.wait_procs(alive, timeout=grace_s)
    while True:  # orphans re-parented here are ours to wait for
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            break
    return list(leaked.values())


def pytest_configure(config: pytest.Config) -> None:
    become_subreaper()


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """After every fixture is torn down: any process the tests started and left running is a bug (each
    pytest-xdist worker reaps its own; the controller's only children are those workers)."""
    if session.config.pluginmanager.hasplugin("dsession"):
        return
    leaked = reap_children()
    if not leaked:
        return
    message = [f"{len(leaked)} process(es) started by the tests were still running at the end (now killed):"]
    message += [f"  {line}" for line in leaked]
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_sep("!", "leaked processes", red=True, bold=True)
        for line in message:
            reporter.write_line(line, red=True)
    else:
        print("\n".join(message), file=sys.stderr)
    if os.environ.get(LEAK_MODE_VARIABLE, "fail") != "warn":
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
