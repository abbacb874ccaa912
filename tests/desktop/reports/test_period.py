"""Report periods in the store's time zone: today, week, month, custom, previous."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from desktop.i18n import tr
from desktop.reports.day_sql import day_sql
from domain.errors import InvalidInput
from domain.reports.period import previous_period, resolve_period

SH = ZoneInfo("Asia/Shanghai")


def test_today_starts_at_local_midnight() -> None:
    # 15:59:59Z is still 23:59:59 on the 22nd in Shanghai; 16:00:00Z is the 23rd.
    before = resolve_period("today", datetime(2026, 11, 22, 15, 59, 59, tzinfo=UTC), SH)
    after = resolve_period("today", datetime(2026, 11, 22, 16, 0, 0, tzinfo=UTC), SH)
    assert before.first_day == before.last_day == date(2026, 11, 22)
    assert after.first_day == date(2026, 11, 23)
    assert before.start_utc == datetime(2026, 11, 21, 16, tzinfo=UTC)
    assert before.end_utc == after.start_utc == datetime(2026, 11, 22, 16, tzinfo=UTC)
    assert before.timezone == "Asia/Shanghai" and before.days == 1


def test_week_is_the_calendar_week_monday_to_today() -> None:
    # Sunday 22 November 2026 at 10:00 local: the whole week.
    p = resolve_period("week", datetime(2026, 11, 22, 2, tzinfo=UTC), SH)
    assert (p.first_day, p.last_day, p.days) == (date(2026, 11, 16), date(2026, 11, 22), 7)
    # 16:00Z is already Monday in Shanghai: a week of one day so far.
    monday = resolve_period("week", datetime(2026, 11, 22, 16, tzinfo=UTC), SH)
    assert (monday.first_day, monday.last_day) == (date(2026, 11, 23), date(2026, 11, 23))
    wednesday = resolve_period("week", datetime(2026, 11, 25, 2, tzinfo=UTC), SH)
    assert (wednesday.first_day, wednesday.days) == (date(2026, 11, 23), 3)
    # ... compared with the same three days of the week before: Monday to Wednesday.
    prev = previous_period(wednesday)
    assert (prev.first_day, prev.last_day) == (date(2026, 11, 16), date(2026, 11, 18))


def test_month_is_the_calendar_month_up_to_today() -> None:
    p = resolve_period("month", datetime(2028, 2, 10, tzinfo=UTC), SH)
    assert (p.first_day, p.last_day, p.days) == (date(2028, 2, 1), date(2028, 2, 10), 10)
    dec = resolve_period("month", datetime(2026, 12, 31, 15, tzinfo=UTC), SH)
    assert (dec.first_day, dec.last_day) == (date(2026, 12, 1), date(2026, 12, 31))
    leap = resolve_period("month", datetime(2028, 2, 29, 3, tzinfo=UTC), SH)
    assert (leap.first_day, leap.last_day, leap.days) == (date(2028, 2, 1), date(2028, 2, 29),
                                                          29)


def test_custom_range_inclusive_and_checked() -> None:
    now = datetime(2026, 11, 22, tzinfo=UTC)
    p = resolve_period("custom", now, SH, first=date(2026, 1, 1), last=date(2026, 12, 31))
    assert p.days == 365
    with pytest.raises(InvalidInput) as reversed_:
        resolve_period("custom", now, SH, first=date(2026, 2, 1), last=date(2026, 1, 1))
    assert "2026-01-01" in tr(reversed_.value.code, "en", **reversed_.value.params)
    with pytest.raises(InvalidInput) as long_:
        resolve_period("custom", now, SH, first=date(2025, 1, 1), last=date(2026, 1, 2))
    assert tr(long_.value.code, "zh_CN", **long_.value.params) != long_.value.code
    with pytest.raises(InvalidInput):
        resolve_period("custom", now, SH, first=date(2026, 1, 1))
    with pytest.raises(InvalidInput):
        resolve_period("year", now, SH)


def test_previous_period_has_the_same_length() -> None:
    week = resolve_period("week", datetime(2026, 11, 22, 2, tzinfo=UTC), SH)
    prev = previous_period(week)
    assert (prev.first_day, prev.last_day) == (date(2026, 11, 9), date(2026, 11, 15))
    assert prev.end_utc == week.start_utc


def test_dst_zone_days_are_local_days() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    p = resolve_period("custom", datetime(2026, 3, 1, tzinfo=UTC), berlin,
                       first=date(2026, 3, 29), last=date(2026, 3, 29))
    assert (p.end_utc - p.start_utc).total_seconds() == 23 * 3600
    import sqlite3

    sql = day_sql("t", date(2026, 3, 1), date(2026, 11, 30), berlin)
    conn = sqlite3.connect(":memory:")
    for moment, day in (("2026-03-28T23:30:00.000Z", "2026-03-29"),
                        ("2026-03-29T22:30:00.000Z", "2026-03-30"),
                        ("2026-03-29T21:59:00.000Z", "2026-03-29"),
                        ("2026-10-24T22:30:00.000Z", "2026-10-25"),
                        ("2026-10-25T22:59:00.000Z", "2026-10-25"),
                        ("2026-10-25T23:00:00.000Z", "2026-10-26")):
        assert conn.execute(f"SELECT {sql} FROM (SELECT ? AS t)", (moment,)).fetchone()[0] == day
    assert day_sql("t", date(2026, 1, 1), date(2026, 12, 31), SH) == "date(t, '+480 minutes')"


@pytest.mark.parametrize("day", range(1, 29))
def test_this_week_against_the_same_weekdays_of_last_week(day: int) -> None:
    now = datetime(2027, 2, day, 4, tzinfo=UTC)
    week = resolve_period("week", now, SH)
    prev = previous_period(week)
    assert prev.days == week.days
    assert prev.first_day.weekday() == 0 and prev.last_day.weekday() == week.last_day.weekday()
    assert (week.first_day - prev.first_day).days == 7
    assert prev.start_utc == datetime(prev.first_day.year, prev.first_day.month,
                                      prev.first_day.day, tzinfo=SH).astimezone(UTC)


@pytest.mark.parametrize(("now", "first", "last", "prev_first", "prev_last"), [
    (datetime(2026, 11, 22, 2, tzinfo=UTC), date(2026, 10, 1), date(2026, 10, 31),
     date(2026, 9, 1), date(2026, 9, 30)),
    (datetime(2026, 1, 5, 2, tzinfo=UTC), date(2025, 12, 1), date(2025, 12, 31),
     date(2025, 11, 1), date(2025, 11, 30)),
    (datetime(2028, 3, 10, 2, tzinfo=UTC), date(2028, 2, 1), date(2028, 2, 29),
     date(2028, 1, 1), date(2028, 1, 31)),
    # 16:00Z on 30 November is already 1 December in Shanghai: last month is November.
    (datetime(2026, 11, 30, 16, tzinfo=UTC), date(2026, 11, 1), date(2026, 11, 30),
     date(2026, 10, 1), date(2026, 10, 31)),
])
def test_last_month_is_the_whole_calendar_month(now: datetime, first: date, last: date,
                                                prev_first: date, prev_last: date) -> None:
    p = resolve_period("last_month", now, SH)
    assert (p.kind, p.first_day, p.last_day) == ("last_month", first, last)
    assert p.start_utc == datetime(first.year, first.month, 1, tzinfo=SH).astimezone(UTC)
    prev = previous_period(p)
    assert (prev.first_day, prev.last_day) == (prev_first, prev_last)
    assert prev.end_utc == p.start_utc


@pytest.mark.parametrize(("today", "prev_first", "prev_last"), [
    (date(2026, 11, 22), date(2026, 10, 1), date(2026, 10, 22)),
    (date(2026, 3, 31), date(2026, 2, 1), date(2026, 2, 28)),
    (date(2028, 3, 30), date(2028, 2, 1), date(2028, 2, 29)),
    (date(2027, 1, 15), date(2026, 12, 1), date(2026, 12, 15)),
])
def test_this_month_against_the_same_days_of_last_month(today: date, prev_first: date,
                                                        prev_last: date) -> None:
    now = datetime(today.year, today.month, today.day, 12, tzinfo=SH)
    prev = previous_period(resolve_period("month", now, SH))
    assert (prev.first_day, prev.last_day) == (prev_first, prev_last)
