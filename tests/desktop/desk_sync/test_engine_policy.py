"""Policy documents pulled from a real server, through the desk's wiring."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop.desk import open_desk
from desktop.desk_sync.wiring import build_engine
from local_db import meta, sync_state
from sync.server import policy_store
from sync.server.storage import Storage
from tests.sync.helpers import DeskNode, ServerProcess

MakeDesk = Callable[..., DeskNode]


def _db_path(node: DeskNode) -> Path:
    return Path(node.conn.execute("PRAGMA database_list").fetchone()["file"])


def test_desk_installs_the_newest_published_policy(
    make_desk: MakeDesk, private_server: ServerProcess, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Never touch the OS keyring of whoever runs the tests.
    monkeypatch.setenv("KESU_TOKEN_STORE", "file")
    node = make_desk("A", "D1", private_server)
    path = _db_path(node)
    told: list[str] = []
    engine = build_engine(node.desk, path, notice=told.append, server=private_server.url)
    # The enrolment token the test helper kept in the database moved out of it.
    assert meta.get(node.conn, sync_state.TOKEN) is None and Path(f"{path}.token").exists()
    with engine:
        running = node.desk.policy.version
        report = engine.sync_once()  # nothing published yet: 204
        assert report.policy_installed is None and node.desk.policy.version == running
        document = copy.deepcopy(node.desk.policy.raw)
        document["policy_version"] = "2027.1.1"
        document["levels"]["2"]["respond_within_minutes"] = 180
        storage = Storage(private_server.db_url)
        try:
            policy_store.publish(storage, document)
        finally:
            storage.close()
        assert engine.sync_once().policy_installed == "2027.1.1"
        assert engine.sync_once().policy_installed is None  # already running it
        status = engine.status()
    assert status["policy_version"] == "2027.1.1" and status["last_error"] is None
    assert node.desk.policy.target(2).respond_within_minutes == 180
    reopened = open_desk(path)
    try:
        assert reopened.policy.version == "2027.1.1"
    finally:
        reopened.close()
