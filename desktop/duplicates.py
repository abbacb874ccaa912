"""Likely duplicates of a new complaint at the desk: the desk's candidate rows, read from
its own database, judged by the one rule in :mod:`domain.duplicates`."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from domain.duplicates import (
    EXCLUDED_STATUSES,
    MAX_OFFERED,
    MAX_TEXT_CANDIDATES,
    Earlier,
    customer_since,
    likely_duplicates,
    text_since,
)
from domain.policy import DuplicatePolicy

__all__ = ["MAX_OFFERED", "MAX_TEXT_CANDIDATES", "DuplicateCandidate", "find_duplicates"]

_LIVE = f"status NOT IN ({', '.join('?' for _ in EXCLUDED_STATUSES)})"
_COLUMNS = "id, number, text, subcategory, created_at, customer_phone, status"


@dataclass(frozen=True)
class DuplicateCandidate:
    """An earlier ticket that the new complaint may repeat."""

    ticket_id: str
    number: str
    reason: str  # "same_customer" or "similar_text"
    similarity: float

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "id": self.ticket_id,
            "number": self.number,
            "reason": self.reason,
            "similarity": round(self.similarity, 3),
        }


def _earlier(row: sqlite3.Row) -> Earlier:
    return Earlier(ticket_id=row["id"], number=row["number"], text=row["text"],
                   subcategory=row["subcategory"], created_at=row["created_at"],
                   phone=row["customer_phone"], status=row["status"])


def find_duplicates(
    conn: sqlite3.Connection,
    policy: DuplicatePolicy,
    *,
    now: datetime,
    text: str,
    subcategory: str,
    phone: str | None,
) -> list[DuplicateCandidate]:
    """Tickets that the complaint probably repeats, most likely first.

    Two bounded reads (the customer's tickets of the subcategory in the same-customer
    window; the newest tickets of the subcategory in the text window), then
    :func:`domain.duplicates.likely_duplicates` decides.
    """
    rows: list[Earlier] = []
    if phone:
        rows += [_earlier(r) for r in conn.execute(
            f"SELECT {_COLUMNS} FROM tickets WHERE customer_phone = ? AND subcategory = ? "
            f"AND created_at >= ? AND {_LIVE} ORDER BY created_at DESC",
            (phone, subcategory, customer_since(policy, now), *EXCLUDED_STATUSES))]
    rows += [_earlier(r) for r in conn.execute(
        f"SELECT {_COLUMNS} FROM tickets WHERE subcategory = ? AND created_at >= ? "
        f"AND {_LIVE} ORDER BY created_at DESC LIMIT ?",
        (subcategory, text_since(policy, now), *EXCLUDED_STATUSES, MAX_TEXT_CANDIDATES))]
    found = likely_duplicates(rows, policy, now=now, text=text, subcategory=subcategory,
                              phone=phone)
    return [DuplicateCandidate(d.ticket.ticket_id, d.ticket.number, d.reason, d.similarity)
            for d in found]
