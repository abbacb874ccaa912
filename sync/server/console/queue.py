"""The chain's queue: filters from a query string to one indexed query on ``centre_tickets``.

The query string is the page's GET form: ``region, store, level, status, channel,
overdue=1, rung, number, page``. Without a status the queue lists open tickets in the
order of urgency: those still waiting for a first response first (the overdue ones, the
earliest due, lead), then by due time, then by level; the indexes
``centre_tickets_urgency`` (and its region's and store's forms, in
:mod:`sync.server.tables`) hold exactly that order, so a page is an index range read of
at most :data:`PAGE_SIZE` + 1 rows, whatever the table's size. A closed or final status
lists those tickets newest first (``centre_tickets_status``). There is no COUNT: one row
past the page says whether a next page exists, and pages stop at :data:`MAX_PAGE`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from domain.clock import format_time
from domain.fold import CLOSED_STATES, FINAL_STATES
from domain.lifecycle import FORWARD
from sync.server.tables import centre_tickets as ct

PAGE_SIZE = 50
MAX_PAGE = 200  # the queue is for working, not for reading the archive page by page
OPEN_STATUSES = tuple(FORWARD)
HISTORY_STATUSES = tuple(s for s in ("closed", "rated", "merged", "voided")
                         if s in CLOSED_STATES | FINAL_STATES)
STATUSES = OPEN_STATUSES + HISTORY_STATUSES
LEVELS = (1, 2, 3)
PARAMS = ("region", "store", "level", "status", "channel", "overdue", "rung", "number",
          "page")
_CODE_CHARS = 32
_NUMBER_CHARS = 64

# The urgency order; the same expression as the indexes' (tables.py).
_ANSWERED = ct.c.first_response_at.is_not(None)
URGENCY = (ct.c.open, _ANSWERED, ct.c.due_at, ct.c.level, ct.c.ticket_id)


@dataclass(frozen=True)
class Filters:
    """The queue's filters, as parsed from the query string (None: not filtered).

    ``errors`` are the message keys of values that could not be used (each is left out
    of the query and named on the page).
    """

    region: str | None = None
    store: str | None = None
    level: int | None = None
    status: str | None = None
    channel: str | None = None
    overdue: bool = False
    rung: int | None = None
    number: str | None = None
    page: int = 1
    errors: tuple[str, ...] = field(default=())

    def query(self, page: int | None = None) -> dict[str, str]:
        """The query string's parameters of these filters (on *page*)."""
        out: dict[str, str] = {}
        for name in ("region", "store", "level", "status", "channel", "rung", "number"):
            value = getattr(self, name)
            if value is not None:
                out[name] = str(value)
        if self.overdue:
            out["overdue"] = "1"
        wanted = self.page if page is None else page
        if wanted > 1:
            out["page"] = str(wanted)
        return out


def _text(params: Mapping[str, str], name: str, limit: int) -> str | None:
    value = (params.get(name) or "").strip()
    return value[:limit] or None


def _int(params: Mapping[str, str], name: str, allowed: range | tuple[int, ...],
         errors: list[str]) -> int | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    if raw.isdigit() and int(raw) in allowed:
        return int(raw)
    errors.append(f"queue.error.{name}")
    return None


def parse_filters(params: Mapping[str, str], channels: tuple[str, ...],
                  rungs: int) -> Filters:
    """The filters of a query string; a value that cannot be used is left out and named
    in ``errors`` (*channels*: the policy's; *rungs*: the escalation ladder's length)."""
    errors: list[str] = []
    status = _text(params, "status", _CODE_CHARS)
    if status is not None and status not in STATUSES:
        errors.append("queue.error.status")
        status = None
    channel = _text(params, "channel", _CODE_CHARS)
    if channel is not None and channel not in channels:
        errors.append("queue.error.channel")
        channel = None
    page_raw = (params.get("page") or "1").strip()
    page = int(page_raw) if page_raw.isdigit() and int(page_raw) >= 1 else 1
    if page_raw and page_raw != str(page):
        errors.append("queue.error.page")
    if page > MAX_PAGE:
        errors.append("queue.error.page")
        page = MAX_PAGE
    store = _text(params, "store", _CODE_CHARS)
    region = _text(params, "region", _CODE_CHARS)
    number = _text(params, "number", _NUMBER_CHARS)
    return Filters(
        region=region, store=store.upper() if store else None,
        level=_int(params, "level", LEVELS, errors), status=status, channel=channel,
        overdue=(params.get("overdue") or "") == "1",
        rung=_int(params, "rung", range(rungs), errors),
        number=number.upper() if number else None, page=page,
        errors=tuple(dict.fromkeys(errors)))


