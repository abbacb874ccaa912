"""Forging what a buggy or compromised desk would send, and rows an old server let in."""

from __future__ import annotations

from typing import Any

import httpx
import sqlalchemy as sa

from domain.event_schema import canonical_payload
from domain.events import GENESIS_HASH, event_hash
from domain.ids import uuid7
from local_db import sync_state
from sync.server.storage import Storage, lock_counter, store_counter
from sync.server.tables import devices, events
from tests.sync.helpers import DeskNode, ServerProcess, headers

WIRE = ("event_id", "ticket_id", "type", "payload", "actor", "device_id", "device_seq",
        "hlc", "occurred_at", "policy_version", "schema_version", "prev_hash", "hash")


def token_of(node: DeskNode) -> str:
    """The desk's device token (tests keep it in the database's meta)."""
    token = sync_state.read_state(node.conn).token
    assert token is not None
    return token


def next_event(node: DeskNode, ticket_id: str, type: str, payload: Any, **changes: Any
               ) -> dict[str, Any]:
    """The event that continues *node*'s own chain, with *payload* as given (a dict is
    made canonical; text is taken as it is) and any field changed; hashed right."""
    last = node.conn.execute(
        "SELECT device_seq, hash, hlc FROM events WHERE device_id = ? "
        "ORDER BY device_seq DESC LIMIT 1", (node.desk.device_id,)).fetchone()
    seq, prev = (int(last[0]), str(last[1])) if last else (0, GENESIS_HASH)
    wall = int(str(last[2]).split(".")[0]) + 1000 if last else 1_795_320_000_000
    event: dict[str, Any] = {
        "event_id": uuid7(), "ticket_id": ticket_id, "type": type,
        "payload": payload if isinstance(payload, str) else canonical_payload(payload),
        "actor": "d1", "device_id": node.desk.device_id, "device_seq": seq + 1,
        "hlc": f"{wall:015d}.00000", "occurred_at": "2026-11-22T02:30:00.000Z",
        "policy_version": node.desk.policy.version, "schema_version": 1, "prev_hash": prev,
    }
    event.update(changes)
    event["hash"] = event_hash(event)
    return event


def push_raw(node: DeskNode, server: ServerProcess, *batch: dict[str, Any]) -> httpx.Response:
    """POST the events as the desk's token would, past the desk's own checks."""
    return httpx.post(f"{server.url}/v1/push", headers=headers(token_of(node)), json={
        "protocol": 1, "device_id": node.desk.device_id,
        "first_seq": batch[0]["device_seq"], "events": list(batch)}, timeout=10)


def plant(server: ServerProcess, store: str, device_id: str, *batch: dict[str, Any]) -> None:
    """Store events the way a server before these checks would have: straight into its
    database, numbered after everything else, the device's chain head moved along."""
    storage = Storage(server.db_url)
    try:
        with storage.writing() as conn:
            counter = lock_counter(conn)
            for event in batch:
                counter += 1
                conn.execute(events.insert().values(
                    **{c: event[c] for c in WIRE}, server_seq=counter, store=store,
                    received_at="2026-11-22T02:30:00.000Z"))
            head = conn.execute(sa.select(devices.c.device_id)
                                .where(devices.c.device_id == device_id)).first()
            top = batch[-1]
            if head is None:
                conn.execute(devices.insert().values(
                    device_id=device_id, store=store, high_water=top["device_seq"],
                    last_hash=top["hash"]))
            else:
                conn.execute(devices.update().where(devices.c.device_id == device_id)
                             .values(high_water=top["device_seq"], last_hash=top["hash"]))
            store_counter(conn, counter)
    finally:
        storage.close()


def foreign_chain(device_id: str, ticket_id: str, *items: tuple[str, Any]) -> list[dict[str, Any]]:
    """A chain of device *device_id* from its first event: (type, payload) each."""
    out: list[dict[str, Any]] = []
    prev = GENESIS_HASH
    for seq, (type, payload) in enumerate(items, start=1):
        event: dict[str, Any] = {
            "event_id": uuid7(), "ticket_id": ticket_id, "type": type,
            "payload": payload if isinstance(payload, str) else canonical_payload(payload),
            "actor": "d9", "device_id": device_id, "device_seq": seq,
            "hlc": f"{1_795_320_000_000 + seq * 1000:015d}.00000",
            "occurred_at": "2026-11-22T02:30:00.000Z", "policy_version": "2026.11.1",
            "schema_version": 1, "prev_hash": prev,
        }
        event["hash"] = event_hash(event)
        prev = event["hash"]
        out.append(event)
    return out
