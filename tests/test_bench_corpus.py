"""The benchmark corpus generator, and a smoke run of the harness at size 2 (so the bench cannot rot)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from dataclasses import asdict
from pathlib import Path

import pytest

from bench import corpus, latency_summary, percentile

ROOT = Path(__file__).resolve().parent.parent
GRADE_LINE = re.compile(r"^\s*GRADE (EXCELLENT|GOOD|FAIR|POOR)\s*$", re.MULTILINE)


@pytest.fixture(scope="module")
def corpus_43(tmp_path_factory: pytest.TempPathFactory) -> corpus.Corpus:
    return corpus.generate(43, seed=11, out_dir=tmp_path_factory.mktemp("bench"))


def test_size_2_is_the_real_sample(tmp_path: Path) -> None:
    generated = corpus.generate(2, out_dir=tmp_path)
    samples = corpus.sample_paths()
    assert [f.name for f in generated.files] == [p.name for p in samples]
    assert all(f.read_bytes() == p.read_bytes() for f, p in zip(generated.files, samples, strict=True))


def test_every_force_once_per_year(corpus_43: corpus.Corpus) -> None:
    forces = corpus.read_forces()
    assert [f.name for f in corpus_43.files] == [f"{force.police_uk_id}-2007.txt" for force in forces]


def test_generation_is_deterministic(tmp_path: Path, corpus_43: corpus.Corpus) -> None:
    again = corpus.generate(43, seed=11, out_dir=tmp_path)
    other_seed = corpus.generate(43, seed=12, out_dir=tmp_path / "other")
    pairs = list(zip(corpus_43.files, again.files, other_seed.files, strict=True))
    assert all(a.read_bytes() == b.read_bytes() for a, b, _ in pairs)
    assert any(a.read_bytes() != c.read_bytes() for a, _, c in pairs)


def test_sample_force_forms_are_derived_from_the_text() -> None:
    forces = corpus.read_forces()
    for path in corpus.sample_paths():
        template = corpus.load_template(path, forces, set())
        assert path.stem.startswith(template.force.police_uk_id)
        assert template.forms[template.force.name] == "name"
        assert "place" in template.forms.values()  # "Nottingham" in "Nottinghamshire"
        assert template.year == 2007


def test_the_sample_force_is_replaced_everywhere(corpus_43: corpus.Corpus) -> None:
    forces = corpus.read_forces()
    templates = [corpus.load_template(p, forces, set()) for p in corpus.sample_paths()]
    kent = (corpus_43.directory / "kent-2007.txt").read_text(encoding="utf-8")
    assert "Kent Police" in kent
    for template in templates:
        for form in template.forms:
            assert not re.search(rf"\b{re.escape(form)}\b", kent), form


def test_grades_and_distributions_are_consistent(corpus_43: corpus.Corpus) -> None:
    per_area: list[Counter[str]] = []
    for path in corpus_43.files:
        text = path.read_text(encoding="utf-8")
        grades = GRADE_LINE.findall(text)
        summary = text.split("Force summary of judgements", 1)[1].split("National grade distribution", 1)[0]
        printed = re.findall(r"\S (Excellent|Good|Fair|Poor)\s*$", summary, re.MULTILINE)
        assert [g.title() for g in grades] == printed
        for area, grade in enumerate(grades):
            if len(per_area) <= area:
                per_area.append(Counter())
            per_area[area][grade.title()] += 1
    text = corpus_43.files[0].read_text(encoding="utf-8")
    blocks = text.split("National grade distribution")[1:]
    for area, block in enumerate(blocks):
        numbers = [int(n) for n in re.search(r"(\d+) (\d+) (\d+) (\d+)", block).groups()]  # type: ignore[union-attr]
        assert numbers == [per_area[area][g] for g in corpus.GRADES]
        assert sum(numbers) == 43


def test_years_shift_with_the_report_year(tmp_path: Path) -> None:
    generated = corpus.generate(50, seed=3, out_dir=tmp_path)
    later = generated.files[-1]
    assert later.name.endswith("-2008.txt")
    text = later.read_text(encoding="utf-8")
    assert "assessment period April 2007 to July 2008" in text


def test_contacts_are_rewritten(corpus_43: corpus.Corpus) -> None:
    samples = "\n".join(p.read_text(encoding="utf-8") for p in corpus.sample_paths())
    sample_contacts = set(re.findall(r"^FORCE CONTACT:.*$", samples, re.MULTILINE))
    generated = corpus_43.files[5].read_text(encoding="utf-8")
    contacts = re.findall(r"^FORCE CONTACT:.*$", generated, re.MULTILINE)
    assert contacts and not sample_contacts & set(contacts)


def test_a_synthetic_report_loads_as_its_force_and_year(tmp_path: Path) -> None:
    from loaders.pipeline import load_report

    generated = corpus.generate(50, seed=5, out_dir=tmp_path)
    report = load_report(generated.files[43])  # the first force of the second year
    assert report.report_id == "avon-and-somerset-2008"


def test_percentiles() -> None:
    assert percentile([1, 2, 3, 4], 50) == 2.5
    summary = latency_summary([0.001] * 99 + [0.1])
    assert summary["p50_ms"] == pytest.approx(1.0)
    assert summary["max_ms"] == pytest.approx(100.0)


@pytest.mark.slow
def test_smoke_run_of_the_harness_at_size_2(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    command = [
        sys.executable,
        "-m",
        "bench",
        "--sizes",
        "2",
        "--quick",
        "--work-dir",
        str(tmp_path / "work"),
        "--out",
        str(out),
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=500)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads((tmp_path / "work" / "results.json").read_text(encoding="utf-8"))
    loads = {run["backend"]: run for run in results["load"]}
    assert set(loads) == {"oxigraph", "memory"}
    for run in loads.values():
        assert "error" not in run, run
        assert run["attempted"] == 2 and run["quads"] > 1000
        assert run["queries"]["results"], run["backend"]
    assert loads["oxigraph"]["views"]["results"]
    page = out.read_text(encoding="utf-8")
    assert "python -m bench --sizes 2 --quick" in page
    api = results["api"]  # the API part runs too: a bench that dies there reports nothing on issue 13
    assert "error" not in api, api.get("error")
    groups = {r["group"] for r in api["results"] if not r.get("skipped") and not r.get("error")}
    assert {"lookup", "sparql-ours", "sparql-stock"} <= groups, api["results"]
    assert "## Targets (issue 13)" in page and "## Targets (issue 6)" in page
    scaling = results["cores"]["load"]  # one CPU, then two (when the machine has two)
    assert scaling["runs"] and all("error" not in run for run in scaling["runs"]), scaling
    assert "## Scaling with cores" in page


@pytest.mark.server
def test_load_generator_against_a_stock_oxigraph_server(tmp_path: Path) -> None:
    from bench.bench_api import SPARQL_ACCEPT, sparql_targets
    from bench.loadgen import Scenario
    from bench.lookups import run_client
    from bench.servers import start_stock

    nquads = tmp_path / "data.nq"
    nquads.write_text('<http://x/s> <http://x/p> "o" <http://x/g> .\n', encoding="utf-8")
    server, _ = start_stock(nquads, tmp_path / "oxigraph", tmp_path / "oxigraph.log")
    try:
        _, target = sparql_targets("SELECT * WHERE { ?s ?p ?o }")
        ok = Scenario("spo", "sparql-stock", (target,), {"Accept": SPARQL_ACCEPT})
        missing = Scenario("missing", "sparql-stock", ("/no-such-path",))
        plan = {
            "bases": {"sparql-stock": server.base},
            "concurrency": 4,
            "duration_s": 0.5,
            "warmup_s": 0.1,
            "timeout_s": 10.0,
            "scenarios": [asdict(ok), asdict(missing)],
        }
        results, stderr = run_client(plan, tmp_path, timeout_s=60)
    finally:
        server.stop()
    by_name = {r["scenario"]: r for r in results}
    assert by_name["spo"]["requests"] > 0 and by_name["spo"]["errors"] == 0, stderr
    assert "skipped" in by_name["missing"]  # the probe request answered 404: not hammered
