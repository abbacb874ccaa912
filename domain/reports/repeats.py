"""Per-day counts and the repeat-problem alert built from them.

The alert: the same subcategory, or the same product, on N or more consecutive store
days (N = policy ``reports.repeat_consecutive_days``). A run that ends within the period
may start before it, traced back at most ``LOOKBACK_DAYS`` before the period (a run
reaching that limit has ``began_earlier``). Days after the period are not looked at: the
report of a past week stays as it was.

The report and the start screen find runs from the cached per-day partials
(``domain.reports.day_part``; the desk's and the centre's) with :func:`alerts_from_days`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from domain.reports.day_part import DayPart
from domain.reports.model import Drill, Period, RepeatAlert
from domain.reports.period import day_start_utc

LOOKBACK_DAYS = 31

def _alert_order(a: RepeatAlert) -> tuple[int, int, bool, str]:
    return (-a.days, -a.tickets, a.by != "subcategory", a.key)


def _ending_runs(present: Sequence[Mapping[str, int]], start: int, n_days: int
                 ) -> list[tuple[str, int, int, int]]:
    """(key, first index, last index, tickets) of the runs of *n_days* or more
    consecutive entries of *present* (one mapping key → count per day, in day order)
    that end at an index from *start* on. A run still going on the last day ends there.

    Set intersections (in C, over ever smaller sets) carry the keys present on each of
    the last 1 .. *n_days* days from one day to the next; only the runs found are walked
    back in Python.
    """
    found = []
    streaks: list[set[str]] = []  # [k]: keys present on each of the last k + 1 days
    for i in range(max(0, start - n_days + 1), len(present)):
        today = set(present[i])
        streaks = [today, *(s & today for s in streaks[: n_days - 1])]
        if i < start or len(streaks) < n_days:
            continue
        after = present[i + 1] if i + 1 < len(present) else {}
        for key in streaks[n_days - 1]:
            if key in after:
                continue
            j = i
            tickets = 0
            while j >= 0 and key in present[j]:
                tickets += present[j][key]
                j -= 1
            found.append((key, j + 1, i, tickets))
    return found


def alerts_from_days(period: Period, n_days: int, limit: date,
                     subcategory: Sequence[Mapping[str, int]],
                     product: Sequence[Mapping[str, int]],
                     labels: Sequence[Callable[[str], str | None]]
                     ) -> tuple[RepeatAlert, ...]:
    """The repeat alerts of *period* from per-day counts: entry *i* of each sequence is
    the store day ``limit + i`` (through the period's last day); *labels* give the
    smallest product name written each day ("" or None: none; only the products of the
    runs found are looked up). Runs are not traced
    before *limit*; those starting there have ``began_earlier``. Longest first, then the
    most tickets, subcategories before products."""
    tz = ZoneInfo(period.timezone)
    start = (period.first_day - limit).days
    days = [limit + timedelta(days=i) for i in range(len(subcategory) + 1)]
    bounds = [day_start_utc(d, tz) for d in days]
    alerts = []
    for by, present in (("subcategory", subcategory), ("product", product)):
        for key, i, j, tickets in _ending_runs(present, start, n_days):
            first, last = days[i], days[j]
            label = key
            if by == "product":
                names = [n for x in range(i, j + 1) if (n := labels[x](key))]
                label = min(names) if names else key.removeprefix("sku:")
            alerts.append(RepeatAlert(
                by=by, key=key, label=label, first_day=first, last_day=last,
                days=j - i + 1, tickets=tickets,
                drill=Drill(Period(kind="custom", first_day=first, last_day=last,
                                   start_utc=bounds[i], end_utc=bounds[j + 1],
                                   timezone=tz.key), ((by, key),)),
                began_earlier=i == 0))
    alerts.sort(key=_alert_order)
    return tuple(alerts)


def first_day_needed(period: Period) -> date:
    """The earliest store day whose partial :func:`alerts_of` reads for *period*."""
    return period.first_day - timedelta(days=LOOKBACK_DAYS)


def alerts_of(parts: Mapping[date, DayPart], period: Period, n_days: int
              ) -> tuple[RepeatAlert, ...]:
    """The repeat problems of *period* from the partials of its days and of the
    ``LOOKBACK_DAYS`` before it (all must be in *parts*)."""
    limit = first_day_needed(period)
    days = [parts[limit + timedelta(days=i)] for i in range((period.last_day - limit).days + 1)]
    return alerts_from_days(period, n_days, limit, [p.sub_tickets() for p in days],
                            [p.products for p in days], [p.label_of for p in days])
