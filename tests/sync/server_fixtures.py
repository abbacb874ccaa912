"""Fixtures: real sync server processes and a factory of enrolled desks.

A plugin (``tests/conftest.py`` names it) so the sync, server, desk-sync, end-to-end
and fault tests, wherever they sit, share one server per test process.

Starting ``kesu-server`` costs about a second, so tests that neither restart nor kill
the server share one, each under store codes of its own (``make_desk("A", "D1")``
gives store ``T007A`` in the seventh test).

Every test that uses a server runs twice: on SQLite and on PostgreSQL (ids ``sqlite``
and ``postgres``). One throwaway PostgreSQL cluster serves the session; each server
gets a database of its own. Without PostgreSQL binaries the ``postgres`` runs are
skipped, unless ``KESU_REQUIRE_PG=1`` (CI), which makes them fail.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from domain.clock import FixedClock
from tests.conftest import START
from tests.sync.helpers import DeskNode, ServerProcess
from tests.sync.postgres import PgCluster, PgUnavailable, pg_required

_tests = itertools.count(1)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """The session's throwaway PostgreSQL cluster (skip, or fail under
    ``KESU_REQUIRE_PG=1``, when none can be started)."""
    try:
        cluster = PgCluster()
        cluster.start()
    except PgUnavailable as exc:
        reason = f"PostgreSQL unavailable: {exc}"
        if pg_required():
            pytest.fail(f"{reason} (KESU_REQUIRE_PG is set)", pytrace=False)
        pytest.skip(reason)
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    """The server database kind of this run of the test."""
    return str(request.param)


def _new_server(backend: str, where: Path, request: pytest.FixtureRequest) -> ServerProcess:
    if backend == "sqlite":
        return ServerProcess(where / "server.db")
    # Requested here, not as a parameter, so SQLite runs never start a cluster.
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    return ServerProcess(cluster.create_database(), cluster=cluster)


@pytest.fixture(scope="session")
def shared_server(backend: str, tmp_path_factory: pytest.TempPathFactory,
                  request: pytest.FixtureRequest) -> Iterator[ServerProcess]:
    """One ``kesu-server serve`` per backend for the session, killed at the end."""
    proc = _new_server(backend, tmp_path_factory.mktemp("server"), request)
    proc.start()
    yield proc
    proc.kill()


@pytest.fixture
def server(shared_server: ServerProcess) -> ServerProcess:
    """The shared server (tests that only talk to it)."""
    return shared_server


@pytest.fixture
def private_server(backend: str, tmp_path: Path,
                   request: pytest.FixtureRequest) -> Iterator[ServerProcess]:
    """A ``kesu-server serve`` of this test alone (to stop, kill, restore)."""
    proc = _new_server(backend, tmp_path, request)
    proc.start()
    yield proc
    proc.kill()
    proc.drop_database()


@pytest.fixture
def make_desk(tmp_path: Path, shared_server: ServerProcess) -> Iterator[Callable[..., DeskNode]]:
    """``make_desk("A", "D1", server=None, enrol=True)``: an enrolled desk of this
    test's store "A" (its real code is unique to the test); all share one test clock."""
    clock = FixedClock(START)
    prefix = f"T{next(_tests):03d}"
    nodes: list[DeskNode] = []

    def make(store: str, desk: str, server: ServerProcess | None = None,
             enrol: bool = True) -> DeskNode:
        node = DeskNode(tmp_path / f"{store}-{desk}.db", prefix + store, desk, clock,
                        server or shared_server)
        if enrol:
            node.enrol()
        nodes.append(node)
        return node

    yield make
    for node in nodes:
        node.close()
