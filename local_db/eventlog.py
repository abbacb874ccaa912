"""The append-only event log: the truth from which every projection is folded.

Each event is chained to the previous event of the same device by a SHA-256 hash, so
an edit or a deletion anywhere in a device's history is visible to ``kesu check``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from domain.clock import format_time
from domain.event_schema import EVENT_SCHEMA_VERSION, canonical_payload
from domain.events import EVENT_FIELDS, GENESIS_HASH, Event, event_from_row, event_hash
from domain.hlc import HLC, ZERO, tick
from domain.ids import uuid7
from local_db import meta
from local_db.errors import IntegrityError

__all__ = ["append", "events_for_ticket", "iter_events", "verify_chain"]

_COLUMNS = ", ".join(EVENT_FIELDS)
_INSERT = f"INSERT INTO events ({_COLUMNS}) VALUES ({', '.join('?' * len(EVENT_FIELDS))})"


def append(
    conn: sqlite3.Connection,
    *,
    ticket_id: str,
    type: str,
    payload: Mapping[str, Any],
    actor: str,
    occurred_at: datetime,
    policy_version: str,
) -> Event:
    """Append one local event. Must run inside the caller's write transaction.

    Assigns the UUIDv7, the next gapless ``device_seq``, the hybrid clock and the hash
    link to the previous event of this device.
    """
    if not conn.in_transaction:
        raise IntegrityError("events are appended only inside a transaction")
    device_id = meta.require(conn, "device_id")
    last = conn.execute(
        "SELECT device_seq, hash FROM events WHERE device_id = ? "
        "ORDER BY device_seq DESC LIMIT 1",
        (device_id,),
    ).fetchone()
    device_seq = 1 if last is None else int(last[0]) + 1
    prev_hash = GENESIS_HASH if last is None else str(last[1])
    last_hlc_text = meta.get(conn, "hlc")
    last_hlc = ZERO if last_hlc_text is None else HLC.decode(last_hlc_text)
    now_ms = int(occurred_at.timestamp() * 1000)
    hlc = tick(last_hlc, now_ms).encode()
    event_id = uuid7(now_ms)
    row: dict[str, Any] = {
        "prev_hash": prev_hash, "event_id": event_id, "ticket_id": ticket_id, "type": type,
        "payload": canonical_payload(payload), "actor": actor, "device_id": device_id,
        "device_seq": device_seq, "hlc": hlc, "occurred_at": format_time(occurred_at),
        "policy_version": policy_version, "schema_version": EVENT_SCHEMA_VERSION,
        "server_seq": None,  # until the server acknowledges it
    }
    row["hash"] = event_hash(row)
    conn.execute(_INSERT, [row[c] for c in EVENT_FIELDS])
    meta.put(conn, "hlc", hlc)
    return event_from_row(row)


def events_for_ticket(conn: sqlite3.Connection, ticket_id: str) -> list[Event]:
    """All events of one ticket in fold order."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM events WHERE ticket_id = ? ORDER BY hlc, device_id",
        (ticket_id,),
    ).fetchall()
    return [event_from_row(r) for r in rows]


def iter_events(conn: sqlite3.Connection, order: str = "fold") -> Iterator[Event]:
    """Every event, in fold order (``"fold"``) or per device in chain order (``"chain"``)."""
    order_by = "hlc, device_id" if order == "fold" else "device_id, device_seq"
    for row in conn.execute(f"SELECT {_COLUMNS} FROM events ORDER BY {order_by}"):
        yield event_from_row(row)


def verify_chain(
    conn: sqlite3.Connection,
    set_aside: Mapping[tuple[str, int], tuple[str, str]] | None = None,
) -> list[str]:
    """Check every device's hash chain; return one line per problem (empty when intact).

    Hashes the payload text exactly as stored, so even a change that keeps the JSON
    meaning (spacing, key order) shows. *set_aside* maps (device_id, device_seq) to
    (prev_hash, hash) of pulled events kept beside the log (``sync_state``): the chain
    continues over them instead of showing a gap.
    """
    bridges = set_aside or {}
    problems: list[str] = []
    current_device: str | None = None
    expected_prev = GENESIS_HASH
    expected_seq = 1
    rows = conn.execute(f"SELECT {_COLUMNS} FROM events ORDER BY device_id, device_seq")
    for row in rows:
        if row["device_id"] != current_device:
            current_device = row["device_id"]
            expected_prev = GENESIS_HASH
            expected_seq = 1
        while row["device_seq"] > expected_seq and (
                (str(current_device), expected_seq) in bridges):
            prev, digest = bridges[(str(current_device), expected_seq)]
            if prev != expected_prev:
                break
            expected_prev, expected_seq = digest, expected_seq + 1
        if row["device_seq"] != expected_seq:
            problems.append(
                f"device {current_device}: sequence gap, expected {expected_seq} "
                f"found {row['device_seq']}"
            )
        if row["prev_hash"] != expected_prev:
            problems.append(
                f"event {row['event_id']}: prev_hash does not match the previous event"
            )
        digest = event_hash(row)
        if digest != row["hash"]:
            problems.append(f"event {row['event_id']}: hash mismatch (content was changed)")
        expected_prev = row["hash"]
        expected_seq = row["device_seq"] + 1
    return problems
