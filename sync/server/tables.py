"""The centre's database schema: every table, on one ``metadata``.

SQLAlchemy Core with portable types, so the same tables work on SQLite and PostgreSQL.
The modules that read and write them (:mod:`sync.server.storage` for events, devices and
tokens, :mod:`sync.server.notify` for the outbox, :mod:`sync.server.ticket_numbers` for
the number index) import them from here, so creating the schema needs none of them and
none of them needs another just to have its tables exist.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from domain.events import EVENT_FIELDS

metadata = sa.MetaData()

# An event's fields as a device sends them: every stored field but the centre's sequence.
WIRE_FIELDS = tuple(name for name in EVENT_FIELDS if name != "server_seq")

server_meta = sa.Table(
    "server_meta", metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

# Keys of ``server_meta`` holding how far a reader of the event log got (a server_seq):
# created at the log's end when the reader is new to a database.
NOTIFIED_THROUGH = "notified_through"  # sync.server.notify: events turned into messages
# sync.server.console.centre_tickets: events folded into the projection (from 0 when new).
PROJECTED_THROUGH = "projected_through"
LOG_READERS = (NOTIFIED_THROUGH,)

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
    # Added after the first release (see storage._add_missing_columns): the publisher's
    # actor ("hq:王总") or "cli"; NULL for versions published before it was kept.
    sa.Column("published_by", sa.Text),
)

# What each desk last told the centre about itself (:mod:`sync.server.desk_reports`):
# when it last synced, and from its ``Kesu-Desk-Report`` header its app and policy
# versions, outbox and open dead letters (NULL until a desk sends a valid report).
desk_reports = sa.Table(
    "desk_reports", metadata,
    sa.Column("device_id", sa.String(64), primary_key=True),
    sa.Column("store", sa.String(32), nullable=False),
    sa.Column("desk", sa.String(32), nullable=False),
    sa.Column("last_seen_at", sa.String(32), nullable=False),
    sa.Column("app_version", sa.Text),
    sa.Column("policy_version", sa.Text),
    sa.Column("outbox", sa.BigInteger),
    sa.Column("dead_letters", sa.Integer),
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

# The notification outbox (:mod:`sync.server.notify`): one row per event that warrants a
# message, keyed by event id.
notifications = sa.Table(
    "notifications", metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
              autoincrement=True),
    sa.Column("event_id", sa.Text, nullable=False, unique=True),
    sa.Column("store", sa.String(32), nullable=False),
    sa.Column("ticket_id", sa.Text, nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # pending | delivered | failed
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_ms", sa.BigInteger, nullable=False),
    sa.Column("claim", sa.String(32)),
    sa.Column("last_error", sa.Text),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("finished_at", sa.String(32)),
    sa.Index("notifications_due", "status", "next_attempt_ms"),
)

# Ticket number -> ticket and verification code (:mod:`sync.server.ticket_numbers`).
ticket_numbers = sa.Table(
    "ticket_numbers", metadata,
    sa.Column("number", sa.String(64), primary_key=True),
    sa.Column("ticket_id", sa.Text, nullable=False),
    sa.Column("store", sa.String(32), nullable=False),
    # NULL for tickets saved before desks made codes: they have no progress page.
    sa.Column("verify_code", sa.String(6)),
)


# --- the console (:mod:`sync.server.console`) ----------------------------------------

# Master data: the chain's regions and stores. A desk may only enrol, and a channel
# ticket only be made, for a store listed here.
regions = sa.Table(
    "regions", metadata,
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("name_zh", sa.Text, nullable=False),
    sa.Column("name_en", sa.Text, nullable=False),
)

# A store without a zone of its own (and the console's display default).
DEFAULT_ZONE = "Asia/Shanghai"

stores = sa.Table(
    "stores", metadata,
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("region", sa.String(32), sa.ForeignKey("regions.code"), nullable=False),
    sa.Column("time_zone", sa.String(64), nullable=False),
    sa.Index("stores_by_region", "region", "code"),
)

# People of the console. ``password`` is a slow KDF's output (scrypt), never the password.
users = sa.Table(
    "users", metadata,
    sa.Column("username", sa.String(64), primary_key=True),
    sa.Column("display_name", sa.Text, nullable=False),
    sa.Column("role", sa.String(16), nullable=False),  # agent | regional | hq
    sa.Column("region", sa.String(32)),  # regional managers only
    sa.Column("password", sa.Text, nullable=False),
    sa.Column("failed_logins", sa.Integer, nullable=False),
    sa.Column("locked_until", sa.String(32)),
    sa.Column("disabled_at", sa.String(32)),
    sa.Column("created_at", sa.String(32), nullable=False),
)

# Console sessions: the cookie holds a random token, the table its SHA-256.
console_sessions = sa.Table(
    "console_sessions", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("expires_at", sa.String(32), nullable=False),
    sa.Column("ended_at", sa.String(32)),
)

# What was changed in the console's master data and accounts, and by whom: the admin
# pages' history (a ticket's actions are events in the log instead).
console_audit = sa.Table(
    "console_audit", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.String(32), nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("detail", sa.Text, nullable=False),  # JSON object
)

# The centre's projection of tickets (:mod:`sync.server.console.centre_tickets`): one row
# per ticket folded from its events, for the chain's queue, approvals and escalations.
centre_tickets = sa.Table(
    "centre_tickets", metadata,
    sa.Column("ticket_id", sa.String(36), primary_key=True),
    sa.Column("store", sa.String(32), nullable=False),
    sa.Column("region", sa.String(32)),
    sa.Column("number", sa.Text, nullable=False),
    sa.Column("level", sa.Integer, nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("category", sa.Text, nullable=False),
    sa.Column("subcategory", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("customer_phone", sa.String(32)),
    sa.Column("product_name", sa.Text),
    sa.Column("product_sku", sa.Text),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("due_at", sa.String(32), nullable=False),
    sa.Column("first_response_at", sa.String(32)),
    sa.Column("respond_within_minutes", sa.Integer, nullable=False),
    sa.Column("escalation_step", sa.Integer, nullable=False),
    sa.Column("conflicts", sa.Integer, nullable=False),
    sa.Column("open", sa.Boolean, nullable=False),  # neither closed nor final
    sa.Column("updated_seq", sa.BigInteger, nullable=False),
    # For the chain's reports (sync.server.console.report_days), added after the console
    # shipped (nullable: storage adds them to older databases and refolds every ticket).
    sa.Column("store_day", sa.String(10)),  # the creation's store day in the store's zone
    sa.Column("response_ms", sa.BigInteger),  # first response - creation, whole ms
    sa.Column("reopen_count", sa.Integer),
    sa.Column("rating", sa.Integer),
    sa.Column("first_contact", sa.Boolean),  # ever closed at first contact
    sa.Column("handler", sa.Text),
    sa.Column("product_key", sa.Text),  # domain.products.product_key
    sa.Index("centre_tickets_open", "open", "due_at"),
    sa.Index("centre_tickets_store", "store", "created_at"),
    sa.Index("centre_tickets_region", "region", "open", "due_at"),
    sa.Index("centre_tickets_phone", "customer_phone"),
)

# The queue's urgency order (sync.server.console.queue): open tickets not yet answered
# first, then by due time and level; for every ticket, a region's and a store's. The
# expression is the one the queue orders by, so the index serves the ORDER BY ... LIMIT.
_unanswered_last = centre_tickets.c.first_response_at.is_not(None)
sa.Index("centre_tickets_urgency", centre_tickets.c.open, _unanswered_last,
         centre_tickets.c.due_at, centre_tickets.c.level)
sa.Index("centre_tickets_region_urgency", centre_tickets.c.region, centre_tickets.c.open,
         _unanswered_last, centre_tickets.c.due_at, centre_tickets.c.level)
sa.Index("centre_tickets_store_urgency", centre_tickets.c.store, centre_tickets.c.open,
         _unanswered_last, centre_tickets.c.due_at, centre_tickets.c.level)
# Closed and final tickets (a status filter): newest first within the status.
sa.Index("centre_tickets_status", centre_tickets.c.status, centre_tickets.c.created_at)
# The escalations page: open tickets above the first rung, per rung and region.
sa.Index("centre_tickets_rung", centre_tickets.c.open, centre_tickets.c.escalation_step,
         centre_tickets.c.region, centre_tickets.c.due_at, centre_tickets.c.level)
# The queue's ticket number search.
sa.Index("centre_tickets_number", centre_tickets.c.number)
# The chain's reports read a scope's days: every store's, or one store's.
sa.Index("centre_tickets_report_day", centre_tickets.c.store_day, centre_tickets.c.store)
sa.Index("centre_tickets_report_store", centre_tickets.c.store, centre_tickets.c.store_day)

centre_compensations = sa.Table(
    "centre_compensations", metadata,
    sa.Column("compensation_id", sa.String(64), primary_key=True),
    sa.Column("ticket_id", sa.String(36), nullable=False),
    sa.Column("store", sa.String(32), nullable=False),
    sa.Column("region", sa.String(32)),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("amount_fen", sa.BigInteger, nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("approval_level", sa.String(16)),
    sa.Column("requester_role", sa.String(32), nullable=False),
    sa.Column("requested_by", sa.Text, nullable=False),
    sa.Column("requested_at", sa.String(32), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("decided_by", sa.Text),
    sa.Column("decided_at", sa.String(32)),
    sa.Column("updated_seq", sa.BigInteger, nullable=False),
    sa.Column("store_day", sa.String(10)),  # the request's store day (reports' ledger)
    sa.Index("centre_compensations_pending", "status", "region", "requested_at"),
    # Headquarters' inbox reads every region's waiting requests, oldest first.
    sa.Index("centre_compensations_waiting", "status", "approval_level", "requested_at",
             "compensation_id"),
    sa.Index("centre_compensations_ticket", "ticket_id"),
    sa.Index("centre_compensations_day", "store_day", "store"),
)

# The chain's reports' per-day partials (sync.server.console.report_days): one row per
# scope ("*", "r:<region>", "s:<store>") and store day; ``part`` is None while the day
# waits to be computed again, ``touched_seq`` the newest change the projection made to it.
centre_report_days = sa.Table(
    "centre_report_days", metadata,
    sa.Column("scope", sa.String(48), primary_key=True),
    sa.Column("day", sa.String(10), primary_key=True),
    sa.Column("part", sa.Text),
    sa.Column("computed_through", sa.BigInteger),
    # The day's sums per store of the scope, for the league (None: to compute again).
    sa.Column("league", sa.Text),
    sa.Column("league_through", sa.BigInteger),
    # The day's compensation lines by status and kind, and granted per store.
    sa.Column("comp", sa.Text),
    sa.Column("comp_through", sa.BigInteger),
    sa.Column("touched_seq", sa.BigInteger),
)


# The response-script library (话术库, :mod:`sync.server.script_library`): each
# published version as domain.scripts.library_document's JSON, immutable; the one draft
# headquarters edits; every use a desk reported (by its id, so a replay is stored
# once) and the per script and store counts the console reads (kept as uses arrive, so
# the usage table never counts the uses).
script_versions = sa.Table(
    "script_versions", metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("document", sa.Text, nullable=False),
    sa.Column("script_count", sa.Integer, nullable=False),
    sa.Column("published_at", sa.String(32), nullable=False),
    sa.Column("published_by", sa.Text, nullable=False),
)

script_drafts = sa.Table(
    "script_drafts", metadata,
    sa.Column("name", sa.String(32), primary_key=True),  # "shared": one draft for hq
    sa.Column("document", sa.Text, nullable=False),  # a JSON list of script documents
    sa.Column("saved_at", sa.String(32), nullable=False),
    sa.Column("saved_by", sa.Text, nullable=False),
)

script_uses = sa.Table(
    "script_uses", metadata,
    sa.Column("use_id", sa.String(36), primary_key=True),
    sa.Column("store", sa.String(32), nullable=False),
    sa.Column("script_id", sa.String(64), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("ticket_id", sa.String(36)),
    sa.Column("at", sa.String(32), nullable=False),
    sa.Column("received_at", sa.String(32), nullable=False),
)

script_usage = sa.Table(
    "script_usage", metadata,
    sa.Column("script_id", sa.String(64), primary_key=True),
    sa.Column("store", sa.String(32), primary_key=True),
    sa.Column("copied", sa.Integer, nullable=False),
    sa.Column("helpful", sa.Integer, nullable=False),
    sa.Column("last_used", sa.String(32), nullable=False),
    sa.Index("script_usage_store", "store", "script_id"),
)


# --- cross-store alerts (sync.server.product_alerts), fed by the projection's observer ---
# Every ticket the observer has seen once: its product key (None without a product), so a
# ticket counts once however many events touch it; ``live`` is False once voided/merged.
alert_tickets = sa.Table(
    "alert_tickets", metadata,
    sa.Column("ticket_id", sa.String(36), primary_key=True),
    sa.Column("product_key", sa.Text),
    sa.Column("label", sa.Text),
    sa.Column("store", sa.String(32), nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("live", sa.Boolean, nullable=False),
    # A product's mentions near a moment: the only read an observation makes.
    sa.Index("alert_tickets_product", "product_key", "created_at"),
)

product_alerts = sa.Table(
    "product_alerts", metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
              autoincrement=True),
    sa.Column("product_key", sa.Text, nullable=False),
    sa.Column("label", sa.Text, nullable=False),
    sa.Column("first_at", sa.String(32), nullable=False),  # first mention in the window
    sa.Column("last_at", sa.String(32), nullable=False),  # latest mention
    sa.Column("store_count", sa.Integer, nullable=False),
    sa.Column("tickets", sa.Integer, nullable=False),
    sa.Column("raised_at", sa.String(32), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # open | closed
    sa.Column("closed_at", sa.String(32)),
    sa.Column("closed_by", sa.Text),  # a console actor, or "auto:quiet" / "auto:withdrawn"
    sa.Column("seq", sa.BigInteger, nullable=False),  # desks pull changes after a seq
    sa.Index("product_alerts_seq", "seq"),
    sa.Index("product_alerts_status", "status", "last_at"),
    sa.Index("product_alerts_key", "product_key", "raised_at"),
    sa.Index("product_alerts_raised", "raised_at"),
)

# At most one open alert per product (insert-or-nothing decides who raises it).
product_alert_open = sa.Table(
    "product_alert_open", metadata,
    sa.Column("product_key", sa.Text, primary_key=True),
    sa.Column("alert_id", sa.BigInteger, nullable=False),
)

# The stores an alert names. A regional manager's scope joins the master data (so a
# store moved to another region takes its alerts along).
product_alert_stores = sa.Table(
    "product_alert_stores", metadata,
    sa.Column("alert_id", sa.BigInteger, primary_key=True),
    sa.Column("store", sa.String(32), primary_key=True),
    sa.Column("tickets", sa.Integer, nullable=False),
    sa.Index("product_alert_stores_store", "store", "alert_id"),
)

# The stores' assortments (sync.server.assortment): which products a store sells, so a
# product alert reaches only the stores that sell it. A store listed in
# ``store_assortments`` HAS a list (possibly of other products only); a store not listed
# there gets every alert.
store_products = sa.Table(
    "store_products", metadata,
    sa.Column("store", sa.String(32), primary_key=True),
    sa.Column("product_key", sa.Text, primary_key=True),  # domain.products.product_key
    sa.Column("label", sa.Text, nullable=False),
    # The stores that sell a product (an alert's receivers on the console).
    sa.Index("store_products_product", "product_key", "store"),
)

store_assortments = sa.Table(
    "store_assortments", metadata,
    sa.Column("store", sa.String(32), primary_key=True),
    sa.Column("products", sa.Integer, nullable=False),
    sa.Column("updated_at", sa.String(32), nullable=False),  # UTC
    sa.Column("updated_by", sa.Text, nullable=False),  # a console or CLI actor
)

watch_terms = sa.Table(
    "watch_terms", metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
              autoincrement=True),
    sa.Column("term", sa.Text, nullable=False),
    sa.Column("term_norm", sa.Text, nullable=False),  # NFKC + casefold
    sa.Column("product", sa.Text),  # a product-name substring, or None for every ticket
    sa.Column("product_norm", sa.Text),
    sa.Column("daily_threshold", sa.Integer, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("disabled_by", sa.Text),
    sa.Column("disabled_at", sa.String(32)),
    sa.Index("watch_terms_active", "active", "id"),
)

# A ticket counted for a term (so a voided ticket can be taken out again).
watch_hits = sa.Table(
    "watch_hits", metadata,
    sa.Column("term_id", sa.BigInteger, primary_key=True),
    sa.Column("ticket_id", sa.String(36), primary_key=True),
    sa.Column("store", sa.String(32), nullable=False),
    sa.Column("day", sa.String(10), nullable=False),  # the store's local date
    sa.Index("watch_hits_ticket", "ticket_id"),
)

watch_counts = sa.Table(
    "watch_counts", metadata,
    sa.Column("term_id", sa.BigInteger, primary_key=True),
    sa.Column("day", sa.String(10), primary_key=True),
    sa.Column("store", sa.String(32), primary_key=True),
    sa.Column("tickets", sa.Integer, nullable=False),
)

# One alert per term and day, raised when the day's count across stores passes the
# term's threshold.
watch_alerts = sa.Table(
    "watch_alerts", metadata,
    sa.Column("term_id", sa.BigInteger, primary_key=True),
    sa.Column("day", sa.String(10), primary_key=True),
    sa.Column("tickets", sa.Integer, nullable=False),
    sa.Column("raised_at", sa.String(32), nullable=False),
    sa.Index("watch_alerts_raised", "raised_at"),
)

ALERTS_SEQ = "alerts_seq"  # server_meta: the last seq given to a product alert change


def event_columns() -> list[sa.Column[Any]]:
    """The columns of :data:`events` that hold :data:`WIRE_FIELDS`, in that order."""
    return [events.c[name] for name in WIRE_FIELDS]


def dialect_insert(conn: Connection, table: sa.Table) -> Any:
    """The dialect's INSERT into *table*, which supports ``on_conflict_do_nothing``."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)
