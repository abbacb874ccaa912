"""The one definition of a repeat problem, used by the report and the manager's strip.

A repeat problem of a period is a run of the same subcategory, or the same product, on
``reports.repeat_consecutive_days`` or more consecutive store days that reaches into the
period: its last day (days after the period are not looked at) lies within the period.
The run may start before the period, traced back at most ``repeats.LOOKBACK_DAYS``. The
dashboard and ``kesu report`` show the repeat problems of the chosen period; the start
screen shows those of the last ``reports.attention_days`` days and says so, so the two
give the same answer for the same days.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import date, timedelta

from desktop.reports.day_cache import DayPart, day_parts
from desktop.reports.model import Period, RepeatAlert
from desktop.reports.repeats import LOOKBACK_DAYS, alerts_from_days
from domain.policy import Policy


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
                            [p.products for p in days], [p.labels() for p in days])


def repeat_problems(conn: sqlite3.Connection, policy: Policy, period: Period
                    ) -> tuple[RepeatAlert, ...]:
    """The repeat problems of *period* (longest first), read through the day cache."""
    parts = day_parts(conn, period.timezone, first_day_needed(period), period.last_day)
    return alerts_of(parts, period, policy.reports.repeat_consecutive_days)
