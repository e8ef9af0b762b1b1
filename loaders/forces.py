"""The register of police forces (data.police.uk ids, ONS codes) and identifying a report's force.

Printed force names are matched generically: case, "&"/"and", hyphens and the words "Police",
"Constabulary" and "Service" are ignored, so "Avon & Somerset Constabulary", "Metropolitan Police
Service" and "City of London Police" all find their register rows.
"""

from __future__ import annotations

import csv
import functools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from loaders.model import Force
from loaders.resources import data_file

_REQUIRED_COLUMNS = ("police_uk_id", "name", "ons_pfa_code")
_IGNORED_WORDS = frozenset({"police", "constabulary", "service", "force"})
_LEADING_WORDS = frozenset({"the", "of"})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
# "<up to 7 capitalised words> Police|Constabulary"; the bound keeps long capitalised runs linear.
_NAME_WORD = r"[A-Z][\w'’&-]{0,40}"
_FORCE_PHRASE = re.compile(
    rf"\b({_NAME_WORD}(?:\s+(?:of|and|&|{_NAME_WORD})){{0,6}})\s+(Police|Constabulary)\b(\s+Service\b)?"
)
# Words that make "<X> Police" an institution other than a force ("Association of Chief Police Officers").
_NOT_A_FORCE = frozenset(
    {"association", "chief", "commission", "royal", "act", "inspectorate", "standards", "authority", "her"}
    | {"office", "borough"}  # "Home Office Police …", "County and Borough Police Act"
)
_NAMES_A_LAW = re.compile(r"\s+(?:Act|Acts|Bill|Regulations)\b")


def name_key(name: str) -> str:
    """Comparison key of a force name: lower case, "&" as "and", force-type words dropped."""
    words = _NON_ALNUM.sub(" ", name.casefold().replace("&", " and ")).split()
    words = [word for word in words if word not in _IGNORED_WORDS]
    while words and words[0] in _LEADING_WORDS:
        words.pop(0)
    return " ".join(words)


def slug(name: str) -> str:
    """Register-style id of an unregistered name ("British Transport Police" -> british-transport)."""
    return name_key(name).replace(" ", "-") or "unknown"


@dataclass(frozen=True)
class ForceRegister:
    """Forces by comparison key; each entry is (police_uk_id, register name, ONS code)."""

    entries: dict[str, tuple[str, str, str | None]]

    @classmethod
    def load(cls, path: str | Path) -> ForceRegister:
        """Read a CSV with columns police_uk_id, name, ons_pfa_code; raise ValueError if malformed."""
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in _REQUIRED_COLUMNS if c not in (reader.fieldnames or ())]
            if missing:
                raise ValueError(f"force register {path} lacks columns {', '.join(missing)}")
            rows = [row for row in reader if (row.get("police_uk_id") or "").strip()]
        return cls.from_rows(rows)

    @classmethod
    def from_rows(cls, rows: Iterable[dict[str, str]]) -> ForceRegister:
        entries = {}
        for row in rows:
            code = (row.get("ons_pfa_code") or "").strip() or None
            name = row["name"].strip()
            entries[name_key(name)] = (row["police_uk_id"].strip(), name, code)
        return cls(entries)

    @classmethod
    def default(cls) -> ForceRegister:
        """The register shipped with hmic-kg (``data/police-forces.csv``)."""
        return cls.load(data_file("police-forces.csv"))

    def by_id(self, force_id: str) -> Force:
        """The force with register id ``force_id``; an id not in the register names an unregistered force."""
        for police_uk_id, name, code in self.entries.values():
            if police_uk_id == force_id:
                return Force(name=name, id=police_uk_id, ons_code=code, in_register=True)
        return Force(name=force_id.replace("-", " ").title(), id=force_id, ons_code=None, in_register=False)

    def lookup(self, printed_name: str) -> tuple[str, str, str | None] | None:
        """The register entry for a printed name, or None."""
        return self.entries.get(name_key(printed_name))

    def match(self, printed_name: str) -> Force:
        """The force for a printed name; one not in the register gets a slug id and ``in_register=False``."""
        name = " ".join(printed_name.split())
        entry = self.lookup(name)
        if entry is None:
            return Force(name=name, id=slug(name), ons_code=None, in_register=False)
        return Force(name=name, id=entry[0], ons_code=entry[2], in_register=True)


