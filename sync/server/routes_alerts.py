"""The desks' alerts: ``GET /v1/alerts?since=<seq>``, the product alerts raised or
changed after *seq* (:mod:`sync.server.product_alerts`).

A store receives the alerts on the products it sells (:mod:`sync.server.assortment`,
filtered in SQL before the page's LIMIT, so ``more`` and the cursor stay right): every
alert when headquarters gave it no list, else the open alerts on a product in its list
or that it complained about itself, and every close. A desk learns the product's label,
the window in days, how many stores and tickets, and whether the alert is open, never
the other stores' names. Device bearer token as for the sync routes (401 unknown token,
403 a headquarters token).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import Response

from sync.server import assortment, policy_store, product_alerts
from sync.server.console import centre_tickets
from sync.server.routes_device import device_token
from sync.server.storage import Storage
from sync.server.tables import product_alerts as alerts_table
from sync.server.web import MAX_SEQ, check_protocol, int_param, json_response

MAX_ALERTS = 200  # one page of changes


def changes_since(storage: Storage, since: int, limit: int, store: str) -> dict[str, Any]:
    """The alert changes after *since* that *store* receives, oldest first, a page at a
    time (``more``)."""
    centre_tickets.catch_up(storage)
    product_alerts.close_quiet(storage)
    a = alerts_table.c
    with storage.engine.connect() as conn:
        days = policy_store.current(conn)[0].alerts.product_days
        rows = conn.execute(
            sa.select(a.id, a.label, a.first_at, a.last_at, a.store_count, a.tickets,
                      a.raised_at, a.status, a.closed_at, a.seq)
            .where(a.seq > since, assortment.alerts_for_store(store))
            .order_by(a.seq).limit(limit + 1)).mappings().all()
    more = len(rows) > limit
    out = [{**dict(r), "days": days} for r in rows[:limit]]
    # The epoch (as in a pull): a desk that sees a new one (server restored) reads again
    # from 0, since seqs may have gone back.
    return {"alerts": out, "cursor": out[-1]["seq"] if out else since, "more": more,
            "epoch": storage.epoch}


def alerts_router(storage: Storage) -> APIRouter:
    """The route ``GET /v1/alerts`` on *storage*."""
    router = APIRouter()

    @router.get("/v1/alerts", openapi_extra={"security": [{"deviceToken": []}]})
    def alerts(request: Request) -> Response:
        """Product alerts raised or changed after ``since`` (a seq), oldest first."""
        check_protocol(request)
        who = device_token(storage, request)
        since = int_param(request, "since", 0, 0, MAX_SEQ)
        limit = int_param(request, "limit", MAX_ALERTS, 1, MAX_ALERTS)
        return json_response(changes_since(storage, since, limit, who.store))

    return router
