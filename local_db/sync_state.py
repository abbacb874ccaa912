"""Desk-side sync state: the outbox, applying pulled events, and the sync bookkeeping.

Knows SQLite and the event log, not HTTP (that is ``desktop.desk_sync.engine``).
Bookkeeping lives in the ``meta`` table:

* ``sync_token``        device token, only where no credential store is injected (tests,
  tools); the desk keeps it in the OS keyring (``desktop.credentials``), which moves a
  token found here out of the database
* ``sync_server``       the server's base URL, stored at enrolment
* ``sync_acked``        highest own device_seq the server has acknowledged
* ``sync_cursor``       highest server_seq applied from pulls
* ``sync_epoch``        the server database epoch the cursor belongs to
* ``sync_last_success`` / ``sync_last_error``  for the status line
* ``sync_update_required``  why this desk must be updated (protocol or event schema),
  until a round shows otherwise
* ``sync_enrol_again``  set when the server refused the token (401), cleared by enrolment

Batches the server refused are kept in ``sync_dead_letters`` (see :func:`record_dead_letter`).

Events cross the boundary as plain dicts with the protocol's field names and the
``payload`` as its stored JSON text.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from domain import event_schema
from domain.clock import format_time
from domain.event_schema import EVENT_SCHEMA_VERSION
from domain.events import EVENT_FIELDS, event_hash
from domain.hlc import HLC, ZERO, receive
from local_db import meta, projection
from local_db.connection import transaction
from local_db.errors import IntegrityError, SchemaTooNewError

TOKEN = "sync_token"
ACKED = "sync_acked"
CURSOR = "sync_cursor"
EPOCH = "sync_epoch"
LAST_SUCCESS = "sync_last_success"
LAST_ERROR = "sync_last_error"
SERVER = "sync_server"
UPDATE_REQUIRED = "sync_update_required"
ENROL_AGAIN = "sync_enrol_again"

# The newest event schema this desk can fold. Pulled events above it are not applied:
# the desk keeps pushing its own and says "update required".
SCHEMA_VERSION = EVENT_SCHEMA_VERSION
MAX_SCHEMA_VERSION = SCHEMA_VERSION

# What a desk sends of an event: every stored field but the server's sequence.
_WIRE_COLS = tuple(c for c in EVENT_FIELDS if c != "server_seq")
# A pulled event is stored whole; a repeat is a no-op (see apply_remote).
_INSERT_PULLED = (f"INSERT INTO events ({', '.join(EVENT_FIELDS)}) "
                  f"VALUES ({', '.join('?' * len(EVENT_FIELDS))}) "
                  "ON CONFLICT(event_id) DO NOTHING")


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
    server: str | None = None
    update_required: str | None = None
    enrol_again: bool = False
    desk_code: str = ""


@dataclass(frozen=True)
class DeadLetter:
    """A batch of own events the server refused, and how often it did."""

    id: int
    first_seq: int
    last_seq: int
    event_ids: list[str]
    reason: str
    detail: str
    http_status: int
    first_seen: str
    last_seen: str
    count: int
    resolved_at: str | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form for ``kesu sync dead-letters``."""
        return {
            "id": self.id, "first_seq": self.first_seq, "last_seq": self.last_seq,
            "event_ids": self.event_ids, "reason": self.reason, "detail": self.detail,
            "http_status": self.http_status, "first_seen": self.first_seen,
            "last_seen": self.last_seen, "count": self.count, "resolved_at": self.resolved_at,
        }


@dataclass(frozen=True)
class Applied:
    """What applying one pulled page did."""

    received: int  # events in the page
    inserted: int  # of which new to this desk
    tickets: int  # tickets re-folded
    set_aside: int = 0  # new events this desk cannot apply (see set_aside_events)


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
        server=meta.get(conn, SERVER),
        update_required=meta.get(conn, UPDATE_REQUIRED),
        enrol_again=meta.get(conn, ENROL_AGAIN) is not None,
        desk_code=meta.get(conn, "desk_code") or "",
    )


def put(conn: sqlite3.Connection, **values: str | int) -> None:
    """Store bookkeeping values by meta key name, in one transaction."""
    with transaction(conn):
        for key, value in values.items():
            meta.put(conn, key, str(value))


def clear(conn: sqlite3.Connection, *keys: str) -> None:
    """Remove bookkeeping values (e.g. ``sync_last_error`` after a success)."""
    with transaction(conn):
        for key in keys:
            conn.execute("DELETE FROM meta WHERE key = ?", (key,))


def take_token(conn: sqlite3.Connection) -> str | None:
    """Remove and return a device token kept in ``meta`` (moving it to a keyring)."""
    with transaction(conn):
        token = meta.get(conn, TOKEN)
        if token is not None:
            conn.execute("DELETE FROM meta WHERE key = ?", (TOKEN,))
    return token


