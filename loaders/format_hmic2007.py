"""The HMIC 2007 force inspection report format: detector, parser and vocabulary.

The parser is :func:`loaders.hmic2007.parse_report`; the vocabulary is
``ontology/formats/hmic2007.ttl``. The detector scores a text by the share of the format's section
headings and areas it prints as whole lines, and by its "GRADE <word>" lines.
"""

from __future__ import annotations

import re

from loaders.format_base import (
    FormatVocabulary,
    ReportFormat,
    heading_keys,
    read_vocabulary,
    vocabulary_score,
)
from loaders.hmic2007 import parse_report
from loaders.model import SourceText
from loaders.resources import ontology_file

GRADE_LINES_FOR_FULL_SCORE = 3  # a report grades several areas; one stray "grade good" proves little


def vocabulary() -> FormatVocabulary:
    """The 2007 format's areas, grade scale, finding lists and headings."""
    return read_vocabulary(ontology_file("formats/hmic2007.ttl"))


def detect(source: SourceText) -> float:
    """0..1: how much of the 2007 format's furniture the text prints."""
    words = vocabulary()
    grade_line = re.compile(rf"grade\s*:?\s+(?:{'|'.join(map(re.escape, words.grades))})\b", re.IGNORECASE)
    keys = heading_keys(source.lines)
    graded = sum(1 for line in source.lines if grade_line.match(line.text.strip()))
    return (2 * vocabulary_score(keys, words) + min(graded / GRADE_LINES_FOR_FULL_SCORE, 1.0)) / 3


HMIC2007 = ReportFormat(
    key="hmic2007",
    label="HMIC 2007 force inspection report",
    detect=detect,
    parse=parse_report,
    vocabulary=vocabulary,
)
