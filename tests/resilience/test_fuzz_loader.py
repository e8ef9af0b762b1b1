"""Fuzzing the whole loader (``load_report`` on a file) with mutated sample reports.

tests/test_parser_robustness.py fuzzes ``parse_report`` on text already split into lines; here every
example is a real file: lines dropped, duplicated and shuffled, page furniture injected, the file cut
(also inside a multi-byte character), re-encoded and given other line endings, a few bytes garbled.
The contract: ``load_report`` returns an ``InspectionReport`` (which the graph mapping then accepts) or
raises ``LoaderError`` with a one-line message, and never anything else; each example has a deadline
and the test a hard timeout, so a hang fails instead of stalling CI.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.mapping import report_to_graph
from loaders.errors import LoaderError
from loaders.model import InspectionReport
from loaders.options import LoadOptions
from loaders.pipeline import load_report
from tests.conftest import NORTHANTS, NOTTS
from tests.conftest_resilience import IRIS, record_figure

SAMPLES: dict[str, list[str]] = {
    p.name: p.read_text(encoding="utf-8").split("\n") for p in (NOTTS, NORTHANTS)
}
#: page furniture as the HMIC PDFs print it: running headers, footers, bare numbers, page breaks
FURNITURE = (
    "Page {n}",
    "Page {n} of 45",
    "{n} of 45",
    "- {n} -",
    "{n}",
    "Notts Phase 1 Final Draft 07 09 26 VH wm revised",
    "Northamptonshire Police – Final Draft – 12/10/2007",
    "PROTECT – RESTRICTED (when complete)",
    "\f",
    "\fPage {n}",
)
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1")
NEWLINES = ("\n", "\r\n", "\r")
#: per-example deadline: a whole sample loads in ~1-2 s; anything near this is a runaway regex or loop
DEADLINE = timedelta(seconds=20)


@dataclass
class Tally:
    """What the fuzzers tried (figures for docs/reliability.md)."""

    inputs: int = 0
    reports: int = 0
    loader_errors: int = 0
    slowest_s: float = 0.0
    mutations: dict[str, int] = field(default_factory=dict)

    def publish(self) -> None:
        record_figure(
            "loader fuzzing",
            f"{self.inputs} mutated files: {self.reports} reports, {self.loader_errors} LoaderErrors, "
            f"0 other exceptions, slowest {self.slowest_s:.2f} s; "
            f"mutations {dict(sorted(self.mutations.items()))}",
        )


TALLY = Tally()


def _index(draw: st.DrawFn, top: int, low: float = 0.0) -> int:
    """A position in ``low * top .. top`` spread over the range (plain integers cluster at 0)."""
    return round(draw(st.floats(low, 1.0)) * top)


@st.composite
def mutated_lines(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    """A sample's lines after 1-4 line-level mutations, and the names of the mutations."""
    lines = list(SAMPLES[draw(st.sampled_from(sorted(SAMPLES)))])
    applied: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(("drop", "duplicate", "shuffle", "furniture", "cut")))
        applied.append(kind)
        size = len(lines)
        if size < 2:
            break
        start = _index(draw, size - 1)
        end = min(size, start + draw(st.sampled_from((1, 2, 5, 40, 400))))
        if kind == "drop":
            del lines[start:end]
        elif kind == "duplicate":
            lines[end:end] = lines[start:end] * draw(st.integers(1, 3))
        elif kind == "shuffle":
            chunk = lines[start:end]
            lines[start:end] = draw(st.permutations(chunk)) if len(chunk) <= 400 else chunk[::-1]
        elif kind == "furniture":
            for _ in range(draw(st.integers(1, 30))):
                at = _index(draw, len(lines))
                lines.insert(at, draw(st.sampled_from(FURNITURE)).format(n=draw(st.integers(1, 60))))
        else:  # cut the report short (or keep only its tail)
            lines = lines[:start] if draw(st.booleans()) else lines[start:]
    return lines, applied


@st.composite
def mutated_file(draw: st.DrawFn) -> tuple[bytes, str, list[str]]:
    """The bytes of a mutated report, its file name, and the mutations applied."""
    lines, applied = draw(mutated_lines())
    newline = draw(st.sampled_from(NEWLINES))
    encoding = draw(st.sampled_from(ENCODINGS))
    applied += [f"newline {newline!r}", f"encoding {encoding}"]
    data = newline.join(lines).encode(encoding, errors="replace")
    if draw(st.integers(0, 4)) == 0:  # cut at a byte offset: possibly inside a multi-byte character
        data = data[: _index(draw, len(data), low=0.02)]
        applied.append("byte cut")
    if draw(st.integers(0, 4)) == 0:
        garbled = bytearray(data)
        for _ in range(draw(st.integers(1, 20))):
            if garbled:
                garbled[_index(draw, len(garbled) - 1)] = draw(st.integers(0, 255))
        data = bytes(garbled)
        applied.append("garbled bytes")
    name = draw(st.sampled_from(("report.txt", "report.pdf", "REPORT.TXT", "report")))
    return data, name, applied


def load_or_loader_error(
    data: bytes, name: str, options: LoadOptions | None = None
) -> InspectionReport | None:
    """Write ``data`` to a file called ``name`` and load it: a report, or None after a ``LoaderError``."""
    with TemporaryDirectory(prefix="hmic-fuzz-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        started = time.perf_counter()
        try:
            report = load_report(path, options or LoadOptions())
        except LoaderError as error:
            message = str(error)
            assert message.startswith(str(path)) and "\n" not in message, message
            report = None
        elapsed = time.perf_counter() - started
    TALLY.inputs += 1
    TALLY.slowest_s = max(TALLY.slowest_s, elapsed)
    if report is None:
        TALLY.loader_errors += 1
        return None
    assert isinstance(report, InspectionReport)
    TALLY.reports += 1
    return report


@pytest.mark.timeout(240)
@settings(
    max_examples=45,
    deadline=DEADLINE,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated_file())
def test_mutated_report_files_give_a_report_or_loader_error(example: tuple[bytes, str, list[str]]) -> None:
    data, name, applied = example
    for kind in applied:
        key = kind.split()[0]
        TALLY.mutations[key] = TALLY.mutations.get(key, 0) + 1
    report = load_or_loader_error(data, name)
    if report is not None:
        assert report.report_id
        report_to_graph(report, IRIS)  # what the loader accepts, the mapping must map
    TALLY.publish()


@pytest.mark.timeout(120)
@settings(max_examples=40, deadline=DEADLINE, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefix=st.sampled_from((b"", b"%PDF-1.4\n", b"\xef\xbb\xbf", b"\xff\xfe", b"PK\x03\x04", b"\x00\x00")),
    body=st.binary(max_size=4000),
    name=st.sampled_from(("x.txt", "x.pdf")),
)
def test_arbitrary_bytes_give_a_report_or_loader_error(prefix: bytes, body: bytes, name: str) -> None:
    """Random bytes, some behind a PDF, BOM or ZIP signature: never anything but a LoaderError."""
    TALLY.mutations["random bytes"] = TALLY.mutations.get("random bytes", 0) + 1
    load_or_loader_error(prefix + body, name)
    TALLY.publish()


@pytest.mark.parametrize("max_bytes", [1, 1000, 100_000])
def test_size_limit_is_a_loader_error_not_a_partial_read(max_bytes: int) -> None:
    data = NOTTS.read_bytes()
    assert load_or_loader_error(data, "big.txt", LoadOptions(max_bytes=max_bytes)) is None
    TALLY.publish()
