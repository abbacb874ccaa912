"""The chain's web console on kesu-server: pages for hotline agents, regional managers and
headquarters (server-rendered Jinja2 templates, a little vanilla JavaScript, every asset
served by the server itself).

Each part of the console is a module ``pages_<part>`` with ``router(storage)``; they are
all mounted by :func:`console_routers`.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from sync.server.storage import Storage


def console_routers(storage: Storage) -> list[APIRouter]:
    """Every router of the console on *storage* (login first, then the pages)."""
    from sync.server.console import (
        pages_admin,
        pages_alerts,
        pages_approvals,
        pages_desks,
        pages_escalations,
        pages_intake,
        pages_policy,
        pages_queue,
        pages_reports,
        pages_scripts,
        pages_session,
    )

    return [module.router(storage) for module in (
        pages_session, pages_intake, pages_queue, pages_escalations, pages_approvals,
        pages_reports, pages_alerts, pages_scripts, pages_policy, pages_desks, pages_admin)]


def install(app: FastAPI, storage: Storage) -> None:
    """Mount the console on *app*: its routers and the answers to its page errors."""
    from sync.server.console import i18n
    from sync.server.console.auth import LoginNeeded, PageError, PageForbidden, login_url
    from sync.server.console.render import render, request_language

    for router in console_routers(storage):
        app.include_router(router)

    @app.exception_handler(LoginNeeded)
    async def _login(_request: Request, exc: LoginNeeded) -> Response:
        return RedirectResponse(login_url(exc.next_path), status_code=303)

    @app.exception_handler(PageForbidden)
    async def _forbidden(request: Request, exc: PageForbidden) -> Response:
        lang = request_language(request)
        role = i18n.t(f"base.role.{exc.principal.role}", lang)
        return render(request, exc.principal, "error.html", "base.forbidden.title",
                      status=403, message=i18n.t("base.forbidden.body", lang, role=role),
                      back="/console")

    @app.exception_handler(PageError)
    async def _page_error(request: Request, exc: PageError) -> Response:
        from sync.server.console.auth import principal_from_cookie
        lang = request_language(request)
        principal = principal_from_cookie(request, storage)
        return render(request, principal, "error.html", "base.error.title",
                      status=exc.status, message=i18n.t(exc.key, lang, **exc.params),
                      back=request.headers.get("Referer") or "/console")
