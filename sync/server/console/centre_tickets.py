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
import time
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from domain.clock import parse_time
from domain.fold import CLOSED_STATES, FINAL_STATES
from domain.products import product_key
from domain.reports.first_contact import closed_at_first_contact
from domain.reports.period import store_day
from sync.server import product_alerts
from sync.server.console import report_days
from sync.server.errors import ActionRefused
from sync.server.hq import view
from sync.server.storage import Storage
from sync.server.tables import (
    DEFAULT_ZONE,
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


def _mark(conn: Connection) -> int:
    value = conn.execute(sa.select(server_meta.c.value)
                         .where(server_meta.c.key == PROJECTED_THROUGH)).scalar()
    # None: a database from before the console, whose whole history is folded once.
    return 0 if value is None else int(value)


def _placed(conn: Connection, store: str) -> tuple[str | None, ZoneInfo]:
    """The store's region and time zone (the default zone for a store not listed)."""
    row = conn.execute(sa.select(stores.c.region, stores.c.time_zone)
                       .where(stores.c.code == store)).first()
    if row is None:
        return None, ZoneInfo(DEFAULT_ZONE)
    try:
        return row[0], ZoneInfo(row[1])
    except (ZoneInfoNotFoundError, ValueError):
        return row[0], ZoneInfo(DEFAULT_ZONE)


def store_day_of(moment: str, zone: ZoneInfo) -> str | None:
    """The store day (``YYYY-MM-DD``) of the stored UTC time *moment* in *zone*."""
    try:
        return store_day(parse_time(moment), zone).isoformat()
    except ValueError:
        return None


def _response_ms(created_at: str, first_response_at: str | None) -> int | None:
    if first_response_at is None:
        return None
    try:
        delta = parse_time(first_response_at) - parse_time(created_at)
    except ValueError:
        return None
    return delta // timedelta(milliseconds=1)


def _closed_at_first_contact(events_: Sequence[Mapping[str, Any]]) -> bool:
    for e in events_:
        if e["type"] == "status_changed" and closed_at_first_contact(
                orjson.loads(e["payload"])):
            return True
    return False


def _ticket_rows(conn: Connection, ticket_id: str
                 ) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    """The rows of *ticket_id* folded from its events; None when the centre cannot fold
    it (yet): a later event arrived before its creation, or its history is unreadable."""
    try:
        store, current = view(conn, ticket_id)
    except ActionRefused:
        return None
    t = current.ticket
    seq = max(int(e["server_seq"]) for e in current.events)
    region, zone = _placed(conn, store)
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
        "store_day": store_day_of(t.created_at, zone),
        "response_ms": _response_ms(t.created_at, t.first_response_at),
        "reopen_count": t.reopen_count, "rating": t.rating,
        "first_contact": _closed_at_first_contact(current.events), "handler": t.handler,
        "product_key": product_key(t.product_sku, t.product_name),
    }
    comps = [{
        "compensation_id": line.id, "ticket_id": ticket_id, "store": store,
        "region": region, "kind": line.kind, "amount_fen": line.amount_fen,
        "status": line.status, "approval_level": line.approval_level,
        "requester_role": line.requester_role, "requested_by": line.requested_by,
        "requested_at": line.created_at, "reason": line.reason,
        "decided_by": line.approved_by, "decided_at": line.decided_at, "updated_seq": seq,
        "store_day": store_day_of(line.created_at, zone),
    } for line in current.compensations]
    return {"ticket_id": ticket_id, **row}, comps


def _upsert(conn: Connection, table: sa.Table, key: str, row: dict[str, Any]) -> None:
    # Only a fold of at least as many events replaces a row: two server processes may
    # fold one ticket at once, and the one that read less must not win.
    values = {k: v for k, v in row.items() if k != key}
    insert = dialect_insert(conn, table).values(**row)
    conn.execute(insert.on_conflict_do_update(
        index_elements=[key], set_=values,
        where=table.c.updated_seq <= insert.excluded.updated_seq))


def project_ticket(conn: Connection, ticket_id: str) -> bool:
    """Fold *ticket_id* and write its rows; False when the centre cannot fold it (yet)."""
    folded = _ticket_rows(conn, ticket_id)
    if folded is None:
        return False
    ticket, comps = folded
    _upsert(conn, centre_tickets, "ticket_id", ticket)
    for comp in comps:
        _upsert(conn, centre_compensations, "compensation_id", comp)
    report_days.touched(conn, [ticket, *comps])
    product_alerts.observe(conn, [ticket])
    return True


