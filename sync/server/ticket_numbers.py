"""Ticket numbers and verification codes, indexed as events arrive.

The customer progress page finds a ticket by the number printed on the receipt; the
events table is keyed by ids, so :func:`record` keeps ``number → (ticket, code)`` in the
same transaction that stores each ``ticket_created`` event (it runs from
:func:`sync.server.notify.enqueue`, the hook both desk pushes and central events call).
Sync is new with this table, so there is no older server database to backfill.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.protocol import payload_object
from sync.server.storage import metadata

ticket_numbers = sa.Table(
    "ticket_numbers", metadata,
    sa.Column("number", sa.String(64), primary_key=True),
    sa.Column("ticket_id", sa.Text, nullable=False),
    sa.Column("store", sa.String(32), nullable=False),
    # NULL for tickets saved before desks made codes: they have no progress page.
    sa.Column("verify_code", sa.String(6)),
)


@dataclass(frozen=True)
class NumberEntry:
    """What the centre knows about a ticket number."""

    ticket_id: str
    store: str
    verify_code: str | None


def _insert(conn: Connection) -> Any:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(ticket_numbers)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(ticket_numbers)


def _valid_code(value: object) -> str | None:
    if isinstance(value, str) and len(value) == 6 and value.isascii() and value.isdigit():
        return value
    return None


def record(conn: Connection, store: str, events: Sequence[Mapping[str, Any]]) -> int:
    """Index the ``ticket_created`` events among *events*; return how many were new.

    A number seen before keeps its first ticket (a resend or a clash adds nothing).
    """
    rows: list[dict[str, Any]] = []
    for event in events:
        if event["type"] != "ticket_created":
            continue
        try:
            payload = payload_object(event["payload"])
            number = payload["number"]
        except (ValueError, KeyError, TypeError):
            continue
        if not isinstance(number, str) or not number or len(number) > 64:
            continue
        rows.append({"number": number, "ticket_id": event["ticket_id"], "store": store,
                     "verify_code": _valid_code(payload.get("verify_code"))})
    if not rows:
        return 0
    result = conn.execute(_insert(conn).on_conflict_do_nothing(), rows)
    return max(int(result.rowcount or 0), 0)


def lookup(conn: Connection, number: str) -> NumberEntry | None:
    """The ticket behind *number*, or None."""
    row = conn.execute(
        sa.select(ticket_numbers.c.ticket_id, ticket_numbers.c.store,
                  ticket_numbers.c.verify_code)
        .where(ticket_numbers.c.number == number)
    ).first()
    return None if row is None else NumberEntry(str(row[0]), str(row[1]), row[2])
