"""Virtuoso Open Source 7 (Debian ``virtuoso-opensource``) on loopback for the remote-store tests.

:class:`VirtuosoServer` writes a virtuoso.ini into a temporary directory (its own database, free ports
for SQL and HTTP, both on 127.0.0.1, a small ``ResultSetMaxRows`` so that partial answers can be
provoked), starts ``virtuoso-t +foreground``, grants SPARQL update to the anonymous ``SPARQL`` user with
``isql-vt`` and stops the server (and its files) afterwards.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from graph.store_remote import RemoteStore
from tests.conftest_servers import ServerDidNotStart, free_port, start_server, stop_process

VIRTUOSO_BIN = shutil.which("virtuoso-t")
ISQL_BIN = shutil.which("isql-vt") or shutil.which("isql")
#: the row limit of the test server's answers (Virtuoso cuts longer answers: an "anytime"-like partial)
MAX_ROWS = 20_000
START_ATTEMPTS = 2
INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {dir}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 2
MaxQueryMem = 256M

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
MaxClientConnections = 4
ServerThreads = 4
Charset = UTF-8
EnabledGzipContent = 0

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime = 60
"""
#: SQL run once the server is up: the anonymous SPARQL user may update (the endpoint is on loopback)
GRANTS = (
    'GRANT SPARQL_UPDATE TO "SPARQL";',
    "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);",
)


class VirtuosoServer:
    """A private Virtuoso on free loopback ports; ``sparql_url`` is its SPARQL 1.1 endpoint."""

    def __init__(self, directory: Path, max_rows: int = MAX_ROWS) -> None:
        if VIRTUOSO_BIN is None or ISQL_BIN is None:
            raise FileNotFoundError("virtuoso-t / isql-vt not installed (Debian: virtuoso-opensource)")
        self.directory = directory
        ini = directory / "virtuoso.ini"
        for attempt in range(START_ATTEMPTS):
            # virtuoso.ini names its ports, so they are picked before it starts: a lost race is retried
            self.sql_port, self.http_port = free_port(), free_port()
            self.sparql_url = f"http://127.0.0.1:{self.http_port}/sparql"
            ini.write_text(
                INI.format(dir=directory, sql_port=self.sql_port, http_port=self.http_port, max_rows=max_rows)
            )
            try:
                self.process, _ = start_server(
                    lambda _port: [VIRTUOSO_BIN, "+foreground", "+configfile", str(ini)],  # type: ignore[list-item]
                    self._answers,
                    port=self.http_port,
                    timeout_s=90.0,
                    cwd=directory,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                break
            except ServerDidNotStart as exc:
                if attempt + 1 == START_ATTEMPTS:
                    raise ServerDidNotStart(f"virtuoso-t: {exc}: {self._log()}") from None
        try:
            for statement in GRANTS:
                self.sql(statement)
        except BaseException:
            self.stop()
            raise

    def _log(self) -> str:
        log = self.directory / "virtuoso.log"
        return log.read_text(errors="replace")[-1500:] if log.exists() else ""

    def _answers(self, base: str) -> bool:
        return httpx.get(f"{base}/sparql", params={"query": "ASK {}"}, timeout=2.0).status_code == 200

    def sql(self, statement: str) -> str:
        """Run one SQL statement as dba with isql-vt (the default password of a new database)."""
        result = subprocess.run(
            [ISQL_BIN, str(self.sql_port), "dba", "dba", f"exec={statement}"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if result.returncode != 0 or "*** Error" in result.stdout + result.stderr:
            raise RuntimeError(f"isql {statement!r} failed: {result.stdout[-500:]} {result.stderr[-500:]}")
        return result.stdout

    def stop(self) -> None:
        stop_process(self.process, timeout_s=30.0)


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    """One Virtuoso for the session (tests clear its data graphs through :func:`virtuoso_store`)."""
    if VIRTUOSO_BIN is None:
        missing = "virtuoso-t is not installed (Debian package virtuoso-opensource; .ci/run installs it)"
        if os.environ.get("HMIC_KG_REQUIRE_VIRTUOSO"):
            pytest.fail(missing)
        pytest.skip(missing)
    server = VirtuosoServer(tmp_path_factory.mktemp("virtuoso"))
    try:
        yield server
    finally:
        server.stop()


def virtuoso_store(server: VirtuosoServer, meta_graph_iri: str | None = None) -> RemoteStore:
    """A RemoteStore over ``server`` with its data graphs dropped (its system graphs are kept)."""
    store = RemoteStore(server.sparql_url, server.sparql_url, meta_graph_iri=meta_graph_iri)
    for graph in store.graphs():
        store.update(f"DROP SILENT GRAPH <{graph}>")
    return store
