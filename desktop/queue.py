"""The ticket queue: which tickets a filter selects, in which order, a page at a time.

Plain SQL over the ``tickets`` projection for the desk's queue view (``ui/queue_model.py``).
Every query is answered from an index (migration ``m004_queue_indexes``): the open
tickets have a partial covering index in creation order, every status another covering
index, so a filter change plus the first page stays far below 100 ms on 200,000 tickets
(``bench/ui_queue_filter.py``). A page is read in two steps: the page's row ids from the
index alone, then those rows; sorting whole rows would read the table for every match.

Overdue follows the response clock (``desktop.response_clock`` / ``ticket_actions.escalate_due``):
no first response yet, the due time has come, and the ticket is still open. Follow-up
overdue (domain.md: a follow-up call is due within a day of closing) is a separate
filter: closed, not yet rated, and closed longer ago than the policy allows.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from desktop.response_clock import NOT_RESPONDED_BY_SQL
from domain.clock import parse_time
from domain.errors import InvalidInput
from domain.fold import CLOSED_STATES, FINAL_STATES
from domain.lifecycle import OPEN_STATES, STATES
from domain.phones import mask_phone, normalise_phone
from local_db.search import build_match

# The literal status list of the partial index ``tickets_open``: SQLite only uses a
# partial index when the query repeats its WHERE term exactly, so both are built here.
OPEN_ORDER = ("accepted", "rectifying", "reviewing", "accountability")
OPEN_SQL = "status IN ('accepted','rectifying','reviewing','accountability')"
assert frozenset(OPEN_ORDER) == OPEN_STATES

# Sortable columns (the model's header keys) and the SQL they sort by.
SORT_COLUMNS: dict[str, str] = {
    "created_at": "created_at",
    # Numbers are issued in creation order; sorting them is sorting by creation, and
    # creation order is in every queue index.
    "number": "created_at",
    "level": "level",
    "status": "status",
    "category": "category",
    "channel": "channel",
    "handler": "handler",
    "due_at": "due_at",
}

# The urgency order (the queue opens in it): overdue first, the most overdue first; then by
# level; then the tickets still waiting for a first response by the time left; then the
# rest. Not a column of SORT_COLUMNS: it needs the time "now" as a parameter. Every term
# is in the queue indexes, so the order is computed from the index alone.
URGENCY = "urgency"
_WAITING = f"(first_response_at IS NULL AND {OPEN_SQL})"
_OVERDUE = f"({_WAITING} AND due_at <= ?)"
_URGENCY_TERMS = (f"CASE WHEN {_OVERDUE} THEN 0 ELSE 1 END",
                  f"CASE WHEN {_OVERDUE} THEN due_at END",
                  "level", f"CASE WHEN {_WAITING} THEN 0 ELSE 1 END", "due_at")

# The columns a QueueRow is read from (queue_row), in order; the report's drill-down lists
# its tickets with the same rows.
ROW_COLUMNS = (
    "rid, id, number, level, status, category, subcategory, channel, text, "
    "customer_phone, handler, created_by, created_at, due_at, first_response_at, closed_at, "
    "conflict"
)
_NUMBER = re.compile(r"^[A-Za-z0-9]+-[A-Za-z0-9]+-\d{8}-\d{4}$")


def _phone(text: str) -> str | None:
    """*text* as a stored phone number when it is one, else None (then it is searched)."""
    try:
        return normalise_phone(text)
    except InvalidInput:
        return None


@dataclass(frozen=True)
class QueueFilter:
    """Which tickets the queue shows.

    ``statuses`` empty means the open tickets (受理 to 奖惩); ``all_statuses`` shows every
    ticket whatever its status. ``mine`` is a staff id: tickets they handle, and those they
    recorded that nobody handles yet.
    ``text`` searches the complaint text (1- and 2-character Chinese terms work), or, when
    it is a whole ticket number or phone number, that number.
    """

    statuses: frozenset[str] = frozenset()
    all_statuses: bool = False
    level: int | None = None
    channel: str | None = None
    overdue: bool = False
    followup_overdue: bool = False
    mine: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class QueueSort:
    """The order of the queue: a key of :data:`SORT_COLUMNS` (or :data:`URGENCY`) and its
    direction (ascending urgency: the most urgent first)."""

    column: str = "created_at"
    ascending: bool = False


@dataclass(frozen=True)
class QueueRow:
    """What one line of the queue shows. ``text`` is the full complaint (for tooltips)."""

    rid: int
    id: str
    number: str
    level: int
    status: str
    category: str
    subcategory: str
    channel: str
    text: str
    # The stored number; what the queue shows of it is the policy's (domain.privacy).
    phone: str | None
    handler: str | None
    created_by: str
    created_at: str
    due_at: str
    first_response_at: str | None
    closed_at: str | None
    conflict: bool

    @property
    def phone_masked(self) -> str | None:
        """The number masked (138****5678), as shown wherever the policy masks it."""
        return mask_phone(self.phone)

    @property
    def preview(self) -> str:
        """The text on one line, shortened for the table."""
        flat = " ".join(self.text.split())
        return flat if len(flat) <= 40 else flat[:39] + "…"

    def waiting(self) -> bool:
        """The response clock runs: no first response and the ticket is still open."""
        return self.first_response_at is None and self.status not in (
            FINAL_STATES | CLOSED_STATES
        )

    def overdue(self, now: datetime) -> bool:
        """The response target passed with no first response (as ``response_status``)."""
        return self.waiting() and now >= parse_time(self.due_at)

    def seconds_to_due(self, now: datetime) -> int:
        """Seconds until the response target (negative once passed)."""
        return int((parse_time(self.due_at) - now).total_seconds())


def _fmt(moment: datetime) -> str:
    # Stored times are UTC with milliseconds and "Z"; comparing text needs the same form.
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _where(f: QueueFilter, now: datetime, followup_hours: int) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if f.all_statuses:
        pass
    elif f.statuses:
        unknown = f.statuses - frozenset(STATES)
        if unknown:
            raise ValueError(f"unknown status: {', '.join(sorted(unknown))}")
        if f.statuses == OPEN_STATES:
            clauses.append(OPEN_SQL)
        else:
            ordered = sorted(f.statuses)
            clauses.append(f"status IN ({', '.join('?' for _ in ordered)})")
            params.extend(ordered)
    else:
        clauses.append(OPEN_SQL)
    if f.level is not None:
        clauses.append("level = ?")
        params.append(f.level)
    if f.channel is not None:
        clauses.append("channel = ?")
        params.append(f.channel)
    if f.overdue:
        # The open states are exactly "not closed, rated, merged or voided"; spelled as
        # the partial index's term so that index answers it.
        if OPEN_SQL not in clauses:
            clauses.append(OPEN_SQL)
        clauses.append(NOT_RESPONDED_BY_SQL)
        params.append(_fmt(now))
    if f.followup_overdue:
        clauses.append("status = 'closed' AND closed_at <= ?")
        params.append(_fmt(now - timedelta(hours=followup_hours)))
    if f.mine is not None:
        # Handed to a colleague, a ticket is theirs, even if I recorded it.
        clauses.append("(handler = ? OR (handler IS NULL AND created_by = ?))")
        params.extend([f.mine, f.mine])
    text = (f.text or "").strip()
    if text:
        if _NUMBER.match(text):
            clauses.append("number = ?")
            params.append(text.upper())
        elif (phone := _phone(text)) is not None:
            clauses.append("customer_phone = ?")
            params.append(phone)
        else:
            match = build_match(text)
            if not match:
                clauses.append("0")
            else:
                clauses.append("rid IN (SELECT rowid FROM ticket_search "
                               "WHERE ticket_search MATCH ?)")
                params.append(match)
    return (" AND ".join(clauses) or "1"), params


def _source(where: str) -> str:
    # Without ANALYZE statistics SQLite prefers the status index with a due_at range
    # (reading the table for every open ticket) over the partial covering index; name it.
    return "tickets INDEXED BY tickets_open" if OPEN_SQL in where else "tickets"


def count_queue(conn: sqlite3.Connection, f: QueueFilter, now: datetime,
                *, followup_hours: int = 24) -> int:
    """How many tickets *f* selects at *now*."""
    where, params = _where(f, now, followup_hours)
    return int(conn.execute(f"SELECT count(*) FROM {_source(where)} WHERE {where}", params)
               .fetchone()[0])


def fetch_queue(conn: sqlite3.Connection, f: QueueFilter, sort: QueueSort, now: datetime,
                offset: int = 0, limit: int = 200,
                *, followup_hours: int = 24) -> list[QueueRow]:
    """The rows *offset* .. *offset + limit* of the queue selected by *f*, in *sort* order.

    Ties are broken by the row id (newer first when descending), so pages never overlap.
    """
    if sort.column not in SORT_COLUMNS and sort.column != URGENCY:
        raise ValueError(f"cannot sort by {sort.column!r}")
    if limit <= 0:
        return []
    where, params = _where(f, now, followup_hours)
    direction = "ASC" if sort.ascending else "DESC"
    if sort.column == URGENCY:
        order = ", ".join(f"{term} {direction}" for term in _URGENCY_TERMS)
        order_params: list[Any] = [_fmt(now), _fmt(now)]
    else:
        order, order_params = f"{SORT_COLUMNS[sort.column]} {direction}", []
    rids = [r[0] for r in conn.execute(
        f"SELECT rid FROM {_source(where)} WHERE {where} "
        f"ORDER BY {order}, rid {direction} LIMIT ? OFFSET ?",
        [*params, *order_params, limit, max(0, offset)],
    )]
    if not rids:
        return []
    by_rid = {
        row[0]: row
        for row in conn.execute(
            f"SELECT {ROW_COLUMNS} FROM tickets WHERE rid IN ({', '.join('?' for _ in rids)})",
            rids,
        )
    }
    return [queue_row(by_rid[rid]) for rid in rids if rid in by_rid]


def queue_row(r: Any) -> QueueRow:
    """A QueueRow from a row of :data:`ROW_COLUMNS`."""
    return QueueRow(
        rid=int(r[0]), id=r[1], number=r[2], level=int(r[3]), status=r[4], category=r[5],
        subcategory=r[6], channel=r[7], text=r[8], phone=r[9],
        handler=r[10], created_by=r[11], created_at=r[12], due_at=r[13],
        first_response_at=r[14], closed_at=r[15], conflict=bool(r[16]),
    )


def staff_names(conn: sqlite3.Connection) -> dict[str, str]:
    """Staff id → name, for the handler column (the staff table is small)."""
    return {str(r[0]): str(r[1]) for r in conn.execute("SELECT id, name FROM staff")}
