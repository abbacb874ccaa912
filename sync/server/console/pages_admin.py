"""The console's admin page, for headquarters only: accounts, regions and stores.

``/console/admin`` lists the accounts (role, region, whether disabled or locked), the
regions and the stores (code, name, region, time zone), and the latest changes to them
(:mod:`sync.server.console.audit`). Headquarters adds an account (with a typed password
or one generated and shown once), disables or enables it, lifts a lockout or gives it a
new generated password (shown once, never put in a URL); adds or renames a region; adds a
store or edits its name, region (its tickets follow it to the new region's manager) and
time zone (an IANA name, checked). Every change goes through the same functions as
``kesu-server region|store|user`` (:mod:`~sync.server.console.masterdata`,
:mod:`~sync.server.console.accounts`) and is noted in the audit under the person's actor.
A refused form is shown again with what was typed and what is wrong.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from domain.clock import parse_time
from sync.server.console import accounts, audit, i18n, masterdata
from sync.server.console.auth import Principal, check_csrf, page_principal
from sync.server.console.render import render, request_language
from sync.server.errors import ActionRefused
from sync.server.storage import Storage

ROLES = ("hq",)
USER_ACTIONS = ("disable", "enable", "unlock", "password")
# Offered in the time-zone field; any IANA name is accepted.
COMMON_ZONES = ("Asia/Shanghai", "Asia/Urumqi", "Asia/Hong_Kong", "Asia/Macau",
                "Asia/Taipei")
# Which form a refusal belongs to, so the page shows the message there.
FORMS = ("user", "region", "store")


def _state(user: accounts.User, now: datetime) -> str:
    """``disabled``, ``locked`` or ``active``."""
    if user.disabled:
        return "disabled"
    if user.locked_until is not None and parse_time(user.locked_until) > now:
        return "locked"
    return "active"


def _refusal_text(refused: ActionRefused, lang: str) -> str:
    return i18n.word(f"admin.error.{refused.error}", lang, refused.detail)


def router(storage: Storage) -> APIRouter:
    """The admin routes on *storage*."""
    r = APIRouter(tags=["console"], include_in_schema=False)

    def page(request: Request, principal: Principal, *, status: int = 200,
             message: str = "", message_kind: str = "", form: str = "",
             values: dict[str, str] | None = None, shown_password: dict[str, str] | None = None,
             edit_store: str = "", edit_region: str = "") -> Response:
        now = datetime.now(UTC)
        with storage.engine.connect() as conn:
            users = accounts.list_users(conn)
            regions = masterdata.list_regions(conn)
            stores = masterdata.list_stores(conn)
            history = audit.recent(conn)
        store_values = values if form == "store" else None
        region_values = values if form == "region" else None
        if store_values is None and edit_store:
            found = next((s for s in stores if s.code == edit_store), None)
            if found is not None:
                store_values = {"code": found.code, "name": found.name,
                                "region": found.region, "time_zone": found.time_zone}
        if region_values is None and edit_region:
            reg = next((g for g in regions if g.code == edit_region), None)
            if reg is not None:
                region_values = {"code": reg.code, "name_zh": reg.name_zh,
                                 "name_en": reg.name_en}
        return render(
            request, principal, "admin/index.html", "admin.title", status=status,
            users=[(u, _state(u, now)) for u in users], regions=regions, stores=stores,
            region_names={g.code: g.name(request_language(request)) for g in regions},
            history=history, message=message, message_kind=message_kind, form=form,
            user_values=values if form == "user" else {},
            store_values=store_values or {}, region_values=region_values or {},
            editing_store=bool(store_values and store_values.get("code") in
                               {s.code for s in stores}),
            editing_region=bool(region_values and region_values.get("code") in
                                {g.code for g in regions}),
            shown_password=shown_password, zones=COMMON_ZONES, me=principal.username,
            describe=lambda entry: audit_text(entry, request_language(request)))

    @r.get("/console/admin")
    def index(request: Request, done: str = "", subject: str = "", store: str = "",
              region: str = "") -> Response:
        principal = page_principal(request, storage, ROLES)
        lang = request_language(request)
        message = i18n.word(f"admin.done.{done}", lang, "", subject=subject[:64])
        return page(request, principal, message=message, message_kind="ok" if message else "",
                    edit_store=store[:32], edit_region=region[:32])

    async def posted(request: Request) -> tuple[Principal, dict[str, str], str]:
        principal = await run_in_threadpool(page_principal, request, storage, ROLES)
        form = await request.form()
        check_csrf(request, principal, form)
        values = {k: v.strip()[:256] for k, v in form.items() if isinstance(v, str)}
        values.pop("csrf_token", None)
        return principal, values, request_language(request)

    def done(what: str, subject: str, anchor: str) -> Response:
        return RedirectResponse(f"/console/admin?done={what}&subject={quote(subject, safe='')}"
                                f"#{anchor}", status_code=303)

    @r.post("/console/admin/regions")
    async def save_region(request: Request) -> Response:
        principal, values, lang = await posted(request)
        values["code"] = values.get("code", "").upper()

        def run() -> Response:
            try:
                region = masterdata.save_region(storage, values["code"],
                                                values.get("name_zh", ""),
                                                values.get("name_en", ""),
                                                actor=principal.actor)
            except ActionRefused as refused:
                return page(request, principal, status=refused.status, form="region",
                            values=values, message=_refusal_text(refused, lang),
                            message_kind="error")
            return done("region", region.code, "regions")

        return await run_in_threadpool(run)

    @r.post("/console/admin/stores")
    async def save_store(request: Request) -> Response:
        principal, values, lang = await posted(request)
        values["code"] = values.get("code", "").upper()
        values["region"] = values.get("region", "").upper()

        def run() -> Response:
            try:
                store = masterdata.save_store(storage, values["code"], values.get("name", ""),
                                              values["region"], values.get("time_zone", ""),
                                              actor=principal.actor)
            except ActionRefused as refused:
                return page(request, principal, status=refused.status, form="store",
                            values=values, message=_refusal_text(refused, lang),
                            message_kind="error")
            return done("store", store.code, "stores")

        return await run_in_threadpool(run)

    @r.post("/console/admin/users")
    async def add_user(request: Request) -> Response:
        principal, values, lang = await posted(request)
        # A password is never shown back in a refused form; the field comes back empty.
        password = values.pop("password", "")

        def run() -> Response:
            generated = not password
            chosen = accounts.generate_password() if generated else password
            try:
                user = accounts.add_user(storage, values.get("username", ""),
                                         values.get("display_name", ""),
                                         values.get("role", ""), chosen,
                                         values.get("region") or None, actor=principal.actor)
            except ActionRefused as refused:
                return page(request, principal, status=refused.status, form="user",
                            values=values, message=_refusal_text(refused, lang),
                            message_kind="error")
            if generated:
                return page(request, principal, message=i18n.t(
                    "admin.done.user", lang, subject=user.username), message_kind="ok",
                    shown_password={"username": user.username, "password": chosen})
            return done("user", user.username, "users")

        return await run_in_threadpool(run)

    @r.post("/console/admin/users/{username}/{action}")
    async def user_action(request: Request, username: str, action: str) -> Response:
        principal, _values, lang = await posted(request)

        def run() -> Response:
            try:
                if action not in USER_ACTIONS:
                    raise ActionRefused(404, "unknown_action", f"no action {action}")
                if action == "disable" and username == principal.username:
                    raise ActionRefused(409, "self", "you cannot disable your own account")
                if action == "password":
                    chosen = accounts.generate_password()
                    accounts.set_password(storage, username, chosen, actor=principal.actor)
                    return page(request, principal, message=i18n.t(
                        "admin.done.password", lang, subject=username), message_kind="ok",
                        shown_password={"username": username, "password": chosen})
                if action == "unlock":
                    accounts.unlock(storage, username, actor=principal.actor)
                else:
                    accounts.set_disabled(storage, username, action == "disable",
                                          actor=principal.actor)
            except ActionRefused as refused:
                return page(request, principal, status=refused.status,
                            message=_refusal_text(refused, lang), message_kind="error")
            return done(action, username, "users")

        return await run_in_threadpool(run)

    return r


def audit_text(entry: audit.Entry, lang: str) -> dict[str, Any]:
    """How the page words one audit entry (its action translated)."""
    label = i18n.word(f"admin.action.{entry.action}", lang, entry.action)
    def shown(value: Any) -> str:
        if isinstance(value, list) and len(value) == 2:
            return f"{shown(value[0])} → {shown(value[1])}"
        return "—" if value is None else str(value)

    def value(name: str, raw: Any) -> Any:
        if name == "role" and isinstance(raw, str):
            return i18n.word(f"base.role.{raw}", lang, raw)
        return raw

    return {"label": label, "detail": "; ".join(
        f"{i18n.word(f'admin.field.{k}', lang, k)}: {shown(value(k, v))}"
        for k, v in entry.detail.items())}
