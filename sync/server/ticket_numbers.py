"""Ticket numbers and verification codes, indexed as events arrive.

The customer progress page finds a ticket by the number printed on the receipt; the
events table is keyed by ids, so :func:`record` keeps ``number → (ticket, code)`` in the
same transaction that stores each ``ticket_created`` event (desk pushes in
:meth:`sync.server.storage.Storage.push`, central events in
:meth:`sync.server.central.CentralWriter.append`). Sync is new with this table, so there
is no older server database to backfill.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.server.tables import dialect_insert, ticket_numbers


@dataclass(frozen=True)
class NumberEntry:
    """What the centre knows about a ticket number."""

    ticket_id: str
    store: str
    verify_code: str | None


def _valid_code(value: object) -> str | None:
    if isinstance(value, str) and len(value) == 6 and value.isascii() and value.isdigit():
        return value
    return None


def record(conn: Connection, store: str, created: Mapping[str, Mapping[str, Any]]) -> int:
    """Index the tickets *created* (ticket id → ``ticket_created`` payload, already
    parsed); return how many numbers were new.

    A number seen before keeps its first ticket (a resend or a clash adds nothing).
    """
    rows: list[dict[str, Any]] = []
    for ticket_id, payload in created.items():
        number = payload.get("number")
        if not isinstance(number, str) or not number or len(number) > 64:
            continue
        rows.append({"number": number, "ticket_id": ticket_id, "store": store,
                     "verify_code": _valid_code(payload.get("verify_code"))})
    if not rows:
        return 0
    result = conn.execute(dialect_insert(conn, ticket_numbers).on_conflict_do_nothing(), rows)
    return max(int(result.rowcount or 0), 0)


def first_held(conn: Connection, wanted: Mapping[str, str]) -> str | None:
    """A number of *wanted* (number → ticket id) that another ticket holds, or None.

    Only the first indexed number found is looked at: a batch with one number taken is
    refused whichever it is.
    """
    held = conn.execute(
        sa.select(ticket_numbers.c.number, ticket_numbers.c.ticket_id)
        .where(ticket_numbers.c.number.in_(sorted(wanted)))
    ).first()
    if held is None or held[1] == wanted[str(held[0])]:
        return None
    return str(held[0])


def lookup(conn: Connection, number: str) -> NumberEntry | None:
    """The ticket behind *number*, or None."""
    row = conn.execute(
        sa.select(ticket_numbers.c.ticket_id, ticket_numbers.c.store,
                  ticket_numbers.c.verify_code)
        .where(ticket_numbers.c.number == number)
    ).first()
    return None if row is None else NumberEntry(str(row[0]), str(row[1]), row[2])
