"""Every figure of a store report, computed once (``build_report``) for all outputs.

The definitions are in ``desktop.reports.model``. Speed (``bench/report_speed.py``): the
counted tickets of a period are read in few SQL passes that GROUP BY in SQLite, so a year
of a busy store (200,000 tickets) is never walked row by row in Python:

1. one pass by (subcategory, channel, level) with every count and sum the breakdowns,
   compliance, resolution, reopen, rating and mean response need, streamed in the order
   of the index ``tickets_report_groups`` (migration m006) for long periods;
2. the nearest-rank p90 of the response time (ORDER BY … LIMIT 1 OFFSET k) along the
   index of response times;
3. ``repeats.daily_counts``: counts per (store day, subcategory) and product days, for
   the trend, the repeat alert and the top problems' products;
4. the previous period's pass 1; small queries on the compensation ledger and the
   overdue tickets.
"""

from __future__ import annotations

import math
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from desktop.clock import parse_time
from desktop.policy import Policy
from desktop.queue import staff_names
from desktop.reports.ledger import compensation_summary
from desktop.reports.model import (
    Count,
    DayPoint,
    Drill,
    Headline,
    LevelCompliance,
    Period,
    Problem,
    Report,
    ResponseTimes,
)
from desktop.reports.overdue import overdue_tickets
from desktop.reports.period import days_of, previous_period
from desktop.reports.repeats import Daily, daily_counts, product_names, repeat_alerts
from local_db.eventlog import format_time

COUNTED_SQL = "created_at >= ? AND created_at < ? AND status NOT IN ('voided', 'merged')"
CLOSED_SQL = "status IN ('closed', 'rated')"
# First-response time in whole milliseconds (stored times have millisecond precision).
RESPONSE_MS_SQL = "round((julianday(first_response_at) - julianday(created_at)) * 86400000)"

_SUMS = f"""
       count(*),
       sum({CLOSED_SQL}),
       sum(reopen_count > 0),
       sum({CLOSED_SQL} OR reopen_count > 0),
       count(rating), coalesce(sum(rating), 0),
       sum(first_response_at IS NOT NULL AND first_response_at <= due_at),
       sum(first_response_at IS NOT NULL AND first_response_at > due_at),
       sum(first_response_at IS NULL AND due_at <= ?),
       sum(first_response_at IS NULL AND due_at > ?),
       count(first_response_at)"""
# A period holding more than this share of all tickets is read in index order (no sort);
# a shorter one by its creation-time range (few rows to sort).
LONG_SHARE = 0.25
_FIELDS = ("tickets", "resolved", "reopened", "ever_closed", "rated", "rating_sum",
           "in_time", "late", "overdue", "pending", "responded")


@dataclass
class _Totals:
    """Sums of pass 1 over some groups."""

    values: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_FIELDS, 0))

    def add(self, row: tuple[int, ...]) -> None:
        for name, value in zip(_FIELDS, row, strict=True):
            self.values[name] += int(value or 0)

    def __getitem__(self, name: str) -> int:
        return self.values[name]


@dataclass
class _Pass1:
    """Pass 1 grouped the ways the report needs."""

    total: _Totals = field(default_factory=_Totals)
    response_ms: int = 0
    by: dict[str, dict[str | int, _Totals]] = field(
        default_factory=lambda: {k: defaultdict(_Totals)
                                 for k in ("category", "subcategory", "channel", "level")})
    level1_by_sub: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    category_of: dict[str, str] = field(default_factory=dict)


def _is_long(conn: sqlite3.Connection, period: Period) -> bool:
    """Whether *period* holds a large share of the tickets (judged by creation times)."""
    # Two queries: SQLite answers a lone min() or max() from the index end.
    low = conn.execute("SELECT min(created_at) FROM tickets").fetchone()[0]
    high = conn.execute("SELECT max(created_at) FROM tickets").fetchone()[0]
    if low is None or high is None:
        return False
    lo, hi = parse_time(low), parse_time(high)
    overlap = min(hi, period.end_utc) - max(lo, period.start_utc)
    return overlap.total_seconds() > LONG_SHARE * max((hi - lo).total_seconds(), 1.0)


