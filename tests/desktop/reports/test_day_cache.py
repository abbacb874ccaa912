"""The store report's per-day cache (desktop.reports.day_cache, migration m007).

Every report here is compared with the same report computed with no cache at all (on a
read-only connection to the same file, where the cache cannot be written): cold, warm and
after every kind of change to a past day's tickets, an event synced in late, a rebuild,
a policy in another time zone, DST day boundaries and an empty period.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from desktop import ticket_actions as handling
from desktop.cli import main
from desktop.compensation import compensate
from desktop.desk import Desk, init_desk
from desktop.reports import day_cache, figures
from desktop.reports.csv_export import report_csv
from desktop.reports.figures import build_report
from desktop.reports.json_export import report_json
from desktop.staff import Staff, add_staff
from desktop.tickets import create_ticket
from domain.clock import FixedClock, parse_time
from domain.policy import Policy
from domain.reports.day_part import DayPart
from domain.reports.model import Period, Report
from domain.reports.period import make_period
from domain.reports.repeats import LOOKBACK_DAYS
from local_db import sync_state
from tests.conftest import PINS, ROLES, START

TZ = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
WEEK = (date(2026, 11, 16), date(2026, 11, 22))  # holds today (START is 22 November)
PAST = (date(2026, 11, 9), date(2026, 11, 15))
DAY = date(2026, 11, 17)  # the past day the changes touch
TEXTS = ("收银员态度很差", "结账多收了钱", "地面很脏", "买的酸奶变质了，要求退款",
         "会员积分没有到账")


def _local(day: date, hour: int, minute: int = 0, tz: ZoneInfo = TZ) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz).astimezone(UTC)


def _path(desk: Desk) -> Path:
    return Path(desk.conn.execute("PRAGMA database_list").fetchone()[2])


def _period(days: tuple[date, date], tz: ZoneInfo = TZ) -> Period:
    return make_period("custom", days[0], days[1], tz)


def _report(desk: Desk, period: Period, policy: Policy | None = None,
            now: datetime = START) -> Report:
    return build_report(desk.conn, policy or desk.policy, period, now, store_code="XT01")


def _uncached(desk: Desk, period: Period, policy: Policy | None = None,
              now: datetime = START) -> Report:
    """The report computed from the tickets alone (cache neither read nor written), on
    a read-only connection to the same file."""
    conn = sqlite3.connect(f"file:{_path(desk)}?mode=ro", uri=True)
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(figures, "day_parts", partial(day_cache.day_parts, use_cache=False))
            return build_report(conn, policy or desk.policy, period, now, store_code="XT01")
    finally:
        conn.close()


def _rows(desk: Desk) -> dict[str, tuple[str, str]]:
    return {r[0]: (r[1], r[2]) for r in desk.conn.execute(
        "SELECT day, timezone, data FROM report_days")}


def _spy_computed(monkeypatch: pytest.MonkeyPatch) -> list[date]:
    """The days computed from the tickets from now on (not read from the cache)."""
    computed: list[date] = []
    real = day_cache.compute_parts

    def spy(conn: Any, tz: ZoneInfo, days: Any, **kw: Any) -> Any:
        days = list(days)
        computed.extend(days)
        return real(conn, tz, days, **kw)

    monkeypatch.setattr(day_cache, "compute_parts", spy)
    return computed


@pytest.fixture
def history(desk: Desk, staff: dict[str, Staff], clock: FixedClock) -> dict[str, str]:
    """Two weeks of tickets up to START (today): answered, closed, rated, open; a
    product on consecutive days. Returns the numbers of the tickets the changes use."""
    made: dict[str, str] = {}
    day = date(2026, 11, 8)
    i = 0
    while day <= WEEK[1]:
        for hour in (9, 13, 17):
            moment = _local(day, hour, 7 * i % 60)
            if moment > START:
                break
            clock.set(moment)
            data: dict[str, Any] = {"text": TEXTS[i % len(TEXTS)]}
            if i % 3 == 0:
                data["product"] = {"sku": "6901234567890", "name": "酸奶"}
            t = create_ticket(desk, staff["c1"], data).ticket
            i += 1
            if hour == 9:  # answered in time, then closed
                clock.advance(minutes=20)
                handling.contact_customer(desk, staff["d1"], t.number, "phone", "已联系")
                for to, who in (("rectifying", "d1"), ("reviewing", "d1"),
                                ("accountability", "m1"), ("closed", "m1")):
                    clock.advance(minutes=5)
                    handling.advance(desk, staff[who], t.number, to,
                                     accountability={"outcome": "none"} if to == "closed"
                                     else None)
            if day == DAY:
                made[{9: "closed", 13: "open", 17: "other"}[hour]] = t.number
        day += timedelta(days=1)
    clock.set(START)
    return made


def test_cold_warm_and_uncached_are_identical(desk: Desk, staff: dict[str, Staff],
                                              history: dict[str, str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    cold: dict[tuple[date, date], Report] = {}
    for days in (WEEK, PAST):
        period = _period(days)
        cold[days] = _report(desk, period)
        assert cold[days] == _report(desk, period) == _uncached(desk, period)
        assert cold[days].tickets > 0 and cold[days].repeat_alerts
    rows = _rows(desk)
    assert {DAY.isoformat(), PAST[0].isoformat(), WEEK[1].isoformat()} <= set(rows)
    assert {tz for tz, _ in rows.values()} == {"Asia/Shanghai"}
    # Warm: nothing is computed again, until a ticket is saved today.
    computed = _spy_computed(monkeypatch)
    assert _report(desk, _period(WEEK)) == cold[WEEK]
    assert _report(desk, _period(PAST)) == cold[PAST]
    assert computed == []
    create_ticket(desk, staff["c1"], {"text": "地面很脏"})
    again = _report(desk, _period(WEEK))
    assert computed == [WEEK[1]]
    assert again == _uncached(desk, _period(WEEK)) and again.tickets == cold[WEEK].tickets + 1


def _close(desk: Desk, staff: dict[str, Staff], number: str) -> None:
    for to, who in (("rectifying", "d1"), ("reviewing", "d1"), ("accountability", "m1"),
                    ("closed", "m1")):
        handling.advance(desk, staff[who], number, to,
                         accountability={"outcome": "none"} if to == "closed" else None)


CHANGES: dict[str, Callable[[Desk, dict[str, Staff], dict[str, str]], Any]] = {
    "answer": lambda d, s, n: handling.contact_customer(d, s["d1"], n["open"], "phone", "已回电"),
    "advance_to_closed": lambda d, s, n: _close(d, s, n["open"]),
    "rate": lambda d, s, n: handling.rate(d, s["d2"], n["closed"], 2),
    "reopen": lambda d, s, n: handling.reopen(d, s["d2"], n["closed"], "顾客不满意"),
    "void": lambda d, s, n: handling.void(d, s["m1"], n["open"], "录入错误"),
    "merge": lambda d, s, n: handling.merge(d, s["d2"], n["other"], n["open"], "重复登记"),
    "correct_subcategory": lambda d, s, n: handling.correct_triage(
        d, s["m1"], n["other"], subcategory="facility", reason="分错了"),
    "compensation": lambda d, s, n: compensate(d, s["d1"], n["open"], amount="30",
                                               kind="coupon"),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_change_on_a_past_day_drops_that_day_only(
        desk: Desk, staff: dict[str, Staff], clock: FixedClock, history: dict[str, str],
        change: str) -> None:
    period = _period(WEEK)
    before = _report(desk, period)
    kept = _rows(desk)
    clock.advance(minutes=3)
    CHANGES[change](desk, staff, history)
    after = _report(desk, period)
    assert after == _uncached(desk, period)
    assert after != before
    rows = _rows(desk)
    # The touched day was computed again; the others were read back as they were.
    assert rows[DAY.isoformat()] != kept[DAY.isoformat()] or change == "compensation"
    assert {d: v for d, v in rows.items() if d != DAY.isoformat()} == {
        d: v for d, v in kept.items() if d != DAY.isoformat()}


def test_many_new_events_drop_the_whole_cache(desk: Desk, staff: dict[str, Staff],
                                               clock: FixedClock, history: dict[str, str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    period = _period(WEEK)
    before = _report(desk, period)
    monkeypatch.setattr(day_cache, "CLEAR_ALL_EVENTS", 1)
    clock.advance(minutes=3)
    handling.contact_customer(desk, staff["d1"], history["open"], "phone", "已回电")
    handling.add_note(desk, staff["d1"], history["open"], "顾客已满意")
    computed = _spy_computed(monkeypatch)
    after = _report(desk, period)
    # Every day the report reads was computed again: the period and 31 days before it.
    assert len(computed) == (WEEK[1] - WEEK[0]).days + 1 + LOOKBACK_DAYS
    assert after == _uncached(desk, period) and after != before


def test_an_event_during_the_computation_is_not_missed(
        desk: Desk, staff: dict[str, Staff], clock: FixedClock, history: dict[str, str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    period = _period(WEEK)
    real = day_cache.compute_parts

    def compute_then_event(conn: Any, tz: ZoneInfo, days: Any, **kw: Any) -> Any:
        parts = real(conn, tz, days, **kw)
        # Another writer answers a ticket of DAY after its partial was computed.
        monkeypatch.setattr(day_cache, "compute_parts", real)
        handling.contact_customer(desk, staff["d1"], history["open"], "phone", "已回电")
        return parts

    monkeypatch.setattr(day_cache, "compute_parts", compute_then_event)
    stale = _report(desk, period)
    assert DAY.isoformat() not in _rows(desk)  # computed before the event: not kept
    fresh = _report(desk, period)
    assert fresh == _uncached(desk, period)
    assert fresh.response.responded == stale.response.responded + 1


def _second_desk(tmp_path: Path, clock: FixedClock) -> tuple[Desk, dict[str, Staff]]:
    other = init_desk(tmp_path / "b.db", store_code="XT01", desk_code="D1",
                      store_name="湘潭一店", clock=clock)
    return other, {sid: add_staff(other.conn, other.policy.staff, clock, staff_id=sid,
                                  name=sid, role=ROLES[sid], pin=PINS[sid]) for sid in PINS}


def _pull(into: Desk, source: Desk, after: int) -> int:
    """Apply *source*'s own events above device_seq *after* to *into*, as a sync pull."""
    page = sync_state.outbox(source.conn, after, 10_000)
    stamped = [{**e, "server_seq": after + i + 1} for i, e in enumerate(page)]
    sync_state.apply_remote(into.conn, stamped, cursor=after + len(page), epoch="e1",
                            now_ms=int(START.timestamp() * 1000))
    return after + len(page)


