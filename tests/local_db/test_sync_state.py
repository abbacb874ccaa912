"""Desk-side sync state: outbox, applying pulled pages, re-folding projections."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop.clock import FixedClock
from desktop.compensation import compensate
from desktop.desk import Desk, init_desk
from desktop.handling import add_note
from desktop.staff import Staff, add_staff
from desktop.tickets import create_ticket
from local_db import meta, store, sync_state
from local_db.errors import IntegrityError
from local_db.hlc import HLC
from local_db.search import search
from tests.conftest import START

NOW_MS = int(START.timestamp() * 1000)


def _desk(path: Path, code: str, clock: FixedClock) -> tuple[Desk, Staff]:
    d = init_desk(path, store_code="XT01", desk_code=code, clock=clock)
    return d, add_staff(d.conn, d.policy.staff, clock, staff_id="d1", name="小李",
                        role="desk", pin="2222")


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Desk, Staff, Desk, Staff]]:
    """Two desks of one store sharing a clock."""
    clock = FixedClock(START)
    a, sa = _desk(tmp_path / "a.db", "D1", clock)
    b, sb = _desk(tmp_path / "b.db", "D2", clock)
    yield a, sa, b, sb
    a.close()
    b.close()


def _stamp(events: list[dict[str, Any]], start: int) -> list[dict[str, Any]]:
    return [{**e, "server_seq": start + i} for i, e in enumerate(events)]


def test_outbox_is_own_events_above_acked(pair: tuple[Desk, Staff, Desk, Staff]) -> None:
    a, sa, _, _ = pair
    for i in range(3):
        create_ticket(a, sa, {"text": f"第{i}次：酸奶变质了"})
    own = sync_state.last_own_seq(a.conn)
    assert [e["device_seq"] for e in sync_state.outbox(a.conn, 0, 100)] == list(range(1, own + 1))
    assert [e["device_seq"] for e in sync_state.outbox(a.conn, 2, 2)] == [3, 4]
    assert sync_state.pending_count(a.conn) == own
    sync_state.put(a.conn, sync_acked=own - 1)
    assert sync_state.pending_count(a.conn) == 1


def test_apply_remote_folds_indexes_and_is_idempotent(
    pair: tuple[Desk, Staff, Desk, Staff],
) -> None:
    a, sa, b, sb = pair
    t = create_ticket(a, sa, {"text": "停车场没有灯，晚上很黑",
                              "customer": {"phone": "13712345678"}})
    compensate(a, sa, t.ticket.id, amount="20", kind="coupon")
    page = _stamp(sync_state.outbox(a.conn, 0, 100), 1)
    result = sync_state.apply_remote(b.conn, page, cursor=len(page), epoch="e1", now_ms=NOW_MS)
    assert (result.received, result.inserted, result.tickets) == (len(page), len(page), 1)
    assert store.check(b.conn) == []
    assert search(b.conn, "停车场")
    assert b.conn.execute("SELECT count(*) FROM compensations").fetchone()[0] == 1
    state = sync_state.read_state(b.conn)
    assert (state.cursor, state.epoch) == (len(page), "e1")
    # The same page again: nothing new.
    again = sync_state.apply_remote(b.conn, page, cursor=len(page), epoch="e1", now_ms=NOW_MS)
    assert again.inserted == 0 and store.check(b.conn) == []
    # b's clock moved past what it saw, so its note sorts after a's events.
    assert HLC.decode(meta.require(b.conn, "hlc")) > HLC.decode(page[-1]["hlc"])
    b.clock.advance(minutes=1)
    add_note(b, sb, t.ticket.id, "已致歉")
    # a's own events coming back only get their server_seq.
    mine = sync_state.apply_remote(a.conn, page, cursor=len(page), epoch="e1", now_ms=NOW_MS)
    assert mine.inserted == 0
    assert a.conn.execute("SELECT count(*) FROM events WHERE server_seq IS NULL"
                          ).fetchone()[0] == 0
    note = _stamp(sync_state.outbox(b.conn, 0, 100), len(page) + 1)
    sync_state.apply_remote(a.conn, note, cursor=len(page) + 1, epoch="e1", now_ms=NOW_MS)
    assert store.check(a.conn) == []
    assert a.conn.execute("SELECT first_response_at IS NOT NULL, event_count FROM tickets"
                          ).fetchone()[:] == (1, len(page) + 1)


def test_tampered_page_is_refused_whole(pair: tuple[Desk, Staff, Desk, Staff]) -> None:
    a, sa, b, _ = pair
    create_ticket(a, sa, {"text": "酸奶变质了"})
    page = _stamp(sync_state.outbox(a.conn, 0, 100), 1)
    page[0] = {**page[0], "payload": page[0]["payload"].replace("变质", "很好")}
    assert page[0]["payload"] != sync_state.outbox(a.conn, 0, 1)[0]["payload"]
    with pytest.raises(IntegrityError):
        sync_state.apply_remote(b.conn, page, cursor=9, epoch="e1", now_ms=NOW_MS)
    assert b.conn.execute("SELECT count(*) FROM events").fetchone()[0] == 0
    assert sync_state.read_state(b.conn).cursor == 0


def test_event_before_its_ticket_waits_for_the_creation(
    pair: tuple[Desk, Staff, Desk, Staff],
) -> None:
    a, sa, b, _ = pair
    t = create_ticket(a, sa, {"text": "收银员态度很差"}).ticket
    add_note(a, sa, t.id, "已联系")
    events = _stamp(sync_state.outbox(a.conn, 0, 100), 1)
    created, rest = events[:1], events[1:]
    sync_state.apply_remote(b.conn, rest, cursor=5, epoch="e1", now_ms=NOW_MS)
    assert b.conn.execute("SELECT count(*) FROM tickets").fetchone()[0] == 0
    sync_state.apply_remote(b.conn, created, cursor=6, epoch="e1", now_ms=NOW_MS)
    assert store.check(b.conn) == []


def test_reset_for_epoch_keeps_events(pair: tuple[Desk, Staff, Desk, Staff]) -> None:
    a, sa, _, _ = pair
    create_ticket(a, sa, {"text": "酸奶变质了"})
    sync_state.put(a.conn, sync_acked=2, sync_cursor=40, sync_epoch="old")
    sync_state.reset_for_epoch(a.conn, "new", acked=0)
    state = sync_state.read_state(a.conn)
    assert (state.acked, state.cursor, state.epoch) == (0, 0, "new")
    assert sync_state.pending_count(a.conn) == sync_state.last_own_seq(a.conn)