def _pass1(conn: sqlite3.Connection, period: Period, now: datetime, long: bool) -> _Pass1:
    now_text = format_time(now)
    index = "tickets_report_groups" if long else "tickets_by_created"
    result = _Pass1()
    for row in conn.execute(
        f"SELECT subcategory, channel, level, min(category), {_SUMS} "
        f"FROM tickets INDEXED BY {index} WHERE {COUNTED_SQL} "
        "GROUP BY subcategory, channel, level",
        (now_text, now_text, format_time(period.start_utc), format_time(period.end_utc)),
    ):
        sub, channel, level, cat = row[0], row[1], int(row[2]), row[3]
        sums = tuple(row[4:])
        result.total.add(sums)
        for key, value in (("category", cat), ("subcategory", sub), ("channel", channel),
                           ("level", level)):
            result.by[key][value].add(sums)
        result.category_of[sub] = cat
        if level == 1:
            result.level1_by_sub[sub] += int(row[4])
    # The sum of response times along the index that stores them computed.
    index = "tickets_report_response" if long else "tickets_by_created"
    result.response_ms = int(conn.execute(
        f"SELECT coalesce(sum({RESPONSE_MS_SQL}), 0) FROM tickets INDEXED BY {index} "
        f"WHERE first_response_at IS NOT NULL AND {COUNTED_SQL}",
        (format_time(period.start_utc), format_time(period.end_utc))).fetchone()[0])
    return result