def catch_up(storage: Storage) -> int:
    """Fold every ticket touched by events past the mark; the number of events read.

    Events are read and folded outside any write lock (pushes go on meanwhile); only the
    rows and the new mark are written in a short transaction. Two processes catching
    up at once do the same work twice, harmlessly (:func:`_upsert`).
    """
    read = 0
    while True:
        with storage.engine.connect() as conn:
            mark = _mark(conn)
            rows = conn.execute(
                sa.select(events.c.server_seq, events.c.ticket_id)
                .where(events.c.server_seq > mark)
                .order_by(events.c.server_seq).limit(BATCH_EVENTS)).all()
            if not rows:
                return read
            folded = [f for f in (_ticket_rows(conn, tid) for tid in
                                  dict.fromkeys(str(r[1]) for r in rows)) if f is not None]
        top = int(rows[-1][0])
        with storage.writing() as conn:
            for ticket, comps in folded:
                _upsert(conn, centre_tickets, "ticket_id", ticket)
                for comp in comps:
                    _upsert(conn, centre_compensations, "compensation_id", comp)
            written = [ticket for ticket, _ in folded]
            report_days.touched(conn, [*written, *(c for _, comps in folded for c in comps)])
            product_alerts.observe(conn, written)
            conn.execute(dialect_insert(conn, server_meta)
                         .values(key=PROJECTED_THROUGH, value="0").on_conflict_do_nothing())
            conn.execute(server_meta.update().where(
                server_meta.c.key == PROJECTED_THROUGH,
                sa.cast(server_meta.c.value, sa.BigInteger) < top).values(value=str(top)))
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
        # The reports' days a catch-up emptied are computed again here, so reports read
        # them computed; but only after a quiet moment (or WARM_LATEST_S at the latest
        # on a busy chain), so a burst of pushes is not slowed by one warm-up each. A
        # long backlog (a refold, a refill) goes a batch at a time, catching up between.
        pending = True  # a start may find days emptied before it
        last_read = last_warm = time.monotonic()
        while not self._stop.is_set():
            wait = self.poll_seconds
            try:
                if catch_up(self.storage):
                    pending = True
                    last_read = time.monotonic()
                if time.monotonic() - last_warm >= WARM_LATEST_S:
                    pending = True  # days emptied with no event (a store moved, a refill)
                if pending:
                    now = time.monotonic()
                    if (now - last_read >= WARM_QUIET_S
                            or now - last_warm >= WARM_LATEST_S):
                        pending = report_days.warm(self.storage) >= report_days.WARM_DAYS
                        last_warm = time.monotonic()
                        wait = 0 if pending else wait
                    else:
                        wait = min(wait, WARM_QUIET_S)
            except Exception:  # the next wake or poll tries again; nothing is lost
                _log.exception("projection catch-up failed")
            if wait > 0:
                self._wake.wait(wait)
                self._wake.clear()


WARM_QUIET_S = 1.0  # the warm-up waits for this long without a catch-up reading events
WARM_LATEST_S = 10.0  # ... or this long since the last warm-up, whichever comes first


def restamp_region(conn: Connection, store: str, region: str) -> None:
    """A store moved to *region*: its rows follow (the projection keeps the region so a
    regional manager's queue is one indexed query)."""
    for table in (centre_tickets, centre_compensations):
        conn.execute(table.update().where(table.c.store == store).values(region=region))
    report_days.restamped(conn, store)


def restamp_store_days(conn: Connection, store: str, zone: ZoneInfo) -> None:
    """A store's time zone changed: its rows' store days follow."""
    for table, created in ((centre_tickets, centre_tickets.c.created_at),
                           (centre_compensations, centre_compensations.c.requested_at)):
        key = table.primary_key.columns.values()[0]
        rows = conn.execute(sa.select(key, created).where(table.c.store == store)).all()
        for row_key, moment in rows:
            conn.execute(table.update().where(key == row_key)
                         .values(store_day=store_day_of(moment, zone)))
    report_days.restamped(conn, store)
