"""Every figure of a store report computed over per-store-day partials: the one
computation of the report's definitions (``domain.reports.model``), which the desk's
report (``desktop.reports.figures``) and the centre's group, region and store reports
(``sync.server.console.chain_report``) both call with partials of their own reading.

:func:`assemble` takes the partials of the period, of the ``LOOKBACK_DAYS`` before it (the
repeat runs) and of the previous period, and the figures read beside them (the
compensation ledger, the overdue list), and returns the :class:`Report`.
"""

from __future__ import annotations

import math
import operator
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from domain.clock import format_time
from domain.policy import Policy
from domain.reports.day_part import SUMS, DayPart
from domain.reports.model import (
    CompensationSummary,
    Count,
    DayPoint,
    Drill,
    FirstContact,
    Headline,
    LevelCompliance,
    OverdueTicket,
    Period,
    Problem,
    Report,
    ResponseTimes,
    rate,
)
from domain.reports.part_block import Summable
from domain.reports.period import days_of, previous_period
from domain.reports.repeats import alerts_of, first_day_needed

_FIELDS = (*SUMS, "overdue", "pending")
_INDEX = {name: i for i, name in enumerate(_FIELDS)}
_OVERDUE, _PENDING = _INDEX["overdue"], _INDEX["pending"]


@dataclass
class _Totals:
    """Sums over some groups of counted tickets (``_FIELDS``)."""

    values: list[int] = field(default_factory=lambda: [0] * len(_FIELDS))

    def add(self, sums: Sequence[int]) -> None:
        # map(add) runs in C; *sums* may stop before overdue and pending.
        self.values[:len(sums)] = map(operator.add, self.values, sums)

    def __getitem__(self, name: str) -> int:
        return self.values[_INDEX[name]]


@dataclass
class _Pass1:
    """The period's partials merged the ways the report needs."""

    total: _Totals = field(default_factory=_Totals)
    response_ms: int = 0
    by: dict[str, dict[str | int, _Totals]] = field(
        default_factory=lambda: {k: defaultdict(_Totals)
                                 for k in ("category", "subcategory", "channel", "level")})
    level1_by_sub: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    category_of: dict[str, str] = field(default_factory=dict)


def _pass1(parts: Sequence[Summable], now: datetime) -> _Pass1:
    now_text = format_time(now)
    result = _Pass1()
    # Each group's daily sums are gathered, then added up column by column (in C).
    rows: dict[str, defaultdict[str | int, list[list[int]]]] = {
        key: defaultdict(list) for key in result.by}
    by_sub, by_cat = rows["subcategory"], rows["category"]
    by_channel, by_level = rows["channel"], rows["level"]
    for part in parts:
        for sub, cats in part.sub.items():
            for cat, sums in cats.items():
                by_sub[sub].append(sums)
                by_cat[cat].append(sums)
                if sub not in result.category_of or cat < result.category_of[sub]:
                    result.category_of[sub] = cat
        for channel, sums in part.channel.items():
            by_channel[channel].append(sums)
        for level, sums in part.level.items():
            by_level[level].append(sums)
        for sub, n in part.level1.items():
            result.level1_by_sub[sub] += n
        result.response_ms += part.response_total()
    for key, groups in rows.items():
        for value, daily in groups.items():
            result.by[key][value].add([sum(column) for column in zip(*daily, strict=True)])
    for totals in result.by["level"].values():
        result.total.add(totals.values)
    for part in parts:
        for sub, cat, channel, level, due in part.unanswered:
            i = _OVERDUE if due <= now_text else _PENDING
            for totals in (result.by["subcategory"][sub], result.by["category"][cat],
                           result.by["channel"][channel], result.by["level"][level],
                           result.total):
                totals.values[i] += 1
    return result


def headline_of(sums: Mapping[str, int], response_ms: int, compensation_fen: int) -> Headline:
    """The headline figures from the sums of a group of counted tickets (``SUMS`` and
    ``overdue``, the unanswered past their due time) and their total response time: the
    one definition of each rate, for a report and for one row of the centre's league."""
    decided = sums["in_time"] + sums["late"] + sums["overdue"]
    return Headline(
        tickets=sums["tickets"],
        compliance_rate=rate(sums["in_time"], decided),
        mean_response_minutes=(None if sums["responded"] == 0
                               else response_ms / sums["responded"] / 60000),
        resolution_rate=rate(sums["resolved"], sums["tickets"]),
        reopen_rate=rate(sums["reopened"], sums["ever_closed"]),
        satisfaction=(None if sums["rated"] == 0 else sums["rating_sum"] / sums["rated"]),
        compensation_fen=compensation_fen,
    )


def _headline(p1: _Pass1, compensation_fen: int) -> Headline:
    t = p1.total
    return headline_of({name: t[name] for name in _FIELDS}, p1.response_ms, compensation_fen)


