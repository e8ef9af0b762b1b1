"""The rewriting steps of :mod:`bench.corpus` that change a report's lines: grades, contacts, lists."""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Sequence

GRADES: tuple[str, ...] = ("Excellent", "Good", "Fair", "Poor")

FIRST_NAMES: tuple[str, ...] = (
    "Alison",
    "Andrew",
    "Bernadette",
    "Colin",
    "Deborah",
    "Emma",
    "Fiona",
    "Gareth",
    "Helen",
    "Ian",
    "Janet",
    "Keith",
    "Linda",
    "Martin",
    "Nadia",
    "Owen",
    "Priya",
    "Rachel",
    "Simon",
    "Tariq",
    "Ursula",
    "Victor",
    "Wendy",
    "Yusuf",
)

SURNAMES: tuple[str, ...] = (
    "Ahmed",
    "Bennett",
    "Clarke",
    "Dawson",
    "Evans",
    "Fletcher",
    "Griffiths",
    "Hughes",
    "Iqbal",
    "Jenkins",
    "Khan",
    "Lloyd",
    "Morgan",
    "Nolan",
    "O'Brien",
    "Patel",
    "Quinn",
    "Roberts",
    "Shaw",
    "Turner",
    "Underwood",
    "Walsh",
    "Young",
)

_GRADE_LINE = re.compile(r"^(\s*GRADE )(EXCELLENT|GOOD|FAIR|POOR)(\s*)$")

_SUMMARY_GRADE = re.compile(r"^(.*\S) (Excellent|Good|Fair|Poor)(\s*)$")

_FOUR_NUMBERS = re.compile(r"^(\D*?)(\d+) (\d+) (\d+) (\d+)(\s*)$")

_PHONE = re.compile(r"\b0\d{3,4}(?: \d{3,7})+")

_SPECIAL = re.compile(
    r"GRADE |Final Draft|^\s*Page \d+|^\s*(Strengths|Work in progress|Areas for improvement)"
)


def _rewrite_grades(lines: list[str], grades: Sequence[str], distributions: Sequence[Counter[str]]) -> None:
    """Rewrite GRADE lines, the force summary table and every national distribution, in report order."""
    grade_i = 0
    for i, line in enumerate(lines):
        m = _GRADE_LINE.match(line)
        if m and grade_i < len(grades):
            lines[i] = f"{m.group(1)}{grades[grade_i].upper()}{m.group(3)}"
            grade_i += 1
    in_force_summary = in_national_summary = False
    summary_i = national_i = section_i = 0
    expect_section_numbers = False
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("National summary of judgements"):
            in_national_summary, in_force_summary = True, False
            continue
        if stripped.startswith("Force summary of judgements"):
            in_force_summary, in_national_summary = True, False
            continue
        if stripped.startswith("National grade distribution"):
            in_force_summary = in_national_summary = False
            expect_section_numbers = True
            continue
        numbers = _FOUR_NUMBERS.match(line)
        if numbers and in_national_summary and national_i < len(distributions):
            lines[i] = numbers.group(1) + _counts(distributions[national_i]) + numbers.group(6)
            national_i += 1
            continue
        if numbers and expect_section_numbers and section_i < len(distributions):
            lines[i] = numbers.group(1) + _counts(distributions[section_i]) + numbers.group(6)
            section_i += 1
            expect_section_numbers = False
            continue
        graded = _SUMMARY_GRADE.match(line)
        if graded and in_force_summary and summary_i < len(grades):
            lines[i] = f"{graded.group(1)} {grades[summary_i]}{graded.group(3)}"
            summary_i += 1
            if summary_i == len(grades):
                in_force_summary = False


def _counts(distribution: Counter[str]) -> str:
    return " ".join(str(distribution[g]) for g in GRADES)


def _random_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"


def _rewrite_contacts(lines: list[str], rng: random.Random) -> dict[str, str]:
    """New telephone numbers on contact lines; returns old contact name -> new name for a global rewrite."""
    names: dict[str, str] = {}
    for i, line in enumerate(lines):
        if not line.startswith("FORCE CONTACT:"):
            continue
        who = re.split(r" – |,", line[len("FORCE CONTACT:") :], maxsplit=1)[0].split()
        if len(who) >= 2 and who[-1][:1].isupper() and who[-2][:1].isupper():
            old = f"{who[-2]} {who[-1]}"
            names.setdefault(old, _random_name(rng))
        for j in range(i, min(i + 3, len(lines))):
            lines[j] = _PHONE.sub(
                lambda m: re.sub(r"(?<!^)\d", lambda _: str(rng.randrange(10)), m.group(0)), lines[j]
            )
    return names


def _shuffle_lists(lines: list[str], rng: random.Random) -> list[str]:
    """Shuffle the bullets of each list whose items hold only finding text (no headings or page furniture)."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        if not lines[i].lstrip().startswith("•"):
            out.append(lines[i])
            i += 1
            continue
        items: list[list[str]] = []
        while i < len(lines) and lines[i].lstrip().startswith("•"):
            item = [lines[i]]
            i += 1
            while i < len(lines) and not lines[i].lstrip().startswith("•"):
                if not lines[i].strip():
                    k = i
                    while k < len(lines) and not lines[k].strip():
                        k += 1
                    if k >= len(lines) or not lines[k].lstrip().startswith("•"):
                        break  # the list ends; the blank lines stay outside it
                    item.extend(lines[i:k])
                    i = k
                    break
                item.append(lines[i])
                i += 1
            items.append(item)
        if len(items) > 1 and not any(_SPECIAL.search(x) for item in items for x in item):
            last_blank = [x for x in items[-1] if not x.strip()]
            bodies = [[x for x in item if x.strip()] for item in items]
            gaps = [item[len(body) :] for item, body in zip(items, bodies, strict=True)]
            rng.shuffle(bodies)
            for n, body in enumerate(bodies):
                out.extend(body)
                out.extend(gaps[n] if n < len(bodies) - 1 else last_blank)
        else:
            for item in items:
                out.extend(item)
    return out
