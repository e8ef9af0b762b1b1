"""The one SPARQL lexer (:mod:`api.sparql_lexer`) that the guard and the protocol's rewrites share."""

from __future__ import annotations

import pytest

from api import sparql_guard as guard
from api import sparql_protocol as protocol
from api.sparql_lexer import Unreadable, tokens

USING = {"using-graph-uri": ["http://g/1"]}


@pytest.mark.parametrize(
    "text",
    [
        'PREFIX ex: <http://e/#> SELECT ?s WHERE { ?s ex:p "a\\"b" ; ex:q _:b1 . } # note\nLIMIT 1',
        "SELECT(?a<?b)SERVICE<x:y>{}",
        "é:x ex:a\\.b. 1.5e3 <a b> ? $ '''x''' ",
    ],
)
def test_tokens_cover_the_whole_text_in_order(text: str) -> None:
    pieces = list(tokens(text))
    assert "".join(t.text for t in pieces) == text
    assert all(text[t.start : t.end] == t.text for t in pieces)


def test_kinds_of_a_small_query() -> None:
    found = [(t.kind, t.text) for t in tokens('SELECT ?s { ?s ex:p "x" ; a _:b } # c') if t.kind != "plain"]
    assert found == [
        ("word", "SELECT"),
        ("var", "?s"),
        ("open", "{"),
        ("var", "?s"),
        ("prefix", "ex"),
        ("local", ":p"),
        ("string", '"x"'),
        ("semi", ";"),
        ("word", "a"),
        ("prefix", "_"),
        ("local", ":b"),
        ("close", "}"),
        ("comment", "# c"),
    ]


def test_strict_reading_refuses_what_the_lenient_one_reads_as_plain() -> None:
    with pytest.raises(Unreadable):
        list(tokens("SELECT 'open"))
    assert next(t.kind for t in tokens("'open", strict=False)) == "plain"


def test_regression_local_names_are_not_keywords_to_the_protocol() -> None:
    """The protocol had a lexer of its own that read ``ex:with`` as the keyword WITH (and refused the
    update as naming its dataset twice); it now reads names as the guard does."""
    update = "CLEAR GRAPH <http://g/x> ; INSERT { ?s ?p ex:with } WHERE { ?s ?p ex:using }"
    assert protocol.update_with_dataset(update, USING).endswith("USING <http://g/1> WHERE { ?s ?p ex:using }")
    named = "DROP SILENT GRAPH ex:with ; INSERT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    assert "USING <http://g/1> WHERE" in protocol.update_with_dataset(named, USING)
    assert guard.check(named).operation == "update"


def test_regression_blank_nodes_and_numbers_are_not_undeclared_prefixes() -> None:
    text = "SELECT * { _:b ?p ?o FILTER(?o = <http://127.0.0.1:8000/x>) } # see 127.0.0.1:80"
    assert protocol.undeclared_prefixes(text) == []
    assert protocol.undeclared_prefixes("SELECT * { ex:a ?p :b }") == ["ex", ""]
