"""The ``meta`` key/value table: store and desk identity, clock state."""

from __future__ import annotations

import sqlite3

from local_db.errors import NotInitialisedError


def get(conn: sqlite3.Connection, key: str) -> str | None:
    """The value stored under *key*, or ``None``."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def require(conn: sqlite3.Connection, key: str) -> str:
    """The value under *key*; raises :class:`NotInitialisedError` when missing."""
    value = get(conn, key)
    if value is None:
        raise NotInitialisedError(f"meta key {key!r} is not set", key=key)
    return value


def put(conn: sqlite3.Connection, key: str, value: str) -> None:
    """Store *value* under *key* (inside the caller's transaction)."""
    conn.execute(
        "INSERT INTO meta(key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


# The desk's policy document is kept under this key (desktop.desk installs it).
POLICY = "policy"


def policy_version(conn: sqlite3.Connection) -> str | None:
    """The version of the policy document stored in ``meta`` (the one the desk runs),
    read without parsing the whole document; None when none is stored."""
    row = conn.execute("SELECT json_extract(value, '$.policy_version') FROM meta "
                       "WHERE key = ?", (POLICY,)).fetchone()
    return None if row is None or row[0] is None else str(row[0])
