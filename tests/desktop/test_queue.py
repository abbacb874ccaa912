"""The queue queries against an independent computation over every ticket."""

from __future__ import annotations

import random
from datetime import datetime

import pytest

from desktop import ticket_actions as handling
from desktop.desk import Desk
from desktop.queue import SORT_COLUMNS, QueueFilter, QueueSort, count_queue, fetch_queue
from desktop.response_clock import response_status
from desktop.staff import Staff
from desktop.tickets import create_ticket
from domain.clock import FixedClock, parse_time
from domain.fold import TicketState
from local_db.projection import read_ticket
from local_db.search import normalize

TEXTS = ["酸奶过期了，孩子喝了拉肚子", "收银员多收了我五块钱", "请问几点关门",
         "面包发霉了", "服务态度很差", "地面很滑差点摔倒", "会员积分没有到账"]


@pytest.fixture
def tickets(desk: Desk, staff: dict[str, Staff], clock: FixedClock) -> list[TicketState]:
    rng = random.Random(7)
    ids = []
    for i in range(60):
        actor = staff[rng.choice(["c1", "d1", "d2"])]
        t = create_ticket(desk, actor, {
            "text": f"{rng.choice(TEXTS)} {i}",
            "channel": rng.choice(["desk", "checkout", "hotline"]),
        }).ticket
        ids.append(t.id)
        clock.advance(minutes=rng.randint(1, 40))
        roll = rng.random()
        if roll < 0.2:
            handling.add_note(desk, staff["d1"], t.id, "已联系")
        elif roll < 0.3:
            handling.advance(desk, staff["d2"], t.id, "rectifying")
        elif roll < 0.4:
            handling.void(desk, staff["m1"], t.id, "录错")
    return [_get(desk, i) for i in ids]


def _get(desk: Desk, tid: str) -> TicketState:
    t = read_ticket(desk.conn, tid)
    assert t is not None
    return t


def _expected(desk: Desk, f: QueueFilter, now: datetime) -> list[TicketState]:
    out = []
    for row in desk.conn.execute("SELECT id FROM tickets"):
        t = _get(desk, row["id"])
        if f.all_statuses:
            pass
        elif f.statuses:
            if t.status not in f.statuses:
                continue
        elif t.status not in ("accepted", "rectifying", "reviewing", "accountability"):
            continue
        if f.level is not None and t.level != f.level:
            continue
        if f.channel is not None and t.channel != f.channel:
            continue
        if f.overdue and not response_status(t, now, desk.policy).overdue:
            continue
        if f.mine is not None and (t.handler or t.created_by) != f.mine:
            continue
        if f.text and normalize(f.text) not in normalize(t.text):
            continue
        out.append(t)
    return out


FILTERS = [
    QueueFilter(), QueueFilter(all_statuses=True), QueueFilter(statuses=frozenset({"voided"})),
    QueueFilter(level=1), QueueFilter(all_statuses=True, level=3),
    QueueFilter(channel="hotline"), QueueFilter(overdue=True),
    QueueFilter(overdue=True, level=2), QueueFilter(mine="d1"), QueueFilter(mine="c1"),
    QueueFilter(all_statuses=True, text="发霉"), QueueFilter(text="态度"),
    QueueFilter(statuses=frozenset({"rectifying", "accepted"}), channel="desk"),
]


@pytest.mark.parametrize("f", FILTERS)
def test_filters_match_an_independent_computation(
        desk: Desk, tickets: list[TicketState], clock: FixedClock, f: QueueFilter) -> None:
    now = clock.advance(hours=3)
    expected = _expected(desk, f, now)
    assert count_queue(desk.conn, f, now) == len(expected)
    rows = fetch_queue(desk.conn, f, QueueSort(), now, 0, 1000)
    assert [r.id for r in rows] == [
        t.id for t in sorted(expected, key=lambda t: t.created_at, reverse=True)]
    assert all(r.overdue(now) == response_status(_get(desk, r.id), now, desk.policy).overdue
               for r in rows)


def test_overdue_changes_with_the_clock(desk: Desk, tickets: list[TicketState],
                                        clock: FixedClock) -> None:
    f = QueueFilter(overdue=True)
    before = count_queue(desk.conn, f, clock.now())
    later = clock.advance(days=2)
    assert count_queue(desk.conn, f, later) > before
    assert count_queue(desk.conn, f, later) == len(_expected(desk, f, later))