def newer_schema(events: Sequence[Mapping[str, Any]]) -> int | None:
    """The highest ``schema_version`` among *events* above :data:`MAX_SCHEMA_VERSION`."""
    newer = [int(e["schema_version"]) for e in events
             if int(e["schema_version"]) > MAX_SCHEMA_VERSION]
    return max(newer) if newer else None


def record_dead_letter(
    conn: sqlite3.Connection,
    events: Sequence[Mapping[str, Any]],
    *,
    reason: str,
    detail: str,
    http_status: int,
    now: str,
) -> DeadLetter:
    """Remember that the server refused the batch *events* (own events, in order).

    The same refusal of a batch starting at the same device_seq again updates its row
    (range, last seen, count); nothing about the events themselves changes.
    """
    first = int(events[0]["device_seq"]) if events else 0
    last = int(events[-1]["device_seq"]) if events else 0
    ids = json.dumps([str(e["event_id"]) for e in events])
    with transaction(conn):
        conn.execute(
            "INSERT INTO sync_dead_letters (first_seq, last_seq, event_ids, reason, detail, "
            "http_status, first_seen, last_seen, count) VALUES (?,?,?,?,?,?,?,?,1) "
            "ON CONFLICT (first_seq, reason) DO UPDATE SET last_seq = excluded.last_seq, "
            "event_ids = excluded.event_ids, detail = excluded.detail, "
            "http_status = excluded.http_status, last_seen = excluded.last_seen, "
            "count = count + 1, resolved_at = NULL",
            (first, last, ids, reason, detail, http_status, now, now),
        )
        row = conn.execute("SELECT * FROM sync_dead_letters WHERE first_seq = ? AND reason = ?",
                           (first, reason)).fetchone()
    return _dead_letter(row)


def resolve_dead_letters(conn: sqlite3.Connection, acked: int, now: str) -> int:
    """Mark open dead letters whose events the server has now acknowledged (after a
    repair on the server, say); return how many. The rows stay as history."""
    with transaction(conn):
        cur = conn.execute(
            "UPDATE sync_dead_letters SET resolved_at = ? "
            "WHERE resolved_at IS NULL AND first_seq <= ?",
            (now, acked),
        )
    return int(cur.rowcount)


def dead_letters(conn: sqlite3.Connection, *, include_resolved: bool = False) -> list[DeadLetter]:
    """Refused batches, oldest first; only open ones unless *include_resolved*."""
    where = "" if include_resolved else " WHERE resolved_at IS NULL"
    rows = conn.execute(f"SELECT * FROM sync_dead_letters{where} ORDER BY first_seq, id")
    return [_dead_letter(r) for r in rows]


def open_dead_letter_count(conn: sqlite3.Connection) -> int:
    """How many refused batches are still open (what :func:`dead_letters` would list)."""
    row = conn.execute(
        "SELECT count(*) FROM sync_dead_letters WHERE resolved_at IS NULL").fetchone()
    return int(row[0])


def _dead_letter(row: sqlite3.Row) -> DeadLetter:
    return DeadLetter(
        id=int(row["id"]), first_seq=int(row["first_seq"]), last_seq=int(row["last_seq"]),
        event_ids=list(json.loads(row["event_ids"])), reason=str(row["reason"]),
        detail=str(row["detail"]), http_status=int(row["http_status"]),
        first_seen=str(row["first_seen"]), last_seen=str(row["last_seen"]),
        count=int(row["count"]), resolved_at=row["resolved_at"],
    )


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
    return chain_events(conn, meta.require(conn, "device_id"), after_seq, limit)


# Device ids of the centre's chains (headquarters actions, channel tickets); the
# server's ``sync.server.central`` names them, local_db may not import it.
CENTRAL_PREFIX = "central:"


def central_heads(conn: sqlite3.Connection) -> dict[str, int]:
    """Highest device_seq held of each central chain (range scan on the device index)."""
    rows = conn.execute(
        "SELECT device_id, max(device_seq) FROM events WHERE device_id >= ? AND device_id < ? "
        "GROUP BY device_id",
        (CENTRAL_PREFIX, CENTRAL_PREFIX[:-1] + chr(ord(CENTRAL_PREFIX[-1]) + 1)),
    ).fetchall()
    return {str(r[0]): int(r[1]) for r in rows}


def chain_events(
    conn: sqlite3.Connection, device_id: str, after_seq: int, limit: int
) -> list[dict[str, Any]]:
    """Events of *device_id* with device_seq above *after_seq*, in order, as wire dicts."""
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


