"""The tickets behind a figure: the exact rows a figure of the report counted.

A :class:`~domain.reports.model.Drill` is the period plus filters (``model.DRILL_KEYS``).
Ticket filters narrow the counted tickets of the period (created in it, not voided or
merged); ``overdue_now`` is the overdue list (any creation date); ``compensation_*``
filters select the tickets of the ledger lines of the period (whatever the ticket's state).
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from desktop.reports.day_cache import CLOSED_SQL, COUNTED_SQL
from desktop.reports.first_contact import CLOSED_AT_FIRST_CONTACT_SQL
from desktop.reports.ledger import IN_PERIOD_SQL, ledger_days
from desktop.reports.repeats import PRODUCT_KEY_SQL
from desktop.response_clock import NOT_RESPONDED_BY_SQL
from desktop.ticket_queue import OPEN_SQL, ROW_COLUMNS, QueueRow, queue_row
from domain.clock import format_time
from domain.reports.model import DRILL_KEYS, Drill
from domain.reports.period import day_start_utc

_EQUAL = {"category": "category", "subcategory": "subcategory", "channel": "channel",
          "level": "level"}
_COMPENSATION = {"compensation_kind": "kind", "compensation_staff": "requested_by",
                 "compensation_status": "status"}


def _where(drill: Drill, now: datetime) -> tuple[list[str], list[Any]]:
    filters = drill.as_dict()
    unknown = set(filters) - set(DRILL_KEYS)
    if unknown:
        raise ValueError(f"unknown drill filter: {', '.join(sorted(unknown))}")
    p = drill.period
    clauses: list[str] = []
    params: list[Any] = []
    now_text = format_time(now)
    comp = {k: v for k, v in filters.items() if k in _COMPENSATION}
    if filters.get("overdue_now"):
        clauses.append(f"{OPEN_SQL} AND {NOT_RESPONDED_BY_SQL}")
        params.append(now_text)
    elif comp:
        sub = [IN_PERIOD_SQL]
        sub_params: list[Any] = list(ledger_days(p))
        for key, value in comp.items():
            sub.append(f"{_COMPENSATION[key]} = ?")
            sub_params.append(value)
        clauses.append(f"id IN (SELECT ticket_id FROM compensations WHERE {' AND '.join(sub)})")
        params.extend(sub_params)
    else:
        clauses.append(COUNTED_SQL)
        params.extend([format_time(p.start_utc), format_time(p.end_utc)])
    for key, value in filters.items():
        if key in _EQUAL:
            clauses.append(f"{_EQUAL[key]} = ?")
            params.append(value)
        elif key == "day":
            tz = ZoneInfo(p.timezone)
            d = date.fromisoformat(str(value))
            clauses.append("created_at >= ? AND created_at < ?")
            params.extend([format_time(day_start_utc(d, tz)),
                           format_time(day_start_utc(d + timedelta(days=1), tz))])
        elif key == "responded_in_time":
            if value:
                clauses.append("first_response_at IS NOT NULL AND first_response_at <= due_at")
            else:
                clauses.append("(first_response_at > due_at OR "
                               "(first_response_at IS NULL AND due_at <= ?))")
                params.append(now_text)
        elif key == "resolved":
            clauses.append(CLOSED_SQL if value else f"NOT {CLOSED_SQL}")
        elif key == "reopened":
            clauses.append("reopen_count > 0" if value else "reopen_count = 0")
        elif key == "rated":
            clauses.append("rating IS NOT NULL" if value else "rating IS NULL")
        elif key == "first_contact":
            clauses.append(f"{CLOSED_AT_FIRST_CONTACT_SQL} AND reopen_count = 0" if value
                           else f"NOT ({CLOSED_AT_FIRST_CONTACT_SQL} AND reopen_count = 0)")
        elif key == "product":
            clauses.append(f"{PRODUCT_KEY_SQL} = ?")
            params.append(value)
    return clauses, params


def tickets_behind(conn: sqlite3.Connection, drill: Drill, now: datetime, *,
                   limit: int = 500) -> list[QueueRow]:
    """The tickets a figure counted, newest first (at most *limit*)."""
    clauses, params = _where(drill, now)
    rows = conn.execute(
        f"SELECT {ROW_COLUMNS} FROM tickets WHERE {' AND '.join(clauses)} "
        "ORDER BY created_at DESC, rid DESC LIMIT ?", [*params, limit],
    ).fetchall()
    return [queue_row(r) for r in rows]


def count_behind(conn: sqlite3.Connection, drill: Drill, now: datetime) -> int:
    """How many tickets stand behind the figure (all of them, not only a page)."""
    clauses, params = _where(drill, now)
    return int(conn.execute(f"SELECT count(*) FROM tickets WHERE {' AND '.join(clauses)}",
                            params).fetchone()[0])
