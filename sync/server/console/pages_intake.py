"""The agents' intake page: a complaint from the hotline, a QR code, online or Douyin,
recorded for a chosen store.

``/console/intake`` (agent, hq) is a form: store (searched by code, name or region),
channel, the complaint with a live triage suggestion, the customer's phone with their
history across every store, product and amount paid. The suggestion
(``POST /console/api/intake/triage``) is :func:`sync.server.channels.suggest`, the same
engine, policy and group counts the ticket will be made with; the history reads the
centre's projection by phone, and the likely duplicates are the desk's rule
(:mod:`domain.duplicates`) over bounded reads of the projection: the same customer in
any store or channel, or nearly the same complaint at the chosen store. Submitting is
:func:`sync.server.channels.create` with the agent as the actor; the form carries an
external id of its own, so a double submit or a resubmitted page makes one ticket, which
the store's desks pull at their next sync.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.engine import Connection
from starlette.concurrency import run_in_threadpool

from domain import duplicates as dup_rule
from domain.errors import InvalidInput
from domain.money import parse_yuan
from domain.phones import normalise_phone
from domain.policy import DuplicatePolicy
from sync.server import channels, policy_store
from sync.server.console import centre_tickets, i18n
from sync.server.console.auth import (
    PageError,
    Principal,
    api_principal,
    check_csrf,
    check_csrf_header,
    page_principal,
)
from sync.server.console.masterdata import list_stores
from sync.server.console.render import render, request_language
from sync.server.console.ticket_view import Labels, phone_text
from sync.server.errors import ActionRefused, Refusal
from sync.server.storage import Storage
from sync.server.tables import centre_tickets as tickets_table

ROLES = ("agent", "hq")
HISTORY_ROWS = 10
FORM_BYTES = 16 * 1024 * 1024  # a 1 M-character paste, percent-encoded: said, not cut
FIELDS = ("store", "channel", "text", "phone", "product", "sku", "paid", "external_id")
# Refusals the form can explain in the user's words; others show their English detail.
KNOWN_ERRORS = ("malformed", "unknown_channel", "unknown_store", "bad_phone", "too_long",
                "empty_text", "bad_amount")


def _history(conn: Connection, phone: str | None, labels: Labels,
             names: Mapping[str, str]) -> list[dict[str, Any]]:
    """The customer's latest tickets in every store, newest first (one indexed read)."""
    if not phone:
        return []
    rows = conn.execute(
        sa.select(tickets_table.c.ticket_id, tickets_table.c.store,
                  tickets_table.c.number, tickets_table.c.level,
                  tickets_table.c.status, tickets_table.c.channel,
                  tickets_table.c.category, tickets_table.c.subcategory,
                  tickets_table.c.text, tickets_table.c.created_at)
        .where(tickets_table.c.customer_phone == phone)
        .order_by(tickets_table.c.created_at.desc()).limit(HISTORY_ROWS)).mappings().all()
    return [{
        "ticket_id": r["ticket_id"], "store": r["store"],
        "store_name": names.get(r["store"], r["store"]), "number": r["number"],
        "level": labels.level(int(r["level"])), "status": labels.status(r["status"]),
        "channel": labels.channel(r["channel"]),
        "problem": labels.problem(r["category"], r["subcategory"]),
        "text": (r["text"] or "")[:60], "created_at": r["created_at"],
    } for r in rows]


_DUP_COLUMNS = (tickets_table.c.ticket_id, tickets_table.c.store, tickets_table.c.number,
                tickets_table.c.level, tickets_table.c.status, tickets_table.c.channel,
                tickets_table.c.category, tickets_table.c.subcategory, tickets_table.c.text,
                tickets_table.c.customer_phone, tickets_table.c.created_at)


