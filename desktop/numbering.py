"""Human-readable ticket numbers, unique per desk without a network.

``XT01-D2-20261122-0007``: store code, desk code, the store's local date, daily counter.
Sync identifies records by UUID; this number is for people and receipts.
"""

from __future__ import annotations

import sqlite3

from domain.event_schema import CODE_RE


def valid_code(code: str) -> bool:
    """Store and desk codes: 1–8 capital letters or digits."""
    return bool(CODE_RE.search(code))


def next_number(conn: sqlite3.Connection, store: str, desk: str, store_day: str) -> str:
    """Reserve the next number of *store_day* (``YYYYMMDD``). Call inside the write transaction.

    Skips a number a ticket on this desk already holds: one pulled from a desk that
    numbered with the same codes before enrolment bound each desk code to one device,
    or from the device this desk replaced.
    """
    while True:
        row = conn.execute(
            "INSERT INTO ticket_counters(store_day, last) VALUES (?, 1) "
            "ON CONFLICT(store_day) DO UPDATE SET last = last + 1 RETURNING last",
            (store_day,),
        ).fetchone()
        number = f"{store}-{desk}-{store_day}-{int(row[0]):04d}"
        if conn.execute("SELECT 1 FROM tickets WHERE number = ?", (number,)).fetchone() is None:
            return number
