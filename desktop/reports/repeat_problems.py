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

from desktop.reports.day_cache import day_parts
from domain.policy import Policy
from domain.reports.model import Period, RepeatAlert
from domain.reports.repeats import alerts_of, first_day_needed


def repeat_problems(conn: sqlite3.Connection, policy: Policy, period: Period
                    ) -> tuple[RepeatAlert, ...]:
    """The repeat problems of *period* (longest first), read through the day cache."""
    parts = day_parts(conn, period.timezone, first_day_needed(period), period.last_day)
    return alerts_of(parts, period, policy.reports.repeat_consecutive_days)
