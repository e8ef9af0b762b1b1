"""Loading while serving: seconds from ``hmic-kg load --backend remote`` of one changed report into a
running ``hmic-kg serve`` (updates enabled) until the server answers from the new read model.

``python -m bench.bench_update DATA_DIR --report FILE --work-dir DIR`` starts ``hmic-kg serve`` on
``DATA_DIR`` (a copy: the load writes into it) with a server update token, waits for its first
``/forces``, then loads a copy of ``FILE`` (a report already in the store, same file name) with a marker
word put into its first practice's title, through the server's ``/sparql``, and polls the report's force
(``/forces/{id}``) until several answers in a row hold the marker. ``--code DIR`` runs the server and the
load from another checkout of the code (``PYTHONPATH``), to time two versions side by side on copies of
one store. The last line printed is the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

TOKEN_VARIABLE = "HMIC_KG_SERVER_UPDATE_TOKEN"
TIMEOUT_S = 3600.0
#: answers in a row that must hold the marker (with several workers, each answers from its own model)
IN_A_ROW = 4


def _get(url: str, timeout: float = 600.0) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.read()
    except (urllib.error.URLError, OSError, TimeoutError):
        return None


def marked_copy(report: Path, target_dir: Path, marker: str) -> Path:
    """``report`` copied into ``target_dir`` (same name) with ``marker`` put into the title of its first
    good practice (``TITLE:``: the force's detail lists it among its leads)."""
    lines = report.read_text(encoding="utf-8").splitlines(keepends=True)
    for index, line in enumerate(lines):
        if line.lstrip().startswith("TITLE:"):
            lines[index] = line.replace("TITLE:", f"TITLE: {marker}", 1)
            break
    else:
        raise SystemExit(f"{report}: no TITLE: line to mark")
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / report.name
    target.write_text("".join(lines), encoding="utf-8")
    return target


def force_of(base: str, report: Path) -> str:
    """The listed force whose id the report's file name starts with (the longest such id)."""
    items: list[Any] = []
    while True:
        page = json.loads(_get(f"{base}/forces?limit=100&offset={len(items)}") or b"{}")
        found = page.get("items", []) if isinstance(page, dict) else page
        items += found
        if len(found) < 100:
            break
    ids = [str(i["id"]) for i in items if isinstance(i, dict) and report.stem.startswith(str(i.get("id")))]
    if not ids:
        raise SystemExit(f"no listed force matches {report.name}")
    return max(ids, key=len)


def _serve(args: list[str], env: dict[str, str], base: str, log: Path, memory_mb: float, cwd: Path) -> Any:
    """``hmic-kg serve`` started in its own session, under a ``memory_mb`` watchdog, once it answers."""
    from bench.servers import Server

    started = time.perf_counter()
    with log.open("wb") as out:
        process = subprocess.Popen(
            args, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server("hmic-kg serve", process, base, log, started=started)
    server.watch_memory(memory_mb)
    deadline = time.monotonic() + 300
    while _get(base + "/openapi.json", timeout=30) is None:
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise SystemExit(f"the server did not start: {log.read_text(errors='replace')[-1500:]}")
        time.sleep(0.3)
    return server


def run(
    data_dir: Path, report: Path, work_dir: Path, *, workers: int, code: Path | None, memory_mb: float
) -> dict[str, Any]:
    from bench import ROOT
    from bench.servers import PYTHON, free_port

    cwd = code if code is not None else ROOT  # `python -c` puts the working directory first on the path

    token = uuid.uuid4().hex
    env = dict(os.environ, **{TOKEN_VARIABLE: token})
    env.pop("HMIC_KG_UPDATE_TOKEN", None)
    env["HMIC_KG_TIMEOUT"] = str(TIMEOUT_S)  # the load's requests wait as long as the server takes
    if code is not None:
        env["PYTHONPATH"] = str(code)
    cli = [PYTHON, "-c", "from api.cli import main; main()"]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    serve = [*cli, "serve", "--data-dir", str(data_dir), "--host", "127.0.0.1", "--port", str(port)]
    serve += ["--workers", str(workers)]
    server = _serve(serve, env, base, work_dir / "serve.log", memory_mb, cwd)
    result: dict[str, Any] = {"code": str(code or "this checkout"), "workers": workers}
    try:
        deadline = time.monotonic() + TIMEOUT_S
        while _get(base + "/forces") is None and time.monotonic() < deadline:
            time.sleep(0.1)
        result["first_forces_s"] = time.perf_counter() - server.started
        force = force_of(base, report)
        before = _get(f"{base}/forces/{quote(force, safe='')}") or b""
        marker = "zq" + uuid.uuid4().hex[:10]
        changed = marked_copy(report, work_dir / "changed", marker)
        result["force"] = force
        started = time.perf_counter()
        load = [*cli, "load", str(changed), "--backend", "remote", "--query-url", base + "/sparql"]
        load += ["--update-url", base + "/sparql", "--update-token", token]
        with (work_dir / "load.log").open("wb") as out:
            code_ = subprocess.run(
                load, env=env, stdout=out, stderr=subprocess.STDOUT, check=False
            ).returncode
        result["load_s"] = time.perf_counter() - started
        result["load_exit"] = code_  # non-zero also when only its closing whole-store count timed out
        seen = 0
        while seen < IN_A_ROW and time.monotonic() < deadline:
            body = _get(f"{base}/forces/{quote(force, safe='')}") or b""
            seen = seen + 1 if marker.encode() in body else 0
            if seen < IN_A_ROW:
                time.sleep(0.1)
        result["changed_answer"] = before != body
        if seen < IN_A_ROW:
            return {**result, "error": f"the marker never showed within {TIMEOUT_S:.0f} s"}
        result["new_model_s"] = time.perf_counter() - started
        return result
    except SystemExit as error:
        return {**result, "error": str(error)}
    finally:
        result["killed_over_memory"] = bool(server.over_memory)
        server.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_update", description=__doc__)
    parser.add_argument("data_dir", type=Path, help="a copy of a loaded data directory (it is written)")
    parser.add_argument("--report", type=Path, required=True, help="a report file already in the store")
    parser.add_argument("--work-dir", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--code", type=Path, help="another checkout to run the server and load from")
    parser.add_argument("--memory-mb", type=float, default=16384.0, help="kill the server above this RSS")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the server on the way out
    args.work_dir.mkdir(parents=True, exist_ok=True)
    figures = run(
        args.data_dir,
        args.report,
        args.work_dir,
        workers=args.workers,
        code=args.code,
        memory_mb=args.memory_mb,
    )
    print(json.dumps(figures), flush=True)
    return 0 if "error" not in figures else 1


if __name__ == "__main__":
    sys.exit(main())
