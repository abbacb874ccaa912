"""The centre's product alerts as the desk holds them (pulled by
:mod:`desktop.desk_sync.alerts_pull`): the open ones, for the desk's attention strip.

Every store receives every alert (the centre has no assortment data): staff check their
shelves for the product, or ignore an alert for a product the store does not sell.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class ProductAlert:
    """An open alert: the product, and how many stores and tickets in how many days."""

    id: int
    label: str
    days: int
    store_count: int
    tickets: int
    raised_at: str


def open_alerts(conn: sqlite3.Connection, limit: int = 20) -> list[ProductAlert]:
    """The open product alerts, newest first (at most *limit*)."""
    return [ProductAlert(int(r[0]), str(r[1]), int(r[2]), int(r[3]), int(r[4]), str(r[5]))
            for r in conn.execute(
                "SELECT id, label, days, store_count, tickets, raised_at FROM product_alerts "
                "WHERE status = 'open' ORDER BY raised_at DESC, id DESC LIMIT ?", (limit,))]
