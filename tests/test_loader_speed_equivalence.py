"""The loader's faster regexes and scans give exactly what the plain versions gave.

Each optimised piece (control-character cleaning, whole-word form patterns with the lookbehind moved after
the first character, alternations grouped by first letter, searches started from a lower-cased copy,
apposition, sentence and bare-force-name scans) is compared with a straightforward reference written the
way the code was before, on crafted edge cases, generated text and the two sample reports.
"""

from __future__ import annotations

import re
import sys
import unicodedata

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from loaders import forces, leads, people, text
from loaders.entity_patterns import JoinedText
from loaders.entity_registry import Registry, _pattern
from loaders.entity_rules import _mentioned, add_vocabulary
from loaders.errors import LoaderError
from loaders.options import LoadOptions
from loaders.pipeline import load_report
from loaders.regex_tools import (
    ASCII_LOOKALIKES,
    first_char_alternation,
    literal_body,
    lowered_for_search,
    search_from_word,
    word_start,
    word_start_alternation,
)
from loaders.source import read_source
from loaders.vocabulary import Term, Vocabulary
from tests.hmic2007_support import NORTHANTS, NOTTS

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def sample_texts() -> list[str]:
    return [JoinedText.from_lines(read_source(path, LoadOptions()).lines).text for path in (NOTTS, NORTHANTS)]


def _spans(pattern: re.Pattern[str], string: str) -> list[tuple[tuple[int, int], tuple[str | None, ...]]]:
    return [(m.span(), m.groups()) for m in pattern.finditer(string)]


# --- control characters -------------------------------------------------------------------------------


def _reference_clean(value: str) -> tuple[str, int]:
    """The per-character loop the loader used before."""

    def control(ch: str) -> bool:
        return ch not in "\t\n\f" and unicodedata.category(ch) in ("Cc", "Zl", "Zp")

    stray = [ch for ch in value if control(ch)]
    if not stray:
        return value, 0
    if len(stray) > 0.05 * len(value):
        raise LoaderError("x", "too many")
    return "".join(" " if control(ch) else ch for ch in value), len(stray)


def test_stray_control_class_is_every_control_character() -> None:
    every = "".join(chr(cp) for cp in range(sys.maxunicode + 1) if not 0xD800 <= cp <= 0xDFFF)
    expected = {ch for ch in every if ch not in "\t\n\f" and unicodedata.category(ch) in ("Cc", "Zl", "Zp")}
    assert set(text._STRAY_CONTROL_RE.findall(every)) == expected


CONTROLISH = st.text(
    alphabet=st.one_of(
        st.sampled_from("\x00\x01\x07\t\n\x0b\f\r\x1b\x7f\x85\x9f\u2028\u2029 aé•’–"),
        st.characters(blacklist_categories=("Cs",)),
    ),
    max_size=80,
)


@SETTINGS
@given(CONTROLISH)
@example("")
@example("plain text\twith\ttabs\fand\nbreaks")
@example("a\x00" + "b" * 40)
@example("\x85" * 3)
def test_clean_controls_matches_the_character_loop(value: str) -> None:
    try:
        expected = _reference_clean(value)
    except LoaderError:
        with pytest.raises(LoaderError):
            text._clean_controls(value, "x")
        return
    assert text._clean_controls(value, "x") == expected


# --- whole-word forms ------------------------------------------------------------------------------------

WORDS = st.sampled_from(
    ["PNC", "pnc", "HOLMES", "Holmes", "HOLMES 2", "child", "abuse", "child abuse", "co-ordinator", "AB",
     "C", "(CAIU)", "O’Neill", "ſ", "K", "team", "s", "es", "'s", "a.b", "-x", "İ", "ı"]
)  # fmt: skip
FORM = st.lists(WORDS, min_size=1, max_size=3).map(" ".join)
FILLER = st.sampled_from(
    [" ", "  ", "\t", "-", "s", "es", "’s", ".", ",", "x", "_", "\n", "é", "Ω", "ſ", "K"]
)
TEXT = st.lists(st.one_of(WORDS, FILLER), max_size=30).map("".join)
FLAGS = st.sampled_from([0, re.IGNORECASE])

EDGE_TEXTS = (
    "the HOLMES 2 system; HOLMES2, xHOLMES, HOLMES-2, HOLMESs, HOLMES’s and -HOLMES",
    "child abuse investigation unit, Child Abuse teams, CHILD  ABUSE, child-abuse, childabuse",
    "co-ordinators and co-ordinator-led work; the pnc and PNCs",
    "ſtrategy, Kelvin Ktest, İstanbul, ıd — and (CAIU) (CAIU)s",
)


def _reference_word(forms: list[str], suffix: str, flags: int) -> re.Pattern[str]:
    body = "|".join(r"\s+".join(map(re.escape, f.split())) for f in forms)
    return re.compile(rf"(?<![\w-])(?:{body}){suffix}", flags)