def _rate(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


def _headline(p1: _Pass1, compensation_fen: int) -> Headline:
    t = p1.total
    decided = t["in_time"] + t["late"] + t["overdue"]
    return Headline(
        tickets=t["tickets"],
        compliance_rate=_rate(t["in_time"], decided),
        mean_response_minutes=(None if t["responded"] == 0
                               else p1.response_ms / t["responded"] / 60000),
        resolution_rate=_rate(t["resolved"], t["tickets"]),
        reopen_rate=_rate(t["reopened"], t["ever_closed"]),
        satisfaction=(None if t["rated"] == 0 else t["rating_sum"] / t["rated"]),
        compensation_fen=compensation_fen,
    )


def _p90_minutes(conn: sqlite3.Connection, period: Period, responded: int,
                 long: bool) -> float | None:
    """Nearest-rank 90th percentile: the ceil(0.9·n)-th smallest response time."""
    if responded == 0:
        return None
    rank = math.ceil(0.9 * responded)
    # Long periods walk the index of response times in order (expression identical to
    # the index's); short ones sort their few rows.
    index = "tickets_report_response" if long else "tickets_by_created"
    row = conn.execute(
        f"SELECT {RESPONSE_MS_SQL} FROM tickets INDEXED BY {index} "
        f"WHERE first_response_at IS NOT NULL AND {COUNTED_SQL} "
        f"ORDER BY {RESPONSE_MS_SQL} LIMIT 1 OFFSET ?",
        (format_time(period.start_utc), format_time(period.end_utc), rank - 1),
    ).fetchone()
    return None if row is None else float(row[0]) / 60000


def _counts(groups: Mapping[str | int, _Totals], period: Period, key: str) -> tuple[Count, ...]:
    items = sorted(groups.items(), key=lambda kv: (-kv[1]["tickets"], str(kv[0])))
    return tuple(Count(str(k), v["tickets"], Drill(period, ((key, k),))) for k, v in items)


def _trend(daily: Daily, period: Period) -> tuple[DayPoint, ...]:
    totals: Counter[date] = Counter()
    for days in daily.subcategory.values():
        totals.update(days)
    return tuple(DayPoint(d, totals[d], daily.level1[d]) for d in days_of(period))


def _top_problems(conn: sqlite3.Connection, p1: _Pass1, policy: Policy,
                  period: Period) -> tuple[Problem, ...]:
    subs = p1.by["subcategory"]
    ranked = sorted(subs, key=lambda s: (-subs[s]["tickets"], -p1.level1_by_sub.get(str(s), 0),
                                         str(s)))
    problems = []
    for sub in ranked[: policy.reports.top_problems]:
        names = sorted(product_names(conn, period, str(sub)).items(),
                       key=lambda kv: (-kv[1], kv[0]))
        problems.append(Problem(
            category=p1.category_of[str(sub)], subcategory=str(sub),
            count=subs[sub]["tickets"], level1=p1.level1_by_sub.get(str(sub), 0),
            top_product=names[0][0] if names else None,
            drill=Drill(period, (("subcategory", sub),)),
        ))
    return tuple(problems)


def _compliance(p1: _Pass1, policy: Policy, period: Period) -> tuple[LevelCompliance, ...]:
    result = []
    for level in sorted(policy.levels):
        t = p1.by["level"].get(level, _Totals())
        decided = t["in_time"] + t["late"] + t["overdue"]
        result.append(LevelCompliance(
            level=level, target_minutes=policy.target(level).respond_within_minutes,
            decided=decided, in_time=t["in_time"], missed=t["late"] + t["overdue"],
            pending=t["pending"], rate=_rate(t["in_time"], decided),
            drill_missed=Drill(period, (("level", level), ("responded_in_time", False))),
        ))
    return tuple(result)


def _voided_merged(conn: sqlite3.Connection, period: Period) -> tuple[int, int]:
    counts = dict(conn.execute(
        "SELECT status, count(*) FROM tickets WHERE created_at >= ? AND created_at < ? "
        "AND status IN ('voided', 'merged') GROUP BY status",
        (format_time(period.start_utc), format_time(period.end_utc)),
    ).fetchall())
    return int(counts.get("voided", 0)), int(counts.get("merged", 0))


def build_report(conn: sqlite3.Connection, policy: Policy, period: Period, now: datetime, *,
                 store_code: str, names: Mapping[str, str] | None = None) -> Report:
    """Every figure of the store over *period*, as seen at *now*."""
    names = staff_names(conn) if names is None else names
    long = _is_long(conn, period)
    p1 = _pass1(conn, period, now, long)
    t = p1.total
    n_days = policy.reports.repeat_consecutive_days
    daily = daily_counts(conn, period, [str(s) for s in p1.by["subcategory"]], n_days)
    compensation = compensation_summary(conn, policy, period, names)
    prev_period = previous_period(period)
    prev_p1 = _pass1(conn, prev_period, now, _is_long(conn, prev_period))
    prev_comp = int(conn.execute(
        "SELECT coalesce(sum(amount_fen), 0) FROM compensations WHERE store_day >= ? "
        "AND store_day <= ? AND status = 'granted'",
        (prev_period.first_day.strftime("%Y%m%d"), prev_period.last_day.strftime("%Y%m%d")),
    ).fetchone()[0])
    voided, merged = _voided_merged(conn, period)
    headline = _headline(p1, compensation.granted_fen)
    return Report(
        store_code=store_code,
        period=period,
        generated_at=now,
        policy_version=policy.version,
        tickets=t["tickets"],
        voided=voided,
        merged=merged,
        by_category=_counts(p1.by["category"], period, "category"),
        by_subcategory=_counts(p1.by["subcategory"], period, "subcategory"),
        by_channel=_counts(p1.by["channel"], period, "channel"),
        by_level=_counts(p1.by["level"], period, "level"),
        compliance=_compliance(p1, policy, period),
        response=ResponseTimes(
            responded=t["responded"], mean_minutes=headline.mean_response_minutes,
            p90_minutes=_p90_minutes(conn, period, t["responded"], long)),
        resolved=t["resolved"],
        resolution_rate=headline.resolution_rate,
        reopened=t["reopened"],
        ever_closed=t["ever_closed"],
        reopen_rate=headline.reopen_rate,
        rated=t["rated"],
        satisfaction=headline.satisfaction,
        compensation=compensation,
        top_problems=_top_problems(conn, p1, policy, period),
        overdue=overdue_tickets(conn, now, names=names),
        repeat_alerts=repeat_alerts(daily, period, n_days),
        trend=_trend(daily, period),
        headline=headline,
        previous=_headline(prev_p1, prev_comp),
        previous_period=prev_period,
    )