def force_phrases(text: str) -> list[str]:
    """Every "<Name> Police|Constabulary [Service]" phrase of ``text``, trimmed to a plausible force name."""
    phrases = []
    for match in _FORCE_PHRASE.finditer(text):
        words = match.group(1).split()
        if any(word.casefold() in _NOT_A_FORCE for word in words) or _NAMES_A_LAW.match(text, match.end()):
            continue
        phrases.append(" ".join(match.group(0).split()))
    return phrases


def identify_force(text: str, register: ForceRegister) -> tuple[Force | None, tuple[str, ...]]:
    """The report's own force: the register force printed as "<Name> Police" and named most often.

    Falls back to the most frequent name mentioned bare, then to the most frequent unregistered phrase.
    Returns the force (None if nothing fits) and warnings.
    """
    phrase_hits: Counter[str] = Counter()
    printed: dict[str, Counter[str]] = {}
    unregistered: Counter[str] = Counter()
    unregistered_printed: dict[str, str] = {}
    for phrase in force_phrases(text):
        key = _registered_suffix(phrase, register)
        if key is None:
            unregistered[name_key(phrase)] += 1
            unregistered_printed.setdefault(name_key(phrase), _trim_to(phrase, name_key(phrase)))
            continue
        phrase_hits[key] += 1
        printed.setdefault(key, Counter())[_trim_to(phrase, key)] += 1
    bare = _bare_mentions(text, register)
    if phrase_hits:
        best = max(phrase_hits, key=lambda k: (phrase_hits[k] + bare[k], phrase_hits[k]))
        return register.match(printed[best].most_common(1)[0][0]), ()
    if bare and bare.most_common(1)[0][1] >= 2:
        key = bare.most_common(1)[0][0]
        return register.match(register.entries[key][1]), ()
    recurring = [key for key, count in unregistered.most_common() if count >= 2 and key]
    if recurring:
        force = register.match(unregistered_printed[recurring[0]])
        return force, (f"force {force.name!r} is not in the force register",)
    return None, ()


def _registered_suffix(phrase: str, register: ForceRegister) -> str | None:
    """Key of the longest trailing run of words of ``phrase`` that names a registered force."""
    words = phrase.split()
    for start in range(len(words)):
        key = name_key(" ".join(words[start:]))
        if key in register.entries:
            return key
    return None


def _trim_to(phrase: str, key: str) -> str:
    """Drop leading words of ``phrase`` ("The Nottinghamshire Police") outside the force name."""
    words = phrase.split()
    for start in range(len(words) - 1, -1, -1):
        if name_key(" ".join(words[start:])) == key:
            return " ".join(words[start:])
    return phrase


def _bare_mentions(text: str, register: ForceRegister) -> Counter[str]:
    """How often each registered force name appears as words of ``text`` (one pass)."""
    names = {entry[1]: key for key, entry in register.entries.items()}
    if not names:
        return Counter()
    pattern = _bare_pattern(tuple(sorted(names, key=len, reverse=True)))
    return Counter(names[m.group(1)] for m in pattern.finditer(text))


@functools.lru_cache(maxsize=8)
def _bare_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    """``\\b(name1|name2|...)\\b``, built once per register.

    When every name starts with a word character, the leading ``\\b`` is the same test as ``(?<!\\w)``, and
    is written after each name's first character (``N(?<!\\wN)orfolk``): the same matches, but ``re`` can
    then skip ahead to the first letters instead of trying every name at every character.
    """
    if all(_WORD_START_RE.match(n) for n in names):
        body = "|".join(f"{re.escape(n[0])}(?<!\\w{re.escape(n[0])}){re.escape(n[1:])}" for n in names)
        return re.compile(rf"({body})\b")
    return re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")\b")