@SETTINGS
@given(st.lists(FORM, min_size=1, max_size=6, unique=True), TEXT, FLAGS)
def test_word_start_alternation_matches_the_leading_lookbehind(forms, string, flags) -> None:
    for suffix in (r"s?(?![\w-])", r"(?:s|es|’s|'s)?(?![\w-])"):
        new = re.compile(rf"(?:{word_start_alternation(forms)}){suffix}", flags)
        assert _spans(new, string) == _spans(_reference_word(forms, suffix, flags), string)


@pytest.mark.parametrize("string", EDGE_TEXTS)
@pytest.mark.parametrize("flags", [0, re.IGNORECASE])
def test_word_start_on_edge_cases(string: str, flags: int) -> None:
    forms = ["HOLMES 2", "HOLMES", "child abuse", "Child", "co-ordinator", "PNC", "(CAIU)", "ſtrategy", "K"]
    for count in range(1, len(forms) + 1):
        new = re.compile(rf"(?:{word_start_alternation(forms[:count])})s?(?![\w-])", flags)
        assert _spans(new, string) == _spans(_reference_word(forms[:count], r"s?(?![\w-])", flags), string)
    assert word_start("") == r"(?<![\w-])"
    assert word_start("HOLMES 2") == r"H(?<![\w-]H)OLMES\s+2"


@SETTINGS
@given(st.lists(FORM, min_size=1, max_size=8, unique=True), TEXT)
def test_first_char_alternation_ignoring_case(forms, string) -> None:
    grouped = first_char_alternation(forms)
    if grouped is None:
        assert any(not f.split() or not f.split()[0][0].isascii() for f in forms)
        return
    for prefix in ("", r"(?<![\w-])"):
        new = re.compile(rf"{prefix}(?P<who>{grouped})(?:s|es)?(?![\w-])", re.IGNORECASE)
        old = re.compile(rf"{prefix}(?P<who>{'|'.join(map(literal_body, forms))})(?:s|es)?(?![\w-])", re.I)
        assert _spans(new, string) == _spans(old, string)


def test_entity_scan_pattern_keeps_its_alternation(sample_texts) -> None:
    forms = ["public protection unit", "public protection", "PPU", "Child Abuse", "child abuse unit", "cid"]
    for flags in (0, re.IGNORECASE):
        old = _reference_word(sorted(set(forms), key=len, reverse=True), r"(?:s|es|’s|'s)?(?![\w-])", flags)
        new = re.compile(_pattern(forms, flags), flags)
        for string in (*EDGE_TEXTS, *sample_texts):
            assert _spans(new, string) == _spans(old, string)


# --- ignoring case from a lower-cased copy -----------------------------------------------------------------


def test_ascii_lookalikes_are_complete() -> None:
    """Only the listed non-ASCII characters match an ASCII character when ``re`` ignores case."""
    ascii_chars = re.compile("|".join(re.escape(chr(cp)) for cp in range(128)), re.IGNORECASE)
    found = {
        chr(cp)
        for cp in range(128, sys.maxunicode + 1)
        if not 0xD800 <= cp <= 0xDFFF and ascii_chars.fullmatch(chr(cp))
    }
    assert found == set(ASCII_LOOKALIKES)


@SETTINGS
@given(FORM, TEXT)
@example("call taker", "Call  Takers, CALL TAKER, call-taker")
@example("chief constable", "ChieF ConstaBle")
@example("safe", "ſafe")
def test_search_from_word_matches_search(form, string) -> None:
    pattern = re.compile(rf"{word_start(form)}s?(?![\w-])", re.IGNORECASE)
    word = form.split()[0].lower() if form.split()[0].isascii() else None
    lowered = lowered_for_search(string)
    assert search_from_word(pattern, string, lowered, word) == (pattern.search(string) is not None)
    if lowered is not None:
        assert len(lowered) == len(string) and not set(ASCII_LOOKALIKES) & set(string)


def _reference_mentioned(joined: JoinedText, vocabulary: Vocabulary, group: str, full_only: bool) -> list:
    """The one-search-per-form loop the loader used before."""
    terms = []
    for term in getattr(vocabulary, group):
        for form in (term.label,) if full_only else term.surface_forms:
            flags = re.IGNORECASE if (" " in form and form[1:].islower()) or full_only else 0
            body = r"\s+".join(map(re.escape, form.split()))
            if re.search(rf"(?<![\w-]){body}s?(?![\w-])", joined.text, flags):
                terms.append(term)
                break
    return terms


CRAFTED_VOCABULARY = Vocabulary(
    it_systems=(
        Term("holmes", "HOLMES", alt_labels=("HOLMES 2",)),
        Term("pnc", "PNC", expansion="police national computer"),
        Term("niche", "Niche", hidden_labels=("NICHE RMS",)),
    ),
    unit_types=(Term("cau", "child abuse unit", alt_labels=("CAU", "child abuse investigation unit")),),
    ranks=(Term("dci", "Detective Chief Inspector", alt_labels=("DCI",)), Term("pc", "Constable")),
    posts=(Term("analyst", "analyst"), Term("ct", "call taker", alt_labels=("call handler",))),
    partners=(Term("lscb", "local safeguarding children board", alt_labels=("LSCB",)),),
)
MENTION_TEXTS = (
    "The Police National Computer and HOLMES 2s; NICHE  RMS.",
    "Call-takers and call handlers; CALL TAKERS; the child abuse investigation units.",
    "DETECTIVE CHIEF INSPECTORS, a detective chief inspector-led team, Constables and PCs.",
    "xHOLMES, HOLMES-2, -PNC, Niches, LSCBs, Local Safeguarding Children Boards.",
    "ſafe: the ſtrategy; İnspector; a Kelvin K; call taKer",
)


