"""The manager's start screen: what needs attention now, read fast on a big store.

The repeat problems of the last ``reports.attention_days`` store days (the report's one
definition, ``repeat_problems``, over a stated period the strip names), and level-1
tickets overdue now. The days come from the report's day cache, so after the first look
only today's partial is computed again.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from desktop.reports.overdue import overdue_tickets
from desktop.reports.repeat_problems import repeat_problems
from desktop.ticket_queue import staff_names
from domain.policy import Policy
from domain.reports.model import OverdueTicket, Period, RepeatAlert
from domain.reports.period import recent_period


@dataclass(frozen=True)
class Attention:
    """What the manager's start screen shows."""

    repeat_alerts: tuple[RepeatAlert, ...]
    overdue_level1: tuple[OverdueTicket, ...]
    period: Period  # the store days the repeat problems are of (shown with them)


def start_screen(conn: sqlite3.Connection, policy: Policy, now: datetime) -> Attention:
    """The repeat problems of the last ``reports.attention_days`` store days, and
    level-1 tickets overdue at *now*."""
    period = recent_period(now, ZoneInfo(policy.timezone.key), policy.reports.attention_days)
    # The report's own definition and day cache: for the same days the strip and the
    # dashboard say the same.
    return Attention(
        repeat_alerts=repeat_problems(conn, policy, period),
        overdue_level1=overdue_tickets(conn, now, level=1, names=staff_names(conn)),
        period=period)
