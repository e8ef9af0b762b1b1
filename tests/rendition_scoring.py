"""Acceptance figures of a rendition, against answers derived from the unmodified sample.

Structure (sections, grades, distributions, summary tables, glossary, period) and practices (title, area,
problem, contacts) must equal the unmodified parse; findings are scored by their first ten words against
the gold (Notts) or the hand list (Northants) with :func:`tests.heldout.score_variant`; IT systems and
people by recall; every text must be free of ligatures, no-break spaces, soft hyphens, zero-width
characters and line-end hyphenation; the force must be right; the report must load into a store and
validate.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from loaders.model import InspectionReport, Practice
from loaders.pipeline import load_report
from tests.heldout import (
    SAMPLE_FORCE,
    SAMPLES,
    Answers,
    Variant,
    expected_answers,
    first_words,
    score_variant,
)
from tests.rendition_producers import Rendition
from tests.renditions import ContactAnswer

_BAD_CHARS = re.compile("[\u00a0\u00ad\u200b-\u200f\u2060\ufeff\ufb00-\ufb06]|â€|Ã.|Â")
_LINE_END_HYPHEN = re.compile(r"\b[A-Za-z]+- [a-z]+\b")
_FORCE_IDS = {"notts": "nottinghamshire", "northants": "northamptonshire"}


class _Identity(Variant):
    def substitute(self, text: str) -> str:
        return text


@functools.cache
def reference(sample: str) -> InspectionReport:
    return load_report(SAMPLES[sample])


def _identity(sample: str) -> Variant:
    full, county, _ = SAMPLE_FORCE[sample]
    return _Identity(name=sample, sample=sample, force=full, county=county, force_id=_FORCE_IDS[sample])


def practice_contacts(practice: Practice) -> tuple[ContactAnswer, ...]:
    contacts = getattr(practice, "contacts", None) or ((practice.contact,) if practice.contact else ())
    return tuple(ContactAnswer(c.name or None, c.rank, c.role, c.phone, c.email or None) for c in contacts)


def structure(report: InspectionReport) -> dict[str, Any]:
    return {
        "sections": [(s.area_id, s.grade, s.national_distribution) for s in report.sections],
        "national": [(r.area_id, r.distribution) for r in report.national_summary],
        "summary": [(r.area_id, r.grade) for r in report.force_summary],
        "glossary": [(g.abbreviation, " ".join(g.expansion.split())) for g in report.glossary],
        "period": (report.assessment_period, report.year),
    }


def practices(report: InspectionReport) -> list[tuple]:
    return [
        (s.area_id, p.title, p.inspection_area, first_words(p.problem), practice_contacts(p))
        for s in report.sections
        for p in s.practices
    ]


def _texts(report: InspectionReport) -> list[str]:
    texts = [f.text for s in report.sections for f in s.findings]
    for s in report.sections:
        for p in s.practices:
            texts += [p.title, p.problem, p.solution, p.outcomes]
            texts += [str(v) for c in practice_contacts(p) for v in vars(c).values() if v]
    texts += [g.expansion for g in report.glossary] + [g.abbreviation for g in report.glossary]
    texts += [e.name for e in report.entities] + [m.text for e in report.entities for m in e.mentions]
    return texts


@dataclass
class Figures:
    """One rendition's acceptance figures, and what went wrong."""

    name: str
    structure_ok: bool = False
    practices_ok: bool = False
    findings_f1: float = 0.0
    it_recall: float = 0.0
    it_false: int = 99
    people_recall: float = 0.0
    clean_text: bool = False
    force_ok: bool = False
    stored_valid: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return (
            self.structure_ok
            and self.practices_ok
            and self.findings_f1 >= 0.98
            and self.it_recall >= 0.95
            and self.it_false <= 1
            and self.people_recall >= 0.95
            and self.clean_text
            and self.force_ok
            and self.stored_valid
        )

    def row(self) -> str:
        yes = {True: "yes", False: "NO"}
        return (
            f"{self.name:<34} {yes[self.structure_ok]:>5} {yes[self.practices_ok]:>5} "
            f"{self.findings_f1:6.3f} "
            f"{self.it_recall:5.2f} {self.it_false:3d} {self.people_recall:5.2f} {yes[self.clean_text]:>5} "
            f"{yes[self.force_ok]:>5} {yes[self.stored_valid]:>5}"
        )


HEADER = (
    f"{'rendition':<34} {'struc':>5} {'pract':>5} {'F1':>6} {'ITrec':>5} {'ITf':>3} {'pplR':>5} "
    f"{'clean':>5} {'force':>5} {'store':>5}"
)