@pytest.mark.parametrize("vocabulary", [CRAFTED_VOCABULARY, Vocabulary.load()], ids=["crafted", "shipped"])
def test_mentioned_matches_one_search_per_form(vocabulary, sample_texts) -> None:
    for string in (*MENTION_TEXTS, *sample_texts):
        joined = JoinedText(string, (0,), ())
        for group, full_only in (
            ("it_systems", False),
            ("unit_types", False),
            ("posts", False),
            ("partners", False),
            ("ranks", True),
        ):
            expected = _reference_mentioned(joined, vocabulary, group, full_only)
            assert _mentioned(joined, vocabulary, group, full_only=full_only) == expected, (group, string)
        add_vocabulary(joined, vocabulary, Registry())  # and the cached patterns are reusable


# --- appositions, sentences, force names, leads ---------------------------------------------------------

PROSE = st.lists(
    st.sampled_from(
        ["The", "Chief", "Constable", "head", "of", "crime", "(ACC)", "O’Brien", "Sam", "Smith", "Mary",
         "McAllister", "Jones-Smith", ",", ", ", ",\t", " ", "  ", "\t", ".", ";", "•", "(", "x", "-", "é",
         "lead", "LEADS", "led", "chaired", "is", "by", "\n"]
    ),
    max_size=40,
).map(" ".join) | st.lists(
    st.sampled_from(["Chief", "Constable", ",", " ", "\t", "Sam", "Smith", "(", "’", "x", ".", "•", ";"]),
    max_size=40,
).map("".join)  # fmt: skip


@SETTINGS
@given(PROSE)
@example("A B C D E, Sam Smith, x")
@example("the Chief Constable, Sam Smith (retired), and the head of crime, Mary McAllister, who")
@example("Smith(, Sam Smith,")
def test_appositions_match_finditer(string) -> None:
    expected = [(m.span(), m.groupdict()) for m in people._APPOSITION_RE.finditer(string)]
    assert [(m.span(), m.groupdict()) for m in people._appositions(string)] == expected


@SETTINGS
@given(PROSE)
@example("one. two; three • four • five.")
@example("ends without a stop\n")
def test_sentences_match_finditer(string) -> None:
    assert [m.span() for m in leads._sentences(string)] == [
        m.span() for m in leads._SENTENCE_RE.finditer(string)
    ]


def test_scans_on_the_samples(sample_texts) -> None:
    for string in sample_texts:
        assert [(m.span(), m.groupdict()) for m in people._appositions(string)] == [
            (m.span(), m.groupdict()) for m in people._APPOSITION_RE.finditer(string)
        ]
        assert [m.span() for m in leads._sentences(string)] == [
            m.span() for m in leads._SENTENCE_RE.finditer(string)
        ]
        sentences = [m.group(0) for m in leads._SENTENCE_RE.finditer(string)]
        reference = re.compile(
            r"\b(?:lead|led|responsibility|holder|headed|overseen|owned|champion)\b", re.IGNORECASE
        )
        assert [bool(leads._mentions_lead(s)) for s in sentences] == [
            bool(reference.search(s)) for s in sentences
        ]


def test_bare_force_names_match_the_plain_pattern(sample_texts) -> None:
    register = forces.ForceRegister.default()
    names = sorted({entry[1] for entry in register.entries.values()}, key=len, reverse=True)
    plain = re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")\b")
    fast = forces._bare_pattern(tuple(names))
    assert fast.pattern != plain.pattern  # the rewritten form is the one in use
    odd = "Norfolkshire, xNorfolk, Norfolk-based, _Kent, Kent’s, Avon and Somerset, Thames Valley2, Dorset"
    for string in (odd, *sample_texts):
        assert _spans(fast, string) == _spans(plain, string)


@pytest.mark.parametrize("path", [NOTTS, NORTHANTS], ids=["notts", "northants"])
def test_pruned_who_finds_the_same_frame_matches(path) -> None:
    """Leaving out the role and person forms printed in no candidate sentence changes no frame match."""
    report = load_report(path)
    forms, _ = leads._who_forms(report.entities)
    joined = JoinedText.from_lines(report.source.lines)
    sentences = [
        m.group(0)
        for m in leads._SENTENCE_RE.finditer(joined.text)
        if "chair" in m.group(0).lower() or leads._mentions_lead(m.group(0))
    ]
    pruned = leads._who_pattern(forms, sentences)
    full = "|".join(map(literal_body, forms))
    assert pruned is not None and len(pruned) < len(full)
    for _, _, frame in leads._FRAMES:
        old = re.compile(frame.pattern.replace("{who}", full), frame.flags)
        new = re.compile(frame.pattern.replace("{who}", pruned), frame.flags)
        for sentence in sentences:
            assert _spans(new, sentence) == _spans(old, sentence)
