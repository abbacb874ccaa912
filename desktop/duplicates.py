"""Likely duplicates of a new complaint: same customer and subcategory, or near-identical text."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.clock import format_time
from domain.policy import DuplicatePolicy
from domain.similarity import text_similarity

# Near-identical complaints triage to the same subcategory, so only those are compared;
# the cap keeps a save fast even on the busiest day of a busy store.
MAX_TEXT_CANDIDATES = 300
# Staff read the list; more than this is noise, and each one is stored in the event.
MAX_OFFERED = 10


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


def find_duplicates(
    conn: sqlite3.Connection,
    policy: DuplicatePolicy,
    *,
    now: datetime,
    text: str,
    subcategory: str,
    phone: str | None,
) -> list[DuplicateCandidate]:
    """Tickets that the complaint probably repeats, most likely first."""
    found: dict[str, DuplicateCandidate] = {}
    if phone:
        since = format_time(now - timedelta(hours=policy.same_customer_window_hours))
        for row in conn.execute(
            "SELECT id, number, text FROM tickets WHERE customer_phone = ? AND subcategory = ? "
            "AND created_at >= ? AND status NOT IN ('voided', 'merged') "
            "ORDER BY created_at DESC",
            (phone, subcategory, since),
        ):
            found[row["id"]] = DuplicateCandidate(
                row["id"], row["number"], "same_customer", text_similarity(text, row["text"])
            )
    since = format_time(now - timedelta(hours=policy.text_window_hours))
    for row in conn.execute(
        "SELECT id, number, text FROM tickets WHERE subcategory = ? AND created_at >= ? "
        "AND status NOT IN ('voided', 'merged') ORDER BY created_at DESC LIMIT ?",
        (subcategory, since, MAX_TEXT_CANDIDATES),
    ):
        if row["id"] in found:
            continue
        score = text_similarity(text, row["text"])
        if score >= policy.text_similarity_threshold:
            found[row["id"]] = DuplicateCandidate(row["id"], row["number"], "similar_text", score)
    ranked = sorted(found.values(), key=lambda c: (c.reason != "same_customer", -c.similarity))
    return ranked[:MAX_OFFERED]
