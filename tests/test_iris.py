"""The IRI table (``graph.iris.IRI_PATHS``) mints and parses every kind the same way."""

from __future__ import annotations

import pytest

from graph.iris import IRI_PATHS, Iris

IRIS = Iris("http://example.org/id/")
MINTED = {k: v for k, v in IRI_PATHS.items() if v is not None and k not in ("graph", "finding-kind", "fact")}


@pytest.mark.parametrize("kind", sorted(MINTED))
def test_every_kind_of_the_table_is_minted_and_parsed_back(kind: str) -> None:
    segments = MINTED[kind]
    parts = tuple(f"p{i}" for i in range(len(segments)))
    iri = getattr(IRIS, kind.replace("-", "_"))(*parts)
    assert str(iri) == f"http://example.org/id/{kind}/" + "/".join(parts)
    assert IRIS.parse(str(iri)) == (kind, parts)


def test_a_wrong_number_of_segments_is_refused_when_minting() -> None:
    """Minting and parsing share the table, so an IRI that parse() would refuse is never minted."""
    with pytest.raises(TypeError, match="finding"):
        IRIS.finding("notts-2007", "child-abuse")
    with pytest.raises(TypeError):
        IRIS.force()


def test_the_methods_with_their_own_rules_keep_them() -> None:
    assert IRIS.finding_kind("work_in_progress").endswith("finding-kind/work-in-progress")
    assert IRIS.fact("r", "Officers (FTE)").endswith("fact/r/officers-fte")
    assert IRIS.report_graph("r").endswith("graph/r") and not hasattr(IRIS, "graph")
