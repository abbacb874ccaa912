"""Per-day counts of a period and the repeat-problem alert built from them.

The alert: the same subcategory, or the same product, on N or more consecutive store
days (N = policy ``reports.repeat_consecutive_days``). A run that ends within the period
may start before it: the counts reach back ``LOOKBACK_DAYS`` and, for the keys whose run
still touches that first day, reach back again (doubling) until the run ends. Days after
the period are not looked at: the report of a past week stays as it was.

Speed (migration ``m006_report_indexes``): subcategory counts are a grid of (store day ×
subcategory) index range counts, with no sorting; product days are read from an index
that holds each ticket's product key, and counted in C.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
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


def product_names(conn: sqlite3.Connection, period: Period, subcategory: str
                  ) -> Counter[str]:
    """Product names written on the counted tickets of *subcategory* in *period*."""
    return Counter(dict(conn.execute(
        "SELECT product_name, count(*) FROM tickets INDEXED BY tickets_report_days "
        f"WHERE subcategory = ? AND created_at >= ? AND created_at < ? AND {NOT_COUNTED} "
        "AND product_name IS NOT NULL AND product_name != '' GROUP BY product_name",
        (subcategory, format_time(period.start_utc), format_time(period.end_utc)),
    ).fetchall()))


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


def repeat_alerts(daily: Daily, period: Period, n_days: int) -> tuple[RepeatAlert, ...]:
    """Runs of *n_days* or more consecutive store days, by subcategory and by product,
    that end within *period*; longest first."""
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
                    drill=Drill(make_period("custom", first, last, tz), ((by, key),)))
        for by, key, first, last, tickets in found
    ]
    alerts.sort(key=lambda a: (-a.days, -a.tickets, a.by != "subcategory", a.key))
    return tuple(alerts)
