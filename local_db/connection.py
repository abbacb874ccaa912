"""Opening the local database with the settings Kesu relies on for durability."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from local_db.errors import StorageFullError

# WAL lets readers (the UI queue) run beside the writer; synchronous=FULL makes a
# commit survive power loss, which is what "saved" promises to the staff.
PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
)


def connect(path: str | Path) -> sqlite3.Connection:
    """Open (creating if needed) the database at *path* with Kesu's pragmas.

    The connection is in autocommit mode; writes go through :func:`transaction`.
    """
    path = Path(path)
    if str(path) != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    for pragma in PRAGMAS:
        conn.execute(pragma)
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run a block in one ``BEGIN IMMEDIATE`` transaction; commit or roll back whole.

    IMMEDIATE takes the write lock up front so two writers never deadlock mid-way.
    A full disk becomes :class:`StorageFullError`; nothing half-written remains.
    """
    if conn.in_transaction:
        # Nested use joins the outer transaction: the outer block decides.
        yield conn
        return
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise _translate(exc) from exc
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if isinstance(exc, sqlite3.OperationalError):
            raise _translate(exc) from exc
        raise


def _translate(exc: sqlite3.OperationalError) -> Exception:
    text = str(exc).lower()
    if "full" in text or "readonly" in text or "read-only" in text or "disk i/o" in text:
        return StorageFullError(str(exc))
    return exc
