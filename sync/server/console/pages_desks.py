"""The console's desks page: each store's desks as the centre knows them.

``/console/desks`` shows, per store, its desks (:func:`sync.server.desk_reports.desks_overview`):
token state, last sync (how long ago, and when in the store's time zone), events
waiting in the outbox, app and policy version, dead letters; and the enrolment codes
still waiting. Headquarters issues an enrolment code for a store and desk here (shown
once, with its expiry) and revokes a desk's token; regional managers see their
region's stores, read-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from sync.server import enrolment, policy_store
from sync.server.console import i18n
from sync.server.console.auth import PageError, Principal, check_csrf, page_principal
from sync.server.console.masterdata import Store, list_stores
from sync.server.console.render import DEFAULT_ZONE, render, request_language
from sync.server.desk_reports import StoreDesks, desks_overview
from sync.server.errors import ActionRefused
from sync.server.storage import Storage

VIEWERS = ("regional", "hq")
MANAGERS = ("hq",)


@dataclass(frozen=True)
class StoreCard:
    """One store on the page: its master data (None for a store that has desks but is
    not listed in the master data, from before the centre kept one) and its desks."""

    code: str
    store: Store | None
    zone: str
    desks: StoreDesks


def _cards(storage: Storage, principal: Principal) -> tuple[list[StoreCard], list[Store],
                                                            str | None]:
    """The stores *principal* sees with their desks, the stores a code may be issued
    for, and the newest published policy version."""
    with storage.engine.connect() as conn:
        listed = {s.code: s for s in list_stores(conn)}
        wanted = principal.store_codes(conn)
        if wanted is None:
            overview = {s.store: s for s in desks_overview(conn)}
            for code in listed:
                overview.setdefault(code, StoreDesks(code, [], []))
        else:
            overview = {s.store: s for s in desks_overview(conn, wanted)}
        newest = policy_store.newest_document(conn)
    cards = [StoreCard(code, listed.get(code),
                       listed[code].time_zone if code in listed else DEFAULT_ZONE,
                       overview[code]) for code in sorted(overview)]
    return cards, list(listed.values()), None if newest is None else newest[0]


def router(storage: Storage) -> APIRouter:
    """The desks routes on *storage*."""
    r = APIRouter(tags=["console"], include_in_schema=False)

    def page(request: Request, principal: Principal, *, message: str = "",
             message_kind: str = "", status: int = 200, store: str = "",
             desk: str = "") -> Response:
        cards, stores, newest = _cards(storage, principal)
        return render(request, principal, "desks/index.html", "desks.title", status=status,
                      cards=cards, stores=stores, newest=newest, message=message,
                      message_kind=message_kind, may_manage=principal.role in MANAGERS,
                      form_store=store, form_desk=desk)

    @r.get("/console/desks")
    def index(request: Request, revoked: str = "") -> Response:
        principal = page_principal(request, storage, VIEWERS)
        lang = request_language(request)
        message = i18n.t("desks.revoked", lang, desk=revoked[:40]) if revoked else ""
        return page(request, principal, message=message, message_kind="ok")

    async def _posted(request: Request) -> tuple[Principal, FormData, str]:
        principal = await run_in_threadpool(page_principal, request, storage, MANAGERS)
        form = await request.form()
        check_csrf(request, principal, form)
        return principal, form, request_language(request)

    @r.post("/console/desks/enrol")
    async def enrol(request: Request) -> Response:
        principal, form, lang = await _posted(request)
        store = str(form.get("store") or "").strip().upper()[:16]
        desk = str(form.get("desk") or "").strip().upper()[:16]

        def issue() -> Response:
            with storage.engine.connect() as conn:
                hours = policy_store.current(conn)[0].enrolment.code_ttl_hours
            try:
                code, expires = enrolment.create_code(storage, store, desk, ttl_hours=hours)
            except ValueError:
                return page(request, principal, status=400, store=store, desk=desk,
                            message=i18n.t("desks.error.codes", lang), message_kind="error")
            except ActionRefused:
                return page(request, principal, status=404, store=store, desk=desk,
                            message=i18n.t("desks.error.unknown_store", lang, store=store),
                            message_kind="error")
            with storage.engine.connect() as conn:
                known = {s.code: s for s in list_stores(conn)}
            zone = known[store].time_zone if store in known else DEFAULT_ZONE
            return render(request, principal, "desks/code.html", "desks.code.title",
                          code=code, store=store, desk=desk, expires=expires, zone=zone,
                          hours=hours)

        return await run_in_threadpool(issue)

    @r.post("/console/desks/revoke")
    async def revoke(request: Request) -> Response:
        principal, form, lang = await _posted(request)
        device = str(form.get("device_id") or "")[:64]
        del principal, lang

        def done() -> list[dict[str, object]]:
            try:
                return enrolment.revoke(storage, device=device)
            except ValueError:
                raise PageError(409, "desks.error.nothing_live") from None

        revoked = await run_in_threadpool(done)
        names = ", ".join(f"{r['store']}/{r['desk']}" for r in revoked)
        return RedirectResponse(f"/console/desks?revoked={quote(names, safe='')}",
                                status_code=303)

    return r
