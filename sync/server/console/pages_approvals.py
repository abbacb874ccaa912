"""The console's approvals inbox, for regional managers and headquarters.

``/console/approvals`` lists the compensation requests a desk sent up to the centre
(``approval_level`` ``hq``, still ``pending_approval`` in the projection
:mod:`sync.server.console.centre_tickets`) that *this* person may decide, by the one
rule of :mod:`domain.centre_approvals`: a regional manager their region's requests
within the policy's ``compensation.regional_limit_fen``; headquarters every request,
by default those above that limit ("waiting for headquarters"), or all of them.

A decision is ``POST /console/approvals/{ticket_id}/{compensation_id}`` (form fields
``decision``, ``reason``, ``csrf_token``, ``next``): the ticket page posts the same form.
It is written by :func:`sync.server.hq.decide_compensation` as the person's actor and
reaches the store's desks by sync. ``GET``/``POST /console/api/approvals…`` are the
same for scripts (header ``X-CSRF-Token``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from domain.centre_approvals import centre_decider, may_decide
from sync.server import hq, policy_store
from sync.server.console import centre_tickets, i18n
from sync.server.console.auth import (
    PageError,
    Principal,
    api_principal,
    check_csrf,
    check_csrf_header,
    page_principal,
    safe_next,
)
from sync.server.console.render import DEFAULT_ZONE, render, request_language
from sync.server.errors import ActionRefused, Refusal
from sync.server.storage import Storage
from sync.server.tables import centre_compensations, regions, stores
from sync.server.tables import centre_tickets as ct
from sync.server.web import json_response, read_json

ROLES = ("regional", "hq")
# Requests read per page, oldest first. Pending requests are few (each one is a person's
# decision); the bound keeps a backlog from making the page slow.
MAX_ROWS = 300
REASON_CHARS = 500  # the reason field's maxlength; hq.clean_note enforces the policy's


@dataclass(frozen=True)
class Limits:
    """The policy's limits a request is measured against, in fen."""

    manager_fen: int
    regional_fen: int


@dataclass(frozen=True)
class Pending:
    """One request waiting at the centre, as the inbox shows it."""

    ticket_id: str
    compensation_id: str
    number: str
    text: str
    level: int
    store: str
    store_name: str
    region: str | None
    region_name: str
    zone: str
    requester_role: str
    requested_by: str
    requested_at: str
    amount_fen: int
    kind: str
    reason: str
    decider: str  # regional | hq: who decides it (domain.centre_approvals)


def limits(storage: Storage) -> Limits:
    """The store manager's and the regional manager's limits of the current policy."""
    with storage.engine.connect() as conn:
        policy = policy_store.current(conn)[0]
    return Limits(policy.compensation.role_limits_fen.get("manager", 0),
                  policy.compensation.regional_limit_fen)


def pending(storage: Storage, principal: Principal, scope: str = "hq",
            lang: str = "zh") -> list[Pending]:
    """The requests waiting at the centre that *principal* may decide, oldest first.

    Headquarters with *scope* ``hq`` sees only those headquarters decides (above the
    regional limit); with ``all`` every one.
    """
    centre_tickets.catch_up(storage)
    limit = limits(storage).regional_fen
    c = centre_compensations
    query = (sa.select(c, ct.c.number, ct.c.text, ct.c.level, stores.c.name.label("store_name"),
                       stores.c.time_zone, regions.c.name_zh, regions.c.name_en)
             .join(ct, ct.c.ticket_id == c.c.ticket_id)
             .outerjoin(stores, stores.c.code == c.c.store)
             .outerjoin(regions, regions.c.code == c.c.region)
             .where(c.c.status == "pending_approval", c.c.approval_level == "hq")
             .order_by(c.c.requested_at, c.c.compensation_id).limit(MAX_ROWS))
    # The bounded read must hold the rows this person decides, so the split of
    # centre_decider is narrowed in SQL too; each row is still checked by the rule itself
    # below, which stays the only authority.
    if principal.role != "hq":
        # The index (status, region, requested_at) serves a region's requests.
        query = query.where(c.c.region == principal.region, c.c.amount_fen <= limit)
    elif scope != "all":
        query = query.where(c.c.amount_fen > limit)
    with storage.engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    found = []
    for r in rows:
        amount = int(r["amount_fen"])
        decider = centre_decider(amount, limit)
        if not may_decide(principal.role, principal.region, r["region"], amount, limit):
            continue
        if principal.role == "hq" and scope != "all" and decider != "hq":
            continue
        found.append(Pending(
            str(r["ticket_id"]), str(r["compensation_id"]), str(r["number"] or ""),
            str(r["text"] or ""), int(r["level"] or 0), str(r["store"]),
            str(r["store_name"] or ""), r["region"],
            str((r["name_en"] if lang == "en" else None) or r["name_zh"] or r["region"] or ""),
            str(r["time_zone"] or DEFAULT_ZONE),
            str(r["requester_role"]), str(r["requested_by"]), str(r["requested_at"]),
            amount, str(r["kind"]), str(r["reason"]), decider))
    return found


def _decided_by(storage: Storage, compensation_id: str) -> str:
    """Who decided a line meanwhile (the projection's ``decided_by``), else empty."""
    centre_tickets.catch_up(storage)
    with storage.engine.connect() as conn:
        value = conn.execute(sa.select(centre_compensations.c.decided_by).where(
            centre_compensations.c.compensation_id == compensation_id)).scalar()
    return str(value or "")