def _duplicates(conn: Connection, policy: DuplicatePolicy, principal: Principal, *,
                store: str, text: str, subcategory: str | None, phone: str | None,
                labels: Labels, lang: str, names: Mapping[str, str]) -> list[dict[str, Any]]:
    """The likely duplicates of the complaint being typed: two bounded reads of the
    projection (the phone in every store and channel within the same-customer window,
    index ``centre_tickets_phone``; the store's newest tickets within the text window,
    index ``centre_tickets_store``), judged by :func:`domain.duplicates.likely_duplicates`,
    the desk's rule. Only stores the principal sees are read."""
    now = datetime.now(UTC)
    t = tickets_table.c
    live = t.status.not_in(dup_rule.EXCLUDED_STATUSES)
    same_problem = [t.subcategory == subcategory] if subcategory is not None else []
    scope = principal.store_codes(conn)
    if scope is not None and store not in scope:
        return []
    reads = []
    if phone:
        customer = (sa.select(*_DUP_COLUMNS)
                    .where(t.customer_phone == phone,
                           t.created_at >= dup_rule.customer_since(policy, now),
                           live, *same_problem))
        if scope is not None:
            customer = customer.where(t.store.in_(scope))
        reads.append(customer.order_by(t.created_at.desc())
                     .limit(dup_rule.MAX_TEXT_CANDIDATES))
    reads.append(sa.select(*_DUP_COLUMNS)
                 .where(t.store == store, t.created_at >= dup_rule.text_since(policy, now),
                        live, *same_problem)
                 .order_by(t.created_at.desc()).limit(dup_rule.MAX_TEXT_CANDIDATES))
    rows = {r["ticket_id"]: r for read in reads
            for r in conn.execute(read).mappings().all()}
    earlier = [dup_rule.Earlier(ticket_id=r["ticket_id"], number=r["number"], text=r["text"],
                                subcategory=r["subcategory"], created_at=r["created_at"],
                                phone=r["customer_phone"], status=r["status"],
                                store=r["store"], channel=r["channel"])
               for r in rows.values()]
    found = dup_rule.likely_duplicates(earlier, policy, now=now, text=text,
                                       subcategory=subcategory, phone=phone)
    answer = []
    for d in found:
        r = rows[d.ticket.ticket_id]
        answer.append({
            "ticket_id": r["ticket_id"], "number": r["number"], "store": r["store"],
            "store_name": names.get(r["store"], r["store"]),
            "channel": labels.channel(r["channel"]),
            "level": labels.level(int(r["level"])), "status": labels.status(r["status"]),
            "problem": labels.problem(r["category"], r["subcategory"]),
            "text": (r["text"] or "")[:60], "created_at": r["created_at"],
            "reason": d.reason, "reason_label": i18n.t(f"intake.reason.{d.reason}", lang),
            "similarity": round(d.similarity, 3),
            "url": f"/console/tickets/{r['ticket_id']}",
        })
    return answer


def suggestion(storage: Storage, body: dict[str, Any], principal: Principal,
               lang: str) -> dict[str, Any]:
    """The live answer of the intake form: triage of the text so far, the customer's
    history across every store, and the likely duplicates (:func:`_duplicates`: the same
    customer in any store or channel, or nearly the same text at this store)."""
    store = body.get("store")
    channel = body.get("channel")
    text = body.get("text")
    if not isinstance(store, str) or not isinstance(channel, str) or not isinstance(text, str):
        raise Refusal(400, "malformed", "store, channel and text are strings")
    if channel not in channels.CHANNELS:
        raise Refusal(400, "unknown_channel", "unknown channel")
    with storage.engine.connect() as conn:
        policy, _ = policy_store.current(conn)
    labels = Labels(policy, lang)
    limit = policy.intake.max_text_chars
    answer: dict[str, Any] = {"triage": None, "history": [], "duplicates": []}
    if text.strip() and len(text) <= limit:
        try:
            result = channels.suggest(storage, store, channel, text)
        except ActionRefused as refused:
            raise Refusal(refused.status, refused.error, refused.detail) from None
        answer["triage"] = {
            "level": result.level, "level_label": labels.level(result.level),
            "problem": labels.problem(result.category, result.subcategory),
            "category": result.category, "subcategory": result.subcategory,
            "respond_within_minutes": result.respond_within_minutes,
            "reasons": [r.detail for r in result.reasons][:5],
        }
    phone = normalise_phone(body.get("phone"))
    if not phone and answer["triage"] is None:
        return answer
    # Each keystroke's answer: one catch-up, one connection, the stores' names once.
    centre_tickets.catch_up(storage)
    with storage.engine.connect() as conn:
        names = {s.code: s.name for s in list_stores(conn)}
        history = _history(conn, phone, labels, names)
        if answer["triage"] is not None:
            answer["duplicates"] = _duplicates(
                conn, policy.duplicates, principal, store=store, text=text,
                subcategory=answer["triage"]["subcategory"] or None, phone=phone,
                labels=labels, lang=lang, names=names)
    masked = phone_text(policy, phone, principal.role)
    answer["history"] = [{**row, "phone": masked} for row in history]
    return answer


