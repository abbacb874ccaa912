"""How often the centre writes a desk's report: once per change, else every few seconds."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from sync.protocol import DeskReport
from sync.server.desk_reports import ReportBook
from sync.server.storage import Storage, TokenInfo
from sync.server.tables import desk_reports


def test_unchanged_reports_are_written_at_most_every_refresh(tmp_path: Path) -> None:
    storage = Storage(f"sqlite:///{tmp_path / 'server.db'}")
    now = [100.0]
    book = ReportBook(storage, refresh_seconds=10, clock=lambda: now[0])
    who = TokenInfo("XT01", "D1", "dev-1")
    report: DeskReport = {"app_version": "0.1.0", "policy_version": "p1", "outbox": 3,
                          "dead_letters": 0}
    try:
        assert book.seen(who, report)
        assert not book.seen(who, report)  # the same report, a moment later
        assert not book.seen(who, None)  # no report: only a sign of life, not due yet
        assert book.seen(who, {**report, "outbox": 0})  # changed: written at once
        now[0] += 10
        assert book.seen(who, None)  # due: the sign of life is refreshed
        with storage.engine.connect() as conn:
            row = conn.execute(sa.select(desk_reports)).mappings().one()
        assert (row["store"], row["outbox"], row["policy_version"]) == ("XT01", 0, "p1")
        assert not book.seen(who, {**report, "outbox": 0})  # what was last written
        storage.close()
        now[0] += 10
        # A failed write never reaches the desk's request (the engine is disposed of,
        # the file unreadable): seen says no and the next request tries again.
        (tmp_path / "server.db").unlink()
        (tmp_path / "server.db").mkdir()
        assert not book.seen(who, report)
    finally:
        storage.close()