def _verify(raw: Mapping[str, Any]) -> None:
    if event_hash(raw) != raw["hash"]:
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

    A new event that fails :mod:`domain.event_schema`, or that its ticket cannot fold
    with (a number another ticket holds, a second creation, a decision on an unknown
    compensation...), is set aside (:func:`set_aside_events`) and the rest applied: one
    bad event never stops the store's sync. A page with a wrong hash is refused whole
    (:class:`IntegrityError`), as is one that forks a held device history, and one with
    an event schema newer than :data:`MAX_SCHEMA_VERSION` (:class:`SchemaTooNewError`;
    the engine checks first and does not offer such a page).
    """
    newer = newer_schema(events)
    if newer is not None:
        raise SchemaTooNewError(f"pulled event schema {newer}, this desk reads "
                                f"{MAX_SCHEMA_VERSION}", unknown=f"event schema {newer}")
    for raw in events:
        _verify(raw)
    seen = format_ms(now_ms)
    with transaction(conn):
        held = _held_ids(conn, [str(raw["event_id"]) for raw in events])
        fresh: dict[str, list[Mapping[str, Any]]] = {}
        set_aside = 0
        for raw in events:
            if raw["event_id"] in held:
                if raw.get("server_seq") is not None:
                    # Also after a restore, when the server numbered it anew.
                    conn.execute(
                        "UPDATE events SET server_seq = ? WHERE event_id = ? "
                        "AND server_seq IS NOT ?",
                        (raw["server_seq"], raw["event_id"], raw["server_seq"]),
                    )
                continue
            held.add(str(raw["event_id"]))  # a page repeating an event applies it once
            try:
                event_schema.check_event(raw)
            except event_schema.InvalidEvent as exc:
                set_aside += _set_aside(conn, raw, "invalid_event", exc.reason, seen)
                continue
            fresh.setdefault(str(raw["ticket_id"]), []).append(raw)
        inserted = 0
        newest = ZERO
        for ticket_id in sorted(fresh):
            applied, refused = _apply_ticket(conn, ticket_id, fresh[ticket_id])
            for raw in applied:
                inserted += 1
                newest = max(newest, HLC.decode(raw["hlc"]))
            for raw, reason, detail in refused:
                set_aside += _set_aside(conn, raw, reason, detail, seen)
        if newest != ZERO:
            last = meta.get(conn, "hlc")
            meta.put(conn, "hlc", receive(HLC.decode(last) if last else ZERO, newest,
                                          now_ms).encode())
        meta.put(conn, CURSOR, str(cursor))
        meta.put(conn, EPOCH, epoch)
    touched = sum(1 for rows in fresh.values() if rows)
    return Applied(received=len(events), inserted=inserted, tickets=touched,
                   set_aside=set_aside)


def format_ms(now_ms: int) -> str:
    """*now_ms* (Unix milliseconds) as stored time text."""
    return format_time(datetime.fromtimestamp(now_ms / 1000, UTC))


def _held_ids(conn: sqlite3.Connection, ids: list[str]) -> set[str]:
    """Which of *ids* the desk holds already, in its log or set aside."""
    held: set[str] = set()
    for start in range(0, len(ids), 400):  # SQLite's variable limit
        chunk = ids[start:start + 400]
        marks = ",".join("?" * len(chunk))
        for table in ("events", "sync_set_aside"):
            held.update(r[0] for r in conn.execute(
                f"SELECT event_id FROM {table} WHERE event_id IN ({marks})", chunk))
    return held


# What folding a ticket with a pulled event can raise when the event makes no sense in
# its history (domain.fold.apply's KeyError on an unknown compensation, ValueError on a
# second creation...), and SQLite's refusal of a number another ticket holds.
_FOLD_ERRORS = (ValueError, KeyError, TypeError, AttributeError, IndexError)


class _Unfoldable(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason, self.detail = reason, detail


def _insert_and_fold(conn: sqlite3.Connection, ticket_id: str,
                     rows: Sequence[Mapping[str, Any]]) -> None:
    for raw in rows:
        try:
            _insert_pulled(conn, raw)
        except sqlite3.IntegrityError as exc:
            # Same (device_id, device_seq) as a held event with another id: the
            # server's history forked from ours. Refuse the page whole; never
            # overwrite what staff saw saved.
            raise IntegrityError(
                f"pulled event {raw['event_id']} ({raw['device_id']} "
                f"#{raw['device_seq']}) conflicts with a held event: {exc}") from exc
    try:
        projection.refold(conn, ticket_id)
    except sqlite3.IntegrityError as exc:
        if "tickets.number" in str(exc):
            raise _Unfoldable("number_taken", "another ticket on this desk holds its "
                                              f"number: {exc}") from None
        raise _Unfoldable("unfoldable", str(exc)) from None
    except _FOLD_ERRORS as exc:
        raise _Unfoldable("unfoldable", f"{type(exc).__name__}: {exc}") from None


def _apply_ticket(
    conn: sqlite3.Connection, ticket_id: str, rows: list[Mapping[str, Any]]
) -> tuple[list[Mapping[str, Any]], list[tuple[Mapping[str, Any], str, str]]]:
    """Insert one ticket's new events and fold it; (applied, refused with reason, detail).

    Tried whole first; when the ticket does not fold, event by event in fold order, each
    kept only if the ticket still folds with it.
    """
    conn.execute("SAVEPOINT pulled_ticket")
    try:
        _insert_and_fold(conn, ticket_id, rows)
    except _Unfoldable:
        conn.execute("ROLLBACK TO pulled_ticket")
    else:
        conn.execute("RELEASE pulled_ticket")
        return rows, []
    applied: list[Mapping[str, Any]] = []
    refused: list[tuple[Mapping[str, Any], str, str]] = []
    for raw in sorted(rows, key=lambda r: (r["hlc"], r["device_id"])):
        conn.execute("SAVEPOINT pulled_event")
        try:
            _insert_and_fold(conn, ticket_id, [raw])
        except _Unfoldable as exc:
            conn.execute("ROLLBACK TO pulled_event")
            refused.append((raw, exc.reason, exc.detail))
        else:
            applied.append(raw)
        conn.execute("RELEASE pulled_event")
    conn.execute("RELEASE pulled_ticket")
    return applied, refused


def _set_aside(conn: sqlite3.Connection, raw: Mapping[str, Any], reason: str, detail: str,
               now: str) -> int:
    """Keep a pulled event that cannot be applied beside the log; 1 if new."""
    wire = {c: raw.get(c) for c in (*_WIRE_COLS, "server_seq")}
    cur = conn.execute(
        "INSERT OR IGNORE INTO sync_set_aside (event_id, ticket_id, device_id, device_seq, "
        "server_seq, prev_hash, hash, wire, reason, detail, first_seen) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (str(raw["event_id"]), str(raw["ticket_id"]), str(raw["device_id"]),
         int(raw["device_seq"]), raw.get("server_seq"), str(raw["prev_hash"]),
         str(raw["hash"]), json.dumps(wire, ensure_ascii=False), reason, detail[:2000], now),
    )
    return int(cur.rowcount)


@dataclass(frozen=True)
class SetAside:
    """A pulled event this desk could not apply, and why."""

    event_id: str
    ticket_id: str
    device_id: str
    device_seq: int
    server_seq: int | None
    type: str
    reason: str
    detail: str
    first_seen: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form for ``kesu sync dead-letters``."""
        return {"kind": "pulled", "event_id": self.event_id, "ticket_id": self.ticket_id,
                "device_id": self.device_id, "device_seq": self.device_seq,
                "server_seq": self.server_seq, "type": self.type, "reason": self.reason,
                "detail": self.detail, "first_seen": self.first_seen}


