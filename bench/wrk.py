"""A compiled load generator for the lookups: ``wrk`` (C, epoll), when it is installed.

The Python load generator (:mod:`bench.loadgen`) needs most of a core for a few hundred requests a
second, which it takes from the server on a two-core machine; ``wrk`` with one thread needs a few percent
of one for the same work, so the server's figures (and how they grow from one CPU to two) are its own.
Same model as :mod:`bench.loadgen`: ``concurrency`` keep-alive connections in a closed loop, the
scenario's targets sent round-robin (a Lua script), a probe request first (a slow or failing scenario
is skipped, not hammered) and a short warm-up. A response of 400 or more, a connection error or a
request over the time limit counts as an error. Requests still running when the time is up are not
counted, so it is for fast requests only (``/sparql`` keeps :mod:`bench.loadgen`).

``wrk`` is a Debian package (``apt-get install wrk``, in ``.ci/run``); without it the bench falls back to
:mod:`bench.loadgen` and says so.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.loadgen import Scenario

NAME = "wrk"
#: percentiles read from wrk's histogram (microseconds), as :func:`bench.latency_summary` names them
_PERCENTILES = {"p50_ms": 50.0, "p95_ms": 95.0, "p99_ms": 99.0}

_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, "write": %d, '
    .. '"status": %d, "timeout": %d, "p50_us": %.1f, "p95_us": %.1f, "p99_us": %.1f, "max_us": %.1f}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50.0), latency:percentile(95.0), latency:percentile(99.0), latency.max))
end
"""


def binary() -> str | None:
    """The ``wrk`` command, or None when it is not installed."""
    return shutil.which(NAME)


def _lua_string(text: str) -> str:
    level = "=" * 1
    while f"]{level}]" in text:
        level += "="
    return f"[{level}[{text}]{level}]"


def lua_script(targets: Sequence[str], headers: dict[str, str]) -> str:
    """The script sending ``targets`` round-robin with ``headers`` and printing the figures as JSON."""
    paths = ", ".join(_lua_string(t) for t in targets)
    fields = ", ".join(f"[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in headers.items())
    return (
        f"local targets = {{{paths}}}\n"
        f"local headers = {{{fields}}}\n"
        "local n = 0\n"
        "request = function()\n"
        "  n = n + 1\n"
        '  return wrk.format("GET", targets[(n - 1) % #targets + 1], headers)\n'
        "end\n" + _DONE
    )


def parse_output(stdout: str) -> dict[str, Any]:
    """wrk's figures (the JSON line the script's ``done`` prints)."""
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise ValueError(f"wrk printed no figures: {stdout.strip()[-300:]!r}")
    return dict(json.loads(lines[-1]))


def to_result(scenario: Scenario, concurrency: int, raw: dict[str, Any], cpu_s: float) -> dict[str, Any]:
    """wrk's figures in :mod:`bench.loadgen`'s result format (plus the client's own CPU seconds)."""
    kinds = {k: int(raw[k]) for k in ("connect", "read", "write", "status", "timeout") if raw.get(k)}
    requests = int(raw["requests"])
    duration_s = raw["duration_us"] / 1e6
    latency = {key: raw[f"{key[:-3]}_us"] / 1000 for key in _PERCENTILES}
    return {
        "scenario": scenario.name,
        "group": scenario.group,
        "client": NAME,
        "concurrency": concurrency,
        "duration_s": duration_s,
        "requests": requests,
        "errors": sum(kinds.values()),
        "error_kinds": kinds,
        "rps": requests / duration_s if duration_s else 0.0,
        "mean_body_bytes": raw["bytes"] / requests if requests else 0,
        "n": requests,
        **(latency if requests else {key: math.nan for key in _PERCENTILES}),
        "max_ms": raw["max_us"] / 1000 if requests else math.nan,
        "client_cpu_s": cpu_s,
    }


def probe(base: str, scenario: Scenario, timeout_s: float) -> str | None:
    """One request first: why the scenario cannot be run (slow, failing), or None."""
    request = urllib.request.Request(base + scenario.targets[0], headers=scenario.headers)
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        return f"a single request answered HTTP {exc.code} in {time.perf_counter() - started:.1f} s"
    except TimeoutError:
        return f"a single request took over {timeout_s:.0f} s"
    except (urllib.error.URLError, OSError) as exc:
        return f"a single request failed: {exc}"
    return None


def run_wrk(
    base: str,
    scenario: Scenario,
    work_dir: Path,
    *,
    concurrency: int,
    duration_s: float,
    timeout_s: float,
    prefix: Sequence[str] = (),
) -> dict[str, Any]:
    """One timed run of ``scenario`` (whole seconds, at least one); wrk's CPU time is its own rusage."""
    command = binary()
    if command is None:
        raise FileNotFoundError("wrk is not installed")
    script = work_dir / "wrk-scenario.lua"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(lua_script(scenario.targets, scenario.headers), encoding="utf-8")
    args = [
        *prefix,
        command,
        "-t1",
        f"-c{concurrency}",
        f"-d{max(1, math.ceil(duration_s))}s",
        f"--timeout={max(1, math.ceil(timeout_s))}s",
        "-s",
        str(script),
        base,
    ]
    out_path, err_path = work_dir / "wrk.out", work_dir / "wrk.err"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        process = subprocess.Popen(args, stdout=out, stderr=err)
    killer = threading.Timer(duration_s + timeout_s + 60, process.kill)
    killer.start()
    try:
        _, status, usage = os.wait4(process.pid, 0)  # its own rusage: the client's CPU seconds
    finally:
        killer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    stdout = out_path.read_text(encoding="utf-8", errors="replace")
    if process.returncode:
        stderr = err_path.read_text(encoding="utf-8", errors="replace")
        raise RuntimeError(f"wrk exited with {process.returncode}: {(stderr or stdout).strip()[-300:]}")
    cpu_s = usage.ru_utime + usage.ru_stime
    return to_result(scenario, concurrency, parse_output(stdout), cpu_s)


def run_scenario(
    base: str,
    scenario: Scenario,
    work_dir: Path,
    *,
    concurrency: int,
    duration_s: float,
    warmup_s: float,
    timeout_s: float,
    prefix: Sequence[str] = (),
) -> dict[str, Any]:
    """Probe, warm up, then the timed run: the result, or a ``skipped`` one saying why."""
    problem = probe(base, scenario, timeout_s)
    if problem is None:
        try:
            if warmup_s > 0:
                run_wrk(
                    base,
                    scenario,
                    work_dir,
                    concurrency=min(concurrency, 4),
                    duration_s=warmup_s,
                    timeout_s=timeout_s,
                    prefix=prefix,
                )
            result = run_wrk(
                base,
                scenario,
                work_dir,
                concurrency=concurrency,
                duration_s=duration_s,
                timeout_s=timeout_s,
                prefix=prefix,
            )
        except (OSError, RuntimeError, ValueError) as exc:
            problem = f"wrk failed: {exc}"
        else:
            if result["requests"]:
                return result
            problem = f"no answer within the {result['duration_s']:.0f} s run"
    return {"scenario": scenario.name, "group": scenario.group, "client": NAME, "skipped": problem}
