"""Per-day counts and the repeat-problem alert built from them.

The alert: the same subcategory, or the same product, on N or more consecutive store
days (N = policy ``reports.repeat_consecutive_days``). A run that ends within the period
may start before it, traced back at most ``LOOKBACK_DAYS`` before the period (a run
reaching that limit has ``began_earlier``). Days after the period are not looked at: the
report of a past week stays as it was.

The full report finds runs from its cached per-day partials (:func:`alerts_from_days`);
the start screen reads its few days here (:func:`daily_counts`): subcategory counts are
a grid of (store day × subcategory) index range counts (migration
``m006_report_indexes``); product days are read from an index that holds each ticket's
product key, and counted in C.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from desktop.clock import parse_time
from desktop.reports.model import Drill, Period, RepeatAlert
from desktop.reports.period import day_sql, day_start_utc, make_period
from local_db.eventlog import format_time

LOOKBACK_DAYS = 31
NOT_COUNTED = "status NOT IN ('voided', 'merged')"
# Level-1 count packed with the count in one correlated subquery (one index range each).
_PACK = 1 << 20

# The product key: the SKU when there is one, else the product name lower-cased without
# spaces ("normalised"), so "Milk 1L" and "milk1l" are the same product. Also the
# expression of the index ``tickets_report_products`` (keep them identical).
PRODUCT_KEY_SQL = (
    "CASE WHEN product_sku IS NOT NULL AND product_sku != '' THEN 'sku:' || product_sku "
    "WHEN product_name IS NOT NULL AND trim(product_name) != '' "
    "THEN 'name:' || lower(replace(product_name, ' ', '')) END"
)


def product_key(sku: str | None, name: str | None) -> str | None:
    """The product key of a ticket, as :data:`PRODUCT_KEY_SQL` computes it."""
    if sku:
        return f"sku:{sku}"
    if name and name.strip():
        return "name:" + "".join(
            ch.lower() if "A" <= ch <= "Z" else ch for ch in name.replace(" ", ""))
    return None


@dataclass
class Daily:
    """Counted tickets per store day, by subcategory and by product."""

    subcategory: dict[str, dict[date, int]] = field(default_factory=lambda: defaultdict(dict))
    level1: Counter[date] = field(default_factory=Counter)
    product: dict[str, dict[date, int]] = field(default_factory=lambda: defaultdict(dict))
    # what people read for a product key: the smallest name written, else the SKU
    labels: dict[str, str] = field(default_factory=dict)


def _bounds(first: date, last: date, tz: ZoneInfo) -> tuple[str, str]:
    return (format_time(day_start_utc(first, tz)),
            format_time(day_start_utc(last + timedelta(days=1), tz)))


def _subcategory_grid(conn: sqlite3.Connection, daily: Daily, subs: Iterable[str],
                      first: date, last: date, tz: ZoneInfo) -> None:
    subs = sorted(subs)
    if not subs:
        return
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    bounds = [format_time(day_start_utc(d, tz)) for d in [*days, last + timedelta(days=1)]]
    values = ", ".join("(?, ?, ?)" for _ in days)
    params: list[object] = []
    for i, d in enumerate(days):
        params += [d.isoformat(), bounds[i], bounds[i + 1]]
    rows = conn.execute(
        f"WITH days(d, s, e) AS (VALUES {values}), "
        f"subs(sub) AS (VALUES {', '.join('(?)' for _ in subs)}) "
        "SELECT d, sub, (SELECT count(*) * ? + coalesce(sum(level = 1), 0) "
        "  FROM tickets INDEXED BY tickets_report_days "
        f"  WHERE subcategory = sub AND created_at >= s AND created_at < e AND {NOT_COUNTED}) "
        "FROM days, subs", [*params, *subs, _PACK],
    )
    for d, sub, packed in rows:
        if packed:
            day = date.fromisoformat(d)
            daily.subcategory[sub][day] = packed // _PACK
            daily.level1[day] += packed % _PACK


def _products(conn: sqlite3.Connection, daily: Daily, first: date, last: date, tz: ZoneInfo,
              keys: Collection[str] | None = None) -> None:
    day = day_sql("created_at", first, last, tz)
    where = (f"created_at >= ? AND created_at < ? AND {NOT_COUNTED} "
             f"AND {PRODUCT_KEY_SQL} IS NOT NULL")
    params: list[object] = list(_bounds(first, last, tz))
    if keys is not None:
        where += f" AND {PRODUCT_KEY_SQL} IN ({', '.join('?' for _ in keys)})"
        params += sorted(keys)
    # Read from the index alone, in no particular order; (key, day, name) are counted in C.
    triples = Counter(conn.execute(
        f"SELECT {PRODUCT_KEY_SQL}, {day}, product_name "
        f"FROM tickets INDEXED BY tickets_report_products WHERE {where}", params).fetchall())
    dates: dict[str, date] = {}
    for (key, d, name), n in triples.items():
        days = daily.product[key]
        dd = dates.get(d) or dates.setdefault(d, date.fromisoformat(d))
        days[dd] = days.get(dd, 0) + n
        if name and (key not in daily.labels or name < daily.labels[key]):
            daily.labels[key] = name


def _touches(days: dict[date, int], period: Period) -> bool:
    """Whether any of *days* lies in *period* (cheaply, whichever side is shorter)."""
    if period.days < len(days):
        return any(period.first_day + timedelta(days=i) in days for i in range(period.days))
    return any(period.first_day <= d <= period.last_day for d in days)


def _runs(days: Iterable[date]) -> list[tuple[date, date]]:
    """Maximal runs of consecutive days."""
    runs: list[tuple[date, date]] = []
    for d in sorted(days):
        if runs and runs[-1][1] + timedelta(days=1) == d:
            runs[-1] = (runs[-1][0], d)
        else:
            runs.append((d, d))
    return runs


def _reaching(counts: dict[str, dict[date, int]], start: date, period: Period) -> list[str]:
    """Keys whose run that begins at *start* continues into the period."""
    found = []
    for key, days in counts.items():
        d = start
        while d in days:
            if d >= period.first_day:
                found.append(key)
                break
            d += timedelta(days=1)
    return found


def daily_counts(conn: sqlite3.Connection, period: Period, subcategories: Iterable[str],
                 n_days: int, *, max_lookback_days: int | None = None) -> Daily:
    """Per-day counts over the period and as far before it as runs reach.

    *max_lookback_days* bounds how far before the period a run is traced (the start
    screen uses it to stay fast); ``None`` traces every run to its start.
    """
    tz = ZoneInfo(period.timezone)
    daily = Daily()
    row = conn.execute("SELECT min(created_at) FROM tickets").fetchone()
    if row is None or row[0] is None:
        return daily
    oldest = parse_time(row[0]).astimezone(tz).date()
    # The period first; then, before it, only the keys present on its first day (the
    # only runs that can go on before it), further back while their runs go on.
    window = max(LOOKBACK_DAYS, n_days)
    start = period.first_day
    _subcategory_grid(conn, daily, subcategories, start, period.last_day, tz)
    _products(conn, daily, start, period.last_day, tz)
    while start > oldest:
        subs = _reaching(daily.subcategory, start, period)
        products = _reaching(daily.product, start, period)
        reach = (period.first_day - start).days
        if not (subs or products) or (max_lookback_days is not None
                                      and reach >= max_lookback_days):
            break
        earlier = start - timedelta(days=window)
        window *= 2
        if max_lookback_days is not None:
            earlier = max(earlier, period.first_day - timedelta(days=max_lookback_days))
        earlier = max(earlier, oldest)
        before = Daily()
        _subcategory_grid(conn, before, subs, earlier, start - timedelta(days=1), tz)
        if products:
            _products(conn, before, earlier, start - timedelta(days=1), tz, products)
        for key, days in before.subcategory.items():
            daily.subcategory[key].update(days)
        for key, days in before.product.items():
            daily.product[key].update(days)
        for key, label in before.labels.items():
            daily.labels[key] = min(label, daily.labels.get(key, label))
        start = earlier
    return daily


def repeat_alerts(daily: Daily, period: Period, n_days: int, *, limit: date | None = None
                  ) -> tuple[RepeatAlert, ...]:
    """Runs of *n_days* or more consecutive store days, by subcategory and by product,
    that end within *period*; longest first. *limit* is the first day *daily* was traced
    back to: runs starting there may have begun earlier (``began_earlier``)."""
    tz = ZoneInfo(period.timezone)
    found: list[tuple[str, str, date, date, int]] = []
    for by, counts in (("subcategory", daily.subcategory), ("product", daily.product)):
        for key, days in counts.items():
            if len(days) < n_days or not _touches(days, period):
                continue
            for first, last in _runs(days):
                length = (last - first).days + 1
                if length < n_days or not period.first_day <= last <= period.last_day:
                    continue
                tickets = sum(days[first + timedelta(days=i)] for i in range(length))
                found.append((by, key, first, last, tickets))
    alerts = [
        RepeatAlert(by=by, key=key, label=daily.labels.get(key, key.removeprefix("sku:"))
                    if by == "product" else key, first_day=first, last_day=last,
                    days=(last - first).days + 1, tickets=tickets,
                    drill=Drill(make_period("custom", first, last, tz), ((by, key),)),
                    began_earlier=limit is not None and first <= limit)
        for by, key, first, last, tickets in found
    ]
    alerts.sort(key=_alert_order)
    return tuple(alerts)


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
                     labels: Sequence[Mapping[str, str]]) -> tuple[RepeatAlert, ...]:
    """The repeat alerts of *period* from per-day counts: entry *i* of each sequence is
    the store day ``limit + i`` (through the period's last day); *labels* are the
    smallest product name written each day ("" or absent: none). Runs are not traced
    before *limit*; those starting there have ``began_earlier``. Same order as
    :func:`repeat_alerts`."""
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
                names = [n for x in range(i, j + 1) if (n := labels[x].get(key))]
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
