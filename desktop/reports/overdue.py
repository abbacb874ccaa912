"""The overdue list: tickets overdue now, whatever their creation date (a to-do list).

Overdue is ``response_clock.OVERDUE_SQL``: no first response, due time passed, still open.
Spelled with the open states of the partial index ``tickets_open`` so that index answers.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import datetime

from desktop.response_clock import NOT_RESPONDED_BY_SQL
from desktop.ticket_queue import OPEN_SQL
from domain.clock import format_time, parse_time
from domain.reports.model import OverdueTicket


def overdue_tickets(conn: sqlite3.Connection, now: datetime, *, level: int | None = None,
                    names: Mapping[str, str] | None = None) -> tuple[OverdueTicket, ...]:
    """Tickets overdue at *now* (only *level* when given): level 1 first, then the most
    overdue. ``handler`` is the handler's name when *names* knows it, else the id."""
    where = f"{OPEN_SQL} AND {NOT_RESPONDED_BY_SQL}"
    params: list[object] = [format_time(now)]
    if level is not None:
        where += " AND level = ?"
        params.append(level)
    rows = conn.execute(
        "SELECT id, number, level, subcategory, created_at, due_at, handler "
        f"FROM tickets INDEXED BY tickets_open WHERE {where} ORDER BY level, due_at, number",
        params,
    ).fetchall()
    names = names or {}
    return tuple(
        OverdueTicket(
            ticket_id=r[0], number=r[1], level=int(r[2]), subcategory=r[3],
            created_at=r[4], due_at=r[5],
            minutes_overdue=int((now - parse_time(r[5])).total_seconds() // 60),
            handler=None if r[6] is None else names.get(r[6], r[6]),
        )
        for r in rows
    )
