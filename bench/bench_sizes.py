"""Size sweep of the loader: is parsing linear in the report's size?

``python -m bench.bench_sizes [--copies 1,5,10,20] [--mb 50]`` builds reports of growing size from a sample
(its area sections repeated ``n`` times between its own front matter and glossary, so every stage sees
``n`` times the work; ``--mb`` adds one report of about that many megabytes) and times each stage in CPU
seconds of this process (wall time on a shared machine measures the neighbours too): reading
(decode, furniture), structure parsing (normalisation, tables, sections, practices, glossary, force), and
entity extraction with mentions and leads. It prints a table and, with ``--json``, the figures.

The targets (issue 11): at least 1 MB of report text per CPU second end to end, and 50 MB parsed in under
a minute; MB/s must not fall as the size grows.
"""

from __future__ import annotations

import argparse
import itertools
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import ROOT

SAMPLE = ROOT / "data" / "reports" / "nottinghamshire-2007.txt"


def sized_report(copies: int, sample: Path = SAMPLE) -> str:
    """The sample with its area sections repeated ``copies`` times (front matter and glossary once)."""
    lines = sample.read_text(encoding="utf-8").split("\n")
    table = next(i for i, ln in enumerate(lines) if ln.strip().casefold() == "force summary of judgements")
    start = next(
        i for i in range(table + 1, len(lines)) if lines[i].strip().casefold() == "neighbourhood policing"
    )
    end = next(i for i, ln in enumerate(lines) if "glossary of terms" in ln.casefold())
    return "\n".join(lines[:start] + lines[start:end] * copies + lines[end:])


def measure(path: Path) -> dict[str, Any]:
    """CPU seconds of each loader stage on one file, and the rates (garbage collector paused as in
    :func:`loaders.pipeline.load_report`)."""
    from loaders.forces import ForceRegister
    from loaders.pipeline import paused_gc
    from loaders.vocabulary import Vocabulary

    register, vocabulary = ForceRegister.default(), Vocabulary.load()
    with paused_gc():
        return _measure(path, register, vocabulary)


def _measure(path: Path, register: Any, vocabulary: Any) -> dict[str, Any]:
    from loaders.entities import extract_entities
    from loaders.hmic2007 import parse_report
    from loaders.leads import extract_leads
    from loaders.mentions import attach_mentions
    from loaders.source import read_source

    clock = [time.process_time()]
    wall = time.perf_counter()
    source = read_source(path)
    clock.append(time.process_time())
    report = parse_report(source, register)
    clock.append(time.process_time())
    entities = extract_entities(report, vocabulary)
    report = attach_mentions(report, entities)
    extract_leads(report, entities)
    clock.append(time.process_time())
    megabytes = path.stat().st_size / 1e6
    read_s, parse_s, entities_s = (b - a for a, b in itertools.pairwise(clock))
    structure_s = read_s + parse_s
    total_s = clock[-1] - clock[0]
    return {
        "megabytes": round(megabytes, 3),
        "sections": len(report.sections),
        "findings": sum(len(s.findings) for s in report.sections),
        "read_s": round(read_s, 3),
        "parse_s": round(parse_s, 3),
        "entities_s": round(entities_s, 3),
        "wall_s": round(time.perf_counter() - wall, 3),
        "structure_mb_per_s": round(megabytes / structure_s, 2) if structure_s else None,
        "end_to_end_mb_per_s": round(megabytes / total_s, 2) if total_s else None,
    }


def sweep(copies: list[int], target_mb: float | None = None) -> list[dict[str, Any]]:
    """One measurement per size (a warm-up run first, so one-off imports are not charged to the first)."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        warm = Path(tmp) / "warm.txt"
        warm.write_text(sized_report(1), encoding="utf-8")
        measure(warm)
        sizes = list(copies)
        if target_mb:
            per_copy = (len(sized_report(2).encode()) - len(sized_report(1).encode())) / 1e6
            sizes.append(max(1, round(target_mb / per_copy)))
        for n in sizes:
            path = Path(tmp) / f"report-{n}.txt"
            path.write_text(sized_report(n), encoding="utf-8")
            rows.append({"copies": n, **measure(path)})
            path.unlink()
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    head = f"{'copies':>6} {'MB':>7} {'read s':>7} {'parse s':>8} {'entities s':>10} {'struct MB/s':>11} {'e2e MB/s':>9}"
    lines = [head]
    for r in rows:
        lines.append(
            f"{r['copies']:>6} {r['megabytes']:>7.2f} {r['read_s']:>7.2f} {r['parse_s']:>8.2f} "
            f"{r['entities_s']:>10.2f} {r['structure_mb_per_s']:>11.2f} {r['end_to_end_mb_per_s']:>9.2f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_sizes", description=__doc__)
    parser.add_argument(
        "--copies", default="1,5,10,20", help="section copies per report (default %(default)s)"
    )
    parser.add_argument("--mb", type=float, default=None, help="also one report of about this many MB")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON after the table")
    args = parser.parse_args(argv)
    rows = sweep([int(c) for c in args.copies.split(",") if c.strip()], args.mb)
    print(table(rows))
    if args.json:
        print(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
