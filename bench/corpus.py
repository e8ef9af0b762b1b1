"""A synthetic national corpus for the benchmarks, made by systematically rewriting the sample reports.

Every generated report is one of the two real samples in ``data/reports`` with:

* the force's name, its short forms and its place words replaced by another force's (names from the force
  register; the forms are derived at runtime from the sample's text and file name, not hard-coded);
* the years shifted (assessment period, "2006/07" spans, every year 2000-2015 in the text);
* new grades: ``GRADE`` lines, the force summary table, and national distributions that are the real
  counts of the generated grades over all register forces for that year;
* new contact names and telephone numbers, a few IT-system names swapped from a pool, and the bullets
  of each list shuffled.

The corpus is for measuring speed only. Its content is nonsense by construction: never use it for accuracy
claims. Generation is deterministic for a given seed; size 2 is the real sample copied as is.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import json
import multiprocessing
import os
import random
import re
import shutil
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.corpus_rewrite import (
    _GRADE_LINE,
    GRADES,
    _rewrite_contacts,
    _rewrite_grades,
    _shuffle_lists,
)

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = ROOT / "data" / "reports"
FORCES_CSV = ROOT / "data" / "police-forces.csv"
VOCABULARY_TTL = ROOT / "ontology" / "vocabulary.ttl"
OUT_DIR = Path(__file__).resolve().parent / "out"
SIZES: tuple[int, ...] = (2, 43, 430, 4300)
DEFAULT_SEED = 2007
GENERATOR_VERSION = 1

GRADE_WEIGHTS: tuple[float, ...] = (0.08, 0.42, 0.42, 0.08)
#: IT-system names swapped into reports: national systems and real-sounding local ones, so that systems are
#: shared across forces in varying patterns.
SYSTEM_POOL: tuple[str, ...] = (
    "ViSOR",
    "HOLMES",
    "PNC",
    "INI",
    "COMPACT",
    "OASys",
    "NICHE",
    "STORM",
    "GENESIS",
    "ATHENA",
    "GUARDIAN",
    "SLEUTH",
    "CRIMES",
    "VANTAGE",
    "CHAMPION",
    "CATS",
)
SYSTEM_SWAPS = 3
_COMPASS = frozenset({"North", "South", "East", "West", "Central"})

_YEAR_SPAN = re.compile(r"\b(20[01]\d)/(\d\d)\b")
_YEAR = re.compile(r"\b(20(?:0\d|1[0-5]))\b")
_PERIOD_END = re.compile(r"assessment period \w+ \d{4} to \w+ (\d{4})")
_SYSTEM_CONTEXT = re.compile(r"\b([A-Za-z]*[A-Z]{2,}[A-Za-z]*) (?:system|database)\b")
_PREF_LABEL = re.compile(r'skos:inScheme hv:it-systems ; skos:prefLabel "([^"]+)"')


@dataclass(frozen=True)
class Force:
    """One row of the force register."""

    police_uk_id: str
    name: str


@dataclass(frozen=True)
class Template:
    """A sample report and what the rewrite needs to know about it, all derived from its text."""

    path: Path
    text: str
    force: Force
    year: int
    forms: dict[str, str] = field(default_factory=dict)  # printed token -> "name" | "place" | "short"
    systems: tuple[str, ...] = ()


@dataclass(frozen=True)
class Corpus:
    """A generated corpus: its directory and report files in generation order."""

    size: int
    seed: int
    directory: Path
    files: tuple[Path, ...]


def read_forces(path: Path = FORCES_CSV) -> list[Force]:
    """The force register, in file order."""
    with path.open(newline="", encoding="utf-8") as handle:
        return [Force(row["police_uk_id"], row["name"]) for row in csv.DictReader(handle)]


def sample_paths(directory: Path = SAMPLE_DIR) -> list[Path]:
    """The real sample reports, sorted by name."""
    return sorted(p for p in directory.iterdir() if p.suffix == ".txt")


def _vocabulary_systems() -> set[str]:
    if not VOCABULARY_TTL.exists():
        return set()
    return set(_PREF_LABEL.findall(VOCABULARY_TTL.read_text(encoding="utf-8")))


def _sample_force(path: Path, text: str, forces: Sequence[Force]) -> Force:
    """The sample's force: the register id its file name starts with, else the name printed most often."""
    for force in sorted(forces, key=lambda f: -len(f.police_uk_id)):
        if path.stem.startswith(force.police_uk_id + "-") or path.stem == force.police_uk_id:
            return force
    counts = {f: len(re.findall(rf"\b{re.escape(f.name)}\b", text)) for f in forces}
    return max(counts, key=lambda f: counts[f])


