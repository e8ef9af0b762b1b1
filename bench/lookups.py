"""The lookups the API benchmark times: their paths (ids found through the API itself), and one timed
run of a lookup scenario after every target is warm, by ``wrk`` (:mod:`bench.wrk`) or by the Python load
generator (:mod:`bench.loadgen`)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench import run_child, wrk
from bench.loadgen import Scenario

PYTHON_CLIENT = "bench.loadgen"


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


def run_client(
    plan: dict[str, Any], work_dir: Path, timeout_s: float, prefix: Sequence[str] = ()
) -> tuple[list[dict[str, Any]], str]:
    """Run the load generator in a second process (behind ``prefix``: ``taskset -c 2``); returns its
    results (with the client's CPU seconds when the plan has one scenario) and its stderr."""
    plan_path = work_dir / "api-plan.json"
    plan_path.write_text(json.dumps(plan, indent=1), encoding="utf-8")
    child = run_child(["-m", "bench.loadgen", "--plan", str(plan_path)], timeout_s, prefix=prefix)
    results = list(child.result.get("results", []))
    if len(results) == 1:
        results[0]["client_cpu_s"] = child.cpu_s  # with its probe and warm-up
    return results, child.stderr


def time_scenario(
    base: str,
    scenario: Scenario,
    work_dir: Path,
    *,
    client: str,
    concurrency: int,
    duration_s: float,
    warmup_s: float,
    timeout_s: float,
) -> dict[str, Any]:
    """One timed run of ``scenario`` by ``client`` (``"wrk"`` or :data:`PYTHON_CLIENT`); a ``skipped``
    result saying why when it could not be run."""
    if client == wrk.NAME:
        return wrk.run_scenario(
            base,
            scenario,
            work_dir,
            concurrency=concurrency,
            duration_s=duration_s,
            warmup_s=warmup_s,
            timeout_s=timeout_s,
        )
    plan = {
        "bases": {scenario.group: base},
        "concurrency": concurrency,
        "duration_s": duration_s,
        "warmup_s": warmup_s,
        "timeout_s": timeout_s,
        "scenarios": [asdict(scenario)],
    }
    found, stderr = run_client(plan, work_dir, timeout_s=60 + 3 * (duration_s + timeout_s))
    if not found:
        found = [
            {
                "scenario": scenario.name,
                "group": scenario.group,
                "skipped": f"the load generator failed: {stderr.strip()[-300:]}",
            }
        ]
    return {**found[0], "client": PYTHON_CLIENT}


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median throughput of ``runs`` (a skipped one if none was measured), with every
    run's req/s."""
    measured = sorted((r for r in runs if "skipped" not in r), key=lambda r: r["rps"])
    if not measured:
        return runs[-1]
    return {**measured[len(measured) // 2], "all_rps": [r["rps"] for r in runs if "skipped" not in r]}
