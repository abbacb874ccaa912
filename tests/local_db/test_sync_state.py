"""Desk-side sync state: outbox, applying pulled pages, re-folding projections."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop.compensation import compensate
from desktop.desk import Desk, init_desk
from desktop.staff import Staff, add_staff
from desktop.ticket_actions import add_note
from desktop.tickets import create_ticket
from domain.clock import FixedClock
from domain.hlc import HLC
from local_db import meta, store, sync_state
from local_db.errors import IntegrityError, SchemaTooNewError
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


def test_m003_adds_the_dead_letter_table(pair: tuple[Desk, Staff, Desk, Staff]) -> None:
    a, _, _, _ = pair
    cols = {r[1] for r in a.conn.execute("PRAGMA table_info(sync_dead_letters)")}
    assert {"first_seq", "last_seq", "event_ids", "reason", "detail", "first_seen",
            "last_seen", "count", "resolved_at"} <= cols


def test_dead_letters_count_repeats_and_resolve_without_touching_events(
    pair: tuple[Desk, Staff, Desk, Staff],
) -> None:
    a, sa, _, _ = pair
    create_ticket(a, sa, {"text": "酸奶变质了"})
    create_ticket(a, sa, {"text": "收银员态度很差"})
    before = a.conn.execute("SELECT * FROM events ORDER BY seq").fetchall()
    batch = sync_state.outbox(a.conn, 0, 2)
    first = sync_state.record_dead_letter(a.conn, batch, reason="broken_chain", detail="x",
                                          http_status=422, now="2026-11-22T02:00:00.000Z")
    assert (first.first_seq, first.last_seq, first.count) == (1, 2, 1)
    assert first.event_ids == [e["event_id"] for e in batch]
    # The same refusal again, of a batch that grew meanwhile: one row, counted.
    bigger = sync_state.outbox(a.conn, 0, 100)
    again = sync_state.record_dead_letter(a.conn, bigger, reason="broken_chain", detail="y",
                                          http_status=422, now="2026-11-22T03:00:00.000Z")
    assert (again.id, again.count, again.last_seq) == (first.id, 2, len(bigger))
    assert (again.first_seen, again.last_seen) == ("2026-11-22T02:00:00.000Z",
                                                    "2026-11-22T03:00:00.000Z")
    assert [d.id for d in sync_state.dead_letters(a.conn)] == [first.id]
    # Acknowledged later (repaired on the server): resolved, kept as history.
    assert sync_state.resolve_dead_letters(a.conn, 0, "t") == 0
    assert sync_state.resolve_dead_letters(a.conn, len(bigger), "t") == 1
    assert sync_state.dead_letters(a.conn) == []
    assert [d.resolved_at for d in sync_state.dead_letters(a.conn, include_resolved=True)] \
        == ["t"]
    assert a.conn.execute("SELECT * FROM events ORDER BY seq").fetchall() == before


def test_a_page_of_a_newer_event_schema_is_not_applied(
    pair: tuple[Desk, Staff, Desk, Staff],
) -> None:
    a, sa, b, _ = pair
    create_ticket(a, sa, {"text": "酸奶变质了"})
    page = _stamp(sync_state.outbox(a.conn, 0, 100), 1)
    newer = sync_state.MAX_SCHEMA_VERSION + 1
    page[-1] = {**page[-1], "schema_version": newer}
    assert sync_state.newer_schema(page) == newer
    assert sync_state.newer_schema(page[:-1]) is None
    with pytest.raises(SchemaTooNewError):
        sync_state.apply_remote(b.conn, page, cursor=9, epoch="e1", now_ms=NOW_MS)
    assert b.conn.execute("SELECT count(*) FROM events").fetchone()[0] == 0
    assert sync_state.read_state(b.conn).cursor == 0


def test_check_and_rebuild_wait_for_a_ticket_creation_that_has_not_arrived(
    pair: tuple[Desk, Staff, Desk, Staff], tmp_path: Path,
) -> None:
    # Desk a creates, desk b handles; desk c hears b first (a's push was lost in a
    # server restore and is re-offered later).
    a, sa, b, sb = pair
    c, _ = _desk(tmp_path / "c.db", "D3", a.clock)  # type: ignore[arg-type]
    t = create_ticket(a, sa, {"text": "收银员态度很差"}).ticket
    from_a = _stamp(sync_state.outbox(a.conn, 0, 100), 1)
    sync_state.apply_remote(b.conn, from_a, cursor=len(from_a), epoch="e1", now_ms=NOW_MS)
    b.clock.advance(minutes=1)
    add_note(b, sb, t.id, "已联系")
    compensate(b, sb, t.id, amount="5", kind="coupon")
    from_b = _stamp(sync_state.outbox(b.conn, 0, 100), 10)
    sync_state.apply_remote(c.conn, from_b, cursor=20, epoch="e1", now_ms=NOW_MS)
    assert store.check(c.conn) == []
    assert store.waiting_for_creation(c.conn) == [t.id]
    assert store.rebuild(c.conn) == {"tickets": 0, "compensations": 0}
    assert c.conn.execute("SELECT count(*) FROM tickets").fetchone()[0] == 0
    sync_state.apply_remote(c.conn, from_a, cursor=21, epoch="e1", now_ms=NOW_MS)
    assert store.waiting_for_creation(c.conn) == []
    assert store.check(c.conn) == []
    assert store.rebuild(c.conn) == {"tickets": 1, "compensations": 1}
    assert store.check(c.conn) == []
    c.close()