def refusal_message(storage: Storage, exc: ActionRefused,
                    compensation_id: str) -> tuple[str, dict[str, object]]:
    """The message key (and its parameters) saying why a decision was refused."""
    if exc.error == "not_pending":
        who = _decided_by(storage, compensation_id)
        return (("approvals.error.decided_meanwhile", {"by": who}) if who
                else ("approvals.error.not_pending", {}))
    if exc.error == "not_yours":
        return "approvals.error.not_yours", {"limit": limits(storage).regional_fen // 100}
    key = {"empty_text": "approvals.error.reason_required",
           "too_long": "approvals.error.too_long",
           "bad_decision": "approvals.error.bad_decision",
           "malformed": "approvals.error.bad_decision"}.get(exc.error, "approvals.error.unknown")
    return key, {}


def refusal_text(storage: Storage, exc: ActionRefused, lang: str, compensation_id: str) -> str:
    """Why a decision was refused, in *lang*."""
    key, params = refusal_message(storage, exc, compensation_id)
    return i18n.t(key, lang, **params)


def decide(storage: Storage, principal: Principal, ticket_id: str, compensation_id: str,
           decision: object, reason: object) -> None:
    """Decide the line as *principal* (:class:`ActionRefused` when it cannot be)."""
    who = hq.Decider(principal.actor, principal.role, principal.region)
    body: dict[str, Any] = {"decision": decision}
    if reason not in (None, ""):
        body["reason"] = reason
    hq.decide_compensation(storage, who, ticket_id[:64], compensation_id[:64], body)


def _with_flash(path: str, decision: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}decided={decision}"


def router(storage: Storage) -> APIRouter:
    """The approvals routes on *storage*."""
    r = APIRouter(tags=["console"], include_in_schema=False)

    def page(request: Request, principal: Principal, scope: str, *, message: str = "",
             message_kind: str = "", status: int = 200, failed: str = "",
             typed: str = "") -> Response:
        lang = request_language(request)
        rows = pending(storage, principal, scope, lang)
        return render(request, principal, "approvals/index.html", "approvals.title",
                      status=status, rows=rows, limits=limits(storage), scope=scope,
                      message=message, message_kind=message_kind, failed=failed,
                      typed=typed, reason_chars=REASON_CHARS, capped=len(rows) >= MAX_ROWS,
                      word=lambda key, fallback: i18n.word(key, lang, fallback))

    @r.get("/console/approvals")
    def index(request: Request, scope: str = "hq", decided: str = "") -> Response:
        principal = page_principal(request, storage, ROLES)
        lang = request_language(request)
        message = (i18n.t(f"approvals.done.{decided}", lang)
                   if decided in hq.DECISIONS else "")
        return page(request, principal, "all" if scope == "all" else "hq",
                    message=message, message_kind="ok")

    @r.post("/console/approvals/{ticket_id}/{compensation_id}")
    async def decide_form(request: Request, ticket_id: str, compensation_id: str) -> Response:
        principal = await run_in_threadpool(page_principal, request, storage, ROLES)
        form = await request.form()
        check_csrf(request, principal, form)
        lang = request_language(request)
        decision = str(form.get("decision") or "")
        reason = str(form.get("reason") or "")
        nxt = str(form.get("next") or "")
        scope = "all" if str(form.get("scope") or "") == "all" else "hq"

        def work() -> Response:
            try:
                decide(storage, principal, ticket_id, compensation_id, decision, reason)
            except ActionRefused as exc:
                if exc.status == 404:
                    raise PageError(404, "approvals.error.unknown") from None
                key, params = refusal_message(storage, exc, compensation_id)
                if nxt:  # the ticket page's form: an error page whose link goes back
                    raise PageError(exc.status, key, **params) from None
                text = i18n.t(key, lang, **params)
                return page(request, principal, scope, message=text, message_kind="error",
                            status=exc.status, failed=compensation_id, typed=reason)
            target = safe_next(nxt) if nxt else (
                "/console/approvals" + ("?scope=all" if scope == "all" else ""))
            return RedirectResponse(_with_flash(target, quote(decision)), status_code=303)

        return await run_in_threadpool(work)

    @r.get("/console/api/approvals")
    def api_list(request: Request, scope: str = "hq") -> Response:
        principal = api_principal(request, storage, ROLES)
        rows = pending(storage, principal, "all" if scope == "all" else "hq",
                       request_language(request))
        lim = limits(storage)
        return json_response({"approvals": [asdict(x) for x in rows],
                              "limits": asdict(lim)})

    @r.post("/console/api/approvals/{ticket_id}/{compensation_id}")
    async def api_decide(request: Request, ticket_id: str, compensation_id: str) -> Response:
        principal = await run_in_threadpool(api_principal, request, storage, ROLES)
        check_csrf_header(request, principal)
        lang = request_language(request)
        raw = await read_json(request)
        if not isinstance(raw, dict):
            raise Refusal(400, "malformed", i18n.t("approvals.error.bad_decision", lang))

        def work() -> Response:
            try:
                decide(storage, principal, ticket_id, compensation_id,
                       raw.get("decision"), raw.get("reason"))
            except ActionRefused as exc:
                if exc.status == 404:
                    raise Refusal(404, "unknown_ticket",
                                  i18n.t("approvals.error.unknown", lang)) from None
                raise Refusal(exc.status, exc.error,
                              refusal_text(storage, exc, lang, compensation_id)) from None
            return json_response({"decided": raw.get("decision")}, 201)

        return await run_in_threadpool(work)

    return r
