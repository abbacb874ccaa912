"""The manager's start screen: what needs attention now, read fast on a big store.

Repeat-problem runs that include today or yesterday, and level-1 tickets overdue now.
Runs are traced back at most ``START_SCREEN_LOOKBACK_DAYS`` before yesterday (the start
screen must open in well under 50 ms); one reaching that limit has ``began_earlier``.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from desktop.policy import Policy
from desktop.queue import staff_names
from desktop.reports.model import OverdueTicket, RepeatAlert
from desktop.reports.overdue import overdue_tickets
from desktop.reports.period import make_period, store_day
from desktop.reports.repeats import daily_counts, repeat_alerts

START_SCREEN_LOOKBACK_DAYS = 31


@dataclass(frozen=True)
class Attention:
    """What the manager's start screen shows."""

    repeat_alerts: tuple[RepeatAlert, ...]
    overdue_level1: tuple[OverdueTicket, ...]


def start_screen(conn: sqlite3.Connection, policy: Policy, now: datetime) -> Attention:
    """Repeat runs ending today or yesterday, and level-1 tickets overdue at *now*."""
    tz = ZoneInfo(policy.timezone.key)
    today = store_day(now, tz)
    window = make_period("custom", today - timedelta(days=1), today, tz)
    n_days = policy.reports.repeat_consecutive_days
    daily = daily_counts(conn, window, policy.subcategories(), n_days,
                         max_lookback_days=START_SCREEN_LOOKBACK_DAYS)
    alerts = repeat_alerts(daily, window, n_days,
                           limit=window.first_day - timedelta(days=START_SCREEN_LOOKBACK_DAYS))
    return Attention(repeat_alerts=alerts,
                     overdue_level1=overdue_tickets(conn, now, level=1,
                                                    names=staff_names(conn)))
