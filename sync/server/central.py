"""Events made at the centre: headquarters actions and tickets from other channels.

They are ordinary events in the ``events`` table, pulled by the store's desks like any
other. Each store has its own central chain, device ``central:<store>:<epoch prefix>``:

* per store, because a desk holds only its own store's events and checks every device's
  chain for gaps, so a chain shared by all stores would look broken on every desk;
* per database epoch, because after a restore from a backup (``kesu-server new-epoch``)
  the server no longer has the central events made since the backup while desks do, and
  a chain continuing from the restored high-water mark would reuse their sequence
  numbers with other events. A fresh chain keeps every desk's copy valid.

The chain's high-water mark and last hash live in the ``devices`` table like a desk's.

Writes go through :func:`central_transaction`, which follows :meth:`Storage.push`'s lock
discipline (the ``server_seq`` counter row first, ``FOR UPDATE``) so central events and
pushes get their sequence numbers in commit order, and hands the new events to the
storage's listeners after the commit, as a push does.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from domain import event_schema
from domain.clock import format_time
from domain.event_schema import EVENT_SCHEMA_VERSION, canonical_payload
from domain.events import GENESIS_HASH, event_hash
from domain.hlc import HLC, ZERO, receive, tick
from domain.ids import uuid7
from sync.server import ticket_numbers
from sync.server.errors import ActionRefused
from sync.server.storage import CENTRAL_DEVICE_PREFIX, Storage, lock_counter, store_counter
from sync.server.tables import devices, events, server_meta, tickets


def central_device(store: str, epoch: str, boot: str = "") -> str:
    """The device id of *store*'s central chain in epoch *epoch* for server start *boot*.

    A server restored from a backup without ``new-epoch`` has forgotten the central
    events made since; the process restart that a restore takes gives a new chain, so
    the forgotten sequence numbers are never reused with other events. Desks re-offer
    the forgotten events themselves (``POST /v1/reoffer``).
    """
    return f"{CENTRAL_DEVICE_PREFIX}:{store}:{epoch[:8]}{boot}"


def is_central(device_id: str) -> bool:
    """Whether *device_id* is a central chain rather than a desk."""
    return device_id.startswith(CENTRAL_DEVICE_PREFIX + ":")


def new_id(now_ms: int) -> str:
    """A UUIDv7 (RFC 9562): time-ordered like the desks' ids."""
    return uuid7(now_ms)


@dataclass
class _Head:
    seq: int
    hash: str
    hlc: HLC
    known: bool  # a devices row exists


@dataclass
class CentralWriter:
    """Appends central events inside one transaction (see :func:`central_transaction`)."""

    conn: Connection
    counter: int
    now: datetime
    epoch: str
    boot: str = ""
    rows: list[dict[str, Any]] = field(default_factory=list)
    _heads: dict[str, _Head] = field(default_factory=dict)

    def _head(self, device: str) -> _Head:
        head = self._heads.get(device)
        if head is None:
            row = self.conn.execute(
                sa.select(devices.c.high_water, devices.c.last_hash)
                .where(devices.c.device_id == device)
            ).first()
            if row is None:
                head = _Head(0, GENESIS_HASH, ZERO, known=False)
            else:
                last_hlc = self.conn.execute(
                    sa.select(events.c.hlc).where(events.c.device_id == device,
                                                  events.c.device_seq == row[0])
                ).scalar()
                head = _Head(int(row[0]), str(row[1]),
                             HLC.decode(last_hlc) if last_hlc else ZERO, known=True)
            self._heads[device] = head
        return head

    def _newest_hlc(self, ticket_id: str) -> HLC | None:
        """The newest well-formed clock among the ticket's events (None: none)."""
        newest: HLC | None = None
        for (text,) in self.conn.execute(
                sa.select(events.c.hlc).where(events.c.ticket_id == ticket_id)):
            parts = event_schema.hlc_parts(text)
            if parts is not None and (newest is None or HLC(*parts) > newest):
                newest = HLC(*parts)
        return newest

    def append(
        self,
        store: str,
        ticket_id: str,
        type: str,
        payload: Mapping[str, Any],
        *,
        actor: str,
        policy_version: str,
    ) -> dict[str, Any]:
        """Add one event of *store*'s central chain; return the stored row.

        Its hybrid clock is advanced past the newest event of the ticket, so the
        change sorts after everything headquarters could have seen of it.
        """
        device = central_device(store, self.epoch, self.boot)
        head = self._head(device)
        now_ms = int(self.now.timestamp() * 1000)
        newest = self._newest_hlc(ticket_id)
        hlc = receive(head.hlc, newest, now_ms) if newest else tick(head.hlc, now_ms)
        wire: dict[str, Any] = {
            "event_id": new_id(now_ms),
            "ticket_id": ticket_id,
            "type": type,
            "payload": canonical_payload(payload),
            "actor": actor,
            "device_id": device,
            "device_seq": head.seq + 1,
            "hlc": hlc.encode(),
            "occurred_at": format_time(self.now),
            "policy_version": policy_version,
            "schema_version": EVENT_SCHEMA_VERSION,
            "prev_hash": head.hash,
        }
        wire["hash"] = event_hash(wire)
        try:
            event_schema.check_event(wire)
        except event_schema.InvalidEvent as exc:
            # The same rule as for a desk's push: what the centre writes, desks can read.
            raise ActionRefused(400, "invalid_event", str(exc)) from None
        self.counter += 1
        row = {**wire, "server_seq": self.counter, "store": store,
               "received_at": format_time(self.now)}
        self.conn.execute(events.insert().values(**row))
        if type == "ticket_created":
            self.conn.execute(tickets.insert().values(ticket_id=ticket_id, store=store))
            ticket_numbers.record(self.conn, store, {ticket_id: payload})
        if head.known:
            self.conn.execute(devices.update().where(devices.c.device_id == device)
                              .values(high_water=wire["device_seq"], last_hash=wire["hash"]))
        else:
            self.conn.execute(devices.insert().values(
                device_id=device, store=store, high_water=wire["device_seq"],
                last_hash=wire["hash"]))
        self._heads[device] = _Head(wire["device_seq"], wire["hash"], hlc, known=True)
        self.rows.append(row)
        return row


@contextmanager
def central_transaction(storage: Storage, now: datetime | None = None) -> Iterator[CentralWriter]:
    """One write transaction for reading a ticket's state and appending central events.

    Takes the ``server_seq`` counter row first (so concurrent writers, pushes included,
    queue there and checks made inside see a stable state), on success stores the
    counter before committing, and hands the new events to the storage's listeners
    after. Raising inside the block writes nothing.
    """
    with storage.writing() as conn:
        counter = lock_counter(conn)
        epoch = conn.execute(sa.select(server_meta.c.value)
                             .where(server_meta.c.key == "epoch")).scalar_one()
        writer = CentralWriter(conn, counter, now or datetime.now(UTC), str(epoch),
                               storage.boot)
        yield writer
        if writer.rows:
            store_counter(conn, writer.counter)
    storage.published(writer.rows)
