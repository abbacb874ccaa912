"""What the desk already knows when a complaint comes in: the customer's earlier tickets
and past tickets like this one, with how they were resolved.

Both are reads for the intake form, run on the GUI thread's connection while staff
type, so every query is bounded and uses an index: the customer's tickets by phone
(``tickets_by_phone``), the candidates for "similar" by subcategory and time
(``tickets_by_subcategory``), and events and compensations by ticket.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from desktop.desk import Desk
from domain.clock import format_time
from domain.phones import normalise_phone
from domain.similarity import text_similarity
from local_db.search import search

# Statuses a ticket is still being worked on in (not closed, rated, merged or voided).
OPEN_STATES = ("accepted", "rectifying", "reviewing", "accountability")
RESOLVED_STATES = ("closed", "rated")
# The newest resolved tickets of a subcategory compared with the new text. Bounded so
# the panel stays fast on a store with hundreds of thousands of tickets; the full-text
# index adds older matches that share words with the new text.
MAX_RECENT_CANDIDATES = 400
MAX_SEARCH_CANDIDATES = 200
# Below this Dice score two complaints of the same subcategory have little in common
# beyond the subcategory's usual words.
MIN_SIMILARITY = 0.2


@dataclass(frozen=True)
class PastTicket:
    """One earlier ticket of a customer, as the history list shows it."""

    ticket_id: str
    number: str
    created_at: str
    status: str
    category: str
    subcategory: str
    level: int
    rating: int | None
    granted_fen: int  # compensation granted on this ticket


@dataclass(frozen=True)
class CustomerHistory:
    """A customer's earlier tickets (newest first, at most *limit*) and totals."""

    phone: str
    tickets: tuple[PastTicket, ...]
    count: int  # all tickets of the phone, not only the ones listed
    open_count: int
    granted_fen_window: int  # granted to the phone within the policy window
    grants_in_window: int
    window_days: int


@dataclass(frozen=True)
class GrantedCompensation:
    """A compensation line that was granted."""

    kind: str
    amount_fen: int


@dataclass(frozen=True)
class Accountability:
    """The reward/penalty outcome recorded when the ticket was closed."""

    outcome: str  # reward | penalty | none
    subject: str
    note: str


@dataclass(frozen=True)
class ResolvedTicket:
    """A past, resolved ticket similar to a new complaint, with how it was resolved."""

    ticket_id: str
    number: str
    created_at: str
    closed_at: str | None
    status: str
    subcategory: str
    level: int
    text: str
    similarity: float
    resolution: str | None  # the closing note, else the last note or contact
    accountability: Accountability | None
    compensations: tuple[GrantedCompensation, ...]
    rating: int | None
    rating_comment: str | None


def customer_history(desk: Desk, phone: str, limit: int = 20) -> CustomerHistory:
    """The earlier tickets of the customer with *phone*, newest first, and totals.

    *phone* may be typed as staff type it (spaces, +86); a phone that is not a phone
    raises :class:`~domain.errors.InvalidInput`. Voided tickets (entered in error) are
    left out; merged ones are listed but not counted as open.
    """
    digits = normalise_phone(phone)
    if digits is None:
        return CustomerHistory("", (), 0, 0, 0, 0, desk.policy.compensation.customer_window_days)
    conn = desk.conn
    rows = conn.execute(
        "SELECT t.id, t.number, t.created_at, t.status, t.category, t.subcategory, t.level, "
        "t.rating, (SELECT coalesce(sum(c.amount_fen), 0) FROM compensations c "
        "WHERE c.ticket_id = t.id AND c.status = 'granted') AS granted "
        "FROM tickets t WHERE t.customer_phone = ? AND t.status != 'voided' "
        "ORDER BY t.created_at DESC, t.rid DESC LIMIT ?",
        (digits, max(0, limit)),
    ).fetchall()
    tickets = tuple(
        PastTicket(r["id"], r["number"], r["created_at"], r["status"], r["category"],
                   r["subcategory"], int(r["level"]), r["rating"], int(r["granted"]))
        for r in rows
    )
    placeholders = ",".join("?" * len(OPEN_STATES))
    totals = conn.execute(
        "SELECT count(*), coalesce(sum(status IN (" + placeholders + ")), 0) FROM tickets "
        "WHERE customer_phone = ? AND status != 'voided'",
        (*OPEN_STATES, digits),
    ).fetchone()
    days = desk.policy.compensation.customer_window_days
    since = format_time(desk.now() - timedelta(days=days))
    granted = conn.execute(
        "SELECT count(*), coalesce(sum(amount_fen), 0) FROM compensations "
        "WHERE customer_phone = ? AND status = 'granted' AND created_at >= ?",
        (digits, since),
    ).fetchone()
    return CustomerHistory(
        phone=digits, tickets=tickets, count=int(totals[0]), open_count=int(totals[1]),
        granted_fen_window=int(granted[1]), grants_in_window=int(granted[0]),
        window_days=days,
    )


