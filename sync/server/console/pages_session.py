"""Logging in and out, the console's home, the language switch and the static assets."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from sync.server.console import accounts
from sync.server.console.auth import (
    LANG_COOKIE,
    SESSION_COOKIE,
    Principal,
    api_principal,
    check_csrf,
    page_principal,
    safe_next,
)
from sync.server.console.i18n import language
from sync.server.console.render import local_time, render
from sync.server.errors import ActionRefused
from sync.server.storage import Storage
from sync.server.web import json_response

HOME = {"agent": "/console/intake", "regional": "/console/queue", "hq": "/console/queue"}
_STATIC = {"console.css": "text/css", "console.js": "text/javascript"}


def _static_path(name: str) -> str:
    return str(resources.files("sync.server.console").joinpath("static", name))


def _font_path() -> str:
    return str(resources.files("resources").joinpath("fonts", "DroidSansFallbackFull.ttf"))


def _login_page(request: Request, *, message: str = "", kind: str = "error",
                username: str = "", next_path: str = "/console", status: int = 200) -> Response:
    return render(request, None, "login.html", "login.title", status=status, message=message,
                  message_kind=kind, username=username, next=safe_next(next_path))


def router(storage: Storage) -> APIRouter:
    """The login routes on *storage*."""
    r = APIRouter(tags=["console"], include_in_schema=False)

    @r.get("/console")
    def home(request: Request) -> Response:
        principal = page_principal(request, storage)
        return RedirectResponse(HOME[principal.role], status_code=303)

    @r.get("/console/login")
    def login_form(request: Request, next: str = "/console", bye: str = "") -> Response:
        from sync.server.console.i18n import t
        lang = language(request.cookies.get(LANG_COOKIE))
        message = t("login.logged_out", lang) if bye else ""
        return _login_page(request, message=message, kind="ok", next_path=next)

    @r.post("/console/login")
    async def login(request: Request) -> Response:
        from sync.server.console.i18n import t
        form = await request.form()
        lang = language(request.cookies.get(LANG_COOKIE))
        username = str(form.get("username") or "").strip()[:64]
        password = str(form.get("password") or "")[:256]
        next_path = str(form.get("next") or "/console")
        if not username or not password:
            return _login_page(request, message=t("login.missing", lang), username=username,
                               next_path=next_path, status=400)
        try:
            session = await run_in_threadpool(accounts.login, storage, username, password)
        except accounts.LoginRefused as refused:
            if refused.reason == "locked":
                until = local_time(refused.locked_until, fmt="%H:%M")
                message = t("login.locked", lang, until=until)
                return _login_page(request, message=message, username=username,
                                   next_path=next_path, status=423)
            return _login_page(request, message=t("login.wrong", lang), username=username,
                               next_path=next_path, status=401)
        target = safe_next(next_path)
        if target == "/console":
            target = HOME[session.user.role]
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(SESSION_COOKIE, session.token, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https", path="/console")
        return response

    @r.post("/console/logout")
    async def logout(request: Request) -> Response:
        principal: Principal = await run_in_threadpool(page_principal, request, storage)
        check_csrf(request, principal, await request.form())
        token = request.cookies.get(SESSION_COOKIE, "")
        await run_in_threadpool(accounts.logout, storage, token)
        response = RedirectResponse("/console/login?bye=1", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/console")
        return response

    @r.get("/console/account")
    def account(request: Request) -> Response:
        return render(request, page_principal(request, storage), "account.html", "account.title",
                      message="", message_kind="")

    @r.post("/console/account/password")
    async def change_password(request: Request) -> Response:
        from sync.server.console.i18n import t
        principal = await run_in_threadpool(page_principal, request, storage)
        form = await request.form()
        check_csrf(request, principal, form)
        lang = language(request.cookies.get(LANG_COOKIE))
        current, new = str(form.get("current") or ""), str(form.get("new") or "")
        try:
            await run_in_threadpool(accounts.login, storage, principal.username, current)
        except accounts.LoginRefused:
            return render(request, principal, "account.html", "account.title", status=400,
                          message=t("account.wrong_current", lang), message_kind="error")
        try:
            await run_in_threadpool(accounts.set_password, storage, principal.username, new)
        except ActionRefused:
            return render(request, principal, "account.html", "account.title", status=400,
                          message=t("account.weak", lang), message_kind="error")
        return _login_page(request, message=t("account.changed", lang), kind="ok")

    @r.get("/console/api/whoami")
    def whoami(request: Request) -> Response:
        p = api_principal(request, storage)
        return json_response({"username": p.username, "display_name": p.display_name,
                              "role": p.role, "region": p.region})

    @r.get("/console/lang")
    def switch_language(to: str = "zh", next: str = "/console") -> Response:
        response = RedirectResponse(safe_next(next), status_code=303)
        response.set_cookie(LANG_COOKIE, language(to), samesite="lax", path="/console",
                            max_age=365 * 86400)
        return response

    @r.get("/console/static/{name}")
    def static(name: str) -> Response:
        if name == "cjk.ttf":
            return FileResponse(_font_path(), media_type="font/ttf",
                                headers={"Cache-Control": "public, max-age=86400"})
        media = _STATIC.get(name)
        if media is None:
            # Page scripts and styles of the parts: <part>.js / <part>.css.
            if not name.replace("_", "").replace(".", "").isalnum() or \
                    not name.endswith((".js", ".css")):
                return Response(status_code=404)
            media = "text/javascript" if name.endswith(".js") else "text/css"
        path = _static_path(name)
        try:
            return FileResponse(path, media_type=media + "; charset=utf-8",
                                headers={"Cache-Control": "no-cache"})
        except (OSError, RuntimeError):
            return Response(status_code=404)

    return r