@pytest.mark.parametrize("column", sorted(SORT_COLUMNS))
@pytest.mark.parametrize("ascending", [True, False])
def test_sorted_pages_cover_everything_once(desk: Desk, tickets: list[TicketState],
                                            clock: FixedClock, column: str,
                                            ascending: bool) -> None:
    f = QueueFilter(all_statuses=True)
    now = clock.now()
    pages = [fetch_queue(desk.conn, f, QueueSort(column, ascending), now, off, 7)
             for off in range(0, 70, 7)]
    rows = [r for page in pages for r in page]
    assert sorted(r.id for r in rows) == sorted(t.id for t in tickets)
    key = SORT_COLUMNS[column]
    values = [_get(desk, r.id).as_row()[key] or "" for r in rows]
    assert values == sorted(values, reverse=not ascending)


def test_number_and_phone_are_found_exactly(desk: Desk, staff: dict[str, Staff]) -> None:
    t = create_ticket(desk, staff["d1"], {"text": "面包发霉了",
                                           "customer": {"phone": "13812345678"}}).ticket
    create_ticket(desk, staff["d1"], {"text": "面包发霉了"})
    now = desk.now()
    for text in (t.number, "138 1234 5678"):
        rows = fetch_queue(desk.conn, QueueFilter(text=text), QueueSort(), now)
        assert [r.id for r in rows] == [t.id]
    assert rows[0].phone_masked == "138****5678"


def test_followup_overdue(desk: Desk, staff: dict[str, Staff], clock: FixedClock) -> None:
    t = create_ticket(desk, staff["d1"], {"text": "收银员多收了我五块钱"}).ticket
    handling.advance(desk, staff["d1"], t.id, "rectifying")
    handling.advance(desk, staff["d1"], t.id, "reviewing")
    handling.advance(desk, staff["m1"], t.id, "accountability")
    handling.advance(desk, staff["m1"], t.id, "closed",
                     accountability={"outcome": "none"})
    f = QueueFilter(all_statuses=True, followup_overdue=True)
    assert count_queue(desk.conn, f, clock.now()) == 0
    later = parse_time(_get(desk, t.id).closed_at or "")
    clock.set(later)
    clock.advance(hours=desk.policy.followup_within_hours, seconds=1)
    assert count_queue(desk.conn, f, clock.now()) == 1


def test_urgency_order_puts_the_most_overdue_first(
        desk: Desk, staff: dict[str, Staff], clock: FixedClock) -> None:
    """Overdue by 49 days, overdue by minutes, not due: in that order, then level, then
    time left; answered tickets after the waiting ones of their level; pages never overlap."""
    from desktop.queue import URGENCY

    old = create_ticket(desk, staff["d1"], {"text": "请问几点关门"}).ticket  # level 3, 24 h
    clock.advance(days=50)
    minutes_late = create_ticket(desk, staff["d1"], {"text": "收银员多收了我五块钱"}).ticket
    clock.advance(minutes=236)
    not_due_3 = create_ticket(desk, staff["d1"], {"text": "请问几点关门"}).ticket
    not_due_2_later = create_ticket(desk, staff["d1"], {"text": "服务态度很差"}).ticket
    clock.advance(minutes=1)
    not_due_1 = create_ticket(desk, staff["d1"], {"text": "酸奶过期了，孩子喝了拉肚子"}).ticket
    answered_2 = create_ticket(desk, staff["d1"], {"text": "服务态度很差"}).ticket
    handling.add_note(desk, staff["d1"], answered_2.id, "已联系")
    now = clock.advance(minutes=8)  # minutes_late: 5 min overdue; old: 49 days
    late = response_status(_get(desk, old.id), now, desk.policy)
    assert late.overdue and late.seconds_to_due < -49 * 86400
    assert response_status(_get(desk, minutes_late.id), now, desk.policy).overdue
    expected = [old.id, minutes_late.id, not_due_1.id, not_due_2_later.id, answered_2.id,
                not_due_3.id]
    f = QueueFilter(all_statuses=True)
    rows = fetch_queue(desk.conn, f, QueueSort(URGENCY, True), now, 0, 100)
    assert [r.id for r in rows] == expected
    paged = [r.id for off in range(0, 6, 4)
             for r in fetch_queue(desk.conn, f, QueueSort(URGENCY, True), now, off, 4)]
    assert paged == expected
    assert [r.id for r in fetch_queue(desk.conn, f, QueueSort(URGENCY, False), now)] == (
        expected[::-1])
