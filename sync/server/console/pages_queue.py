"""The chain's queue and the ticket page.

``/console/queue`` (agents, regional managers, headquarters; a regional manager sees their
region's stores only) lists tickets by urgency with the filters of
:mod:`sync.server.console.queue`, each row with a live countdown to its response target
(``static/queue.js`` counts from the row's UTC due time). ``/console/tickets/{id}`` shows
one ticket: header, timeline, conflicts, compensation lines, and the centre's actions: a
note (every role), a status change (regional managers, headquarters), and for a line
waiting at the centre the decide form (posted to the approvals part) when
:func:`domain.centre_approvals.may_decide` says so. A ticket outside a person's scope is
a 404, on the page and in ``/console/api/tickets/{id}`` alike.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from sync.server import hq, policy_store
from sync.server.console import centre_tickets, i18n, masterdata, queue
from sync.server.console.auth import (
    PageError,
    Principal,
    api_principal,
    check_csrf,
    page_principal,
)
from sync.server.console.render import DEFAULT_ZONE, render, request_language
from sync.server.console.ticket_view import (
    NOTE_ROLES,
    STATUS_ROLES,
    Labels,
    api_ticket,
    excerpt,
    lines,
    phone_text,
    status_targets,
    timeline,
)
from sync.server.errors import ActionRefused, Refusal
from sync.server.hq import CentreView
from sync.server.storage import Storage

VIEWERS = ("agent", "regional", "hq")
MAX_ID_CHARS = 64
FORM_BYTES = 16 * 1024 * 1024  # 1 M Chinese characters percent-encoded are 9 MB


def _scope(principal: Principal) -> str | None:
    # A regional manager's queue never leaves their region (None: every region).
    return principal.region if principal.role == "regional" else None


def _queue(storage: Storage, principal: Principal, params: dict[str, str], lang: str
           ) -> dict[str, Any]:
    """Everything the queue page and its JSON show."""
    centre_tickets.catch_up(storage)
    now = datetime.now(UTC)
    with storage.engine.connect() as conn:
        policy, _ = policy_store.current(conn)
        filters = queue.parse_filters(params, policy.channels, len(policy.escalation_ladder))
        found = queue.read_page(conn, filters, _scope(principal), now)
        stores = {s.code: s for s in masterdata.list_stores(conn, _scope(principal))}
        regions = masterdata.list_regions(conn)
    labels = Labels(policy, lang)
    rows = []
    for r in found.rows:
        store = stores.get(str(r["store"]))
        rows.append({
            "ticket_id": r["ticket_id"], "number": r["number"], "store": r["store"],
            "store_name": store.name if store else r["store"], "region": r["region"],
            "level": r["level"], "level_label": labels.level(int(r["level"])),
            "problem": labels.problem(str(r["category"]), str(r["subcategory"])),
            "status": r["status"], "status_label": labels.status(str(r["status"])),
            "channel": r["channel"], "channel_label": labels.channel(str(r["channel"])),
            "text": excerpt(str(r["text"])), "due_at": r["due_at"],
            "zone": store.time_zone if store else DEFAULT_ZONE,
            "answered": r["first_response_at"] is not None, "open": bool(r["open"]),
            "overdue": queue.is_overdue(r, now), "rung": r["escalation_step"],
            "rung_label": labels.rung(int(r["escalation_step"])),
        })
    return {"filters": filters, "rows": rows, "has_next": found.has_next,
            "page": found.page, "stores": list(stores.values()),
            "regions": [g for g in regions if _scope(principal) in (None, g.code)],
            "labels": labels, "policy": policy}


def _load(storage: Storage, principal: Principal, ticket_id: str
          ) -> tuple[str, str | None, str, CentreView]:
    """(store, region, zone, folded ticket) of a ticket *principal* may see; else the
    same :class:`ActionRefused` 404 as an unknown id (existence is not revealed)."""
    if len(ticket_id) > MAX_ID_CHARS:
        raise ActionRefused(404, "unknown_ticket", "no such ticket")
    with storage.engine.connect() as conn:
        store, view = hq.view(conn, ticket_id)
        known = masterdata.store(conn, store)
        if not principal.sees_store(conn, store):
            raise ActionRefused(404, "unknown_ticket", f"no ticket {ticket_id} at the centre")
    return (store, known.region if known else None,
            known.time_zone if known else DEFAULT_ZONE, view)


def router(storage: Storage) -> APIRouter:
    """The queue and ticket routes on *storage*."""
    r = APIRouter(tags=["console"], include_in_schema=False)

    @r.get("/console/queue")
    def index(request: Request) -> Response:
        principal = page_principal(request, storage, VIEWERS)
        lang = request_language(request)
        params = {k: v for k, v in request.query_params.items() if k in queue.PARAMS}
        data = _queue(storage, principal, params, lang)
        filters: queue.Filters = data["filters"]
        prev_url = next_url = ""
        if data["page"] > 1:
            prev_url = "/console/queue?" + urlencode(filters.query(data["page"] - 1))
        if data["has_next"] and data["page"] < queue.MAX_PAGE:
            next_url = "/console/queue?" + urlencode(filters.query(data["page"] + 1))
        return render(request, principal, "queue/index.html", "queue.title",
                      status=200, prev_url=prev_url, next_url=next_url,
                      statuses=queue.STATUSES, levels=queue.LEVELS, **data)

    @r.get("/console/api/queue")
    def api_queue(request: Request) -> JSONResponse:
        principal = api_principal(request, storage, VIEWERS)
        params = {k: v for k, v in request.query_params.items() if k in queue.PARAMS}
        data = _queue(storage, principal, params, request_language(request))
        return JSONResponse({"page": data["page"], "has_next": data["has_next"],
                             "errors": list(data["filters"].errors),
                             "rows": data["rows"]}, headers={"Cache-Control": "no-store"})

    def ticket_page(request: Request, principal: Principal, ticket_id: str, *,
                    status: int = 200, message: str = "", message_kind: str = "",
                    note: str = "", status_note: str = "") -> Response:
        centre_tickets.catch_up(storage)
        try:
            store, region, zone, view = _load(storage, principal, ticket_id)
        except ActionRefused as exc:
            raise PageError(404 if exc.status == 404 else exc.status,
                            "ticket.not_found") from None
        with storage.engine.connect() as conn:
            policy, _ = policy_store.current(conn)
            known = masterdata.store(conn, store)
        labels = Labels(policy, request_language(request))
        events, conflicts = timeline(view, labels)
        t = view.ticket
        return render(
            request, principal, "ticket/index.html", "ticket.doc_title", status=status,
            ticket=t, store=store, store_name=known.name if known else store, zone=zone,
            region=region, labels=labels, events=events, conflicts=conflicts,
            lines=lines(view, principal, region, policy.compensation.regional_limit_fen,
                        labels),
            phone=phone_text(policy, t.customer_phone, principal.role),
            targets=status_targets(t.status) if principal.role in STATUS_ROLES else (),
            may_note=principal.role in NOTE_ROLES,
            may_status=principal.role in STATUS_ROLES,
            note_limit=policy.intake.max_note_chars, message=message,
            message_kind=message_kind, form_note=note, form_status_note=status_note,
            page_title=labels.t("ticket.title", number=t.number),
            back_url="/console/queue")

    @r.get("/console/tickets/{ticket_id}")
    def ticket(request: Request, ticket_id: str, saved: str = "") -> Response:
        principal = page_principal(request, storage, VIEWERS)
        lang = request_language(request)
        message = {"note": "ticket.note.saved", "status": "ticket.status.saved"}.get(saved)
        return ticket_page(request, principal, ticket_id, message_kind="ok",
                           message=i18n.t(message, lang) if message else "")

    @r.get("/console/api/tickets/{ticket_id}")
    def api_ticket_route(request: Request, ticket_id: str) -> JSONResponse:
        principal = api_principal(request, storage, VIEWERS)
        centre_tickets.catch_up(storage)
        try:
            store, region, _, view = _load(storage, principal, ticket_id)
        except ActionRefused as exc:
            raise Refusal(404 if exc.status == 404 else exc.status, "unknown_ticket",
                          "no such ticket in your scope") from None
        with storage.engine.connect() as conn:
            policy, _ = policy_store.current(conn)
        body = api_ticket(view, store, region, policy, principal,
                          Labels(policy, request_language(request)))
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    async def _form(request: Request, roles: tuple[str, ...]
                    ) -> tuple[Principal, dict[str, str], bool]:
        """The principal, the form's text fields, and whether its CSRF token is right."""
        principal = await run_in_threadpool(page_principal, request, storage, roles)
        try:
            # A note may be long (the policy's limit is checked with a clear message);
            # the parser's own bound only stops a body no form could send.
            form = await request.form(max_part_size=FORM_BYTES)
        except HTTPException:
            raise PageError(413, "ticket.error.too_big") from None
        try:
            check_csrf(request, principal, form)
            fresh = True
        except PageError:
            fresh = False
        return principal, {k: v for k, v in form.items() if isinstance(v, str)}, fresh

    def _stale(request: Request, principal: Principal, ticket_id: str,
               **kept: str) -> Response:
        # Refused, and nothing is lost: the page again with the text in its form.
        return ticket_page(request, principal, ticket_id, status=403, message_kind="error",
                           message=i18n.t("base.error.csrf", request_language(request)),
                           **kept)

    def _refused(request: Request, principal: Principal, ticket_id: str,
                 exc: ActionRefused, **kept: str) -> Response:
        lang = request_language(request)
        if exc.status == 404:
            raise PageError(404, "ticket.not_found")
        if exc.error == "empty_text":
            message = i18n.t("ticket.error.empty_note", lang)
        elif exc.error == "too_long":
            with storage.engine.connect() as conn:
                limit = policy_store.current(conn)[0].intake.max_note_chars
            message = i18n.t("ticket.error.too_long", lang, limit=limit)
        else:
            message = i18n.t("ticket.error.refused", lang, detail=exc.detail)
        return ticket_page(request, principal, ticket_id, status=exc.status,
                           message=message, message_kind="error", **kept)

    @r.post("/console/tickets/{ticket_id}/note")
    async def note(request: Request, ticket_id: str) -> Response:
        principal, form, fresh = await _form(request, NOTE_ROLES)
        text = form.get("text", "")

        def save() -> Response:
            if not fresh:
                return _stale(request, principal, ticket_id, note=text)
            try:
                _load(storage, principal, ticket_id)
                hq.add_note(storage, principal.actor, ticket_id, {"text": text})
            except ActionRefused as exc:
                return _refused(request, principal, ticket_id, exc, note=text)
            return RedirectResponse(f"/console/tickets/{ticket_id}?saved=note#timeline",
                                    status_code=303)

        return await run_in_threadpool(save)

    @r.post("/console/tickets/{ticket_id}/status")
    async def change_status(request: Request, ticket_id: str) -> Response:
        principal, form, fresh = await _form(request, STATUS_ROLES)
        frm, to, text = form.get("from", ""), form.get("to", ""), form.get("note", "")

        def save() -> Response:
            lang = request_language(request)
            if not fresh:
                return _stale(request, principal, ticket_id, status_note=text)
            try:
                _, _, _, view = _load(storage, principal, ticket_id)
                current = view.ticket.status
                if frm != current or to not in status_targets(current):
                    with storage.engine.connect() as conn:
                        words = Labels(policy_store.current(conn)[0], lang)
                    return ticket_page(
                        request, principal, ticket_id, status=409, message_kind="error",
                        status_note=text, message=i18n.t(
                            "ticket.error.transition", lang, frm=words.status(frm or "—"),
                            to=words.status(to or "—")))
                body: dict[str, Any] = {"from": frm, "to": to}
                if text.strip():
                    body["note"] = text
                hq.change_status(storage, principal.actor, ticket_id, body)
            except ActionRefused as exc:
                return _refused(request, principal, ticket_id, exc, status_note=text)
            return RedirectResponse(f"/console/tickets/{ticket_id}?saved=status",
                                    status_code=303)

        return await run_in_threadpool(save)

    return r
