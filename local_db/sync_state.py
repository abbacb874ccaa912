"""Desk-side sync state: the outbox, applying pulled events, and the sync bookkeeping.

Knows SQLite and the event log, not HTTP (that is ``sync.engine``). Bookkeeping lives
in the ``meta`` table:

* ``sync_token``        device token (until the OS keyring is wired in)
* ``sync_acked``        highest own device_seq the server has acknowledged
* ``sync_cursor``       highest server_seq applied from pulls
* ``sync_epoch``        the server database epoch the cursor belongs to
* ``sync_last_success`` / ``sync_last_error``  for the status line

Events cross the boundary as plain dicts with the protocol's field names and the
``payload`` as its stored JSON text.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from local_db import eventlog, meta, projection, search
from local_db.connection import transaction
from local_db.errors import IntegrityError
from local_db.eventlog import Event
from local_db.hlc import HLC, ZERO, receive
from local_db.projection import CompensationState

TOKEN = "sync_token"
ACKED = "sync_acked"
CURSOR = "sync_cursor"
EPOCH = "sync_epoch"
LAST_SUCCESS = "sync_last_success"
LAST_ERROR = "sync_last_error"

_WIRE_COLS = (
    "event_id", "ticket_id", "type", "payload", "actor", "device_id", "device_seq", "hlc",
    "occurred_at", "policy_version", "schema_version", "prev_hash", "hash",
)


@dataclass(frozen=True)
class SyncState:
    """The desk's sync bookkeeping as read from ``meta``."""

    device_id: str
    store_code: str
    token: str | None
    acked: int
    cursor: int
    epoch: str | None
    last_success: str | None
    last_error: str | None


@dataclass(frozen=True)
class Applied:
    """What applying one pulled page did."""

    received: int  # events in the page
    inserted: int  # of which new to this desk
    tickets: int  # tickets re-folded


def read_state(conn: sqlite3.Connection) -> SyncState:
    """Current sync bookkeeping (defaults: nothing acked, cursor 0, no epoch)."""
    return SyncState(
        device_id=meta.require(conn, "device_id"),
        store_code=meta.require(conn, "store_code"),
        token=meta.get(conn, TOKEN),
        acked=int(meta.get(conn, ACKED) or 0),
        cursor=int(meta.get(conn, CURSOR) or 0),
        epoch=meta.get(conn, EPOCH),
        last_success=meta.get(conn, LAST_SUCCESS),
        last_error=meta.get(conn, LAST_ERROR),
    )


def put(conn: sqlite3.Connection, **values: str | int) -> None:
    """Store bookkeeping values by meta key name, in one transaction."""
    with transaction(conn):
        for key, value in values.items():
            meta.put(conn, key, str(value))


def clear(conn: sqlite3.Connection, key: str) -> None:
    """Remove one bookkeeping value (e.g. ``sync_last_error`` after a success)."""
    with transaction(conn):
        conn.execute("DELETE FROM meta WHERE key = ?", (key,))


def reset_for_epoch(conn: sqlite3.Connection, epoch: str, acked: int) -> None:
    """Start over with a (restored) server: cursor 0, acked = what the server holds.

    Nothing local is deleted; the next push re-offers every own event above *acked*
    and the next pull re-reads the store (already known events are no-ops).
    """
    with transaction(conn):
        meta.put(conn, EPOCH, epoch)
        meta.put(conn, CURSOR, "0")
        meta.put(conn, ACKED, str(acked))


def outbox(conn: sqlite3.Connection, after_seq: int, limit: int) -> list[dict[str, Any]]:
    """Own events with device_seq above *after_seq*, in order, as wire dicts."""
    device_id = meta.require(conn, "device_id")
    rows = conn.execute(
        f"SELECT {', '.join(_WIRE_COLS)} FROM events WHERE device_id = ? AND device_seq > ? "
        "ORDER BY device_seq LIMIT ?",
        (device_id, after_seq, limit),
    ).fetchall()
    return [{c: row[c] for c in _WIRE_COLS} for row in rows]


def pending_count(conn: sqlite3.Connection) -> int:
    """How many own events the server has not acknowledged."""
    device_id = meta.require(conn, "device_id")
    acked = int(meta.get(conn, ACKED) or 0)
    row = conn.execute(
        "SELECT count(*) FROM events WHERE device_id = ? AND device_seq > ?",
        (device_id, acked),
    ).fetchone()
    return int(row[0])


def last_own_seq(conn: sqlite3.Connection) -> int:
    """The desk's own highest device_seq (0 before the first event)."""
    device_id = meta.require(conn, "device_id")
    row = conn.execute(
        "SELECT max(device_seq) FROM events WHERE device_id = ?", (device_id,)
    ).fetchone()
    return int(row[0] or 0)