def test_an_event_synced_late_drops_its_day(desk: Desk, history: dict[str, str],
                                            clock: FixedClock, tmp_path: Path) -> None:
    other, other_staff = _second_desk(tmp_path, clock)
    try:
        pulled = _pull(other, desk, 0)
        period = _period(WEEK)
        before = _report(other, period)
        assert before == _report(desk, period)
        # The other desk answered the open ticket on its day, offline: the event is old
        # (occurred_at on DAY) but arrives now, with a new seq here.
        clock.set(_local(DAY, 15))
        handling.contact_customer(other, other_staff["d1"], history["open"], "phone", "已回电")
        clock.set(START)
        _pull(desk, other, 0)
        assert pulled
        after = _report(desk, period)
        assert after == _uncached(desk, period)
        assert after.response.responded == before.response.responded + 1
    finally:
        other.close()


def test_kesu_rebuild_clears_the_cache(desk: Desk, history: dict[str, str],
                                       capsys: pytest.CaptureFixture[str]) -> None:
    period = _period(WEEK)
    warm = _report(desk, period)
    assert _rows(desk)
    assert main(["--db", str(_path(desk)), "rebuild"]) == 0
    capsys.readouterr()
    assert _rows(desk) == {}
    assert _report(desk, period) == warm == _uncached(desk, period)


