"""The load generator: a small asyncio HTTP/1.1 client, run as its own process on loopback.

``python -m bench.loadgen --plan PLAN.json`` runs each scenario of the plan in turn: one probe request
(a scenario whose single request is slow or fails is skipped, not hammered), a short warm-up, then
``concurrency`` keep-alive connections in a closed loop (each sends its next request as soon as the last
answer is read) for a fixed time. A response that is not 2xx, a connection error or a request over the
time limit counts as an error. Prints the statistics as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench import latency_summary


@dataclass(frozen=True)
class Scenario:
    """Requests of one kind, sent round-robin: GET targets (path + query string) with headers."""

    name: str
    group: str  # "lookup", "sparql-ours", "sparql-stock"
    targets: tuple[str, ...]
    headers: dict[str, str] = field(default_factory=dict)
    concurrency: int | None = None  # None: the plan's
    timeout_s: float | None = None  # per request; None: the plan's


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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.loadgen", description=__doc__)
    parser.add_argument("--plan", type=Path, required=True)
    args = parser.parse_args(argv)
    print(json.dumps({"results": client_main(args.plan)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
