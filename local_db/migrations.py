"""Schema migrations, applied with ``sqlite_utils.Migrations``.

Append-only: a released migration is never edited; change the schema with a new one
(and a test of it in ``tests/local_db/test_migrations.py``).
"""

from __future__ import annotations

import sqlite3

import sqlite_utils
from sqlite_utils.migrations import Migrations

from local_db.errors import SchemaTooNewError

MIGRATION_SET = "kesu"
migrations = Migrations(MIGRATION_SET)


@migrations(name="m001_event_log_and_projections")
def m001_event_log_and_projections(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

        -- The truth. One row per event; never updated except server_seq by sync.
        CREATE TABLE events (
            seq INTEGER PRIMARY KEY,
            event_id TEXT NOT NULL UNIQUE,
            ticket_id TEXT NOT NULL,
            type TEXT NOT NULL,
            payload TEXT NOT NULL,
            actor TEXT NOT NULL,
            device_id TEXT NOT NULL,
            device_seq INTEGER NOT NULL,
            hlc TEXT NOT NULL,
            occurred_at TEXT NOT NULL,
            policy_version TEXT NOT NULL,
            schema_version INTEGER NOT NULL,
            server_seq INTEGER,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL,
            UNIQUE (device_id, device_seq)
        );
        CREATE INDEX events_by_ticket ON events(ticket_id, hlc, device_id);

        -- Projection of the events of each ticket (see local_db/projection.py).
        CREATE TABLE tickets (
            rid INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            number TEXT NOT NULL UNIQUE,
            store_code TEXT NOT NULL,
            desk_code TEXT NOT NULL,
            channel TEXT NOT NULL,
            text TEXT NOT NULL,
            category TEXT NOT NULL,
            subcategory TEXT NOT NULL,
            level INTEGER NOT NULL,
            flags TEXT NOT NULL,
            departments TEXT NOT NULL,
            reasons TEXT NOT NULL,
            status TEXT NOT NULL,
            handler TEXT,
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            due_at TEXT NOT NULL,
            respond_within_minutes INTEGER NOT NULL,
            first_response_at TEXT,
            closed_at TEXT,
            rating INTEGER,
            customer_name TEXT,
            customer_phone TEXT,
            member_tier TEXT NOT NULL,
            customers INTEGER NOT NULL,
            product_name TEXT,
            product_sku TEXT,
            amount_paid_fen INTEGER,
            merged_into TEXT,
            reopen_count INTEGER NOT NULL,
            escalation_step INTEGER NOT NULL,
            conflict INTEGER NOT NULL,
            policy_version TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            event_count INTEGER NOT NULL
        );
        CREATE INDEX tickets_by_created ON tickets(created_at);
        CREATE INDEX tickets_by_status ON tickets(status, due_at);
        CREATE INDEX tickets_by_phone ON tickets(customer_phone, created_at);
        CREATE INDEX tickets_by_subcategory ON tickets(subcategory, created_at);

        -- Projection of the compensation events (the ledger).
        CREATE TABLE compensations (
            id TEXT PRIMARY KEY,
            ticket_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            amount_fen INTEGER NOT NULL,
            status TEXT NOT NULL,
            requested_by TEXT NOT NULL,
            requester_role TEXT NOT NULL,
            approved_by TEXT,
            approval_level TEXT,
            customer_phone TEXT,
            reason TEXT NOT NULL,
            policy_version TEXT NOT NULL,
            created_at TEXT NOT NULL,
            decided_at TEXT,
            store_day TEXT NOT NULL
        );
        CREATE INDEX compensations_by_ticket ON compensations(ticket_id);
        CREATE INDEX compensations_by_day ON compensations(store_day, status);
        CREATE INDEX compensations_by_phone ON compensations(customer_phone, created_at);

        -- Local staff accounts. Not ticket data, so not event-sourced.
        CREATE TABLE staff (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            role TEXT NOT NULL,
            pin_hash TEXT NOT NULL,
            failed_pins INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT,
            active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL
        );

        -- Daily counter behind the human-readable ticket number.
        CREATE TABLE ticket_counters (store_day TEXT PRIMARY KEY, last INTEGER NOT NULL);
        """
    )


@migrations(name="m002_ticket_search")
def m002_ticket_search(db: sqlite_utils.Database) -> None:
    # Search index of tickets.text, fed by local_db/search.py (which explains the
    # tokens: CJK bigrams + end-of-run marker, words). Contentless: rowid = tickets.rid.
    # prefix='1' answers one-character queries; detail=full allows bigram phrases.
    db.executescript(
        """
        CREATE VIRTUAL TABLE ticket_search USING fts5(
            body,
            content='',
            tokenize='ascii',
            prefix='1',
            detail=full
        );

        -- The text each ticket_search row was built from: a contentless FTS5 table
        -- can only delete a row when given its tokens again.
        CREATE TABLE ticket_search_source (rid INTEGER PRIMARY KEY, text TEXT NOT NULL);
        """
    )


@migrations(name="m003_sync_dead_letters")
def m003_sync_dead_letters(db: sqlite_utils.Database) -> None:
    # Batches of own events the server refused (broken chain, fork...). The events stay
    # in the log and in the outbox; this only remembers why they are stuck, for people.
    # One row per (first device_seq, reason): the same refusal again bumps count.
    db.executescript(
        """
        CREATE TABLE sync_dead_letters (
            id INTEGER PRIMARY KEY,
            first_seq INTEGER NOT NULL,
            last_seq INTEGER NOT NULL,
            event_ids TEXT NOT NULL,
            reason TEXT NOT NULL,
            detail TEXT NOT NULL,
            http_status INTEGER NOT NULL,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            count INTEGER NOT NULL,
            resolved_at TEXT,
            UNIQUE (first_seq, reason)
        );
        """
    )


@migrations(name="m004_queue_indexes")
def m004_queue_indexes(db: sqlite_utils.Database) -> None:
    # The desk's ticket queue (desktop/ticket_queue.py) filters by status, level, channel,
    # overdue and "mine" and pages in creation order. Both indexes cover every column
    # those filters read, so a filter is answered from the index without reading the
    # table. tickets_open holds only the open tickets (the default view, few in a real
    # store) in creation order; its WHERE must stay identical to queue.OPEN_SQL.
    db.executescript(
        """
        CREATE INDEX tickets_open ON tickets(
            created_at, level, channel, category, handler, created_by, first_response_at,
            due_at, status
        ) WHERE status IN ('accepted','rectifying','reviewing','accountability');
        CREATE INDEX tickets_queue ON tickets(
            status, created_at, level, channel, category, handler, created_by,
            first_response_at, due_at, closed_at
        );
        """
    )

@migrations(name="m005_print_jobs")
def m005_print_jobs(db: sqlite_utils.Database) -> None:
    # The desk's print queue (desktop/printing). Local to this device and not events:
    # a receipt that reached the printer is recorded as a receipt_printed event on the
    # ticket (event_id); the job row only says what waits, failed or was cancelled, so a
    # printer that is offline or out of paper never blocks or loses a ticket.
    db.executescript(
        """
        CREATE TABLE print_jobs (
            id INTEGER PRIMARY KEY,
            ticket_id TEXT NOT NULL,
            number TEXT NOT NULL,
            kind TEXT NOT NULL,
            paper TEXT NOT NULL,
            compensation_id TEXT,
            printer TEXT NOT NULL,
            requested_by TEXT NOT NULL,
            requested_at TEXT NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            updated_at TEXT NOT NULL,
            event_id TEXT
        );
        CREATE INDEX print_jobs_by_status ON print_jobs(status, id);
        """
    )


@migrations(name="m006_report_indexes")
def m006_report_indexes(db: sqlite_utils.Database) -> None:
    # The store report (desktop/reports) over a year of a busy store reads its figures
    # from these indexes alone, in their order, so SQLite never sorts the rows:
    # - groups: the breakdowns and rates, GROUP BY subcategory, channel, level streamed;
    # - days: one index range count per (store day, subcategory); products named;
    # - products: product keys of a time range without reading the table (repeat
    #   alert); the expression must stay identical to reports.repeats.PRODUCT_KEY_SQL;
    # - response: first-response times in order, for the nearest-rank p90;
    # - compensations_report: the ledger figures of a period without reading the table.
    db.executescript(
        """
        CREATE INDEX tickets_report_groups ON tickets(
            subcategory, channel, level, category, created_at, status, due_at,
            first_response_at, rating, reopen_count
        );
        CREATE INDEX tickets_report_days ON tickets(
            subcategory, created_at, status, level, product_name
        );
        CREATE INDEX tickets_report_products ON tickets(
            created_at, status,
            (CASE WHEN product_sku IS NOT NULL AND product_sku != '' THEN 'sku:' || product_sku
             WHEN product_name IS NOT NULL AND trim(product_name) != ''
             THEN 'name:' || lower(replace(product_name, ' ', '')) END),
            product_name, product_sku
        );
        CREATE INDEX tickets_report_response ON tickets(
            (round((julianday(first_response_at) - julianday(created_at)) * 86400000)),
            created_at, status
        ) WHERE first_response_at IS NOT NULL;
        CREATE INDEX compensations_report ON compensations(
            store_day, status, kind, requested_by, requester_role, amount_fen
        );
        """
    )


@migrations(name="m007_report_day_cache")
def m007_report_day_cache(db: sqlite_utils.Database) -> None:
    # The store report's per-store-day partials (desktop/reports/day_cache.py): derived
    # data, dropped by day when events touch that day's tickets (meta key
    # report_cache_seq = the last events.seq looked at), all of it by a rebuild or a
    # policy in another time zone. Not events, not synced; safe to delete at any time.
    db.executescript(
        """
        CREATE TABLE report_days (
            day TEXT PRIMARY KEY,
            timezone TEXT NOT NULL,
            data TEXT NOT NULL
        );
        """
    )


@migrations(name="m008_sync_set_aside")
def m008_sync_set_aside(db: sqlite_utils.Database) -> None:
    # Pulled events this desk cannot apply (they fail domain.event_schema, or their
    # ticket would not fold: a number another ticket holds, a second creation...), kept
    # whole, hash-verified, beside the log instead of in it, so one bad event never
    # stops the store's sync; `kesu sync dead-letters` lists them, `kesu check` bridges
    # their devices' chains over them.
    db.executescript(
        """
        CREATE TABLE sync_set_aside (
            event_id TEXT PRIMARY KEY,
            ticket_id TEXT NOT NULL,
            device_id TEXT NOT NULL,
            device_seq INTEGER NOT NULL,
            server_seq INTEGER,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL,
            wire TEXT NOT NULL,
            reason TEXT NOT NULL,
            detail TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            UNIQUE (device_id, device_seq)
        );
        """
    )


@migrations(name="m009_first_contact_index")
def m009_first_contact_index(db: sqlite_utils.Database) -> None:
    # Tickets closed at first contact (首问解决): the report's FCR figure and its drill
    # find them through this small partial index instead of reading every closed
    # ticket's events. The WHERE must stay identical to
    # desktop.reports.first_contact.FIRST_CONTACT_EVENT_SQL for SQLite to use it.
    db.executescript(
        """
        CREATE INDEX events_first_contact ON events(ticket_id)
        WHERE type = 'status_changed' AND json_extract(payload, '$.first_contact') = 1;
        """
    )


@migrations(name="m010_product_alerts")
def m010_product_alerts(db: sqlite_utils.Database) -> None:
    # Cross-store product alerts pulled from the centre (GET /v1/alerts): one row per
    # alert, replaced by each newer change (seq); the desk shows the open ones. The
    # cursor and the server's epoch it belongs to live in alerts_pull_state (one row).
    db.executescript(
        """
        CREATE TABLE product_alerts (
            id INTEGER PRIMARY KEY,
            label TEXT NOT NULL,
            days INTEGER NOT NULL,
            store_count INTEGER NOT NULL,
            tickets INTEGER NOT NULL,
            first_at TEXT NOT NULL,
            last_at TEXT NOT NULL,
            raised_at TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
            closed_at TEXT,
            seq INTEGER NOT NULL
        );
        CREATE INDEX product_alerts_open ON product_alerts(status, raised_at);
        CREATE TABLE alerts_pull_state (
            one INTEGER PRIMARY KEY CHECK (one = 1),
            epoch TEXT,
            cursor INTEGER NOT NULL
        );
        """
    )


@migrations(name="m011_script_library")
def m011_script_library(db: sqlite_utils.Database) -> None:
    # The response-script library (话术库) as last pulled from the centre
    # (desktop.script_library): one row, the whole document as the wire carried it, so
    # the desk shows it offline. `digest` (sha256 of the document) lets a reader parse a
    # document once. The uses staff record ("copied", "helpful") wait in script_uses
    # until the centre accepted them (sent = 1); they are kept after that, because
    # "helpful" is counted once per script and ticket (the partial unique index). Not
    # events, not in the chain: the centre's usage figures are counts, idempotent by id.
    db.executescript(
        """
        CREATE TABLE script_library (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            version INTEGER NOT NULL,
            document TEXT NOT NULL,
            digest TEXT NOT NULL,
            pulled_at TEXT NOT NULL
        );
        CREATE TABLE script_uses (
            id TEXT PRIMARY KEY,
            script_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('copied', 'helpful')),
            ticket_id TEXT,
            at TEXT NOT NULL,
            sent INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX script_uses_unsent ON script_uses(at) WHERE sent = 0;
        CREATE UNIQUE INDEX script_uses_helpful_once ON script_uses(script_id, ticket_id)
        WHERE kind = 'helpful';
        """
    )


def known_migrations() -> list[str]:
    """Names of the migrations this version of Kesu knows, in order."""
    return [m.name for m in migrations._migrations]


def pending_migrations(conn: sqlite3.Connection) -> list[str]:
    """Names of the migrations *conn*'s database lacks (reads only)."""
    have = {r[0] for r in conn.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", (MIGRATION_SET,))} \
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = '_sqlite_migrations'"
                        ).fetchone() else set()
    return [name for name in known_migrations() if name not in have]


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Bring the database up to date; return the names applied.

    Refuses, before changing anything, a database that holds migrations this version
    does not know: it was written by a newer Kesu.
    """
    db = sqlite_utils.Database(conn)
    applied = [m.name for m in migrations.applied(db)]
    unknown = [name for name in applied if name not in known_migrations()]
    if unknown:
        raise SchemaTooNewError(
            f"database has migrations unknown to this version: {', '.join(unknown)}",
            unknown=", ".join(unknown),
        )
    pending = [m.name for m in migrations.pending(db)]
    if pending:
        migrations.apply(db)
    return pending
