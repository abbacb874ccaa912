"""What the console's alerts page reads: product alerts in a person's scope, their
stores and tickets, and the watch terms' daily counts.

Every read is bounded and indexed: the open alerts and the recent closed ones (at most
:data:`LIMIT` each, by ``product_alerts_status``), a regional manager's through
``stores_by_region`` and ``product_alert_stores_store`` (the master data's region, so a
store moved to another region takes its alerts along); an alert's tickets are that
product's mentions since the alert's first one (``alert_tickets_product``), at most
:data:`TICKETS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.server import watch_terms
from sync.server.console.auth import Principal
from sync.server.tables import (
    alert_tickets,
    centre_tickets,
    product_alert_stores,
    product_alerts,
    stores,
)

LIMIT = 50
TICKETS = 200
DAYS = 14


@dataclass(frozen=True)
class AlertStore:
    """A store an alert names, with its tickets in the alert."""

    code: str
    name: str
    tickets: int


@dataclass(frozen=True)
class AlertRow:
    """A product alert as a person sees it: the stores in their scope only."""

    id: int
    label: str
    product_key: str
    store_count: int  # every store, in or out of scope
    tickets: int
    first_at: str
    last_at: str
    raised_at: str
    status: str
    closed_at: str | None
    closed_by: str | None
    stores: tuple[AlertStore, ...]


def _in_scope(principal: Principal) -> sa.ColumnElement[bool] | None:
    if principal.role != "regional":
        return None
    return product_alerts.c.id.in_(
        sa.select(product_alert_stores.c.alert_id)
        .where(product_alert_stores.c.store.in_(
            sa.select(stores.c.code).where(stores.c.region == principal.region))))


def _rows(conn: Connection, principal: Principal, query: sa.Select[tuple[object, ...]]
          ) -> list[AlertRow]:
    scope = _in_scope(principal)
    if scope is not None:
        query = query.where(scope)
    found = conn.execute(query).mappings().all()
    ids = [int(r["id"]) for r in found]
    named: dict[int, list[AlertStore]] = {}
    if ids:
        s = product_alert_stores.c
        store_query = (sa.select(s.alert_id, s.store, s.tickets, stores.c.name)
                       .select_from(product_alert_stores.outerjoin(
                           stores, stores.c.code == s.store))
                       .where(s.alert_id.in_(ids)).order_by(s.alert_id, s.store))
        if principal.role == "regional":
            store_query = store_query.where(stores.c.region == principal.region)
        for alert_id, code, tickets, name in conn.execute(store_query):
            named.setdefault(int(alert_id), []).append(
                AlertStore(str(code), str(name or ""), int(tickets)))
    return [AlertRow(int(r["id"]), str(r["label"]), str(r["product_key"]),
                     int(r["store_count"]), int(r["tickets"]), str(r["first_at"]),
                     str(r["last_at"]), str(r["raised_at"]), str(r["status"]),
                     r["closed_at"], r["closed_by"], tuple(named.get(int(r["id"]), ())))
            for r in found]


def open_and_recent(conn: Connection, principal: Principal
                    ) -> tuple[list[AlertRow], list[AlertRow]]:
    """The open alerts (newest mention first) and the recently closed ones."""
    a = product_alerts.c
    open_rows = _rows(conn, principal, sa.select(product_alerts).where(a.status == "open")
                      .order_by(a.last_at.desc()).limit(LIMIT))
    closed = _rows(conn, principal, sa.select(product_alerts).where(a.status == "closed")
                   .order_by(a.last_at.desc()).limit(LIMIT))
    return open_rows, closed


def one(conn: Connection, principal: Principal, alert_id: int) -> AlertRow | None:
    """The alert *alert_id*; None when there is none in *principal*'s scope."""
    found = _rows(conn, principal, sa.select(product_alerts)
                  .where(product_alerts.c.id == alert_id))
    return found[0] if found else None


@dataclass(frozen=True)
class AlertTicket:
    """A ticket behind an alert."""

    ticket_id: str
    number: str
    store: str
    created_at: str
    status: str
    text: str


def tickets_of(conn: Connection, principal: Principal, alert: AlertRow) -> list[AlertTicket]:
    """The live tickets of the alert's product from its first mention on (in scope)."""
    m, t = alert_tickets.c, centre_tickets.c
    query = (sa.select(m.ticket_id, t.number, m.store, m.created_at, t.status, t.text)
             .select_from(alert_tickets.join(centre_tickets, t.ticket_id == m.ticket_id))
             .where(m.product_key == alert.product_key, m.live.is_(True),
                    m.created_at >= alert.first_at)
             .order_by(m.created_at).limit(TICKETS))
    if principal.role == "regional":
        query = query.where(t.region == principal.region)
    return [AlertTicket(str(a), str(b), str(c), str(d), str(e), str(f))
            for a, b, c, d, e, f in conn.execute(query)]


@dataclass(frozen=True)
class TermDay:
    """One day of a term: its count (in scope) and whether the chain's alert fired."""

    day: str
    tickets: int
    bar: int  # 0..10, the height class of the day's bar
    alerted: bool


@dataclass(frozen=True)
class TermRow:
    """A watch term with its last :data:`DAYS` days."""

    term: watch_terms.Term
    days: tuple[TermDay, ...]
    alerts: int


def term_rows(conn: Connection, principal: Principal, today: date) -> list[TermRow]:
    """Every term (active first) with its daily counts over the last :data:`DAYS` days:
    the chain's for headquarters, the region's stores' for a regional manager."""
    terms = sorted(watch_terms.list_terms(conn), key=lambda t: (not t.active, -t.id))
    ids = [t.id for t in terms]
    codes: Sequence[str] | None = principal.store_codes(conn)
    counts = watch_terms.daily_counts(conn, ids, today, DAYS, codes)
    days = [date.fromordinal(today.toordinal() - i).isoformat()
            for i in range(DAYS - 1, -1, -1)]
    fired = watch_terms.alerts_of(conn, ids, days[0])
    out = []
    for term in terms:
        per_day = counts.get(term.id, {})
        top = max([term.daily_threshold + 1, *per_day.values()])
        out.append(TermRow(term, tuple(
            TermDay(d, per_day.get(d, 0), round(10 * per_day.get(d, 0) / top),
                    d in fired.get(term.id, {})) for d in days),
            len(fired.get(term.id, {}))))
    return out


def today_in(zone: str) -> date:
    """Today's date in *zone*."""
    from zoneinfo import ZoneInfo
    return datetime.now(UTC).astimezone(ZoneInfo(zone)).date()
