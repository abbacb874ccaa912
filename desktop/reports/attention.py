"""The manager's start screen: what needs attention now, read fast on a big store.

Repeat-problem runs that include today or yesterday, and level-1 tickets overdue now.
Runs are traced back at most ``repeats.LOOKBACK_DAYS`` before yesterday, as in the report;
one reaching that limit has ``began_earlier``. The days come from the report's day cache,
so after the first look only today's partial is computed again.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from desktop.policy import Policy
from desktop.queue import staff_names
from desktop.reports.day_cache import day_parts
from desktop.reports.figures import alerts_of
from desktop.reports.model import OverdueTicket, RepeatAlert
from desktop.reports.overdue import overdue_tickets
from desktop.reports.period import make_period, store_day
from desktop.reports.repeats import LOOKBACK_DAYS


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
    # The same partials and run finder as the report, so the strip and the dashboard
    # never disagree (and a warm cache serves both).
    parts = day_parts(conn, window.timezone,
                      window.first_day - timedelta(days=LOOKBACK_DAYS), window.last_day)
    return Attention(
        repeat_alerts=alerts_of(parts, window, policy.reports.repeat_consecutive_days),
        overdue_level1=overdue_tickets(conn, now, level=1, names=staff_names(conn)))
