"""Server storage: events of every store, device tokens, one-time enrolment codes.

SQLAlchemy Core on the tables of :mod:`sync.server.tables`, so the same code runs on
SQLite (the embedded default) and PostgreSQL (psycopg 3; several server processes may
share one database). Every push is one transaction; the global
``server_seq`` comes from a counter row locked ``FOR UPDATE`` (on SQLite the whole
transaction is ``BEGIN IMMEDIATE``), so sequence numbers are committed in order and a
puller reading ``server_seq > cursor`` can never skip an event committed later with a
smaller number.

Storage knows nothing of what is done with events once they are stored: after each
commit it hands the new rows to the listeners the app registered
(:meth:`Storage.add_listener`), outside the transaction. Notifications read the event
log themselves (:mod:`sync.server.notify`), so a listener that never runs loses nothing.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.schema import CreateIndex

from domain import event_schema
from domain.clock import format_time
from domain.events import GENESIS_HASH, event_hash
from sync.protocol import WireEvent
from sync.server import ticket_numbers
from sync.server.errors import Rejected
from sync.server.tables import (
    LOG_READERS,
    PROJECTED_THROUGH,
    WIRE_FIELDS,
    centre_compensations,
    centre_tickets,
    devices,
    dialect_insert,
    event_columns,
    events,
    hq_tokens,
    metadata,
    policies,
    server_meta,
    tickets,
    tokens,
)

_log = logging.getLogger(__name__)

# Called after a commit with the event rows it stored (server_seq and store included).
Listener = Callable[[Sequence[Mapping[str, Any]]], None]

# The centre's own "desk": channel ticket numbers read XT01-HQ-20261123-0001 and its
# events come from devices "central:<store>:<epoch>", so no real desk may take either name.
CENTRAL_DESK = "HQ"
CENTRAL_DEVICE_PREFIX = "central"

@dataclass(frozen=True)
class TokenInfo:
    """What a valid device token is bound to."""

    store: str
    desk: str
    device_id: str


@dataclass(frozen=True)
class PushOutcome:
    """Result of a push: ``gap`` set means refused, nothing written."""

    acked_through: int
    inserted: int
    expected: int | None = None


@dataclass(frozen=True)
class DeviceStatus:
    """The server's side of a desk's sync state (see ``sync.protocol.StatusResponse``)."""

    high_water: int  # highest device_seq stored for the device
    head: int  # highest server_seq of its store
    epoch: str
    central: dict[str, int]  # high-water of each of the store's central chains
    policy_version: str | None  # newest published policy


def _now() -> str:
    return format_time(datetime.now(UTC))


def digest(secret: str) -> str:
    """The SHA-256 kept in place of a token or code."""
    # Tokens and codes are long random strings, so an unsalted SHA-256 is enough to
    # make a stolen database useless for impersonating a desk.
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def normalise_url(db_url: str) -> str:
    """*db_url* with the psycopg 3 driver named for plain PostgreSQL URLs.

    ``postgresql://`` and ``postgres://`` would make SQLAlchemy look for psycopg2, which
    Kesu does not install.
    """
    for prefix in ("postgresql://", "postgres://"):
        if db_url.startswith(prefix):
            return "postgresql+psycopg://" + db_url[len(prefix):]
    return db_url


# Enrolment codes are read out and typed by people: no look-alike characters, and never a
# leading "-" (token_urlsafe made some, which `kesu enrol --code` took for an option).
ENROL_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
ENROL_CODE_LENGTH = 16  # ~79 bits


def new_enrol_code() -> str:
    """A one-time enrolment code from a CSPRNG."""
    return "".join(secrets.choice(ENROL_ALPHABET) for _ in range(ENROL_CODE_LENGTH))


class Storage:
    """The server database behind one SQLAlchemy engine."""

    def __init__(self, db_url: str) -> None:
        self.url = normalise_url(db_url)
        if self.url.startswith("postgresql"):
            # uvicorn runs up to 40 handler threads. No pre-ping (a round trip per
            # checkout): after a database restart one request fails and the pool is
            # renewed, and desks retry anyway.
            self.engine: Engine = sa.create_engine(
                self.url, pool_size=10, max_overflow=30, pool_timeout=30)
        else:
            _create_private(sa.engine.make_url(self.url).database)
            self.engine = sa.create_engine(self.url)
        self._sqlite = self.engine.dialect.name == "sqlite"
        # Names this process's central chains (see sync.server.central.central_device).
        self.boot = secrets.token_hex(4)
        # Python-side lock for SQLite: one writer at a time without busy retries.
        self._write_lock = threading.Lock()
        self._listeners: list[Listener] = []
        if self._sqlite:
            sa.event.listen(self.engine, "connect", _sqlite_connect)
            sa.event.listen(self.engine, "begin", _sqlite_begin)
        with self.engine.begin() as conn:
            if not self._sqlite:
                # Server processes starting together must not race to create the tables
                # (CREATE TABLE IF NOT EXISTS is not atomic in PostgreSQL's catalogue).
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7436917)")
            metadata.create_all(conn)
            _add_missing_columns(conn)
            for key, value in (("epoch", secrets.token_hex(16)), ("server_seq", "0")):
                conn.execute(dialect_insert(conn, server_meta).values(key=key, value=value)
                             .on_conflict_do_nothing())
            # A reader of the event log new to this database starts at its end: what
            # came before was handled by the version that stored it.
            head = conn.execute(sa.select(server_meta.c.value)
                                .where(server_meta.c.key == "server_seq")).scalar_one()
            for key in LOG_READERS:
                conn.execute(dialect_insert(conn, server_meta).values(key=key, value=head)
                             .on_conflict_do_nothing())

    @property
    def epoch(self) -> str:
        """The database's epoch, read afresh: another process may have run ``new-epoch``."""
        return self.get_meta("epoch")

    def close(self) -> None:
        """Release the connection pool."""
        self.engine.dispose()

    def get_meta(self, key: str) -> str:
        """One value of ``server_meta``."""
        with self.engine.connect() as conn:
            value = conn.execute(
                sa.select(server_meta.c.value).where(server_meta.c.key == key)
            ).scalar_one()
        return str(value)

    def new_epoch(self) -> str:
        """Give the database a new epoch; run after restoring it from a backup.

        Every desk then resets its cursor and re-offers what the server no longer has.
        """
        epoch = secrets.token_hex(16)
        with self._write_lock, self.engine.begin() as conn:
            conn.execute(server_meta.update().where(server_meta.c.key == "epoch")
                         .values(value=epoch))
        return epoch

    # --- enrolment ---------------------------------------------------------------

    def authenticate(self, token: str) -> TokenInfo | None:
        """The binding of a valid token, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(tokens.c.store, tokens.c.desk, tokens.c.device_id)
                .where(tokens.c.token_hash == digest(token), tokens.c.revoked_at.is_(None))
            ).first()
        return None if row is None else TokenInfo(row[0], row[1], row[2])

    # --- headquarters ----------------------------------------------------------------

    def create_hq_token(self, name: str) -> str:
        """A new headquarters token for *name* (shown once; only its hash is kept)."""
        token = secrets.token_urlsafe(32)
        with self._write_lock, self.engine.begin() as conn:
            conn.execute(hq_tokens.insert().values(
                token_hash=digest(token), name=name, created_at=_now()))
        return token

    def authenticate_hq(self, token: str) -> str | None:
        """The name behind a valid headquarters token, or None."""
        with self.engine.connect() as conn:
            name = conn.execute(
                sa.select(hq_tokens.c.name)
                .where(hq_tokens.c.token_hash == digest(token), hq_tokens.c.revoked_at.is_(None))
            ).scalar()
        return None if name is None else str(name)

    # --- listeners ----------------------------------------------------------------------

    def add_listener(self, listener: Listener) -> None:
        """Call *listener* with the event rows of every commit that stored some."""
        self._listeners.append(listener)

    def published(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Hand committed *rows* to the listeners (after the commit, never inside it).

        A failing listener is logged and skipped: the events are stored and acknowledged
        whatever a listener does with them.
        """
        if not rows:
            return
        for listener in self._listeners:
            try:
                listener(rows)
            except Exception:
                _log.exception("a storage listener failed")

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A write transaction with the same discipline as :meth:`push`.

        Callers that add events take :func:`lock_counter` first thing, so every writer
        queues on the counter row and sequence numbers commit in order.
        """
        with self._write_lock, self.engine.begin() as conn:
            yield conn

    # --- status, push, pull --------------------------------------------------------

    def status(self, who: TokenInfo) -> DeviceStatus:
        """What a desk's status request answers, read on one connection.

        The idle sync round is this one request, so it costs one pool checkout.
        """
        prefix = f"{CENTRAL_DEVICE_PREFIX}:{who.store}:"
        with self.engine.connect() as conn:
            hw = conn.execute(sa.select(devices.c.high_water)
                              .where(devices.c.device_id == who.device_id)).scalar()
            head = conn.execute(sa.select(sa.func.max(events.c.server_seq))
                                .where(events.c.store == who.store)).scalar()
            central = conn.execute(
                sa.select(devices.c.device_id, devices.c.high_water)
                .where(devices.c.store == who.store, devices.c.device_id.startswith(prefix))
            ).all()
            epoch = conn.execute(sa.select(server_meta.c.value)
                                 .where(server_meta.c.key == "epoch")).scalar_one()
            policy = conn.execute(sa.select(policies.c.version)
                                  .order_by(policies.c.seq.desc()).limit(1)).scalar()
        return DeviceStatus(
            high_water=int(hw or 0), head=int(head or 0), epoch=str(epoch),
            central={str(r[0]): int(r[1]) for r in central},
            policy_version=None if policy is None else str(policy))

    def push(self, who: TokenInfo, first_seq: int, batch: Sequence[WireEvent], *,
             numbers: bool = True) -> PushOutcome:
        """Store a validated, consecutive batch of *who*'s device in one transaction.

        Returns the new high-water mark (after commit) or, for a batch that neither
        continues the device's history nor only resends stored events, the expected
        next device_seq. Raises :class:`Rejected` for a broken chain, a wrong hash or
        a ticket of another store.
        """
        with self._write_lock, self.engine.begin() as conn:
            # Serialises pushers (PostgreSQL): sequence numbers commit in order.
            counter = int(conn.execute(
                sa.select(server_meta.c.value).where(server_meta.c.key == "server_seq")
                .with_for_update()
            ).scalar_one())
            head = conn.execute(
                sa.select(devices.c.high_water, devices.c.last_hash, devices.c.store)
                .where(devices.c.device_id == who.device_id)
            ).first()
            high_water = int(head[0]) if head else 0
            last_hash = str(head[1]) if head else GENESIS_HASH
            if first_seq > high_water + 1:
                return PushOutcome(high_water, 0, expected=high_water + 1)
            # Drop the prefix the server already has, after checking it is the same.
            stored = high_water - first_seq + 1
            if stored > 0:
                self._check_resend(conn, batch[:stored])
                new = list(batch[stored:])
            else:
                new = list(batch)
            if not new:
                return PushOutcome(high_water, 0)
            created = self._check_chain(conn, who, new, last_hash, numbers=numbers)
            received = _now()
            rows: list[dict[str, Any]] = []
            for event in new:
                counter += 1
                row: dict[str, Any] = {c: event[c] for c in WIRE_FIELDS}  # type: ignore[literal-required]
                row.update(server_seq=counter, store=who.store, received_at=received)
                rows.append(row)
            try:
                # Only a known event_id may be skipped: a server_seq collision (a writer
                # that bypassed the counter lock) must fail loudly, not drop events.
                _insert_events(conn, rows)
            except sa.exc.DataError as exc:
                # PostgreSQL refuses what SQLite stores (NUL in text, out-of-range ints).
                raise Rejected("malformed", f"event not storable: {exc.orig}") from exc
            if created:
                conn.execute(dialect_insert(conn, tickets).on_conflict_do_nothing(),
                             [{"ticket_id": tid, "store": who.store} for tid in created])
                ticket_numbers.record(conn, who.store, created)
            top = new[-1]
            if head is None:
                conn.execute(devices.insert().values(
                    device_id=who.device_id, store=who.store,
                    high_water=top["device_seq"], last_hash=top["hash"]))
            else:
                conn.execute(devices.update().where(devices.c.device_id == who.device_id)
                             .values(high_water=top["device_seq"], last_hash=top["hash"]))
            conn.execute(server_meta.update().where(server_meta.c.key == "server_seq")
                         .values(value=str(counter)))
        self.published(rows)
        return PushOutcome(int(top["device_seq"]), len(new))

    def _check_resend(self, conn: Connection, resent: Sequence[WireEvent]) -> None:
        ids = [e["event_id"] for e in resent]
        have = dict(conn.execute(
            sa.select(events.c.event_id, events.c.hash).where(events.c.event_id.in_(ids))
        ).all())
        for event in resent:
            if have.get(event["event_id"]) != event["hash"]:
                # Same device_seq, different event: the desk's history forked.
                raise Rejected("fork", f"device_seq {event['device_seq']} differs from the "
                                       "event the server already holds")

    def _check_chain(
        self, conn: Connection, who: TokenInfo, new: Sequence[WireEvent], last_hash: str,
        *, numbers: bool = True,
    ) -> dict[str, Mapping[str, Any]]:
        """Refuse (:class:`Rejected`, nothing written) a batch the centre must not hold.

        Chain and hashes; every event against the shared schema
        (:mod:`domain.event_schema`); a new ticket's store, desk and number against the
        pushing token (*numbers*: also that no other ticket holds the number, skipped for
        re-offered central events, which the centre numbered itself); and that no ticket
        changes store or is created twice. Returns the payloads of the tickets the batch
        creates, by ticket id (parsed once, here).
        """
        prev = last_hash
        created_here: dict[str, WireEvent] = {}
        payloads: dict[str, Mapping[str, Any]] = {}
        numbered: dict[str, str] = {}
        for event in new:
            if event["prev_hash"] != prev:
                raise Rejected("broken_chain", f"event {event['event_id']}: prev_hash does "
                                               "not match the previous event of the device")
            if event_hash(event) != event["hash"]:
                raise Rejected("bad_hash", f"event {event['event_id']}: hash mismatch")
            prev = event["hash"]
            try:
                payload = event_schema.check_event(event)
            except event_schema.InvalidEvent as exc:
                raise Rejected("invalid_event", str(exc)) from None
            if event["type"] != "ticket_created":
                continue
            tid = event["ticket_id"]
            if tid in created_here:
                raise Rejected("duplicate_creation", f"event {event['event_id']}: ticket "
                                                     f"{tid} is created twice")
            created_here[tid] = event
            payloads[tid] = payload
            store, desk = payload["store_code"], payload["desk_code"]
            if store != who.store:
                raise Rejected("foreign_store", f"event {event['event_id']}: ticket {tid} "
                                                f"belongs to store {store!r}")
            if desk != who.desk:
                raise Rejected("foreign_desk", f"event {event['event_id']}: ticket {tid} says "
                                               f"desk {desk!r}, the token is desk {who.desk!r}")
            number = str(payload["number"])
            match = event_schema.NUMBER_RE.search(number)
            if match is None or (match.group(1), match.group(2)) != (store, desk):
                raise Rejected("foreign_number", f"event {event['event_id']}: number "
                                                 f"{number!r} is not one of {store}-{desk}")
            if number in numbered:
                raise Rejected("number_taken", f"event {event['event_id']}: number {number} "
                                               "is given twice in this batch")
            numbered[number] = tid
        if created_here:
            ids = sorted(created_here)
            pinned = conn.execute(
                sa.select(tickets.c.ticket_id).where(tickets.c.ticket_id.in_(ids),
                                                     tickets.c.store != who.store)
            ).first()
            if pinned is not None:
                raise Rejected("foreign_store", f"ticket {pinned[0]} belongs to another store")
            twice = conn.execute(
                sa.select(events.c.ticket_id, events.c.event_id)
                .where(events.c.ticket_id.in_(ids), events.c.type == "ticket_created")
            ).first()
            if twice is not None:
                raise Rejected("duplicate_creation", f"ticket {twice[0]} was already created "
                                                     f"by event {twice[1]}")
        if numbered and numbers:
            held = ticket_numbers.first_held(conn, numbered)
            if held is not None:
                event = created_here[numbered[held]]
                raise Rejected("number_taken", f"event {event['event_id']}: number {held} "
                                               "belongs to another ticket")
        others = {e["ticket_id"] for e in new} - set(created_here)
        if others:
            known = dict(conn.execute(
                sa.select(tickets.c.ticket_id, tickets.c.store)
                .where(tickets.c.ticket_id.in_(sorted(others)))
            ).all())
            for tid, store in known.items():
                if store != who.store:
                    raise Rejected("foreign_store", f"ticket {tid} belongs to another store")
            # A ticket the server has not seen created yet (after a restore, another
            # desk may re-offer a note before the creating desk re-offers the ticket):
            # accept and pin it to the pusher's store; its ticket_created must match.
            unknown = others - set(known)
            if unknown:
                conn.execute(dialect_insert(conn, tickets).on_conflict_do_nothing(),
                             [{"ticket_id": tid, "store": who.store} for tid in sorted(unknown)])
        return payloads

    def pull(self, who: TokenInfo, since: int, limit: int) -> tuple[list[dict[str, Any]], bool]:
        """The store's events with server_seq > *since*, in order; and whether more wait."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(events.c.server_seq, *event_columns())
                .where(events.c.store == who.store, events.c.server_seq > since)
                .order_by(events.c.server_seq).limit(limit + 1)
            ).mappings().all()
        more = len(rows) > limit
        return [dict(r) for r in rows[:limit]], more

    def count_events(self) -> int:
        """Number of stored events (tests, benchmarks)."""
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(events)).scalar_one())


