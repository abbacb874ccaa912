"""The centre's projection of tickets: one row per ticket and per compensation line.

The chain's queue, the approvals inbox and the escalations page read these tables, never
the event log, so a page stays fast with millions of tickets. Each row is the fold the
desks use (:func:`sync.server.hq.view`) of the ticket's events, so the centre and a desk
can never disagree on a ticket's level, status or compensation.

The projection is a reader of the event log with its own mark
(:data:`~sync.server.tables.PROJECTED_THROUGH`, from 0 on a database that had none):
:func:`catch_up` folds every ticket touched past the mark and moves the mark in the same
transaction. It runs after each commit (a storage listener) and before a page reads, so a
listener that never ran (a crash between commit and catch-up) loses nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from domain.fold import CLOSED_STATES, FINAL_STATES
from sync.server.errors import ActionRefused
from sync.server.hq import view
from sync.server.storage import Storage
from sync.server.tables import (
    PROJECTED_THROUGH,
    centre_compensations,
    centre_tickets,
    dialect_insert,
    events,
    server_meta,
    stores,
)

_log = logging.getLogger(__name__)

TEXT_CHARS = 200  # what a queue row shows of the complaint
BATCH_EVENTS = 5000  # events read per catch-up transaction


def _mark(conn: Connection, *, lock: bool) -> int:
    query = sa.select(server_meta.c.value).where(server_meta.c.key == PROJECTED_THROUGH)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    value = conn.execute(query).scalar()
    if value is None:
        conn.execute(dialect_insert(conn, server_meta)
                     .values(key=PROJECTED_THROUGH, value="0").on_conflict_do_nothing())
        return 0
    return int(value)


def _region(conn: Connection, store: str) -> str | None:
    value = conn.execute(sa.select(stores.c.region).where(stores.c.code == store)).scalar()
    return None if value is None else str(value)


def project_ticket(conn: Connection, ticket_id: str, seq: int) -> bool:
    """Fold *ticket_id* and write its rows; False when the centre cannot fold it (yet)."""
    try:
        store, current = view(conn, ticket_id)
    except ActionRefused:
        # Not created yet (a later event arrived first) or unreadable: nothing to show.
        return False
    t = current.ticket
    region = _region(conn, store)
    row = {
        "store": store, "region": region, "number": t.number, "level": t.level,
        "status": t.status, "channel": t.channel, "category": t.category,
        "subcategory": t.subcategory, "text": t.text[:TEXT_CHARS],
        "customer_phone": t.customer_phone, "product_name": t.product_name,
        "product_sku": t.product_sku, "created_at": t.created_at, "due_at": t.due_at,
        "first_response_at": t.first_response_at,
        "respond_within_minutes": t.respond_within_minutes,
        "escalation_step": t.escalation_step, "conflicts": t.conflict,
        "open": t.status not in CLOSED_STATES | FINAL_STATES, "updated_seq": seq,
    }
    conn.execute(dialect_insert(conn, centre_tickets).values(ticket_id=ticket_id, **row)
                 .on_conflict_do_update(index_elements=["ticket_id"], set_=row))
    for line in current.compensations:
        comp = {
            "ticket_id": ticket_id, "store": store, "region": region, "kind": line.kind,
            "amount_fen": line.amount_fen, "status": line.status,
            "approval_level": line.approval_level, "requester_role": line.requester_role,
            "requested_by": line.requested_by, "requested_at": line.created_at,
            "reason": line.reason, "decided_by": line.approved_by,
            "decided_at": line.decided_at,
        }
        conn.execute(dialect_insert(conn, centre_compensations)
                     .values(compensation_id=line.id, **comp)
                     .on_conflict_do_update(index_elements=["compensation_id"], set_=comp))
    return True


def _touched(rows: Iterable[Mapping[Any, Any]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in rows:
        out[str(r["ticket_id"])] = max(out.get(str(r["ticket_id"]), 0), int(r["server_seq"]))
    return out


def catch_up(storage: Storage) -> int:
    """Fold every ticket touched by events past the mark; the number of events read.

    One transaction per batch, holding the mark's row (PostgreSQL) or the writer lock
    (SQLite), so two server processes never fold the same batch twice at once.
    """
    read = 0
    while True:
        with storage.writing() as conn:
            mark = _mark(conn, lock=True)
            rows = conn.execute(
                sa.select(events.c.server_seq, events.c.ticket_id)
                .where(events.c.server_seq > mark)
                .order_by(events.c.server_seq).limit(BATCH_EVENTS)).mappings().all()
            if not rows:
                return read
            for ticket_id, seq in _touched(rows).items():
                project_ticket(conn, ticket_id, seq)
            top = int(rows[-1]["server_seq"])
            conn.execute(server_meta.update().where(server_meta.c.key == PROJECTED_THROUGH)
                         .values(value=str(top)))
            read += len(rows)
        if len(rows) < BATCH_EVENTS:
            return read


class ProjectionWorker:
    """Catches the projection up in a thread of its own, woken by each commit.

    Pushes never wait for the fold; a page calls :func:`catch_up` itself before it reads,
    which costs one indexed read when the worker is up to date.
    """

    def __init__(self, storage: Storage, poll_seconds: float = 5.0) -> None:
        self.storage = storage
        self.poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        storage.add_listener(lambda _rows: self._wake.set())

    def start(self) -> None:
        """Start the thread (once)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="kesu-projection",
                                            daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop the thread and wait for it."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                catch_up(self.storage)
            except Exception:  # the next wake or poll tries again; nothing is lost
                _log.exception("projection catch-up failed")
            self._wake.wait(self.poll_seconds)
            self._wake.clear()


def restamp_region(conn: Connection, store: str, region: str) -> None:
    """A store moved to *region*: its rows follow (the projection keeps the region so a
    regional manager's queue is one indexed query)."""
    for table in (centre_tickets, centre_compensations):
        conn.execute(table.update().where(table.c.store == store).values(region=region))
