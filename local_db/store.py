"""The write path: one event and every projection it touches, in one transaction.

Also ``rebuild`` (projections from events) and ``check`` (chain and projections agree).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any

from domain import event_schema, fold
from domain.events import Event
from domain.fold import CompensationState, TicketState
from local_db import eventlog, projection, search, sync_state
from local_db.connection import transaction
from local_db.errors import InvalidEventError


@dataclass(frozen=True)
class Recorded:
    """What one recorded event produced."""

    event: Event
    ticket: TicketState
    compensation: CompensationState | None


def record_event(
    conn: sqlite3.Connection,
    *,
    ticket_id: str,
    type: str,
    payload: Mapping[str, Any],
    actor: str,
    occurred_at: datetime,
    policy_version: str,
    current: TicketState | None = None,
) -> Recorded:
    """Append an event and update the projections, atomically.

    *current* is the ticket as the caller last saw it inside this transaction, saving
    a read; it must be the stored state. Joins the caller's transaction when there is
    one, so a command that writes several events (a ticket and the level raise of its
    group) commits them together.

    The payload must fit its type in :mod:`domain.event_schema` (what the centre and
    every other desk will check): :class:`InvalidEventError` otherwise, nothing saved.
    """
    with transaction(conn):
        event = eventlog.append(
            conn,
            ticket_id=ticket_id,
            type=type,
            payload=payload,
            actor=actor,
            occurred_at=occurred_at,
            policy_version=policy_version,
        )
        try:
            # The stored (canonical, re-parsed) form, exactly what others will read.
            event_schema.check_payload(type, event.payload)
        except event_schema.SchemaError as exc:
            raise InvalidEventError(f"{type}: {exc}", event_type=type) from None
        before = None
        if type != "ticket_created":
            before = current if current is not None and current.id == ticket_id else (
                projection.read_ticket(conn, ticket_id))
        projected = projection.project(conn, [event], before=before)
    line = projected.compensations[0] if projected.compensations else None
    return Recorded(event=event, ticket=projected.ticket, compensation=line)


def waiting_for_creation(conn: sqlite3.Connection) -> list[str]:
    """Ids of tickets that have events but no ``ticket_created`` (yet) at their start.

    They have no row: the pull path and :func:`rebuild` leave them out
    (``projection.refold``) until their creation arrives.
    """
    return sorted(_fold(conn)[2])


def _fold(
    conn: sqlite3.Connection,
) -> tuple[dict[str, TicketState], dict[str, CompensationState], set[str]]:
    """Every event folded from nothing, in memory: (tickets, ledger, ids still waiting
    for their creation), what :func:`check` compares the rows with."""
    tickets: dict[str, TicketState] = {}
    ledger: dict[str, CompensationState] = {}
    waiting: set[str] = set()
    for event in eventlog.iter_events(conn, order="fold"):
        if event.ticket_id in waiting:
            continue
        before = tickets.get(event.ticket_id)
        if before is None and event.type != "ticket_created":
            waiting.add(event.ticket_id)
            continue
        tickets[event.ticket_id] = fold.apply(before, event)
        fold.apply_compensation(ledger, event)
    return tickets, ledger, waiting


def rebuild(conn: sqlite3.Connection) -> dict[str, int]:
    """Rewrite the projections and the search index from the events alone.

    Each ticket is folded again from its creation (``projection.refold``, as a pulled
    event refolds one), in the order the fold first meets it, so rows get their ids in
    the order a desk that saw every event first would have given them.
    """
    tickets = compensations = 0
    with transaction(conn):
        # Ids only: a store's whole history of parsed events need not fit in memory.
        order = dict.fromkeys(r[0] for r in conn.execute(
            "SELECT ticket_id FROM events ORDER BY hlc, device_id"))
        conn.execute("DELETE FROM tickets")
        conn.execute("DELETE FROM compensations")
        for ticket_id in order:
            projected = projection.refold(conn, ticket_id, index=False)
            if projected is not None:
                tickets += 1
                compensations += len(projected.compensations)
        search.rebuild_index(conn)
        # The report's per-day cache is derived from the rows just rewritten.
        conn.execute("DELETE FROM report_days")
    return {"tickets": tickets, "compensations": compensations}


def check(conn: sqlite3.Connection) -> list[str]:
    """Every difference between the event log and what was derived from it.

    Checks each device's hash chain, then that every stored ticket and ledger line
    equals the fold of its events, field by field. Empty means all is well. Tickets
    still waiting for their ``ticket_created`` are not problems (see
    :func:`waiting_for_creation`); they have no row until it arrives.
    """
    problems = eventlog.verify_chain(conn, sync_state.set_aside_links(conn))
    tickets, ledger, waiting = _fold(conn)
    stored_ids: set[str] = set()
    for row in conn.execute("SELECT * FROM tickets"):
        state = TicketState.from_row(row)
        stored_ids.add(state.id)
        expected = tickets.get(state.id)
        if expected is None and state.id in waiting:
            problems.append(f"ticket {state.number}: row exists but its events wait "
                            "for their creation")
            continue
        if expected is None:
            problems.append(f"ticket {state.number}: row has no events")
            continue
        problems.extend(_diff(f"ticket {state.number}", expected, state))
    for missing in set(tickets) - stored_ids:
        problems.append(f"ticket {tickets[missing].number}: events have no row")
    stored_lines: set[str] = set()
    comp_cols = [f.name for f in fields(CompensationState) if f.name != "history"]
    for row in conn.execute("SELECT * FROM compensations"):
        line = CompensationState(**{c: row[c] for c in comp_cols})
        stored_lines.add(line.id)
        want = ledger.get(line.id)
        if want is None:
            problems.append(f"compensation {line.id}: row has no events")
            continue
        problems.extend(_diff(f"compensation {line.id}", want, line))
    for missing in set(ledger) - stored_lines:
        problems.append(f"compensation {missing}: events have no row")
    return problems


def _diff(label: str, expected: Any, actual: Any) -> list[str]:
    want, have = asdict(expected), asdict(actual)
    want.pop("history", None)
    have.pop("history", None)
    return [
        f"{label}: {key} is {have[key]!r}, events say {want[key]!r}"
        for key in want
        if want[key] != have[key]
    ]
