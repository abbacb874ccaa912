"""The demo store that ``make run`` opens is consistent and covers every state."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from desktop.demo import DEMO_STAFF, build_demo
from desktop.desk import open_desk
from desktop.staff import authenticate
from local_db import store


def test_demo_store_is_consistent_and_varied(tmp_path: Path) -> None:
    now = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
    summary = build_demo(tmp_path / "demo.db", tickets=80, now=now)
    desk = open_desk(summary.path)
    try:
        assert store.check(desk.conn) == []
        statuses = {r[0] for r in desk.conn.execute("SELECT DISTINCT status FROM tickets")}
        assert {"accepted", "rectifying", "rated"} <= statuses
        levels = {r[0] for r in desk.conn.execute("SELECT DISTINCT level FROM tickets")}
        assert levels == {1, 2, 3}
        for sid, _name, role, pin in DEMO_STAFF:
            assert authenticate(desk.conn, desk.policy.staff, desk.clock, sid, pin).role == role
    finally:
        desk.close()