def _name_forms(name: str, text: str) -> dict[str, str]:
    """The printed forms of a force name in ``text``: the name, place words that are a prefix of it
    ("Nottingham") and short forms sharing its first four letters ("Notts")."""
    forms = {name: "name"}
    first = name.split()[0]
    if len(first) < 4:
        return forms
    for token in sorted(set(re.findall(rf"\b{re.escape(first[:4])}[A-Za-z]+\b", text))):
        if token == first or token in _COMPASS or token.startswith(first):
            continue
        forms[token] = "place" if name.startswith(token) and " " not in name else "short"
    return forms


def load_template(path: Path, forces: Sequence[Force], known_systems: set[str]) -> Template:
    """Read one sample and derive its force, year, force-name forms and IT-system names."""
    text = path.read_text(encoding="utf-8")
    force = _sample_force(path, text, forces)
    period = _PERIOD_END.search(text)
    stem_year = re.search(r"(\d{4})", path.stem)
    year = int(period.group(1)) if period else int(stem_year.group(1)) if stem_year else 2007
    systems = {s for s in known_systems if re.search(rf"\b{re.escape(s)}\b", text)}
    systems |= set(_SYSTEM_CONTEXT.findall(text)) - {"IT", "HMIC", "NIM"}
    return Template(path, text, force, year, _name_forms(force.name, text), tuple(sorted(systems)))


def _target_forms(force: Force) -> dict[str, str]:
    """Replacement text for each kind of form, for the target force."""
    name = force.name
    if name.endswith("shire") and len(name) - 5 >= 5:
        place = name[: -len("shire")]
    else:
        place = name.split()[-1] if " " in name else name + " City"
    short = re.sub(r"[^A-Za-z]", "", name)[:5].capitalize() + "s"
    return {"name": name, "place": place, "short": short}


def _replace_words(text: str, mapping: dict[str, str]) -> str:
    if not mapping:
        return text
    pattern = re.compile(
        r"\b(" + "|".join(re.escape(k) for k in sorted(mapping, key=len, reverse=True)) + r")\b"
    )
    return pattern.sub(lambda m: mapping[m.group(1)], text)


def _shift_years(text: str, delta: int) -> str:
    if delta == 0:
        return text

    def span(m: re.Match[str]) -> str:
        start = int(m.group(1)) + delta
        return f"{start}/{(int(m.group(2)) + delta) % 100:02d}"

    text = _YEAR_SPAN.sub(span, text)
    return _YEAR.sub(lambda m: str(int(m.group(1)) + delta), text)


def grades_for(seed: int, force_id: str, year: int, n_areas: int) -> list[str]:
    """The generated grade of each graded area (in report order) for one force and year."""
    rng = random.Random(f"{seed}:grades:{force_id}:{year}")
    return rng.choices(GRADES, weights=GRADE_WEIGHTS, k=n_areas)


def rewrite(
    template: Template, target: Force, year: int, seed: int, distributions: list[Counter[str]]
) -> str:
    """One synthetic report: ``template`` rewritten for ``target`` in ``year``."""
    rng = random.Random(f"{seed}:report:{target.police_uk_id}:{year}")
    forms = _target_forms(target)
    text = _replace_words(template.text, {token: forms[kind] for token, kind in template.forms.items()})
    text = _shift_years(text, year - template.year)
    swaps = rng.sample(list(template.systems), k=min(SYSTEM_SWAPS, len(template.systems)))
    pool = [s for s in SYSTEM_POOL if s not in template.systems]
    replacements = dict(zip(swaps, rng.sample(pool, k=min(len(swaps), len(pool))), strict=False))
    lines = text.split("\n")
    n_graded = sum(1 for line in lines if _GRADE_LINE.match(line))
    _rewrite_grades(lines, grades_for(seed, target.police_uk_id, year, n_graded), distributions)
    names = _rewrite_contacts(lines, rng)
    lines = _shuffle_lists(lines, rng)
    return _replace_words("\n".join(lines), {**replacements, **names})


