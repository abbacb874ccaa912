"""Projections: the ``tickets`` table and the compensation ledger, as SQLite rows.

What the rows hold is the fold (:mod:`domain.fold`). :func:`project` is the one routine
that applies events to a ticket and its ledger lines and writes the rows: the write path
(``local_db.store.record_event``) with each new event, in the same transaction; pulled
events (``local_db.sync_state``) and ``kesu rebuild`` (``local_db.store.rebuild``) by
folding a ticket again from its creation (:func:`refold`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, fields

from domain import fold
from domain.events import Event
from domain.fold import CompensationState, TicketState
from local_db import eventlog, search

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


@dataclass(frozen=True)
class Projected:
    """What :func:`project` wrote: the ticket as it now stands, and the ledger lines the
    events made or changed (in the order they were first touched)."""

    ticket: TicketState
    compensations: tuple[CompensationState, ...]


def project(conn: sqlite3.Connection, events: Sequence[Event], *,
            before: TicketState | None = None, index: bool = True) -> Projected:
    """Apply one ticket's *events* (in fold order) and write its row and ledger lines.

    *before* is the ticket's stored state, the events coming after it; the ledger lines
    they decide on are then read from the store. Without *before* the ticket is folded
    from its creation, which must be the first event, and its lines come from the
    events alone. The search entry is written when the ticket is new here (no *before*),
    the only time its text changes, unless *index* is False (a rebuild indexes all at
    once). Runs inside the caller's transaction.
    """
    state = before
    ledger: dict[str, CompensationState] = {}
    changed: dict[str, CompensationState] = {}
    for event in events:
        state = fold.apply(state, event)
        if event.type not in fold.COMPENSATION_EVENTS:
            continue
        cid = str(event.payload["compensation_id"])
        if before is not None and cid not in ledger:
            stored = read_compensation(conn, cid)
            if stored is not None:
                ledger[cid] = stored
        line = fold.apply_compensation(ledger, event)
        if line is not None:
            changed[line.id] = line
    if state is None:
        raise ValueError("no events to project")
    rid = write_ticket(conn, state)
    if before is None and index:
        search.index_ticket(conn, rid, state.text)  # a no-op when the text is unchanged
    for line in changed.values():
        write_compensation(conn, line)
    return Projected(state, tuple(changed.values()))


def refold(conn: sqlite3.Connection, ticket_id: str, *, index: bool = True) -> Projected | None:
    """Fold one ticket again from all its events and write its row and ledger lines.

    A pulled event may sort before events already applied (its hybrid clock is older),
    so a ticket is folded again rather than patched. None, and nothing written, while
    its creation has not arrived (possible after a server restore, when desks re-offer
    in any order): the ticket is folded when it does.
    """
    evs = eventlog.events_for_ticket(conn, ticket_id)
    if not evs or evs[0].type != "ticket_created":
        return None
    return project(conn, evs, index=index)