def test_a_policy_in_another_time_zone_drops_everything(
        desk: Desk, staff: dict[str, Staff], clock: FixedClock,
        history: dict[str, str]) -> None:
    # 01:00 on DAY in Shanghai is the evening before in Berlin.
    clock.set(_local(DAY, 1))
    create_ticket(desk, staff["c1"], {"text": "地面很脏"})
    clock.set(START)
    shanghai = _report(desk, _period(WEEK))
    berlin_policy = replace(desk.policy, timezone=BERLIN)
    berlin = _period(WEEK, BERLIN)
    report = _report(desk, berlin, berlin_policy)
    assert report == _report(desk, berlin, berlin_policy)
    assert report == _uncached(desk, berlin, berlin_policy)
    assert {tz for tz, _ in _rows(desk).values()} == {"Europe/Berlin"}
    assert [p.count for p in report.trend] != [p.count for p in shanghai.trend]
    assert _report(desk, _period(WEEK)) == shanghai
    assert {tz for tz, _ in _rows(desk).values()} == {"Asia/Shanghai"}


def test_dst_days_in_berlin(tmp_path: Path, clock: FixedClock) -> None:
    desk = init_desk(tmp_path / "dst.db", store_code="XT01", desk_code="D2",
                     store_name="Berlin", clock=clock)
    try:
        policy = replace(desk.policy, timezone=BERLIN)
        cashier = add_staff(desk.conn, desk.policy.staff, clock, staff_id="c1", name="c1",
                            role="cashier", pin=PINS["c1"])
        # Around the local midnights of the short day (29 March, 23 h) and the long day
        # (25 October, 25 h; 02:30 happens twice), and inside the repeated hour.
        moments: list[datetime] = []
        for first in (date(2026, 3, 28), date(2026, 10, 24)):
            for d in (first + timedelta(days=i) for i in range(3)):
                start = _local(d, 0, tz=BERLIN)
                moments += [start - timedelta(seconds=1), start, start + timedelta(hours=23)]
        moments.append(datetime(2026, 10, 25, 0, 30, tzinfo=UTC))  # 02:30 CEST
        moments.append(datetime(2026, 10, 25, 1, 30, tzinfo=UTC))  # 02:30 CET
        for moment in sorted(moments):
            clock.set(moment)
            create_ticket(desk, cashier, {"text": "地面很脏"})
        clock.set(START)
        created = Counter(parse_time(r[0]).astimezone(BERLIN).date()
                          for r in desk.conn.execute("SELECT created_at FROM tickets"))
        for days in ((date(2026, 3, 28), date(2026, 3, 30)),
                     (date(2026, 10, 24), date(2026, 10, 26))):
            period = _period(days, BERLIN)
            assert period.end_utc - period.start_utc != timedelta(days=3)  # a DST change
            cold = _report(desk, period, policy)
            assert cold == _report(desk, period, policy) == _uncached(desk, period, policy)
            assert {p.day: p.count for p in cold.trend} == {
                d: created[d] for d in (days[0] + timedelta(days=i) for i in range(3))}
        # The long day alone computed again (its own span) agrees too.
        desk.conn.execute("DELETE FROM report_days WHERE day = '2026-10-25'")
        period = _period((date(2026, 10, 24), date(2026, 10, 26)), BERLIN)
        assert _report(desk, period, policy) == _uncached(desk, period, policy)
        assert created[date(2026, 10, 25)] == 5
    finally:
        desk.close()


