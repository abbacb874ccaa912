"""The server on PostgreSQL: URLs, types and refusals that differ from SQLite's."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from desktop.tickets import create_ticket
from domain.clock import FixedClock
from domain.events import event_hash
from local_db import sync_state
from sync.protocol import PROTOCOL_VERSION
from sync.server.storage import normalise_url
from tests.conftest import START
from tests.sync.helpers import DeskNode, ServerProcess, headers
from tests.sync.postgres import PgCluster

MakeDesk = Callable[..., DeskNode]


def test_plain_postgresql_urls_get_the_psycopg_driver() -> None:
    assert normalise_url("postgresql://u@h:5/db") == "postgresql+psycopg://u@h:5/db"
    assert normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    for kept in ("postgresql+psycopg://u@h/db", "sqlite:///x.db"):
        assert normalise_url(kept) == kept


def test_kesu_server_takes_a_plain_postgresql_url(pg_cluster: PgCluster,
                                                  tmp_path: Path) -> None:
    url = pg_cluster.create_database().replace("postgresql+psycopg://", "postgresql://")
    server = ServerProcess(url, cluster=pg_cluster)
    server.start()
    try:
        node = DeskNode(tmp_path / "d1.db", "PG01", "D1", FixedClock(START), server)
        node.engine.enrol(server.enrol_code("PG01", "D1", via_cli=True))
        create_ticket(node.desk, node.clerk, {"text": "酸奶过期了"})
        report = node.engine.sync_once()
        assert report.pushed == sync_state.last_own_seq(node.conn) > 0
        assert len(server.server_events("PG01")) == report.pushed
        node.close()
    finally:
        server.kill()
        server.drop_database()


def _first_event(node: DeskNode, **changes: Any) -> dict[str, Any]:
    event = {**sync_state.outbox(node.conn, 0, 1)[0], **changes}
    event["hash"] = event_hash(event)
    return event


def _push(server: ServerProcess, node: DeskNode, event: dict[str, Any]) -> httpx.Response:
    token = sync_state.read_state(node.conn).token
    return httpx.post(f"{server.url}/v1/push", headers=headers(token),
                      json={"protocol": PROTOCOL_VERSION, "device_id": event["device_id"],
                            "first_seq": 1, "events": [event]})


def test_long_text_fields_are_stored_on_both_backends(make_desk: MakeDesk,
                                                      server: ServerProcess) -> None:
    # SQLite ignores VARCHAR lengths; PostgreSQL would refuse this actor in VARCHAR(64).
    a = make_desk("A", "D1", server)
    create_ticket(a.desk, a.clerk, {"text": "收银员态度很差"})
    long_actor = "staff:" + "长" * 120
    r = _push(server, a, _first_event(a, actor=long_actor))
    assert r.status_code == 200 and r.json()["inserted"] == 1


def test_text_postgresql_cannot_store_is_refused_not_a_crash(pg_cluster: PgCluster,
                                                             tmp_path: Path) -> None:
    server = ServerProcess(pg_cluster.create_database(), cluster=pg_cluster)
    server.start()
    try:
        node = DeskNode(tmp_path / "d1.db", "PG02", "D1", FixedClock(START), server)
        node.enrol()
        create_ticket(node.desk, node.clerk, {"text": "电梯坏了"})
        r = _push(server, node, _first_event(node, actor="d1\x00"))
        assert r.status_code == 422 and r.json()["error"] == "malformed"
        assert server.server_events() == []
        # The transaction was rolled back whole: the genuine history still goes in.
        assert node.engine.sync_once().pushed == sync_state.last_own_seq(node.conn)
        node.close()
    finally:
        server.kill()
        server.drop_database()