_EVENTS_INSERT: dict[str, tuple[str, tuple[str, ...] | None]] = {}


def _insert_events(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert event rows, skipping known event ids, through the driver's executemany.

    The statement is compiled once per dialect: SQLAlchemy's per-row parameter work
    was a quarter of a 500-event push.
    """
    dialect = conn.dialect.name
    if dialect not in _EVENTS_INSERT:
        stmt = dialect_insert(conn, events).on_conflict_do_nothing(index_elements=["event_id"])
        compiled = stmt.compile(dialect=conn.dialect, column_keys=list(rows[0]))
        order = tuple(compiled.positiontup) if compiled.positional and compiled.positiontup \
            else None
        _EVENTS_INSERT[dialect] = (str(compiled), order)
    sql, order = _EVENTS_INSERT[dialect]
    if order is None:
        conn.exec_driver_sql(sql, rows)
    else:
        conn.exec_driver_sql(sql, [tuple(row[k] for k in order) for row in rows])


def lock_counter(conn: Connection) -> int:
    """The last ``server_seq`` handed out, locked until the transaction ends."""
    return int(conn.execute(
        sa.select(server_meta.c.value).where(server_meta.c.key == "server_seq")
        .with_for_update()
    ).scalar_one())


def store_counter(conn: Connection, value: int) -> None:
    """Record *value* as the last ``server_seq`` handed out (after :func:`lock_counter`)."""
    conn.execute(server_meta.update().where(server_meta.c.key == "server_seq")
                 .values(value=str(value)))


def _create_private(path: str | None) -> None:
    """Make a new SQLite file 0600 before SQLite makes it 0644 (its -wal and -shm files
    take the main file's mode): the events hold customers' names and phones."""
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def _add_missing_columns(conn: Connection) -> None:
    """Columns added to tables after a release (create_all makes only missing tables)."""
    inspector = sa.inspect(conn)
    have = {c["name"] for c in inspector.get_columns("enrol_codes")}
    if "expires_at" not in have:
        conn.exec_driver_sql("ALTER TABLE enrol_codes ADD COLUMN expires_at VARCHAR(32)")
    have = {c["name"] for c in inspector.get_columns("policies")}
    if "published_by" not in have:
        conn.exec_driver_sql("ALTER TABLE policies ADD COLUMN published_by TEXT")
    # The reports' columns of the projection: a database from before them gets them
    # empty, and its projection is folded again from the start (the mark back to 0).
    have = {c["name"] for c in inspector.get_columns("centre_tickets")}
    missing = [c for c in centre_tickets.columns if c.name not in have]
    for column in missing:
        kind = column.type.compile(dialect=conn.dialect)
        conn.exec_driver_sql(f"ALTER TABLE centre_tickets ADD COLUMN {column.name} {kind}")
    have = {c["name"] for c in inspector.get_columns("centre_compensations")}
    for column in [c for c in centre_compensations.columns if c.name not in have]:
        kind = column.type.compile(dialect=conn.dialect)
        conn.exec_driver_sql(
            f"ALTER TABLE centre_compensations ADD COLUMN {column.name} {kind}")
        missing.append(column)
    if missing:
        conn.execute(server_meta.update().where(server_meta.c.key == PROJECTED_THROUGH)
                     .values(value="0"))
    # Indexes added to the console's projection after it shipped (the queue's urgency
    # orders): a database from then gets them once, here.
    for table in (centre_tickets, centre_compensations):
        for index in table.indexes:
            # IF NOT EXISTS, not checkfirst: the inspector does not list expression
            # indexes, so checkfirst would create them twice.
            conn.execute(CreateIndex(index, if_not_exists=True))


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN IMMEDIATE itself (pysqlite's own
    # deferred BEGIN would allow lock-upgrade deadlocks); FULL sync makes an ack
    # survive power loss.
    dbapi_conn.isolation_level = None
    for pragma in ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL",
                   "PRAGMA busy_timeout=10000"):
        dbapi_conn.execute(pragma)


def _sqlite_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")