def _request_body(form: dict[str, str], max_fen: int) -> dict[str, Any]:
    """The channel endpoint's body from the form (amount in yuan → fen)."""
    body: dict[str, Any] = {"store_code": form["store"].strip().upper(),
                            "channel": form["channel"], "text": form["text"],
                            "external_id": form["external_id"]}
    if form["phone"].strip():
        body["customer"] = {"phone": form["phone"].strip()}
    product = {k: v for k, v in (("name", form["product"].strip()),
                                  ("sku", form["sku"].strip())) if v}
    if product:
        body["product"] = product
    if form["paid"].strip():
        body["amount_paid_fen"] = parse_yuan(form["paid"].strip(), "paid", max_fen)
    return body


def router(storage: Storage) -> APIRouter:
    """The intake routes on *storage*."""
    r = APIRouter(tags=["console"], include_in_schema=False)

    def page(request: Request, principal: Principal, form: dict[str, str], *,
             error: str = "", made: channels.ChannelTicket | None = None,
             status: int = 200) -> Response:
        with storage.engine.connect() as conn:
            stores = list_stores(conn)
            policy, _ = policy_store.current(conn)
        labels = Labels(policy, request_language(request))
        options = [(c, labels.channel(c)) for c in channels.CHANNELS]
        return render(request, principal, "intake/index.html", "intake.title", status=status,
                      stores=stores, channels=options, form=form, error=error, made=made,
                      made_level="" if made is None else labels.level(made.level),
                      max_text=policy.intake.max_text_chars)

    def blank() -> dict[str, str]:
        form = dict.fromkeys(FIELDS, "")
        form["channel"] = "hotline"
        form["external_id"] = "console-" + secrets.token_hex(12)
        return form

    @r.get("/console/intake")
    def index(request: Request) -> Response:
        principal = page_principal(request, storage, ROLES)
        return page(request, principal, blank())

    @r.post("/console/intake")
    async def submit(request: Request) -> Response:
        principal = page_principal(request, storage, ROLES)
        raw = await request.form(max_part_size=FORM_BYTES)
        form = {k: str(raw.get(k) or "") for k in FIELDS}
        lang = request_language(request)
        try:
            check_csrf(request, principal, raw)
        except PageError:
            return page(request, principal, form, status=403,
                        error=i18n.t("base.error.csrf", lang))
        if not form["external_id"].startswith("console-"):
            form["external_id"] = "console-" + secrets.token_hex(12)
        try:
            with storage.engine.connect() as conn:
                max_fen = policy_store.current(conn)[0].compensation.max_amount_fen
            body = _request_body(form, max_fen)
            made = await run_in_threadpool(channels.create, storage, body, principal.actor)
        except InvalidInput:
            return page(request, principal, form, status=400,
                        error=i18n.t("intake.error.bad_amount", lang))
        except ActionRefused as refused:
            key = f"intake.error.{refused.error}"
            text = (i18n.t(key, lang) if refused.error in KNOWN_ERRORS
                    else i18n.t("intake.error.other", lang, detail=refused.detail))
            return page(request, principal, form, status=refused.status, error=text)
        return page(request, principal, blank(), made=made)

    @r.post("/console/api/intake/triage")
    async def triage(request: Request) -> Response:
        principal = api_principal(request, storage, ROLES)
        check_csrf_header(request, principal)
        try:
            body = await request.json()
        except ValueError:
            raise Refusal(400, "malformed", "the body is not JSON") from None
        if not isinstance(body, dict):
            raise Refusal(400, "malformed", "the body is not an object")
        answer = await run_in_threadpool(suggestion, storage, body, principal,
                                         request_language(request))
        return JSONResponse(answer, headers={"Cache-Control": "no-store"})

    return r
