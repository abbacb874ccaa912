"""Server storage: events of every store, device tokens, one-time enrolment codes.

SQLAlchemy Core with portable types so the same code runs on SQLite (the embedded
default) and PostgreSQL (psycopg 3; several server processes may share one database).
Every push is one transaction; the global
``server_seq`` comes from a counter row locked ``FOR UPDATE`` (on SQLite the whole
transaction is ``BEGIN IMMEDIATE``), so sequence numbers are committed in order and a
puller reading ``server_seq > cursor`` can never skip an event committed later with a
smaller number.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from domain import event_schema
from domain.events import GENESIS_HASH, event_hash
from sync.protocol import WireEvent

metadata = sa.MetaData()

server_meta = sa.Table(
    "server_meta", metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

enrol_codes = sa.Table(
    "enrol_codes", metadata,
    sa.Column("code_hash", sa.String(64), primary_key=True),
    sa.Column("store", sa.String(32), nullable=False),
    sa.Column("desk", sa.String(32), nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("used_at", sa.String(32)),
    # Added after the first release: see _add_missing_columns (NULL: 24 h after created_at).
    sa.Column("expires_at", sa.String(32)),
)

tokens = sa.Table(
    "tokens", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("store", sa.String(32), nullable=False),
    sa.Column("desk", sa.String(32), nullable=False),
    sa.Column("device_id", sa.String(64), nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("revoked_at", sa.String(32)),
)

# Fields the desk writes are TEXT: PostgreSQL enforces VARCHAR lengths (SQLite does not),
# and an event must be accepted or refused alike on both.
events = sa.Table(
    "events", metadata,
    sa.Column("server_seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"),
              primary_key=True, autoincrement=False),
    sa.Column("event_id", sa.Text, nullable=False, unique=True),
    sa.Column("store", sa.String(32), nullable=False),
    sa.Column("ticket_id", sa.Text, nullable=False),
    sa.Column("type", sa.Text, nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("device_id", sa.Text, nullable=False),
    sa.Column("device_seq", sa.BigInteger, nullable=False),
    sa.Column("hlc", sa.Text, nullable=False),
    sa.Column("occurred_at", sa.Text, nullable=False),
    sa.Column("policy_version", sa.Text, nullable=False),
    sa.Column("schema_version", sa.Integer, nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Column("received_at", sa.String(32), nullable=False),
    sa.UniqueConstraint("device_id", "device_seq", name="events_device_seq"),
    sa.Index("events_by_store", "store", "server_seq"),
    # A ticket's events in fold order (HQ views, notifications, the progress page).
    sa.Index("events_by_ticket", "ticket_id", "hlc", "device_id"),
)

# Which store each ticket belongs to (from its ticket_created event).
tickets = sa.Table(
    "tickets", metadata,
    sa.Column("ticket_id", sa.String(36), primary_key=True),
    sa.Column("store", sa.String(32), nullable=False),
)

# High-water mark and last hash per device: the gap and chain checks read one row.
devices = sa.Table(
    "devices", metadata,
    sa.Column("device_id", sa.String(64), primary_key=True),
    sa.Column("store", sa.String(32), nullable=False),
    sa.Column("high_water", sa.BigInteger, nullable=False),
    sa.Column("last_hash", sa.String(64), nullable=False),
)

# Headquarters tokens (``kesu-server hq-token``): act on every store, never push or pull.
hq_tokens = sa.Table(
    "hq_tokens", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("revoked_at", sa.String(32)),
)

# Published policy documents; ``seq`` orders them (the newest is the one desks get).
policies = sa.Table(
    "policies", metadata,
    sa.Column("version", sa.String(64), primary_key=True),
    sa.Column("seq", sa.Integer, nullable=False, unique=True),
    sa.Column("document", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("published_at", sa.String(32), nullable=False),
)

# Tickets from other channels, by the caller's external id (idempotent creation).
channel_tickets = sa.Table(
    "channel_tickets", metadata,
    sa.Column("store", sa.String(32), primary_key=True),
    sa.Column("external_id", sa.String(128), primary_key=True),
    sa.Column("ticket_id", sa.String(36), nullable=False, unique=True),
    sa.Column("number", sa.String(64), nullable=False, unique=True),
    sa.Column("verify_code", sa.String(6), nullable=False),
    sa.Column("level", sa.Integer, nullable=False),
    sa.Column("server_seq", sa.BigInteger, nullable=False),
)

# Daily number counter of the centre's tickets per store (store-local date YYYYMMDD).
channel_counters = sa.Table(
    "channel_counters", metadata,
    sa.Column("store", sa.String(32), primary_key=True),
    sa.Column("store_day", sa.String(8), primary_key=True),
    sa.Column("last", sa.Integer, nullable=False),
)

# The centre's own "desk": channel ticket numbers read XT01-HQ-20261123-0001 and its
# events come from devices "central:<store>:<epoch>", so no real desk may take either name.
CENTRAL_DESK = "HQ"
CENTRAL_DEVICE_PREFIX = "central"

_EVENT_COLS = (
    "event_id", "ticket_id", "type", "payload", "actor", "device_id", "device_seq", "hlc",
    "occurred_at", "policy_version", "schema_version", "prev_hash", "hash",
)


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


class Rejected(Exception):
    """A batch refused for a reason (chain, hash, store); nothing was written."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


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


