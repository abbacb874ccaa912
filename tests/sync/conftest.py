"""Fixtures: real sync server processes and a factory of enrolled desks.

Starting ``kesu-server`` costs about a second, so tests that neither restart nor kill
the server share one, each under store codes of its own (``make_desk("A", "D1")``
gives store ``T007A`` in the seventh test).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from desktop.clock import FixedClock
from tests.conftest import START
from tests.sync.helpers import DeskNode, ServerProcess

_tests = itertools.count(1)


@pytest.fixture(scope="session")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One ``kesu-server serve`` for the session, killed at the end."""
    proc = ServerProcess(tmp_path_factory.mktemp("server") / "server.db")
    proc.start()
    yield proc
    proc.kill()


@pytest.fixture
def server(shared_server: ServerProcess) -> ServerProcess:
    """The shared server (tests that only talk to it)."""
    return shared_server


@pytest.fixture
def private_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A ``kesu-server serve`` of this test alone (to stop, kill, restore)."""
    proc = ServerProcess(tmp_path / "server.db")
    proc.start()
    yield proc
    proc.kill()


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