def plan(size: int, forces: Sequence[Force], base_year: int) -> list[tuple[Force, int]]:
    """The (force, year) pairs of a corpus of ``size`` reports: every force for a year, then the next year."""
    return [(forces[n % len(forces)], base_year + n // len(forces)) for n in range(size)]


def _fingerprint(size: int, seed: int, samples: Sequence[Path]) -> str:
    digest = hashlib.sha256(f"{GENERATOR_VERSION}:{size}:{seed}".encode())
    digest.update(Path(__file__).read_bytes())
    for path in samples:
        digest.update(path.read_bytes())
    digest.update(FORCES_CSV.read_bytes())
    return digest.hexdigest()


def generate(
    size: int, seed: int = DEFAULT_SEED, out_dir: Path = OUT_DIR, samples: Path = SAMPLE_DIR
) -> Corpus:
    """Write ``out_dir/corpus-<size>/`` (reusing it when seed, code and samples are unchanged)."""
    paths = sample_paths(samples)
    directory = out_dir / f"corpus-{size}"
    manifest = directory / "MANIFEST.json"
    fingerprint = _fingerprint(size, seed, paths)
    if manifest.exists():
        recorded = json.loads(manifest.read_text(encoding="utf-8"))
        files = tuple(directory / name for name in recorded.get("files", []))
        if recorded.get("fingerprint") == fingerprint and all(f.exists() for f in files):
            return Corpus(size, seed, directory, files)
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    if size <= len(paths):
        written = []
        for path in paths[:size]:
            shutil.copyfile(path, directory / path.name)
            written.append(directory / path.name)
    else:
        written = _synthesise(size, seed, paths, directory)
    files = tuple(written)
    manifest.write_text(
        json.dumps(
            {"size": size, "seed": seed, "fingerprint": fingerprint, "files": [f.name for f in files]}
        ),
        encoding="utf-8",
    )
    return Corpus(size, seed, directory, files)


_WORKER_STATE: dict[str, object] = {}


def _synthesise(size: int, seed: int, paths: Sequence[Path], directory: Path) -> list[Path]:
    """Rewrite the templates for every (force, year) of the plan, on every core for large sizes."""
    forces = read_forces()
    templates = [load_template(p, forces, _vocabulary_systems()) for p in paths]
    base_year = min(t.year for t in templates)
    jobs = [(n, force, year) for n, (force, year) in enumerate(plan(size, forces, base_year))]
    state = {"templates": templates, "forces": forces, "seed": seed, "directory": directory}
    if size < 200 or (os.cpu_count() or 1) < 2:
        _WORKER_STATE.update(state)
        return [_write_one(job) for job in jobs]
    with multiprocessing.get_context("fork").Pool(os.cpu_count(), _WORKER_STATE.update, (state,)) as pool:
        return pool.map(_write_one, jobs, chunksize=64)


@functools.cache
def _distributions(seed: int, year: int, n_graded: int) -> list[Counter[str]]:
    """National distribution of each graded area for a year: the generated grades of all register forces."""
    forces = _WORKER_STATE["forces"]
    per_force = [grades_for(seed, f.police_uk_id, year, n_graded) for f in forces]  # type: ignore[attr-defined]
    return [Counter(g[a] for g in per_force) for a in range(n_graded)]


def _write_one(job: tuple[int, Force, int]) -> Path:
    n, force, year = job
    templates: list[Template] = _WORKER_STATE["templates"]  # type: ignore[assignment]
    seed: int = _WORKER_STATE["seed"]  # type: ignore[assignment]
    directory: Path = _WORKER_STATE["directory"]  # type: ignore[assignment]
    n_graded = min(sum(1 for line in t.text.split("\n") if _GRADE_LINE.match(line)) for t in templates)
    template = templates[random.Random(f"{seed}:template:{n}").randrange(len(templates))]
    path = directory / f"{force.police_uk_id}-{year}.txt"
    path.write_text(
        rewrite(template, force, year, seed, _distributions(seed, year, n_graded)), encoding="utf-8"
    )
    return path


def parse_sizes(spec: str) -> list[int]:
    """``"2,43,430"`` -> ``[2, 43, 430]`` (underscores and thousands commas inside a number are not allowed)."""
    sizes = [int(part) for part in spec.replace(" ", "").split(",") if part]
    if not sizes or any(s <= 0 for s in sizes):
        raise ValueError(f"sizes must be positive integers, got {spec!r}")
    return sizes