def _insert(conn: Connection, table: sa.Table) -> Any:
    """The dialect's INSERT that supports ``on_conflict_do_nothing``."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


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
        if self._sqlite:
            sa.event.listen(self.engine, "connect", _sqlite_connect)
            sa.event.listen(self.engine, "begin", _sqlite_begin)
        with self.engine.begin() as conn:
            if not self._sqlite:
                # Server processes starting together must not race to create the tables
                # (CREATE TABLE IF NOT EXISTS is not atomic in PostgreSQL's catalogue).
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7436917)")
            # Imported here (it imports this module) so its outbox tables join metadata.
            from sync.server import notify  # noqa: F401
            metadata.create_all(conn)
            _add_missing_columns(conn)
            for key, value in (("epoch", secrets.token_hex(16)), ("server_seq", "0")):
                conn.execute(_insert(conn, server_meta).values(key=key, value=value)
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

    def create_enrol_code(self, store: str, desk: str, ttl_hours: float = 24) -> str:
        """A new one-time code for *store*/*desk* (see :mod:`sync.server.enrolment`).

        Raises ValueError for a malformed code or the desk code the centre numbers its
        own tickets with.
        """
        from sync.server import enrolment

        return enrolment.create_code(self, store, desk, ttl_hours=ttl_hours)[0]

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
            self._check_chain(conn, who, new, last_hash, numbers=numbers)
            received = _now()
            rows: list[dict[str, Any]] = []
            for event in new:
                counter += 1
                row: dict[str, Any] = {c: event[c] for c in _EVENT_COLS}  # type: ignore[literal-required]
                row.update(server_seq=counter, store=who.store, received_at=received)
                rows.append(row)
            try:
                # Only a known event_id may be skipped: a server_seq collision (a writer
                # that bypassed the counter lock) must fail loudly, not drop events.
                _insert_events(conn, rows)
            except sa.exc.DataError as exc:
                # PostgreSQL refuses what SQLite stores (NUL in text, out-of-range ints).
                raise Rejected("malformed", f"event not storable: {exc.orig}") from exc
            created = [{"ticket_id": e["ticket_id"], "store": who.store}
                       for e in new if e["type"] == "ticket_created"]
            if created:
                conn.execute(_insert(conn, tickets).on_conflict_do_nothing(), created)
            from sync.server import notify

            notify.enqueue(conn, who.store, rows)
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
    ) -> None:
        """Refuse (:class:`Rejected`, nothing written) a batch the centre must not hold.

        Chain and hashes; every event against the shared schema
        (:mod:`domain.event_schema`); a new ticket's store, desk and number against the
        pushing token (*numbers*: also that no other ticket holds the number, skipped for
        re-offered central events, which the centre numbered itself); and that no ticket
        changes store or is created twice.
        """
        prev = last_hash
        created_here: dict[str, WireEvent] = {}
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
            from sync.server.ticket_numbers import ticket_numbers

            held = conn.execute(
                sa.select(ticket_numbers.c.number, ticket_numbers.c.ticket_id)
                .where(ticket_numbers.c.number.in_(sorted(numbered)))
            ).first()
            if held is not None and held[1] != numbered[str(held[0])]:
                event = created_here[numbered[str(held[0])]]
                raise Rejected("number_taken", f"event {event['event_id']}: number {held[0]} "
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
                conn.execute(_insert(conn, tickets).on_conflict_do_nothing(),
                             [{"ticket_id": tid, "store": who.store} for tid in sorted(unknown)])

    def pull(self, who: TokenInfo, since: int, limit: int) -> tuple[list[dict[str, Any]], bool]:
        """The store's events with server_seq > *since*, in order; and whether more wait."""
        cols = [events.c[c] for c in ("server_seq", *_EVENT_COLS)]
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(*cols).where(events.c.store == who.store,
                                       events.c.server_seq > since)
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
        stmt = _insert(conn, events).on_conflict_do_nothing(index_elements=["event_id"])
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
    have = {c["name"] for c in sa.inspect(conn).get_columns("enrol_codes")}
    if "expires_at" not in have:
        conn.exec_driver_sql("ALTER TABLE enrol_codes ADD COLUMN expires_at VARCHAR(32)")


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
