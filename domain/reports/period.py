"""Report periods: today, this week, this month, last month, the last days or a custom
range, in the store's zone.

A period is a run of whole store days; its UTC bounds are the local midnights that open
its first day and close its last (so a day is 23 or 25 hours long across a DST change).
Each period is compared with the one a manager would put beside it: this week with the
same weekdays of last week, this month with the same days of last month, last month with
the whole month before it, anything else with the days just before it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.errors import InvalidInput
from domain.reports.model import Period

KINDS = ("today", "week", "month", "last_month", "custom")
# The start screen's period: the last N store days through today (policy
# ``reports.attention_days``); not a choice of the report, so not in KINDS.
RECENT = "recent"
MAX_DAYS = 366


def day_start_utc(day: date, tz: ZoneInfo) -> datetime:
    """The UTC moment of the local midnight that opens *day* in *tz*."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def store_day(moment: datetime, tz: ZoneInfo) -> date:
    """The store day (local date in *tz*) of *moment*."""
    return moment.astimezone(tz).date()


def make_period(kind: str, first: date, last: date, tz: ZoneInfo) -> Period:
    """The period of store days *first* .. *last* (inclusive) in *tz*."""
    return Period(kind=kind, first_day=first, last_day=last,
                  start_utc=day_start_utc(first, tz),
                  end_utc=day_start_utc(last + timedelta(days=1), tz),
                  timezone=tz.key)


def resolve_period(kind: str, now: datetime, tz: ZoneInfo, *, first: date | None = None,
                   last: date | None = None) -> Period:
    """The period *kind* means at *now*: ``today``; ``week`` = the calendar week
    (Monday–Sunday) holding today, up to today; ``month`` = the calendar month holding
    today, up to today; ``custom`` = *first* .. *last* inclusive (at most 366 days).

    "This week" and "this month" stop at today: the days to come hold no complaints yet,
    and counting them would compare 22 days of this month with 30 of the last.
    """
    today = store_day(now, tz)
    if kind == "today":
        return make_period(kind, today, today, tz)
    if kind == "week":
        return make_period(kind, today - timedelta(days=today.weekday()), today, tz)
    if kind == "month":
        return make_period(kind, today.replace(day=1), today, tz)
    if kind == "last_month":
        last_of = today.replace(day=1) - timedelta(days=1)
        return make_period(kind, last_of.replace(day=1), last_of, tz)
    if kind == "custom":
        if first is None or last is None:
            raise InvalidInput("report.cli.period_missing")
        if last < first:
            raise InvalidInput("report.cli.period_reversed", first=first.isoformat(),
                               last=last.isoformat())
        if (last - first).days + 1 > MAX_DAYS:
            raise InvalidInput("report.cli.period_too_long", days=(last - first).days + 1,
                               max=MAX_DAYS)
        return make_period(kind, first, last, tz)
    raise InvalidInput("input.bad_choice", field="period", value=kind, choices=", ".join(KINDS))


def recent_period(now: datetime, tz: ZoneInfo, days: int) -> Period:
    """The last *days* store days through today (the start screen's "近7天")."""
    today = store_day(now, tz)
    return make_period(RECENT, today - timedelta(days=days - 1), today, tz)


def _month_back(day: date) -> date:
    """The same day of the month before, or that month's last day when it is shorter."""
    last_of_before = day.replace(day=1) - timedelta(days=1)
    return last_of_before.replace(day=min(day.day, last_of_before.day))


def previous_period(p: Period) -> Period:
    """The period *p* is compared with.

    ``week`` (Monday to today): the same weekdays of the week before. ``month`` (the 1st
    to today): the same days of the month before (to its end when it is shorter).
    ``last_month``: the whole calendar month before it. Otherwise the period of the same
    number of days immediately before *p*.
    """
    tz = ZoneInfo(p.timezone)
    if p.kind == "week":
        return make_period(p.kind, p.first_day - timedelta(days=7),
                           p.last_day - timedelta(days=7), tz)
    if p.kind in ("month", "last_month") and p.first_day.day == 1:
        first = _month_back(p.first_day)
        if p.kind == "last_month":
            return make_period(p.kind, first, p.first_day - timedelta(days=1), tz)
        return make_period(p.kind, first, _month_back(p.last_day), tz)
    last = p.first_day - timedelta(days=1)
    return make_period(p.kind, last - timedelta(days=p.days - 1), last, tz)


def days_of(p: Period) -> list[date]:
    """Every store day of *p*, in order."""
    return [p.first_day + timedelta(days=i) for i in range(p.days)]