def _p90_minutes(parts: Sequence[DayPart], responded: int) -> float | None:
    """Nearest-rank 90th percentile: the ceil(0.9·n)-th smallest response time.

    Found across the days' sorted lists without merging them: the smallest whole
    millisecond value with at least that many times at or below it (binary search on
    the value; each count is one bisect per day).
    """
    if responded == 0:
        return None
    rank = math.ceil(0.9 * responded)
    lists = [p.response_ms for p in parts if p.response_ms]
    low = min(times[0] for times in lists)
    high = max(times[-1] for times in lists)
    while low < high:
        mid = (low + high) // 2
        if sum(bisect_right(times, mid) for times in lists) >= rank:
            high = mid
        else:
            low = mid + 1
    return float(low) / 60000


def _counts(groups: Mapping[str | int, _Totals], period: Period, key: str) -> tuple[Count, ...]:
    items = sorted(groups.items(), key=lambda kv: (-kv[1]["tickets"], str(kv[0])))
    return tuple(Count(str(k), v["tickets"], Drill(period, ((key, k),))) for k, v in items)


def _trend(parts: Mapping[date, DayPart], period: Period) -> tuple[DayPoint, ...]:
    points = []
    for d in days_of(period):
        levels = parts[d].level
        points.append(DayPoint(d, sum(v[0] for v in levels.values()),
                               levels[1][0] if 1 in levels else 0))
    return tuple(points)


def _top_problems(parts: Sequence[Summable], p1: _Pass1, policy: Policy,
                  period: Period) -> tuple[Problem, ...]:
    subs = p1.by["subcategory"]
    ranked = sorted(subs, key=lambda s: (-subs[s]["tickets"], -p1.level1_by_sub.get(str(s), 0),
                                         str(s)))
    problems = []
    for sub in ranked[: policy.reports.top_problems]:
        written: dict[str, int] = {}
        for part in parts:
            part.add_names_of(str(sub), written)
        names = sorted(written.items(), key=lambda kv: (-kv[1], kv[0]))
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
            pending=t["pending"], rate=rate(t["in_time"], decided),
            drill_missed=Drill(period, (("level", level), ("responded_in_time", False))),
        ))
    return tuple(result)


def first_day(period: Period) -> date:
    """The earliest store day whose partial :func:`assemble` reads for *period*."""
    return min(first_day_needed(period), previous_period(period).first_day)


# The partials whose sums make a period's: its days', or blocks of them merged
# (``part_block``) and the loose days.
Covering = Callable[[Period], Sequence[Summable]]


def assemble(parts: Mapping[date, DayPart], policy: Policy, period: Period, now: datetime, *,
             store_code: str, compensation: CompensationSummary, previous_compensation_fen: int,
             overdue: tuple[OverdueTicket, ...], covering: Covering | None = None) -> Report:
    """Every figure over *period* at *now* from *parts*: a partial (possibly empty) for
    every day from :func:`first_day` through the period's last day. *covering* gives,
    for the period and the previous one, partials whose sums are the days' (merged
    blocks: fewer to add up); by default the days' own."""
    prev_period = previous_period(period)
    in_period = [parts[d] for d in days_of(period)]
    cover = covering or (lambda p: [parts[d] for d in days_of(p)])
    summed = cover(period)
    p1 = _pass1(summed, now)
    t = p1.total
    prev_p1 = _pass1(cover(prev_period), now)
    headline = _headline(p1, compensation.granted_fen)
    return Report(
        store_code=store_code,
        period=period,
        generated_at=now,
        policy_version=policy.version,
        tickets=t["tickets"],
        voided=sum(p.voided for p in summed),
        merged=sum(p.merged for p in summed),
        by_category=_counts(p1.by["category"], period, "category"),
        by_subcategory=_counts(p1.by["subcategory"], period, "subcategory"),
        by_channel=_counts(p1.by["channel"], period, "channel"),
        by_level=_counts(p1.by["level"], period, "level"),
        compliance=_compliance(p1, policy, period),
        response=ResponseTimes(
            responded=t["responded"], mean_minutes=headline.mean_response_minutes,
            p90_minutes=_p90_minutes(in_period, t["responded"])),
        resolved=t["resolved"],
        resolution_rate=headline.resolution_rate,
        reopened=t["reopened"],
        ever_closed=t["ever_closed"],
        reopen_rate=headline.reopen_rate,
        rated=t["rated"],
        satisfaction=headline.satisfaction,
        compensation=compensation,
        top_problems=_top_problems(summed, p1, policy, period),
        overdue=overdue,
        repeat_alerts=alerts_of(parts, period, policy.reports.repeat_consecutive_days),
        trend=_trend(parts, period),
        headline=headline,
        previous=_headline(prev_p1, previous_compensation_fen),
        previous_period=prev_period,
    )


def first_contact_figure(report: Report, now: tuple[int, int], before: tuple[int, int]
                         ) -> FirstContact:
    """The FCR figure of *report*'s period from the (resolved, reopened) counts of its
    period (*now*) and of its previous period (*before*): tickets closed at first contact
    and not reopened since, and those reopened afterwards."""
    resolved, reopened = now
    previous = before[0]
    return FirstContact(
        resolved=resolved, tickets=report.tickets, rate=rate(resolved, report.tickets),
        reopened=reopened, previous_resolved=previous,
        previous_tickets=report.previous.tickets,
        previous_rate=rate(previous, report.previous.tickets),
        drill=Drill(report.period, (("first_contact", True),)),
    )
