"""The console's escalations page: the open tickets at each rung of the escalation ladder.

``/console/escalations`` (regional managers: their own region; headquarters: every
region) groups the open tickets above the ladder's first rung (the policy's
``escalation_ladder``: handler → store manager → regional manager → general manager) per
region and rung, with the count of each rung and its most overdue tickets (a link to
each ticket's page; the queue filtered by region and rung lists the rest). One grouped
count and one bounded read per rung, on ``centre_tickets_rung``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sync.server import policy_store
from sync.server.console import centre_tickets, masterdata, queue
from sync.server.console.auth import page_principal
from sync.server.console.render import DEFAULT_ZONE, render, request_language
from sync.server.console.ticket_view import Labels, excerpt
from sync.server.storage import Storage

VIEWERS = ("regional", "hq")
PER_RUNG = 50


@dataclass
class Rung:
    """One rung of one region: how many tickets are there, and the first of them."""

    step: int
    name: str
    count: int
    tickets: list[dict[str, Any]] = field(default_factory=list)
    queue_url: str = ""


@dataclass
class RegionRungs:
    """A region's rungs above the first (the handler's)."""

    code: str | None
    name: str
    rungs: list[Rung]


def router(storage: Storage) -> APIRouter:
    """The escalations routes on *storage*."""
    r = APIRouter(tags=["console"], include_in_schema=False)

    @r.get("/console/escalations")
    def index(request: Request) -> Response:
        principal = page_principal(request, storage, VIEWERS)
        lang = request_language(request)
        scope = principal.region if principal.role == "regional" else None
        centre_tickets.catch_up(storage)
        now = datetime.now(UTC)
        with storage.engine.connect() as conn:
            policy, _ = policy_store.current(conn)
            counts, rows = queue.escalated(conn, scope, PER_RUNG)
            stores = {s.code: s for s in masterdata.list_stores(conn, scope)}
            names = {g.code: g.name_en if lang == "en" else g.name_zh
                     for g in masterdata.list_regions(conn)}
        labels = Labels(policy, lang)
        steps = range(1, len(policy.escalation_ladder))
        wanted = sorted({k[0] for k in counts} | ({scope} if scope else set()),
                        key=lambda c: c or "")
        groups: dict[str | None, RegionRungs] = {}
        for code in wanted:
            query = {"region": code} if code else {}
            groups[code] = RegionRungs(
                code, names.get(code or "", code or "") if code else "",
                [Rung(s, labels.rung(s), counts.get((code, s), 0),
                      queue_url="/console/queue?" + urlencode({**query, "rung": str(s)}))
                 for s in steps])
        for row in rows:
            group = groups.get(row["region"])
            step = int(row["escalation_step"])
            if group is None or step not in steps:
                continue
            store = stores.get(str(row["store"]))
            group.rungs[step - 1].tickets.append({
                "ticket_id": row["ticket_id"], "number": row["number"],
                "store": row["store"], "store_name": store.name if store else row["store"],
                "level": row["level"], "level_label": labels.level(int(row["level"])),
                "text": excerpt(str(row["text"]), 40), "due_at": row["due_at"],
                "zone": store.time_zone if store else DEFAULT_ZONE,
                "overdue": queue.is_overdue(row, now),
            })
        ladder = " → ".join(labels.rung(i) for i in range(len(policy.escalation_ladder)))
        return render(request, principal, "escalations/index.html", "escalations.title",
                      groups=list(groups.values()), ladder=ladder, per_rung=PER_RUNG)

    return r
