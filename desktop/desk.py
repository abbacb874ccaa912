"""The desk: one local database with its store, desk, policy, clock and triage engine.

Everything that acts on tickets takes a :class:`Desk`; tests build one on a fresh file
with a :class:`~domain.clock.FixedClock`.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from desktop.numbering import valid_code
from domain.clock import Clock, SystemClock
from domain.errors import InvalidInput
from domain.ids import uuid7
from domain.policy import Policy, load_policy, parse_policy
from domain.triage import Triage
from local_db import meta
from local_db.connection import connect, connect_readonly, transaction
from local_db.errors import (
    NotADatabaseError,
    NotInitialisedError,
    ReadOnlyOutdatedError,
    StoreError,
)
from local_db.migrations import migrate, pending_migrations


@dataclass
class Desk:
    """An open desk database and what acting on it needs."""

    conn: sqlite3.Connection
    policy: Policy
    clock: Clock
    triage: Triage
    store_code: str
    desk_code: str
    store_name: str
    device_id: str

    def now(self) -> datetime:
        """The current moment from the injected clock."""
        return self.clock.now()

    def store_day(self, moment: datetime | None = None) -> str:
        """The store's local date of *moment* (now by default) as ``YYYYMMDD``."""
        moment = moment or self.now()
        return moment.astimezone(self.policy.timezone).strftime("%Y%m%d")

    def close(self) -> None:
        """Close the database connection."""
        self.conn.close()


def init_desk(
    path: str | Path,
    *,
    store_code: str,
    desk_code: str,
    store_name: str = "",
    policy_path: str | Path | None = None,
    clock: Clock | None = None,
) -> Desk:
    """Create (or re-open) the desk database and record its store and desk codes.

    Re-running with the same codes is harmless; different codes on a database that
    already has tickets are refused, since the numbers would no longer say where they
    were made.
    """
    if not valid_code(store_code):
        raise InvalidInput("init.bad_code", field="store", value=store_code)
    if not valid_code(desk_code):
        raise InvalidInput("init.bad_code", field="desk", value=desk_code)
    policy = load_policy(policy_path)
    conn = connect(path)
    try:
        migrate(conn)
        with transaction(conn):
            old_store, old_desk = meta.get(conn, "store_code"), meta.get(conn, "desk_code")
            has_tickets = conn.execute("SELECT 1 FROM events LIMIT 1").fetchone() is not None
            if has_tickets and (old_store, old_desk) != (store_code, desk_code):
                raise InvalidInput(
                    "init.codes_in_use", store=old_store or "", desk=old_desk or ""
                )
            meta.put(conn, "store_code", store_code)
            meta.put(conn, "desk_code", desk_code)
            if store_name or meta.get(conn, "store_name") is None:
                meta.put(conn, "store_name", store_name)
            if meta.get(conn, "device_id") is None:
                meta.put(conn, "device_id", uuid7())
            if meta.get(conn, "policy") is None or policy_path is not None:
                meta.put(conn, "policy", policy.as_json())
    except BaseException:
        conn.close()
        raise
    return open_desk_conn(conn, clock)


def install_policy(desk: Desk, policy_path: str | Path) -> Policy:
    """Validate a policy file and make it the desk's policy from now on."""
    policy = load_policy(policy_path)
    with transaction(desk.conn):
        meta.put(desk.conn, "policy", policy.as_json())
    desk.policy = policy
    desk.triage = policy.triage
    return policy


def install_policy_document(desk: Desk, document: Any, source: str = "<server>") -> Policy:
    """Validate a parsed policy document (pulled from the server) and make it the desk's
    policy from now on, exactly as :func:`install_policy` does with a file."""
    policy = parse_policy(document, source)
    with transaction(desk.conn):
        meta.put(desk.conn, "policy", policy.as_json())
    desk.policy = policy
    desk.triage = policy.triage
    return policy


def reload_policy(desk: Desk) -> bool:
    """Take up the policy another connection installed (the sync thread does); True when
    it changed. Reads only the stored version unless it differs from the one in use."""
    stored = meta.policy_version(desk.conn)
    if stored is None or stored == desk.policy.version:
        return False
    policy = parse_policy(json.loads(meta.require(desk.conn, "policy")))
    desk.policy = policy
    desk.triage = policy.triage
    return True


_SQLITE_HEADER = b"SQLite format 3\x00"


def open_desk(path: str | Path, clock: Clock | None = None) -> Desk:
    """Open an initialised desk database, applying pending migrations.

    Never writes into a file that is not yet a Kesu database: an empty file is "not
    initialised" and stays empty, another kind of file is refused as such. A database
    that cannot be opened for writing (read-only file or directory, a disk too full
    for SQLite's shared-memory file) is opened read-only, so reading commands work and
    writing ones fail with a clear error.
    """
    if str(path) == ":memory:":
        conn = connect(path)
    else:
        _check_file(Path(path))
        try:
            conn = connect(path)
            migrate(conn)
        except sqlite3.OperationalError as exc:
            if "conn" in locals():
                conn.close()
            conn = _open_readonly(Path(path), exc)
    try:
        return open_desk_conn(conn, clock)
    except BaseException:
        conn.close()
        raise


def _check_file(path: Path) -> None:
    if not path.exists():
        raise NotInitialisedError(f"no database at {path}", path=str(path))
    try:
        with path.open("rb") as f:
            head = f.read(len(_SQLITE_HEADER))
    except OSError as exc:
        raise StoreError(f"{path}: {exc}") from None
    if not head:
        raise NotInitialisedError(f"{path} is empty", path=str(path))
    if head != _SQLITE_HEADER:
        raise NotADatabaseError(f"{path}: file is not a database", path=str(path))


def _open_readonly(path: Path, cause: sqlite3.OperationalError) -> sqlite3.Connection:
    """The read-only fallback of :func:`open_desk`; re-raises *cause* when it fails too."""
    try:
        conn = connect_readonly(path)
    except sqlite3.Error:
        raise cause from None
    try:
        if pending_migrations(conn):
            raise ReadOnlyOutdatedError(f"{path}: {cause}")
    except BaseException:
        conn.close()
        raise
    return conn


def open_desk_conn(conn: sqlite3.Connection, clock: Clock | None = None) -> Desk:
    """Build a :class:`Desk` on an already migrated connection."""
    policy_text = meta.get(conn, "policy")
    policy = parse_policy(json.loads(policy_text)) if policy_text else load_policy()
    return Desk(
        conn=conn,
        policy=policy,
        clock=clock or SystemClock(),
        triage=policy.triage,
        store_code=meta.require(conn, "store_code"),
        desk_code=meta.require(conn, "desk_code"),
        store_name=meta.get(conn, "store_name") or "",
        device_id=meta.require(conn, "device_id"),
    )
