"""The tickets behind a figure of the chain's reports (drill-down), read from the projection.

A figure's :class:`~domain.reports.model.Drill` (its period and filters, ``DRILL_KEYS``)
names the tickets it counted; here the same filters are spelled on ``centre_tickets``
the way ``report_days`` and ``chain_report`` count (store days, counted tickets, the
projection's product key), so a figure's number and its list agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from domain.clock import format_time
from domain.fold import CLOSED_STATES, FINAL_STATES
from domain.reports.model import DRILL_KEYS, Drill
from sync.server.console.chain_report import Scope, in_scope, overdue_where
from sync.server.tables import centre_compensations, centre_tickets

_T = centre_tickets.c
_C = centre_compensations.c
_EQUAL = {"category": _T.category, "subcategory": _T.subcategory, "channel": _T.channel}
LIMIT = 500


def _truthy(value: object) -> bool:
    return value is True or str(value).lower() in ("1", "true", "yes")


def where(scope: Scope, drill: Drill, now: datetime) -> sa.ColumnElement[bool]:
    """The projection rows behind *drill* in *scope*; ValueError for an unknown filter or
    a value of the wrong kind."""
    filters: Mapping[str, Any] = drill.as_dict()
    unknown = set(filters) - set(DRILL_KEYS)
    if unknown:
        raise ValueError(f"unknown drill filter: {', '.join(sorted(unknown))}")
    p = drill.period
    in_days = _T.store_day.between(p.first_day.isoformat(), p.last_day.isoformat())
    clauses: list[sa.ColumnElement[bool]] = []
    comp = {k: v for k, v in filters.items() if k.startswith("compensation_")}
    if _truthy(filters.get("overdue_now", False)):
        clauses.append(overdue_where(scope, now))
    elif comp:
        lines = [_C.store_day.between(p.first_day.isoformat(), p.last_day.isoformat()),
                 in_scope(scope, centre_compensations)]
        for key, value in comp.items():
            if key == "compensation_kind":
                lines.append(_C.kind == str(value))
            elif key == "compensation_status":
                lines.append(_C.status == str(value))
            else:  # "<store>/<staff id>": staff ids are a store's own
                store, _, staff = str(value).partition("/")
                lines += [_C.store == store, _C.requested_by == staff]
        clauses.append(_T.ticket_id.in_(sa.select(_C.ticket_id).where(*lines)))
    else:
        clauses += [in_days, _T.status.not_in(sorted(FINAL_STATES))]
    clauses.append(in_scope(scope, centre_tickets))
    now_text = format_time(now)
    closed = _T.status.in_(sorted(CLOSED_STATES))
    for key, value in filters.items():
        if key in _EQUAL:
            clauses.append(_EQUAL[key] == str(value))
        elif key == "level":
            clauses.append(_T.level == int(value))
        elif key == "day":
            clauses.append(_T.store_day == str(value))
        elif key == "responded_in_time":
            if _truthy(value):
                clauses.append(sa.and_(_T.first_response_at.is_not(None),
                                       _T.first_response_at <= _T.due_at))
            else:
                clauses.append(sa.or_(_T.first_response_at > _T.due_at, sa.and_(
                    _T.first_response_at.is_(None), _T.due_at <= now_text)))
        elif key == "resolved":
            clauses.append(closed if _truthy(value) else ~closed)
        elif key == "reopened":
            clauses.append(_T.reopen_count > 0 if _truthy(value) else _T.reopen_count == 0)
        elif key == "rated":
            clauses.append(_T.rating.is_not(None) if _truthy(value) else _T.rating.is_(None))
        elif key == "first_contact":
            fcr = sa.and_(_T.first_contact.is_(True), _T.reopen_count == 0)
            clauses.append(fcr if _truthy(value) else ~fcr)
        elif key == "product":
            clauses.append(_T.product_key == str(value))
    return sa.and_(*clauses)


def tickets_behind(conn: Connection, scope: Scope, drill: Drill, now: datetime, *,
                   limit: int = LIMIT) -> tuple[list[dict[str, Any]], int]:
    """The tickets behind *drill* (newest first, at most *limit*) and how many there are."""
    condition = where(scope, drill, now)
    total = int(conn.execute(sa.select(sa.func.count()).where(condition)).scalar() or 0)
    rows = conn.execute(
        sa.select(_T.ticket_id, _T.number, _T.store, _T.level, _T.status, _T.channel,
                  _T.category, _T.subcategory, _T.text, _T.created_at, _T.due_at,
                  _T.first_response_at)
        .where(condition).order_by(_T.created_at.desc(), _T.ticket_id).limit(limit)).all()
    return [dict(r._mapping) for r in rows], total