def _to_event(raw: Mapping[str, Any]) -> Event:
    return Event(
        event_id=raw["event_id"], ticket_id=raw["ticket_id"], type=raw["type"],
        payload=json.loads(raw["payload"]), actor=raw["actor"], device_id=raw["device_id"],
        device_seq=int(raw["device_seq"]), hlc=raw["hlc"], occurred_at=raw["occurred_at"],
        policy_version=raw["policy_version"], schema_version=int(raw["schema_version"]),
        prev_hash=raw["prev_hash"], hash=raw["hash"], server_seq=raw.get("server_seq"),
    )


def _verify(raw: Mapping[str, Any]) -> None:
    digest = eventlog.compute_hash(
        prev_hash=raw["prev_hash"], event_id=raw["event_id"], ticket_id=raw["ticket_id"],
        type=raw["type"], payload_json=raw["payload"], actor=raw["actor"],
        device_id=raw["device_id"], device_seq=int(raw["device_seq"]), hlc=raw["hlc"],
        occurred_at=raw["occurred_at"], policy_version=raw["policy_version"],
        schema_version=int(raw["schema_version"]),
    )
    if digest != raw["hash"]:
        raise IntegrityError(f"pulled event {raw['event_id']}: hash mismatch")


def apply_remote(
    conn: sqlite3.Connection,
    events: Sequence[Mapping[str, Any]],
    *,
    cursor: int,
    epoch: str,
    now_ms: int,
) -> Applied:
    """Apply one pulled page and the new cursor in one transaction.

    Inserts with ``ON CONFLICT(event_id) DO NOTHING`` (own events coming back and
    repeats are no-ops apart from recording their ``server_seq``), then re-folds every
    ticket that got a new event (tickets row, compensation ledger, search entry) so the
    projections stay equal to the fold of the events. Advances the hybrid clock past
    the newest remote event so later local events sort after what was seen.
    A page with a wrong hash is refused whole (:class:`IntegrityError`).
    """
    for raw in events:
        _verify(raw)
    with transaction(conn):
        touched: set[str] = set()
        inserted = 0
        newest = ZERO
        for raw in events:
            cur = conn.execute(
                "INSERT INTO events (event_id, ticket_id, type, payload, actor, device_id, "
                "device_seq, hlc, occurred_at, policy_version, schema_version, server_seq, "
                "prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT(event_id) DO NOTHING",
                (raw["event_id"], raw["ticket_id"], raw["type"], raw["payload"], raw["actor"],
                 raw["device_id"], raw["device_seq"], raw["hlc"], raw["occurred_at"],
                 raw["policy_version"], raw["schema_version"], raw.get("server_seq"),
                 raw["prev_hash"], raw["hash"]),
            )
            if cur.rowcount == 1:
                inserted += 1
                touched.add(raw["ticket_id"])
                newest = max(newest, HLC.decode(raw["hlc"]))
            elif raw.get("server_seq") is not None:
                conn.execute(
                    "UPDATE events SET server_seq = ? WHERE event_id = ? AND server_seq IS NULL",
                    (raw["server_seq"], raw["event_id"]),
                )
        for ticket_id in sorted(touched):
            refold_ticket(conn, ticket_id)
        if newest != ZERO:
            last = meta.get(conn, "hlc")
            meta.put(conn, "hlc", receive(HLC.decode(last) if last else ZERO, newest,
                                          now_ms).encode())
        meta.put(conn, CURSOR, str(cursor))
        meta.put(conn, EPOCH, epoch)
    return Applied(received=len(events), inserted=inserted, tickets=len(touched))


def refold_ticket(conn: sqlite3.Connection, ticket_id: str) -> None:
    """Rewrite one ticket's projection and ledger lines from its events (in a transaction).

    A pulled event may sort before events already applied (its hybrid clock is older),
    so the ticket is folded again from all its events rather than patched.
    """
    evs = eventlog.events_for_ticket(conn, ticket_id)
    if not evs or evs[0].type != "ticket_created":
        # Its creation has not arrived yet (possible after a server restore, when
        # desks re-offer in any order); the ticket is folded when it does.
        return
    state = projection.fold(evs)
    assert state is not None
    rid = projection.write_ticket(conn, state)
    search.index_ticket(conn, rid, state.text)  # no-op when the text is unchanged
    ledger: dict[str, CompensationState] = {}
    for event in evs:
        projection.apply_compensation(ledger, event)
    for line in ledger.values():
        projection.write_compensation(conn, line)