def _candidates(desk: Desk, text: str, subcategory: str) -> dict[str, Any]:
    """Resolved tickets of *subcategory* worth comparing: the newest ones, plus older
    ones the search index finds by the new text's longest word runs."""
    conn = desk.conn
    found: dict[str, Any] = {}
    placeholders = ",".join("?" * len(RESOLVED_STATES))
    for row in conn.execute(
        "SELECT rid, id, number, text, created_at, closed_at, status, subcategory, level, "
        "rating FROM tickets WHERE subcategory = ? AND status IN (" + placeholders + ") "
        "ORDER BY created_at DESC LIMIT ?",
        (subcategory, *RESOLVED_STATES, MAX_RECENT_CANDIDATES),
    ):
        found[row["id"]] = row
    rids = [hit.rid for term in _search_terms(text)
            for hit in search(conn, term, limit=MAX_SEARCH_CANDIDATES)]
    for start in range(0, len(rids), 500):
        chunk = rids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(
            "SELECT rid, id, number, text, created_at, closed_at, status, subcategory, level, "
            "rating FROM tickets WHERE rid IN (" + marks + ") AND subcategory = ? "
            "AND status IN (" + placeholders + ")",
            (*chunk, subcategory, *RESOLVED_STATES),
        ):
            found.setdefault(row["id"], row)
    return found


def _search_terms(text: str, count: int = 2) -> list[str]:
    """The few longest runs of letters in *text*, as single search terms.

    A whole complaint as one query would need every word to match; a couple of its
    longest phrases (4 characters is enough to be specific) find older tickets that
    tell the same story without scanning the subcategory.
    """
    runs: list[str] = []
    current: list[str] = []
    for ch in text:
        if ch.isalnum():
            current.append(ch)
        else:
            if current:
                runs.append("".join(current))
            current = []
    if current:
        runs.append("".join(current))
    runs = [r[:6] for r in runs if len(r) >= 4]
    runs.sort(key=len, reverse=True)
    return runs[:count]


def similar_resolved(desk: Desk, text: str, subcategory: str, limit: int = 5,
                     min_similarity: float = MIN_SIMILARITY) -> list[ResolvedTicket]:
    """Closed or rated tickets of *subcategory* whose text resembles *text*, most
    similar first, each with how it was resolved."""
    if not text.strip() or limit <= 0:
        return []
    scored = []
    for row in _candidates(desk, text, subcategory).values():
        score = text_similarity(text, row["text"])
        if score >= min_similarity:
            scored.append((score, row))
    scored.sort(key=lambda pair: (pair[0], pair[1]["created_at"]), reverse=True)
    return [_resolved(desk, row, score) for score, row in scored[:limit]]


def _resolved(desk: Desk, row: Any, score: float) -> ResolvedTicket:
    conn = desk.conn
    closing_note: str | None = None
    last_note: str | None = None
    accountability: Accountability | None = None
    comment: str | None = None
    for event_type, payload_text in conn.execute(
        "SELECT type, payload FROM events WHERE ticket_id = ? ORDER BY hlc, device_id",
        (row["id"],),
    ):
        payload = json.loads(payload_text)
        if event_type in ("note_added", "customer_contacted"):
            last_note = payload.get("text") or last_note
        elif event_type == "status_changed":
            last_note = payload.get("note") or last_note
            if payload.get("to") == "closed":
                closing_note = payload.get("note") or None
                acc = payload.get("accountability")
                if isinstance(acc, dict):
                    accountability = Accountability(
                        str(acc.get("outcome") or "none"), str(acc.get("subject") or ""),
                        str(acc.get("note") or ""))
            elif payload.get("reopen"):
                # Reopened: what closed it before did not satisfy the customer.
                closing_note, accountability, comment = None, None, None
        elif event_type == "rated":
            comment = payload.get("comment") or None
    grants = tuple(
        GrantedCompensation(str(kind), int(amount))
        for kind, amount in conn.execute(
            "SELECT kind, amount_fen FROM compensations WHERE ticket_id = ? "
            "AND status = 'granted' ORDER BY created_at",
            (row["id"],),
        )
    )
    return ResolvedTicket(
        ticket_id=row["id"], number=row["number"], created_at=row["created_at"],
        closed_at=row["closed_at"], status=row["status"], subcategory=row["subcategory"],
        level=int(row["level"]), text=row["text"], similarity=score,
        resolution=closing_note or last_note, accountability=accountability,
        compensations=grants, rating=row["rating"], rating_comment=comment,
    )