_WORD_START_RE = re.compile(r"\w")


# --- the report's own force, from the report's structure -------------------------------------------------

_WEIGHTS = {"title": 3.0, "overview": 2.0, "summary": 1.0}
_BARE_SHARE = 0.5  # a region that names the force only bare ("the county of X") counts half
_UNSURE_RATIO = 0.75


@dataclass(frozen=True)
class ForceDecision:
    """The force, what decided it (for ``parse``), and warnings when the evidence was thin or split."""

    force: Force | None
    basis: str
    warnings: tuple[str, ...]


def decide_force(
    register: ForceRegister, title: str, overview: str, summaries: Sequence[str], whole: str
) -> ForceDecision:
    """The report's force from its structure: the title, the force overview and the section summaries
    (the text before each section's findings) that name it; mention counts over the whole text only break
    ties. A force missing from the register is read as itself (a slug id), never as a force it mentions.
    """
    regions = [("title", title), ("overview", overview), *(("summary", text) for text in summaries)]
    candidates: dict[str, str] = {}  # comparison key -> printed name
    named: list[set[str]] = []  # the keys each region names in full
    for _, text in regions:
        keys = set()
        for phrase in force_phrases(text):
            key = _registered_suffix(phrase, register) or name_key(phrase)
            if key:
                candidates.setdefault(key, _trim_to(phrase, key))
                keys.add(key)
        named.append(keys)
    for phrase in force_phrases(whole):  # a force named in full only elsewhere still scores by its bare name
        key = _registered_suffix(phrase, register) or name_key(phrase)
        if key:
            candidates.setdefault(key, _trim_to(phrase, key))
    for key in _bare_mentions(f"{title}\n{overview}", register):  # "the county of Kent" in the overview
        candidates.setdefault(key, register.entries[key][1])
    scores: dict[str, float] = {}
    basis_parts: dict[str, Counter[str]] = {}
    for key, printed in candidates.items():
        bare = _bare_name(printed)
        for (kind, text), keys in zip(regions, named, strict=True):
            share = 1.0 if key in keys else _BARE_SHARE if bare and bare.search(text) else 0.0
            if share:
                scores[key] = scores.get(key, 0.0) + _WEIGHTS[kind] * share
                basis_parts.setdefault(key, Counter())[kind] += 1
    if not scores:
        force, warnings = identify_force(whole, register)
        basis = "mention counts only (no title, overview or section summary names a force)"
        return ForceDecision(force, basis, (*warnings, f"force decided by {basis}") if force else warnings)
    counts = Counter(_registered_suffix(p, register) or name_key(p) for p in force_phrases(whole))
    ranked = sorted(scores, key=lambda k: (scores[k], counts[k]), reverse=True)
    best = ranked[0]
    force = register.match(candidates[best])
    parts = basis_parts[best]
    basis = ", ".join(
        f"{n} section summar{'y' if n == 1 else 'ies'}" if kind == "summary" else f"the {kind}"
        for kind, n in parts.items()
    )
    warnings: list[str] = []
    if not force.in_register:
        warnings.append(f"force {force.name!r} is not in the force register")
    if len(ranked) > 1 and scores[ranked[1]] >= _UNSURE_RATIO * scores[best]:
        other = candidates[ranked[1]]
        warnings.append(
            f"force unsure: {force.name!r} ({scores[best]:g}) over {other!r} ({scores[ranked[1]]:g})"
        )
    return ForceDecision(force, f"named in {basis}", tuple(warnings))


def _bare_name(printed: str) -> re.Pattern[str] | None:
    """The force's name without "Police"/"Constabulary" ("Nottinghamshire"), as a whole-word pattern."""
    words = [w for w in printed.split() if w.casefold() not in _IGNORED_WORDS | _LEADING_WORDS]
    return re.compile(r"\b" + r"\s+".join(map(re.escape, words)) + r"\b") if words else None
