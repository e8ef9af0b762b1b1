"""The API benchmark's ``/sparql`` comparison (:mod:`bench.bench_api`): both servers warmed alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.bench_api import sparql_ready, warm_up_sparql
from bench.servers import oxigraph_binary, start_stock


@pytest.mark.server
def test_stock_oxigraph_is_warmed_with_the_same_queries_as_ours(tmp_path: Path) -> None:
    """Regression: only our server got the warm-up queries (and it was timed while still warming its read
    model), so the first comparisons measured its start, not its queries (1.0 s against stock's 0.23 s)."""
    if not Path(oxigraph_binary()).exists():
        pytest.skip("the oxigraph server binary is not installed")
    nquads = tmp_path / "data.nq"
    nquads.write_text('<http://x/s> <http://x/p> "o" <http://x/g> .\n', encoding="utf-8")
    server, _ = start_stock(nquads, tmp_path / "oxigraph", tmp_path / "oxigraph.log")
    try:
        seconds, problem = sparql_ready(server, 30.0, "/query")
        assert problem is None and seconds is not None and seconds < 30
        _, wrong = warm_up_sparql(server.base, 30.0, "/no-such-endpoint")  # a failure is reported
        assert wrong is not None and "/no-such-endpoint" in wrong
    finally:
        server.stop()