def test_empty_period(desk: Desk, history: dict[str, str]) -> None:
    period = _period((date(2025, 3, 1), date(2025, 3, 31)))
    cold = _report(desk, period)
    assert cold.tickets == 0 and cold.repeat_alerts == () and len(cold.trend) == 31
    assert cold == _report(desk, period) == _uncached(desk, period)
    assert _rows(desk)["2025-03-15"] == ("Asia/Shanghai", "{}")


def test_busy_or_read_only_database_computes_without_the_cache(
        desk: Desk, history: dict[str, str]) -> None:
    period = _period(PAST)
    blocker = sqlite3.connect(_path(desk), isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")  # another writer holds the lock
        report = _report(desk, period)
        blocker.execute("ROLLBACK")
    finally:
        blocker.close()
    assert _rows(desk) == {}
    assert report == _report(desk, period) == _uncached(desk, period)
    assert _rows(desk)


def test_runs_are_traced_back_at_most_the_lookback(desk: Desk, staff: dict[str, Staff],
                                                   clock: FixedClock) -> None:
    # The same problem every day for 45 days before and during the past week; another
    # on its last four days.
    day = PAST[0] - timedelta(days=45)
    while day <= PAST[1]:
        clock.set(_local(day, 10))
        create_ticket(desk, staff["c1"], {"text": "地面很脏"})
        if day > PAST[1] - timedelta(days=4):
            clock.set(_local(day, 12))
            create_ticket(desk, staff["c1"], {"text": "收银员态度很差"})
        day += timedelta(days=1)
    clock.set(START)
    period = _period(PAST)
    report = _report(desk, period)
    assert report == _uncached(desk, period)
    alerts = {a.key: a for a in report.repeat_alerts}
    assert set(alerts) == {"hygiene", "attitude"}
    limit = PAST[0] - timedelta(days=LOOKBACK_DAYS)
    hygiene = alerts["hygiene"]
    assert (hygiene.first_day, hygiene.last_day, hygiene.began_earlier) == (limit, PAST[1], True)
    assert hygiene.days == hygiene.tickets == LOOKBACK_DAYS + 7
    attitude = alerts["attitude"]  # starts after the limit: its start is known
    assert (attitude.first_day, attitude.days, attitude.began_earlier) == (
        PAST[1] - timedelta(days=3), 4, False)
    data = report_json(report)
    assert [a["began_earlier"] for a in data["repeat_alerts"]] == [True, False]
    rows = list(csv.reader(io.StringIO(report_csv(report, "en"))))
    at = next(i for i, r in enumerate(rows) if r and r[0] == "Repeat-problem alerts")
    assert rows[at + 1][-1] == "Began earlier (first day at least)"
    assert rows[at + 2][-1] == "1"



def test_long_and_short_computations_agree(desk: Desk, history: dict[str, str]) -> None:
    days = [WEEK[0] - timedelta(days=i) for i in range(12)] + [WEEK[1]]  # two spans
    by_index = day_cache.compute_parts(desk.conn, TZ, days, long_share=0.0)
    by_time = day_cache.compute_parts(desk.conn, TZ, days, long_share=2.0)
    assert by_index == by_time
    assert sum(p.sub_tickets().get("hygiene", 0) for p in by_index.values()) > 0
    assert all(DayPart.from_json(p.to_json()) == p for p in by_index.values())
