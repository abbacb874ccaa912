"""The append-only event log: the truth from which every projection is folded.

Each event is chained to the previous event of the same device by a SHA-256 hash, so
an edit or a deletion anywhere in a device's history is visible to ``kesu check``.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from local_db import meta
from local_db.errors import IntegrityError
from local_db.event_schema import EVENT_SCHEMA_VERSION, canonical_payload
from local_db.hlc import HLC, ZERO, tick
from local_db.ids import uuid7

__all__ = ["EVENT_SCHEMA_VERSION", "GENESIS_HASH", "Event", "append", "canonical_payload",
           "compute_hash", "event_from_row", "events_for_ticket", "format_time",
           "iter_events", "verify_chain"]

GENESIS_HASH = "0" * 64

_COLUMNS = (
    "event_id, ticket_id, type, payload, actor, device_id, device_seq, hlc, occurred_at, "
    "policy_version, schema_version, server_seq, prev_hash, hash"
)


@dataclass(frozen=True)
class Event:
    """One recorded fact about a ticket."""

    event_id: str
    ticket_id: str
    type: str
    payload: Mapping[str, Any]
    actor: str
    device_id: str
    device_seq: int
    hlc: str
    occurred_at: str
    policy_version: str
    schema_version: int
    prev_hash: str
    hash: str
    server_seq: int | None = field(default=None, compare=False)

    def sort_key(self) -> tuple[str, str]:
        """Deterministic order across devices: hybrid clock, then device id."""
        return (self.hlc, self.device_id)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "event_id": self.event_id,
            "ticket_id": self.ticket_id,
            "type": self.type,
            "payload": dict(self.payload),
            "actor": self.actor,
            "device_id": self.device_id,
            "device_seq": self.device_seq,
            "hlc": self.hlc,
            "occurred_at": self.occurred_at,
            "policy_version": self.policy_version,
            "schema_version": self.schema_version,
            "server_seq": self.server_seq,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


def compute_hash(
    *,
    prev_hash: str,
    event_id: str,
    ticket_id: str,
    type: str,
    payload_json: str,
    actor: str,
    device_id: str,
    device_seq: int,
    hlc: str,
    occurred_at: str,
    policy_version: str,
    schema_version: int,
) -> str:
    """SHA-256 over the previous hash and every field the desk wrote."""
    body = json.dumps(
        [
            prev_hash,
            event_id,
            ticket_id,
            type,
            payload_json,
            actor,
            device_id,
            device_seq,
            hlc,
            occurred_at,
            policy_version,
            schema_version,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def format_time(moment: datetime) -> str:
    """UTC ISO-8601 text with milliseconds, the form every stored time uses."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: times must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


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
    payload_json = canonical_payload(payload)
    when = format_time(occurred_at)
    digest = compute_hash(
        prev_hash=prev_hash,
        event_id=event_id,
        ticket_id=ticket_id,
        type=type,
        payload_json=payload_json,
        actor=actor,
        device_id=device_id,
        device_seq=device_seq,
        hlc=hlc,
        occurred_at=when,
        policy_version=policy_version,
        schema_version=EVENT_SCHEMA_VERSION,
    )
    conn.execute(
        f"INSERT INTO events ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,NULL,?,?)",
        (
            event_id,
            ticket_id,
            type,
            payload_json,
            actor,
            device_id,
            device_seq,
            hlc,
            when,
            policy_version,
            EVENT_SCHEMA_VERSION,
            prev_hash,
            digest,
        ),
    )
    meta.put(conn, "hlc", hlc)
    return Event(
        event_id=event_id,
        ticket_id=ticket_id,
        type=type,
        payload=json.loads(payload_json),
        actor=actor,
        device_id=device_id,
        device_seq=device_seq,
        hlc=hlc,
        occurred_at=when,
        policy_version=policy_version,
        schema_version=EVENT_SCHEMA_VERSION,
        prev_hash=prev_hash,
        hash=digest,
    )


def event_from_row(row: Mapping[Any, Any] | sqlite3.Row) -> Event:
    """An :class:`Event` from a stored row or a wire dict (``payload`` as JSON text).

    Shared by the desk's log, pulled pages and the server's folds; a missing
    ``server_seq`` is None.
    """
    keys = row.keys()
    return Event(
        event_id=row["event_id"],
        ticket_id=row["ticket_id"],
        type=row["type"],
        payload=json.loads(row["payload"]),
        actor=row["actor"],
        device_id=row["device_id"],
        device_seq=int(row["device_seq"]),
        hlc=row["hlc"],
        occurred_at=row["occurred_at"],
        policy_version=row["policy_version"],
        schema_version=int(row["schema_version"]),
        prev_hash=row["prev_hash"],
        hash=row["hash"],
        server_seq=row["server_seq"] if "server_seq" in keys else None,
    )


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
        digest = compute_hash(
            prev_hash=row["prev_hash"],
            event_id=row["event_id"],
            ticket_id=row["ticket_id"],
            type=row["type"],
            payload_json=row["payload"],
            actor=row["actor"],
            device_id=row["device_id"],
            device_seq=row["device_seq"],
            hlc=row["hlc"],
            occurred_at=row["occurred_at"],
            policy_version=row["policy_version"],
            schema_version=row["schema_version"],
        )
        if digest != row["hash"]:
            problems.append(f"event {row['event_id']}: hash mismatch (content was changed)")
        expected_prev = row["hash"]
        expected_seq = row["device_seq"] + 1
    return problems
