"""Projections: the ``tickets`` table and the compensation ledger, as SQLite rows.

What the rows hold is the fold (:mod:`domain.fold`); this module only reads and writes
them. The write path stores each new state in the same transaction as its event.
"""

from __future__ import annotations

import sqlite3
from dataclasses import fields

from domain.fold import CompensationState, TicketState

_TICKET_COLUMNS = [f.name for f in fields(TicketState)]
_COMP_COLUMNS = [f.name for f in fields(CompensationState) if f.name != "history"]


def write_ticket(conn: sqlite3.Connection, state: TicketState) -> int:
    """Insert or update the ticket row; return its ``rid``."""
    row = state.as_row()
    cols = ", ".join(_TICKET_COLUMNS)
    marks = ", ".join("?" for _ in _TICKET_COLUMNS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in _TICKET_COLUMNS if c != "id")
    cur = conn.execute(
        f"INSERT INTO tickets ({cols}) VALUES ({marks}) "
        f"ON CONFLICT(id) DO UPDATE SET {updates} RETURNING rid",
        [row[c] for c in _TICKET_COLUMNS],
    )
    return int(cur.fetchone()[0])


def read_ticket(conn: sqlite3.Connection, ticket_id: str) -> TicketState | None:
    """The stored projection of one ticket."""
    row = conn.execute(
        f"SELECT {', '.join(_TICKET_COLUMNS)} FROM tickets WHERE id = ?", (ticket_id,)
    ).fetchone()
    return None if row is None else TicketState.from_row(row)


def write_compensation(conn: sqlite3.Connection, line: CompensationState) -> None:
    """Insert or update one ledger line."""
    row = line.as_row()
    cols = ", ".join(_COMP_COLUMNS)
    marks = ", ".join("?" for _ in _COMP_COLUMNS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in _COMP_COLUMNS if c != "id")
    conn.execute(
        f"INSERT INTO compensations ({cols}) VALUES ({marks}) "
        f"ON CONFLICT(id) DO UPDATE SET {updates}",
        [row[c] for c in _COMP_COLUMNS],
    )


def read_compensation(conn: sqlite3.Connection, compensation_id: str) -> CompensationState | None:
    """The stored ledger line."""
    row = conn.execute(
        f"SELECT {', '.join(_COMP_COLUMNS)} FROM compensations WHERE id = ?",
        (compensation_id,),
    ).fetchone()
    return None if row is None else CompensationState(**{c: row[c] for c in _COMP_COLUMNS})
