"""A refused policy names the JSON path of its fault; a publication names its publisher."""

from __future__ import annotations

import copy
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from domain.policy import load_policy
from sync.server import policy_store
from sync.server.errors import PolicyRejected
from sync.server.storage import Storage
from tests.sync.helpers import ServerProcess
from tests.sync.server.hq_client import run_cli


def _doc(version: str = "2026.12.5") -> dict[str, Any]:
    doc = load_policy().document()
    doc["policy_version"] = version
    return doc


@pytest.mark.parametrize(("edit", "path", "reason"), [
    (lambda d: d["compensation"]["role_limits_fen"].update(desk="5000"),
     "compensation.role_limits_fen.desk", "expected int, got str"),
    (lambda d: d["compensation"]["role_limits_fen"].update(desk=10**9),
     "compensation.role_limits_fen", "limits must rise cashier ≤ desk ≤ manager"),
    (lambda d: d["levels"]["2"].pop("respond_within_minutes"),
     "levels.2.respond_within_minutes", "missing"),
    (lambda d: d.update(timezone="Mars/Olympus"), "timezone",
     "unknown time zone 'Mars/Olympus'"),
])
def test_check_names_the_path_and_the_reason(edit: Any, path: str, reason: str) -> None:
    doc = _doc()
    edit(doc)
    with pytest.raises(PolicyRejected) as caught:
        policy_store.check(doc)
    assert caught.value.error == "invalid_policy"
    assert (caught.value.path, caught.value.reason) == (path, reason)
    assert caught.value.detail == f"{path}: {reason}"


def test_check_of_a_non_object_and_of_a_good_document() -> None:
    with pytest.raises(PolicyRejected) as caught:
        policy_store.check([1, 2])
    assert caught.value.path == "$"
    assert policy_store.check(_doc("2026.12.6")).version == "2026.12.6"


def test_the_publisher_is_kept(tmp_path: Path) -> None:
    storage = Storage(f"sqlite:///{tmp_path / 'server.db'}")
    try:
        first = policy_store.publish(storage, _doc("2026.12.7"), published_by="hq:王总")
        assert first.published_by == "hq:王总"
        again = policy_store.publish(storage, _doc("2026.12.7"), published_by="hq:李总")
        assert not again.new and again.published_by == "hq:王总"  # the first publisher
        policy_store.publish(storage, _doc("2026.12.8"))
        listed = policy_store.list_published(storage)
        assert [(p.version, p.published_by) for p in listed] == [
            ("2026.12.7", "hq:王总"), ("2026.12.8", "cli")]
        with storage.engine.connect() as conn:
            assert policy_store.document_of(conn, "2026.12.7") == _doc("2026.12.7")
            assert policy_store.document_of(conn, "nope") is None
    finally:
        storage.close()


def test_an_older_database_gains_the_column(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:  # the policies table as the first release made it
        db.execute("CREATE TABLE policies (version VARCHAR(64) PRIMARY KEY, seq INTEGER "
                   "NOT NULL UNIQUE, document TEXT NOT NULL, sha256 VARCHAR(64) NOT NULL, "
                   "published_at VARCHAR(32) NOT NULL)")
        db.execute("INSERT INTO policies VALUES ('2026.1.1', 1, ?, 'x', "
                   "'2026-01-01T00:00:00.000Z')", (json.dumps(_doc("2026.1.1")),))
    db.close()
    storage = Storage(f"sqlite:///{path}")
    try:
        policy_store.publish(storage, _doc("2026.2.1"), published_by="hq:王总")
        assert [(p.version, p.published_by) for p in policy_store.list_published(storage)] \
            == [("2026.1.1", None), ("2026.2.1", "hq:王总")]
    finally:
        storage.close()


def test_the_cli_prints_the_path_and_publishes_as_cli(private_server: ServerProcess,
                                                      tmp_path: Path) -> None:
    bad = _doc("2026.12.9")
    bad["staff"]["pin_min_length"] = 0
    (tmp_path / "bad.json").write_text(json.dumps(bad), "utf-8")
    refused = run_cli(private_server, "policy", "publish", str(tmp_path / "bad.json"))
    assert refused.returncode == 2
    said = json.loads(refused.stderr)
    assert (said["error"], said["path"], said["reason"]) == (
        "invalid_policy", "staff.pin_min_length", "must be a positive integer")
    good = copy.deepcopy(bad)
    good["staff"]["pin_min_length"] = 4
    (tmp_path / "good.json").write_text(json.dumps(good), "utf-8")
    done = run_cli(private_server, "policy", "publish", str(tmp_path / "good.json"))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["published_by"] == "cli"
    listed = json.loads(run_cli(private_server, "policy", "list").stdout)["policies"]
    assert [(p["version"], p["published_by"]) for p in listed] == [("2026.12.9", "cli")]
