"""Rendering console pages: Jinja2 templates (autoescaped) with the console's words.

Every template extends ``base.html`` and gets ``t`` (translate), ``lang``, ``principal``,
``csrf_token``, ``nav`` and the filters ``local`` (a stored UTC time in a time zone),
``yuan`` (fen as yuan) and ``ago`` (an age in words).
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from domain.clock import parse_time, wall_clock_text
from domain.money import format_yuan
from sync.server.console import i18n
from sync.server.console.auth import LANG_COOKIE, Principal

# (path, message key, roles that see it) in the order of the navigation bar.
NAV = (
    ("/console/intake", "base.nav.intake", ("agent", "hq")),
    ("/console/queue", "base.nav.queue", ("regional", "hq", "agent")),
    ("/console/approvals", "base.nav.approvals", ("regional", "hq")),
    ("/console/escalations", "base.nav.escalations", ("regional", "hq")),
    ("/console/reports", "base.nav.reports", ("regional", "hq")),
    ("/console/alerts", "base.nav.alerts", ("regional", "hq")),
    ("/console/scripts", "base.nav.scripts", ("regional", "hq")),
    ("/console/policy", "base.nav.policy", ("hq",)),
    ("/console/desks", "base.nav.desks", ("regional", "hq")),
    ("/console/admin", "base.nav.admin", ("hq",)),
)
DEFAULT_ZONE = "Asia/Shanghai"


def request_language(request: Request) -> str:
    """The language of the request: its cookie, else Chinese."""
    return i18n.language(request.cookies.get(LANG_COOKIE))


def local_time(value: str | None, zone: str = DEFAULT_ZONE, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC time as wall-clock text in *zone* (the store's); empty for None."""
    if not value:
        return ""
    return wall_clock_text(value, ZoneInfo(zone), fmt)


def age_text(value: str | None, lang: str, now: datetime | None = None) -> str:
    """How long ago *value* was, in words (``3 小时`` / ``3 h``)."""
    if not value:
        return ""
    seconds = max(0, int(((now or datetime.now(UTC)) - parse_time(value)).total_seconds()))
    if seconds < 3600:
        return i18n.t("base.age.minutes", lang, n=seconds // 60)
    if seconds < 86400 * 2:
        return i18n.t("base.age.hours", lang, n=seconds // 3600)
    return i18n.t("base.age.days", lang, n=seconds // 86400)


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The template environment (built once)."""
    env = Environment(loader=PackageLoader("sync.server.console", "templates"),
                      autoescape=select_autoescape(["html"]), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["local"] = local_time
    env.filters["yuan"] = format_yuan
    return env


def render(request: Request, principal: Principal | None, template: str, title_key: str,
           status: int = 200, **context: Any) -> HTMLResponse:
    """The page *template* for *principal* (None on the login page)."""
    lang = request_language(request)

    def t(key: str, **params: Any) -> str:
        return i18n.t(key, lang, **params)

    nav = [] if principal is None else [
        {"href": href, "label": t(key), "current": request.url.path.startswith(href)}
        for href, key, roles in NAV if principal.role in roles]
    html = environment().get_template(template).render(
        t=t, lang=lang, principal=principal, nav=nav, title=t(title_key),
        csrf_token=principal.csrf if principal else "", path=request.url.path,
        ago=lambda value: age_text(value, lang), **context)
    response = HTMLResponse(html, status_code=status)
    # Pages hold personal data: never cached, never framed.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
