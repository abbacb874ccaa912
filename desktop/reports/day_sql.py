"""The store day of a stored UTC time, spelled in SQLite's SQL (the desk's day cache and
drill-down group and filter by it)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.clock import format_time
from domain.reports.period import day_start_utc


def _offset_minutes(moment: datetime, tz: ZoneInfo) -> int:
    offset = moment.astimezone(tz).utcoffset()
    assert offset is not None
    return int(offset.total_seconds() // 60)


def _transition(lo: datetime, hi: datetime, tz: ZoneInfo) -> datetime:
    """The first moment in (lo, hi] whose UTC offset differs from lo's (to the minute)."""
    before = _offset_minutes(lo, tz)
    while hi - lo > timedelta(minutes=1):
        mid = lo + (hi - lo) / 2
        if _offset_minutes(mid, tz) == before:
            lo = mid
        else:
            hi = mid
    return hi.replace(second=0, microsecond=0)


def day_sql(column: str, first: date, last: date, tz: ZoneInfo) -> str:
    """SQL giving the store day (``YYYY-MM-DD``) of the UTC time in *column*, exact for
    times between the start of *first* and the end of *last*.

    A zone with one UTC offset over the span (Asia/Shanghai always) is one ``date()``;
    across DST changes the offset is chosen by the UTC instant of each change.
    """
    segments: list[tuple[datetime | None, int]] = []  # (until, offset) in order
    moment = day_start_utc(first, tz)
    end = day_start_utc(last + timedelta(days=1), tz)
    current = _offset_minutes(moment, tz)
    while moment < end:
        nxt = min(moment + timedelta(days=1), end)
        if _offset_minutes(nxt, tz) != current:
            change = _transition(moment, nxt, tz)
            segments.append((change, current))
            current = _offset_minutes(change, tz)
        moment = nxt
    segments.append((None, current))
    if len(segments) == 1:
        return f"date({column}, '{current:+d} minutes')"
    parts = [f"WHEN {column} < '{format_time(until)}' THEN date({column}, '{off:+d} minutes')"
             for until, off in segments[:-1] if until is not None]
    return f"CASE {' '.join(parts)} ELSE date({column}, '{segments[-1][1]:+d} minutes') END"

