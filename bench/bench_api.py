"""API benchmark: throughput and latency under bounded concurrent load, from a second process on loopback.

The parent starts the servers (``hmic-kg serve`` on the loaded store; a stock ``oxigraph serve-read-only``
bulk-loaded from an N-Quads export of the same store), then runs the load generator in another process
(``python -m bench.bench_api client …``): a small asyncio HTTP/1.1 client holding ``concurrency``
keep-alive connections, each sending its next request as soon as the last answer is read (a closed loop),
for a fixed time per scenario. A response that is not 2xx, or a connection error, counts as an error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from bench import MEMORY_LIMIT_MB, PYTHON, ROOT, latency_summary, memory_watchdog, run_child

SPARQL_ACCEPT = "application/sparql-results+json"


@dataclass(frozen=True)
class Scenario:
    """Requests of one kind, sent round-robin: GET targets (path + query string) with headers."""

    name: str
    group: str  # "lookup", "sparql-ours", "sparql-stock"
    targets: tuple[str, ...]
    headers: dict[str, str] = field(default_factory=dict)
    concurrency: int | None = None  # None: the plan's
    timeout_s: float | None = None  # per request; None: the plan's


# --- the load generator (runs in its own process) -------------------------------------------------------


class _Connection:
    """One keep-alive HTTP/1.1 connection; reads Content-Length and chunked bodies."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, target: str, headers: dict[str, str]) -> tuple[int, int]:
        """Send ``GET target``; return (status, body bytes)."""
        if self.writer is None or self.reader is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        lines = [f"GET {target} HTTP/1.1", f"Host: {self.host}:{self.port}", "Connection: keep-alive"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        status_line = await self.reader.readuntil(b"\r\n")
        status = int(status_line.split()[1])
        length: int | None = None
        chunked = close = False
        while True:
            line = await self.reader.readuntil(b"\r\n")
            if line == b"\r\n":
                break
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value:
                chunked = True
            elif name == "connection" and value == "close":
                close = True
        size = 0
        if chunked:
            while True:
                chunk = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if chunk == 0:
                    while (await self.reader.readuntil(b"\r\n")) != b"\r\n":
                        pass
                    break
                size += len(await self.reader.readexactly(chunk + 2)) - 2
        elif length is not None:
            size = len(await self.reader.readexactly(length))
        else:
            size = len(await self.reader.read())
            close = True
        if close:
            await self.close()
        return status, size

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
        self.reader = self.writer = None


async def _drive(
    base: str, scenario: Scenario, concurrency: int, duration_s: float, timeout_s: float
) -> dict[str, Any]:
    parts = urlsplit(base)
    host, port, prefix = parts.hostname or "127.0.0.1", parts.port or 80, parts.path.rstrip("/")
    latencies: list[float] = []
    errors: dict[str, int] = {}
    body_bytes = 0
    counter = 0
    deadline = time.perf_counter() + duration_s

    async def client() -> None:
        nonlocal body_bytes, counter
        conn = _Connection(host, port)
        while time.perf_counter() < deadline:
            target = prefix + scenario.targets[counter % len(scenario.targets)]
            counter += 1
            started = time.perf_counter()
            try:
                status, size = await asyncio.wait_for(conn.request(target, scenario.headers), timeout_s)
            except TimeoutError:
                errors["timeout"] = errors.get("timeout", 0) + 1
                await conn.close()
                continue
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                await conn.close()
                continue
            latencies.append(time.perf_counter() - started)
            body_bytes += size
            if not 200 <= status < 300:
                errors[str(status)] = errors.get(str(status), 0) + 1
        await conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    return {
        "scenario": scenario.name,
        "group": scenario.group,
        "concurrency": concurrency,
        "duration_s": elapsed,
        "requests": len(latencies),
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "rps": len(latencies) / elapsed if elapsed else 0.0,
        "mean_body_bytes": body_bytes / len(latencies) if latencies else 0,
        **latency_summary(latencies),
    }


async def _probe(base: str, scenario: Scenario, timeout_s: float) -> str | None:
    """One request first: why the scenario cannot be run (slow, failing), or None."""
    parts = urlsplit(base)
    conn = _Connection(parts.hostname or "127.0.0.1", parts.port or 80)
    started = time.perf_counter()
    try:
        status, _ = await asyncio.wait_for(
            conn.request(parts.path.rstrip("/") + scenario.targets[0], scenario.headers), timeout_s
        )
    except TimeoutError:
        return f"a single request took over {timeout_s:.0f} s"
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        return f"a single request failed: {type(exc).__name__}: {exc}"
    finally:
        await conn.close()
    if not 200 <= status < 300:
        return f"a single request answered HTTP {status} in {time.perf_counter() - started:.1f} s"
    return None


def client_main(plan_path: Path) -> list[dict[str, Any]]:
    """Run every scenario of a plan file in turn: a probe request, a short warm-up, then the timed run."""
    plan = json.loads(plan_path.read_text(encoding="utf-8"))
    results = []
    for raw in plan["scenarios"]:
        base = plan["bases"][raw["group"]]
        scenario = Scenario(**{**raw, "targets": tuple(raw["targets"])})
        timeout_s = scenario.timeout_s or plan["timeout_s"]
        concurrency = scenario.concurrency or plan["concurrency"]
        problem = asyncio.run(_probe(base, scenario, timeout_s))
        if problem is not None:
            results.append({"scenario": scenario.name, "group": scenario.group, "skipped": problem})
            continue
        asyncio.run(_drive(base, scenario, min(concurrency, 4), plan["warmup_s"], timeout_s))
        results.append(asyncio.run(_drive(base, scenario, concurrency, plan["duration_s"], timeout_s)))
    return results


# --- servers -------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A server process we started, and the URL it answers on."""

    name: str
    process: subprocess.Popen[bytes]
    base: str
    log: Path
    over_memory: list[float] = field(default_factory=list)

    def watch_memory(self, limit_mb: float = MEMORY_LIMIT_MB) -> None:
        """Kill the server if it (with its workers) goes over ``limit_mb`` resident."""
        memory_watchdog(
            self.process.pid, lambda: os.killpg(self.process.pid, signal.SIGKILL), limit_mb, self.over_memory
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def _start(name: str, args: Sequence[str], base: str, probe: str, log: Path, timeout_s: float = 90) -> Server:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        process = subprocess.Popen(
            list(args), cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(name, process, base, log)
    server.watch_memory()
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"{name} exited with {process.returncode}: {log.read_text(errors='replace')[-1500:]}"
            )
        try:
            with urllib.request.urlopen(base + probe, timeout=30) as response:
                if response.status < 500:
                    return server
        except (urllib.error.URLError, OSError, TimeoutError):
            time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"{name} did not answer {probe} within {timeout_s:.0f} s")


def hmic_kg_command() -> list[str]:
    """``hmic-kg`` next to this interpreter (the project's console script)."""
    script = Path(PYTHON).parent / "hmic-kg"
    return [str(script)] if script.exists() else [PYTHON, "-c", "from api.cli import main; main()"]


def start_ours(data_dir: Path, log: Path, probe: str = "/openapi.json") -> Server:
    port = free_port()
    args = [
        *hmic_kg_command(),
        "serve",
        "--data-dir",
        str(data_dir),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    return _start("hmic-kg serve", args, f"http://127.0.0.1:{port}", probe, log)


def oxigraph_binary() -> str:
    local = Path(PYTHON).parent / "oxigraph"
    return str(local) if local.exists() else (shutil.which("oxigraph") or "oxigraph")


def start_stock(nquads: Path, location: Path, log: Path) -> tuple[Server, float]:
    """Bulk-load ``nquads`` into a fresh Oxigraph directory and serve it read-only with the union default
    graph (as our store queries it); returns the server and the bulk-load time."""
    if location.exists():
        shutil.rmtree(location)
    started = time.perf_counter()
    subprocess.run(
        [oxigraph_binary(), "load", "--location", str(location), "--file", str(nquads)],
        check=True,
        capture_output=True,
    )
    return _serve_stock(location, log), time.perf_counter() - started


def _serve_stock(location: Path, log: Path) -> Server:
    port = free_port()
    args = [oxigraph_binary(), "serve-read-only", "--location", str(location),
            "--bind", f"127.0.0.1:{port}", "--union-default-graph"]  # fmt: skip
    probe = "/query?" + urlencode({"query": "ASK { ?s ?p ?o }"})
    return _start("oxigraph serve-read-only", args, f"http://127.0.0.1:{port}", probe, log)


def run_client(plan: dict[str, Any], work_dir: Path, timeout_s: float) -> tuple[list[dict[str, Any]], str]:
    """Run the load generator in a second process; returns its results and its stderr."""
    plan_path = work_dir / "api-plan.json"
    plan_path.write_text(json.dumps(plan, indent=1), encoding="utf-8")
    child = run_child(["-m", "bench.bench_api", "client", "--plan", str(plan_path)], timeout_s)
    return list(child.result.get("results", [])), child.stderr


def sparql_targets(query: str) -> tuple[str, str]:
    """The same query as a GET target for our ``/sparql`` and for Oxigraph's ``/query``."""
    encoded = urlencode({"query": query})
    return f"/sparql?{encoded}", f"/query?{encoded}"


# --- the run ------------------------------------------------------------------------------------------

#: main lookups: path templates filled from ids found through the API itself
LOOKUPS: tuple[tuple[str, str], ...] = (
    ("/forces", ""),
    ("/forces/{force}", "force"),
    ("/forces/{force}/help", "force"),
    ("/systems", ""),
    ("/systems/{system}", "system"),
    ("/units", ""),
    ("/people", ""),
    ("/areas", ""),
    ("/practices", ""),
    ("/practices?force={force}", "force"),
    ("/practices/{practice}", "practice"),
    ("/practices/{practice}/similar", "practice"),
    ("/shared", ""),
    ("/search?q={word}", "word"),
)
SEARCH_WORDS = ("visor", "domestic violence", "missing persons", "training", "partnership")
WARM_UP_PATH = "/forces"
ID_SOURCES = {"force": "/forces", "system": "/systems", "practice": "/practices"}
IDS_PER_KIND = 20


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=120) as response:
        return json.loads(response.read())


def _items(payload: Any) -> list[dict[str, Any]]:
    if isinstance(payload, dict):
        payload = payload.get("items", payload.get("results", []))
    return [item for item in payload if isinstance(item, dict)] if isinstance(payload, list) else []


def discover_ids(base: str, notes: list[str]) -> dict[str, list[str]]:
    """Ids of forces, systems and practices, read from the list endpoints (spread over the whole list)."""
    ids: dict[str, list[str]] = {"word": list(SEARCH_WORDS)}
    for kind, path in ID_SOURCES.items():
        try:
            items = _items(get_json(f"{base}{path}?limit=500"))
        except (urllib.error.URLError, OSError, ValueError) as exc:
            notes.append(f"could not list {path}: {exc}")
            continue
        found = [str(item["id"]) for item in items if item.get("id")]
        step = max(1, len(found) // IDS_PER_KIND)
        ids[kind] = found[::step][:IDS_PER_KIND]
        if not found:
            notes.append(f"{path} listed no ids; lookups needing a {kind} id were not run")
    return ids


def lookup_scenarios(ids: dict[str, list[str]]) -> list[Scenario]:
    """One scenario per lookup endpoint (ids rotated), plus a mix of all of them."""
    from urllib.parse import quote

    scenarios = []
    for template, kind in LOOKUPS:
        if kind and not ids.get(kind):
            continue
        values = ids.get(kind) or [""]
        targets = tuple(template.format(**{kind: quote(v, safe="")}) if kind else template for v in values)
        scenarios.append(Scenario(template, "lookup", targets, {"Accept": "application/json"}))
    mix = tuple(t for s in scenarios for t in s.targets[:3])
    if mix:
        scenarios.append(Scenario("lookup mix", "lookup", mix, {"Accept": "application/json"}))
    return scenarios


def sparql_queries() -> list[tuple[str, str]]:
    """(name, text) of every named query runnable without parameters, as the SPARQL endpoints get them."""
    from graph.queries import catalogue

    return [(q.name, q.text) for q in catalogue() if all(p.optional for p in q.params)]


def warm_up(base: str, timeout_s: float) -> tuple[float | None, str | None]:
    """The first lookup, which builds the server's caches (the catalogue): its time, or why it failed."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(f"{base}{WARM_UP_PATH}", timeout=timeout_s) as response:
            response.read()
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        reason = "no answer" if isinstance(exc, TimeoutError) or "timed out" in str(exc) else str(exc)
        return (
            None,
            f"the first lookup ({WARM_UP_PATH}, which builds the catalogue) failed: {reason} within {timeout_s:.0f} s",
        )
    return time.perf_counter() - started, None


def warm_up_sparql(base: str, timeout_s: float) -> tuple[float | None, str | None]:
    """The first ``/sparql`` query, which makes the query workers load their snapshot of the store."""
    started = time.perf_counter()
    target = f"{base}/sparql?{urlencode({'query': 'ASK { ?s ?p ?o }'})}"
    request = urllib.request.Request(target, headers={"Accept": SPARQL_ACCEPT})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            response.read()
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        return None, f"the first /sparql query failed: {exc}"
    return time.perf_counter() - started, None


def run_api(data_dir: Path, nquads: Path, size: int, work_dir: Path, *, quick: bool) -> dict[str, Any]:
    """Serve the store loaded at ``data_dir`` (ours) and its export (stock Oxigraph), and load both.

    Our server is warmed up first (its first lookup builds the catalogue every lookup uses; that time is
    reported as the cold start). Each scenario is then one client process. A scenario whose requests time
    out leaves work running in the server that would slow every later scenario, so that server is
    restarted (and warmed up again) before the next one.
    """
    notes: list[str] = []
    logs = work_dir / "logs"
    concurrency, duration_s, timeout_s = 16, (1.5 if quick else 4.0), 10.0
    cold_timeout_s = 60.0 if quick else 120.0
    servers: dict[str, Server] = {}
    cold_starts: list[float] = []
    sparql_cold_starts: list[float] = []
    results: list[dict[str, Any]] = []

    def start_sparql_ready_ours() -> None:
        servers["ours"] = start_ours(data_dir, logs / "hmic-kg-serve.log")
        seconds, problem = warm_up_sparql(servers["ours"].base, cold_timeout_s * 2)
        if seconds is not None:
            sparql_cold_starts.append(seconds)
        elif problem not in notes:
            notes.append(problem)

    def start_warm_ours() -> str | None:
        servers["ours"] = start_ours(data_dir, logs / "hmic-kg-serve.log")
        seconds, problem = warm_up(servers["ours"].base, cold_timeout_s)
        if seconds is not None:
            cold_starts.append(seconds)
        return problem

    try:
        cold_problem = start_warm_ours()
        stock_dir = work_dir / "stores" / f"stock-oxigraph-{size}"
        servers["stock"], stock_load_s = start_stock(nquads, stock_dir, logs / "oxigraph.log")
        scenarios: list[Scenario] = []
        if cold_problem is None:
            scenarios += lookup_scenarios(discover_ids(servers["ours"].base, notes))
        else:
            results.append({"scenario": "all lookups", "group": "lookup", "skipped": cold_problem})
            _log(_brief(results[-1]))
        for name, text in sparql_queries():
            mine, theirs = sparql_targets(text)
            accept = {"Accept": SPARQL_ACCEPT}
            for label, extra in (
                (f"sparql {name}", {}),
                (f"sparql {name} (1 client)", {"concurrency": 1, "timeout_s": 30.0}),
            ):
                scenarios.append(Scenario(label, "sparql-ours", (mine,), accept, **extra))  # type: ignore[arg-type]
                scenarios.append(Scenario(label, "sparql-stock", (theirs,), accept, **extra))  # type: ignore[arg-type]
        sparql_ready = False
        for scenario in scenarios:
            if scenario.group == "sparql-ours" and not sparql_ready:
                servers["ours"].stop()  # a fresh server: nothing left running from the lookups
                start_sparql_ready_ours()
                sparql_ready = True
            which = "stock" if scenario.group == "sparql-stock" else "ours"
            plan = {
                "bases": {scenario.group: servers[which].base},
                "concurrency": concurrency,
                "duration_s": duration_s,
                "warmup_s": 0.3 if quick else 1.0,
                "timeout_s": timeout_s,
                "scenarios": [asdict(scenario)],
            }
            found, stderr = run_client(plan, work_dir, timeout_s=60 + 3 * (duration_s + timeout_s))
            result = found[0] if found else {"scenario": scenario.name, "group": scenario.group,
                                             "skipped": f"the load generator failed: {stderr.strip()[-300:]}"}  # fmt: skip
            if servers[which].over_memory:
                result["skipped"] = f"server killed: {servers[which].over_memory[0]:,.0f} MB resident"
            results.append(result)
            _log(_brief(result))
            if "skipped" in result or result.get("error_kinds", {}).get("timeout"):
                servers[which].stop()
                if which == "ours" and scenario.group == "lookup":
                    start_warm_ours()
                elif which == "ours":
                    start_sparql_ready_ours()
                else:
                    servers["stock"] = _serve_stock(stock_dir, logs / "oxigraph.log")
    finally:
        for server in servers.values():
            server.stop()
    return {
        "reports": size,
        "concurrency": concurrency,
        "duration_s": duration_s,
        "timeout_s": timeout_s,
        "cold_start_s": cold_starts,
        "sparql_cold_start_s": sparql_cold_starts,
        "stock_load_s": stock_load_s,
        "results": results,
        "sparql_ratios": sparql_ratios(results),
        "notes": notes,
    }


def _brief(result: dict[str, Any]) -> str:
    if "skipped" in result:
        return f"{result['group']} {result['scenario']}: skipped ({result['skipped']})"
    return (f"{result['group']} {result['scenario']}: {result['rps']:.0f} req/s, p50 {result['p50_ms']:.0f} ms, "
            f"p99 {result['p99_ms']:.0f} ms, {result['errors']} errors")  # fmt: skip


def _log(message: str) -> None:
    print(f"[bench.api] {message}", file=sys.stderr, flush=True)


def sparql_ratios(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per query: our /sparql against stock Oxigraph (p50 latency and throughput ratios; >1: ours slower)."""
    ours = {r["scenario"]: r for r in results if r["group"] == "sparql-ours"}  # concurrent and 1-client
    stock = {r["scenario"]: r for r in results if r["group"] == "sparql-stock"}
    ratios = []
    for name in sorted(ours.keys() & stock.keys()):
        a, b = ours[name], stock[name]
        if "skipped" in a or "skipped" in b:
            ratios.append({"query": name.removeprefix("sparql "), "skipped": a.get("skipped") or b.get("skipped"),
                           "side": "ours" if "skipped" in a else "stock"})  # fmt: skip
            continue
        ratios.append({
            "query": name.removeprefix("sparql "),
            "ours_p50_ms": a["p50_ms"], "stock_p50_ms": b["p50_ms"],
            "ours_rps": a["rps"], "stock_rps": b["rps"],
            "latency_ratio": a["p50_ms"] / b["p50_ms"] if b["p50_ms"] else None,
            "throughput_ratio": b["rps"] / a["rps"] if a["rps"] else None,
            "errors": a["errors"] + b["errors"],
        })  # fmt: skip
    return ratios


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_api", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    client = sub.add_parser("client", help="run a plan of scenarios and print their statistics as JSON")
    client.add_argument("--plan", type=Path, required=True)
    run = sub.add_parser("run", help="the whole API benchmark on an already loaded store (for debugging)")
    run.add_argument("--data-dir", type=Path, required=True)
    run.add_argument("--nquads", type=Path, required=True)
    run.add_argument("--size", type=int, required=True)
    run.add_argument("--work-dir", type=Path, default=ROOT / "bench" / "out")
    run.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "client":
        print(json.dumps({"results": client_main(args.plan)}))
    else:
        print(
            json.dumps(
                run_api(args.data_dir, args.nquads, args.size, args.work_dir, quick=args.quick), indent=1
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