def expected_practices(rendition: Rendition) -> list[tuple]:
    variant = rendition.variant or _identity(rendition.sample)
    seen: dict[str, int] = {}
    out = []
    for area, title, inspection_area, problem, contacts in practices(reference(rendition.sample)):
        new = contacts
        for contact in contacts:
            if contact.name is None:
                continue
            seen[contact.name] = seen.get(contact.name, 0) + 1
            shape = next(
                (
                    c
                    for c in rendition.contacts
                    if c.old == contact.name and c.occurrence == seen[contact.name]
                ),
                None,
            )
            if shape is not None:
                new = shape.answers
        out.append(
            (area, variant.substitute(title), inspection_area, first_words(variant.substitute(problem)), new)
        )
    return out


def _expected_people(rendition: Rendition, answers: Answers, text: str) -> list[dict]:
    people = [p for p in answers.people if p["name"] in text or p["name"].split()[-1] in text]
    names = {p["name"] for p in people}
    for shape in rendition.contacts:
        people += [{"name": a.name} for a in shape.answers if a.name and a.name not in names]
    return people


def score_rendition(rendition: Rendition, path: Path, *, store: bool = True) -> Figures:
    figures = Figures(rendition.name)
    report = load_report(path)
    ref = reference(rendition.sample)
    variant = rendition.variant or _identity(rendition.sample)
    want = structure(ref)
    want["glossary"] = [(a, variant.substitute(e)) for a, e in want["glossary"]]
    if not rendition.tables:
        want["national"], want["summary"] = [], []
    got = structure(report)
    diffs = [key for key in want if got[key] != want[key]]
    figures.structure_ok = not diffs
    figures.problems += [f"structure differs: {key}: {_diff(got[key], want[key])}" for key in diffs]
    want_practices, got_practices = expected_practices(rendition), practices(report)
    figures.practices_ok = got_practices == want_practices
    if not figures.practices_ok:
        figures.problems.append(f"practices differ: {_diff(got_practices, want_practices)}")
    answers = expected_answers(variant)
    text = rendition.text()
    answers = Answers(
        answers.sections,
        answers.it_systems,
        answers.optional_it_systems,
        _expected_people(rendition, answers, text),
    )
    score = score_variant(report, answers)
    p, r = score.findings_precision, score.findings_recall
    figures.findings_f1 = 2 * p * r / (p + r) if p + r else 0.0
    if figures.findings_f1 < 0.98:
        figures.problems.append(
            f"findings missed {score.missed_findings[:3]} spurious {score.spurious_findings[:3]}"
        )
    figures.it_recall, figures.it_false = score.it_recall, len(score.it_unexpected)
    if score.it_missed or score.it_unexpected:
        figures.problems.append(f"IT missed {score.it_missed} unexpected {score.it_unexpected}")
    figures.people_recall = score.people_recall
    if score.people_missed:
        figures.problems.append(f"people missed {score.people_missed}")
    allowed = {m for t in _texts(ref) for m in _LINE_END_HYPHEN.findall(t)}
    bad = [t for t in _texts(report) if _BAD_CHARS.search(t)]
    hyphens = sorted({m for t in _texts(report) for m in _LINE_END_HYPHEN.findall(t)} - allowed)
    figures.clean_text = not bad and not hyphens
    if bad or hyphens:
        figures.problems.append(f"unclean text: {bad[:2]} hyphenation {hyphens[:5]}")
    figures.force_ok = report.force.id == variant.force_id
    if not figures.force_ok:
        figures.problems.append(f"force {report.force.id!r}, expected {variant.force_id!r}")
    figures.stored_valid = stores_and_validates(report, path) if store else True
    if not figures.stored_valid:
        figures.problems.append("does not load into the store or does not validate")
    return figures


def _diff(got: Any, want: Any) -> str:
    if isinstance(got, list) and isinstance(want, list):
        extra = [g for g in got if g not in want][:2]
        missing = [w for w in want if w not in got][:2]
        return f"got {len(got)} want {len(want)}; extra {extra}; missing {missing}"
    return f"got {got!r} want {want!r}"


def stores_and_validates(report: InspectionReport, path: Path) -> bool:
    """The report's triples stored as its named graph in a fresh store, and SHACL-valid."""
    from rdflib import Graph

    from graph.iris import Iris
    from graph.loading import PreparedReport, store_prepared
    from graph.mapping import report_metadata, report_triples
    from graph.store_memory import MemoryStore
    from graph.validate import validate

    iris = Iris()
    triples = report_triples(report, iris)
    metadata = report_metadata(
        report, iris, loader_version="test", loaded_at=datetime.now(UTC), triple_count=len(triples)
    )
    result = store_prepared(MemoryStore(), PreparedReport(path, report.report_id, triples, metadata, 0), iris)
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return result.ok and validate(graph).conforms
