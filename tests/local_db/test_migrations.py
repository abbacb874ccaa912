"""Each migration, the refusal of a newer database, and the connection settings."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from local_db.connection import connect
from local_db.errors import SchemaTooNewError
from local_db.migrations import known_migrations, migrate, migrations


def _tables(conn) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def test_fresh_database_gets_every_migration_in_order(tmp_path: Path) -> None:
    conn = connect(tmp_path / "a.db")
    assert migrate(conn) == known_migrations()
    assert migrate(conn) == []  # idempotent


def test_m001_creates_event_log_and_projections(tmp_path: Path) -> None:
    conn = connect(tmp_path / "a.db")
    db = sqlite_utils.Database(conn)
    migrations.apply(db, stop_before="m002_ticket_search")
    assert {"meta", "events", "tickets", "compensations", "staff", "ticket_counters"} <= _tables(
        conn
    )
    cols = {c.name for c in db["events"].columns}
    assert {"event_id", "device_seq", "hlc", "prev_hash", "hash", "server_seq"} <= cols
    # device_seq is unique per device: a gap-free sequence cannot be duplicated.
    unique = [i for i in db["events"].indexes if i.unique]
    assert any(set(i.columns) == {"device_id", "device_seq"} for i in unique)


def test_m002_adds_search_index(tmp_path: Path) -> None:
    conn = connect(tmp_path / "a.db")
    db = sqlite_utils.Database(conn)
    migrations.apply(db, stop_before="m002_ticket_search")
    before = _tables(conn)
    migrate(conn)
    added = _tables(conn) - before
    assert any("search" in name for name in added)


def test_database_from_newer_version_is_refused_and_left_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    conn = connect(path)
    migrate(conn)
    conn.execute(
        "INSERT INTO _sqlite_migrations(migration_set, name, applied_at) "
        "VALUES ('kesu', 'm999_from_the_future', '2027-01-01')"
    )
    conn.close()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    conn = connect(path)
    with pytest.raises(SchemaTooNewError) as info:
        migrate(conn)
    assert "m999_from_the_future" in info.value.params["unknown"]
    conn.close()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def test_connection_is_wal_with_full_sync(tmp_path: Path) -> None:
    conn = connect(tmp_path / "a.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_m004_adds_the_queue_indexes_and_the_queue_uses_them(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from desktop.ticket_queue import OPEN_SQL, QueueFilter, _source, _where

    conn = connect(tmp_path / "a.db")
    db = sqlite_utils.Database(conn)
    migrations.apply(db, stop_before="m004_queue_indexes")
    migrate(conn)
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert {"tickets_open", "tickets_queue"} <= names
    sql = conn.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'tickets_open'").fetchone()[0]
    assert " ".join(OPEN_SQL.split()) in " ".join(sql.split())
    for f in (QueueFilter(), QueueFilter(overdue=True, level=1), QueueFilter(mine="d1")):
        where, params = _where(f, datetime(2026, 1, 1, tzinfo=UTC), 24)
        plan = " ".join(r[3] for r in conn.execute(
            f"EXPLAIN QUERY PLAN SELECT count(*) FROM {_source(where)} WHERE {where}", params))
        assert "COVERING INDEX tickets_open" in plan


def test_m005_adds_the_print_queue(tmp_path: Path) -> None:
    conn = connect(tmp_path / "a.db")
    db = sqlite_utils.Database(conn)
    migrations.apply(db, stop_before="m005_print_jobs")
    assert "print_jobs" not in _tables(conn)
    assert migrate(conn)[:1] == ["m005_print_jobs"]
    columns = {r[1] for r in conn.execute("PRAGMA table_info(print_jobs)")}
    assert {"ticket_id", "kind", "paper", "printer", "status", "attempts", "last_error",
            "event_id"} <= columns
    plan = " ".join(r[3] for r in conn.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM print_jobs WHERE status = 'waiting' ORDER BY id"))
    assert "print_jobs_by_status" in plan


def test_m006_adds_the_report_indexes_and_the_report_uses_them(tmp_path: Path) -> None:
    from desktop.reports.day_cache import COUNTED_SQL, RESPONSE_MS_SQL
    from desktop.reports.repeats import PRODUCT_KEY_SQL

    conn = connect(tmp_path / "a.db")
    db = sqlite_utils.Database(conn)
    migrations.apply(db, stop_before="m006_report_indexes")
    assert migrate(conn)[:1] == ["m006_report_indexes"]
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert {"tickets_report_groups", "tickets_report_days", "tickets_report_products",
            "tickets_report_response", "compensations_report"} <= names
    span = ("2026-01-01", "2027-01-01")

    def plan(sql: str) -> str:
        return " ".join(r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}", span))

    # Product keys come from the index alone and response times in index order: the
    # expressions in the code are those of the indexes.
    products = plan(f"SELECT {PRODUCT_KEY_SQL}, product_name FROM tickets "
                    f"INDEXED BY tickets_report_products "
                    f"WHERE {COUNTED_SQL} AND {PRODUCT_KEY_SQL} IS NOT NULL")
    assert "COVERING INDEX tickets_report_products" in products
    response = plan(f"SELECT {RESPONSE_MS_SQL} FROM tickets INDEXED BY tickets_report_response "
                    f"WHERE first_response_at IS NOT NULL AND {COUNTED_SQL} "
                    f"ORDER BY {RESPONSE_MS_SQL} LIMIT 1")
    assert "tickets_report_response" in response and "TEMP B-TREE" not in response
    groups = plan("SELECT subcategory, channel, level, count(*) FROM tickets "
                  f"INDEXED BY tickets_report_groups WHERE {COUNTED_SQL} "
                  "GROUP BY subcategory, channel, level")
    assert "COVERING INDEX tickets_report_groups" in groups and "TEMP B-TREE" not in groups


def test_m007_adds_the_report_day_cache(tmp_path: Path) -> None:
    conn = connect(tmp_path / "a.db")
    db = sqlite_utils.Database(conn)
    migrations.apply(db, stop_before="m007_report_day_cache")
    assert "report_days" not in _tables(conn)
    assert migrate(conn)[:1] == ["m007_report_day_cache"]
    columns = {r[1]: (r[2], r[3], r[5]) for r in conn.execute("PRAGMA table_info(report_days)")}
    assert columns == {"day": ("TEXT", 0, 1), "timezone": ("TEXT", 1, 0),
                       "data": ("TEXT", 1, 0)}
    conn.execute("INSERT INTO report_days VALUES ('2026-11-01', 'Asia/Shanghai', '{}')")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO report_days VALUES ('2026-11-01', 'Asia/Shanghai', '{}')")


def test_m008_adds_the_set_aside_table(tmp_path: Path) -> None:
    conn = connect(tmp_path / "a.db")
    db = sqlite_utils.Database(conn)
    migrations.apply(db, stop_before="m008_sync_set_aside")
    assert "sync_set_aside" not in _tables(conn)
    assert migrate(conn)[:1] == ["m008_sync_set_aside"]
    columns = {r[1] for r in conn.execute("PRAGMA table_info(sync_set_aside)")}
    assert {"event_id", "device_id", "device_seq", "prev_hash", "hash", "wire", "reason",
            "detail", "first_seen"} <= columns
    row = ("e", "t", "dev", 1, None, "p", "h", "{}", "invalid_event", "x", "now")
    conn.execute("INSERT INTO sync_set_aside (event_id, ticket_id, device_id, device_seq, "
                 "server_seq, prev_hash, hash, wire, reason, detail, first_seen) "
                 "VALUES (?,?,?,?,?,?,?,?,?,?,?)", row)
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO sync_set_aside (event_id, ticket_id, device_id, device_seq, "
                     "server_seq, prev_hash, hash, wire, reason, detail, first_seen) "
                     "VALUES (?,?,?,?,?,?,?,?,?,?,?)", ("e2", *row[1:]))


def test_m009_adds_the_first_contact_index_and_the_report_uses_it(tmp_path: Path) -> None:
    from desktop.reports.first_contact import CLOSED_AT_FIRST_CONTACT_SQL

    conn = connect(tmp_path / "a.db")
    db = sqlite_utils.Database(conn)
    migrations.apply(db, stop_before="m009_first_contact_index")
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert "events_first_contact" not in names
    assert migrate(conn)[:1] == ["m009_first_contact_index"]
    plan = " ".join(r[3] for r in conn.execute(
        f"EXPLAIN QUERY PLAN SELECT count(*) FROM tickets WHERE {CLOSED_AT_FIRST_CONTACT_SQL}"))
    assert "events_first_contact" in plan


def test_m010_adds_the_product_alerts(tmp_path: Path) -> None:
    conn = connect(tmp_path / "a.db")
    db = sqlite_utils.Database(conn)
    migrations.apply(db, stop_before="m010_product_alerts")
    assert "product_alerts" not in _tables(conn)
    assert migrate(conn)[:1] == ["m010_product_alerts"]
    assert {"product_alerts", "alerts_pull_state"} <= _tables(conn)
    row = (7, "纯牛奶", 7, 3, 4, "a", "b", "c", "open", None, 1)
    conn.execute("INSERT INTO product_alerts VALUES (?,?,?,?,?,?,?,?,?,?,?)", row)
    with pytest.raises(sqlite3.IntegrityError):  # one row per alert
        conn.execute("INSERT INTO product_alerts VALUES (?,?,?,?,?,?,?,?,?,?,?)", row)
    with pytest.raises(sqlite3.IntegrityError):  # open or closed only
        conn.execute("INSERT INTO product_alerts VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                     (8, *row[1:8], "maybe", None, 2))
    conn.execute("INSERT INTO alerts_pull_state VALUES (1, 'e', 0)")
    with pytest.raises(sqlite3.IntegrityError):  # a single row
        conn.execute("INSERT INTO alerts_pull_state VALUES (2, 'e', 0)")


def test_m011_adds_the_script_library_and_its_uses(tmp_path: Path) -> None:
    conn = connect(tmp_path / "a.db")
    db = sqlite_utils.Database(conn)
    migrations.apply(db, stop_before="m011_script_library")
    assert not {"script_library", "script_uses"} & _tables(conn)
    assert migrate(conn)[:1] == ["m011_script_library"]
    assert {r[1] for r in conn.execute("PRAGMA table_info(script_library)")} == {
        "id", "version", "document", "digest", "pulled_at"}
    assert {r[1] for r in conn.execute("PRAGMA table_info(script_uses)")} == {
        "id", "script_id", "version", "kind", "ticket_id", "at", "sent"}
    conn.execute("INSERT INTO script_library VALUES (1, 3, '{}', 'd', 'now')")
    with pytest.raises(sqlite3.IntegrityError):  # one library only
        conn.execute("INSERT INTO script_library VALUES (2, 4, '{}', 'd', 'now')")
    use = "INSERT INTO script_uses (id, script_id, version, kind, ticket_id, at) " \
          "VALUES (?, 's', 3, ?, ?, 'now')"
    conn.execute(use, ("u1", "copied", "t1"))
    conn.execute(use, ("u2", "copied", "t1"))  # copied as often as staff like
    conn.execute(use, ("u3", "helpful", "t1"))
    conn.execute(use, ("u4", "helpful", "t2"))
    with pytest.raises(sqlite3.IntegrityError):  # helpful once per script and ticket
        conn.execute(use, ("u5", "helpful", "t1"))
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(use, ("u6", "liked", "t1"))
    plan = " ".join(r[3] for r in conn.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM script_uses WHERE sent = 0 ORDER BY at"))
    assert "script_uses_unsent" in plan