@dataclass(frozen=True)
class QueuePage:
    """One page of the queue: its rows (``centre_tickets`` columns) and whether more
    follow."""

    rows: list[dict[str, Any]]
    has_next: bool
    page: int


def conditions(filters: Filters, scope_region: str | None, now: datetime
               ) -> list[sa.ColumnElement[bool]]:
    """The WHERE clauses of *filters*; *scope_region*: a regional manager's own region
    (their queue never leaves it, whatever the form says)."""
    where: list[sa.ColumnElement[bool]] = []
    if scope_region is not None:
        where.append(ct.c.region == scope_region)
    if filters.region is not None:
        where.append(ct.c.region == filters.region)
    if filters.store is not None:
        where.append(ct.c.store == filters.store)
    if filters.status is not None:
        where.append(ct.c.status == filters.status)
    if filters.status is None or filters.status in OPEN_STATUSES:
        where.append(ct.c.open.is_(True))
    if filters.level is not None:
        where.append(ct.c.level == filters.level)
    if filters.channel is not None:
        where.append(ct.c.channel == filters.channel)
    if filters.rung is not None:
        where.append(ct.c.escalation_step == filters.rung)
    if filters.number is not None:
        where.append(ct.c.number == filters.number)
    if filters.overdue:
        where += [ct.c.open.is_(True), ct.c.first_response_at.is_(None),
                  ct.c.due_at < format_time(now)]
    return where


def read_page(conn: Connection, filters: Filters, scope_region: str | None,
              now: datetime | None = None) -> QueuePage:
    """The page of the queue *filters* ask for (see the module's docstring)."""
    now = now or datetime.now(UTC)
    history = filters.status in HISTORY_STATUSES and not filters.overdue
    order = (ct.c.created_at.desc(), ct.c.ticket_id.desc()) if history else URGENCY
    offset = (filters.page - 1) * PAGE_SIZE
    rows = [dict(r) for r in conn.execute(
        sa.select(ct).where(*conditions(filters, scope_region, now))
        .order_by(*order).offset(offset).limit(PAGE_SIZE + 1)).mappings()]
    return QueuePage(rows[:PAGE_SIZE], len(rows) > PAGE_SIZE, filters.page)


def is_overdue(row: Mapping[str, Any], now: datetime | None = None) -> bool:
    """Whether the queue row's response target passed with no first response (and the
    ticket is still open): the desks' rule (``desktop.response_clock``)."""
    now = now or datetime.now(UTC)
    return bool(row["open"]) and row["first_response_at"] is None \
        and str(row["due_at"]) <= format_time(now)


def escalated(conn: Connection, scope_region: str | None, per_rung: int = 50
              ) -> tuple[dict[tuple[str | None, int], int], list[dict[str, Any]]]:
    """The open tickets above the ladder's first rung: the count per (region, rung), and
    up to *per_rung* of each (region, rung), most overdue first (``centre_tickets_rung``)."""
    where = [ct.c.open.is_(True), ct.c.escalation_step > 0]
    if scope_region is not None:
        where.append(ct.c.region == scope_region)
    counts = {(r[0], int(r[1])): int(r[2]) for r in conn.execute(
        sa.select(ct.c.region, ct.c.escalation_step, sa.func.count())
        .where(*where).group_by(ct.c.region, ct.c.escalation_step))}
    rows: list[dict[str, Any]] = []
    for region, rung in sorted(counts, key=lambda k: (k[0] or "", k[1])):
        rows += [dict(r) for r in conn.execute(
            sa.select(ct).where(ct.c.open.is_(True), ct.c.escalation_step == rung,
                                ct.c.region.is_(None) if region is None
                                else ct.c.region == region)
            .order_by(ct.c.due_at, ct.c.level).limit(per_rung)).mappings()]
    return counts, rows
