"""The event log: ids, gapless device sequence, hybrid clock, and the hash chain."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.events import GENESIS_HASH
from domain.hlc import HLC, receive, tick
from domain.ids import uuid7
from local_db import eventlog, meta
from local_db.connection import connect, transaction
from local_db.errors import IntegrityError
from local_db.migrations import migrate

T0 = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


@pytest.fixture
def conn(tmp_path: Path):
    c = connect(tmp_path / "log.db")
    migrate(c)
    with transaction(c):
        meta.put(c, "device_id", "dev-a")
    yield c
    c.close()


def _append(conn, when: datetime, ticket: str = "t1", payload: dict | None = None):
    with transaction(conn):
        return eventlog.append(conn, ticket_id=ticket, type="note_added",
                               payload=payload or {"text": "备注"}, actor="d1",
                               occurred_at=when, policy_version="p1")


def test_uuid7_has_version_7_and_sorts_by_time() -> None:
    ids = [uuid7() for _ in range(1000)]
    assert all(uuid.UUID(i).version == 7 for i in ids)
    assert ids == sorted(ids)
    assert len(set(ids)) == 1000
    assert uuid7(now_ms=1) < uuid7(now_ms=2_000_000_000_000)


def test_append_outside_transaction_is_refused(conn) -> None:
    with pytest.raises(IntegrityError):
        eventlog.append(conn, ticket_id="t", type="x", payload={}, actor="a",
                        occurred_at=T0, policy_version="p")


def test_device_seq_is_gapless_and_chain_links(conn) -> None:
    events = [_append(conn, T0 + timedelta(seconds=i)) for i in range(5)]
    assert [e.device_seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == GENESIS_HASH
    for prev, cur in itertools.pairwise(events):
        assert cur.prev_hash == prev.hash
    assert eventlog.verify_chain(conn) == []


def test_rolled_back_event_leaves_no_gap(conn) -> None:
    _append(conn, T0)
    with pytest.raises(RuntimeError), transaction(conn):
        eventlog.append(conn, ticket_id="t1", type="note_added", payload={}, actor="d1",
                        occurred_at=T0, policy_version="p1")
        raise RuntimeError("crash before commit")
    assert _append(conn, T0).device_seq == 2


def test_hlc_never_goes_backwards_when_wall_clock_does(conn) -> None:
    a = _append(conn, T0)
    b = _append(conn, T0 - timedelta(hours=6))  # clock set back
    c = _append(conn, T0)
    assert a.hlc < b.hlc < c.hlc


def test_tampered_payload_is_detected(conn) -> None:
    _append(conn, T0)
    e = _append(conn, T0, payload={"text": "原文"})
    conn.execute("UPDATE events SET payload = ? WHERE event_id = ?",
                 ('{"text":"改过"}', e.event_id))
    problems = eventlog.verify_chain(conn)
    assert any("hash mismatch" in p for p in problems)


def test_deleted_event_is_detected(conn) -> None:
    events = [_append(conn, T0) for _ in range(3)]
    conn.execute("DELETE FROM events WHERE event_id = ?", (events[1].event_id,))
    problems = eventlog.verify_chain(conn)
    assert any("sequence gap" in p for p in problems)
    assert any("prev_hash" in p for p in problems)


@given(st.lists(st.tuples(st.booleans(), st.integers(0, 10_000), st.integers(0, 50)),
                max_size=50))
def test_hlc_is_monotonic_for_any_mix_of_local_and_remote(steps) -> None:
    clock = HLC(0, 0)
    for is_remote, now, counter in steps:
        new = receive(clock, HLC(now, counter), now // 2) if is_remote else tick(clock, now)
        assert new > clock
        if is_remote:
            assert new > HLC(now, counter)
        clock = new


def test_hlc_encoding_sorts_like_the_clock() -> None:
    values = [HLC(5, 3), HLC(5, 12), HLC(40, 0), HLC(1_700_000_000_000, 2)]
    assert sorted(values, key=lambda h: h.encode()) == sorted(values)
    assert all(HLC.decode(v.encode()) == v for v in values)
