"""Opening the local database with the settings Kesu relies on for durability."""

from __future__ import annotations

import os
import sqlite3
import urllib.parse
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


def create_private(path: str | Path) -> None:
    """Create an empty file at *path* readable by its owner only, unless it exists.

    SQLite makes its files 0644 and gives the -wal and -shm files the main file's
    mode: customer data must not be world-readable, so the file is made first.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def connect(path: str | Path) -> sqlite3.Connection:
    """Open (creating if needed, mode 0600) the database at *path* with Kesu's pragmas.

    The connection is in autocommit mode; writes go through :func:`transaction`.
    """
    path = Path(path)
    if str(path) != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True)
        create_private(path)
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    try:
        for pragma in PRAGMAS:
            conn.execute(pragma)
    except BaseException:
        conn.close()
        raise
    return conn


def connect_readonly(path: str | Path) -> sqlite3.Connection:
    """Open an existing database for reading only (a read-only file or directory, a
    disk too full for SQLite's -shm file). Writes fail with "readonly database", which
    :func:`transaction` reports as :class:`StorageFullError`.

    Tries SQLite's read-only mode first; where even that needs to create the -shm
    file, opens the file as immutable, which is right only while nothing writes it,
    so only when no write-ahead log with unapplied changes lies beside it.
    """
    path = Path(path)
    uri = "file:" + urllib.parse.quote(str(path.resolve()))
    wal = Path(f"{path}-wal")
    modes = ["?mode=ro"]
    if not wal.exists() or wal.stat().st_size == 0:
        modes.append("?mode=ro&immutable=1")
    error: sqlite3.Error | None = None
    for mode in modes:
        conn = sqlite3.connect(uri + mode, uri=True, isolation_level=None,
                               check_same_thread=False)
        conn.row_factory = sqlite3.Row
        try:
            conn.execute("PRAGMA busy_timeout=10000")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as exc:
            conn.close()
            error = exc
            continue
        return conn
    assert error is not None
    raise error


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