def set_aside_events(conn: sqlite3.Connection) -> list[SetAside]:
    """Pulled events set aside, oldest first."""
    out = []
    for row in conn.execute("SELECT * FROM sync_set_aside ORDER BY first_seen, rowid"):
        wire = json.loads(row["wire"])
        out.append(SetAside(
            event_id=row["event_id"], ticket_id=row["ticket_id"], device_id=row["device_id"],
            device_seq=int(row["device_seq"]), server_seq=row["server_seq"],
            type=str(wire.get("type"))[:64], reason=row["reason"], detail=row["detail"],
            first_seen=row["first_seen"]))
    return out


def set_aside_count(conn: sqlite3.Connection) -> int:
    """How many pulled events are set aside."""
    return int(conn.execute("SELECT count(*) FROM sync_set_aside").fetchone()[0])


def set_aside_links(conn: sqlite3.Connection) -> dict[tuple[str, int], tuple[str, str]]:
    """(device_id, device_seq) → (prev_hash, hash) of the events set aside, for the chain
    check to bridge over them."""
    return {(r[0], int(r[1])): (str(r[2]), str(r[3])) for r in conn.execute(
        "SELECT device_id, device_seq, prev_hash, hash FROM sync_set_aside")}


def _insert_pulled(conn: sqlite3.Connection, raw: Mapping[str, Any]) -> sqlite3.Cursor:
    # The server's sequence may be absent (a page from an older server); all else not.
    return conn.execute(_INSERT_PULLED, [raw.get(c) if c == "server_seq" else raw[c]
                                         for c in EVENT_FIELDS])


