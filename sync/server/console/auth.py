"""Who is asking: the console's principal, from the session cookie, and what they may see.

Pages call :func:`page_principal` (not logged in: a redirect to the login page; wrong
role: a 403 page); the JSON endpoints behind page scripts call :func:`api_principal`
(401/403 ``{"error", "detail"}``). A device or headquarters bearer token is never a
console login: the console reads only its own cookie. Every state-changing request
checks the session's CSRF token (:func:`check_csrf`, :func:`check_csrf_header`).
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from fastapi import Request
from sqlalchemy.engine import Connection

from sync.server.console import accounts, masterdata
from sync.server.errors import Refusal
from sync.server.storage import Storage
from sync.server.web import bearer

SESSION_COOKIE = "kesu_console"
LANG_COOKIE = "kesu_lang"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
ALL_ROLES = accounts.ROLES


@dataclass(frozen=True)
class Principal:
    """A logged-in console user."""

    username: str
    display_name: str
    role: str  # agent | regional | hq
    region: str | None
    csrf: str

    @property
    def actor(self) -> str:
        """The actor of the events this person writes (``regional:张敏``)."""
        return f"{self.role}:{self.display_name}"

    def sees_store(self, conn: Connection, store: str) -> bool:
        """Whether this person may see *store*'s tickets (a regional manager: their
        region's stores only)."""
        if self.role != "regional":
            return True
        return masterdata.region_of(conn, store) == self.region

    def store_codes(self, conn: Connection) -> list[str] | None:
        """The stores this person sees; None for every store."""
        if self.role != "regional":
            return None
        return [s.code for s in masterdata.list_stores(conn, self.region)]


class LoginNeeded(Exception):
    """Not logged in on a page: the app answers with a redirect to the login page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class PageForbidden(Exception):
    """Logged in, but this page is not for this role: the app answers a 403 page."""

    def __init__(self, principal: Principal) -> None:
        super().__init__(principal.role)
        self.principal = principal


def login_url(next_path: str) -> str:
    """The login page, coming back to *next_path* afterwards."""
    return "/console/login?next=" + quote(safe_next(next_path), safe="/")


def safe_next(value: str | None) -> str:
    """*value* if it is a console path, else the console's home (no open redirects)."""
    if value and value.startswith("/console") and "//" not in value and "\\" not in value:
        return value
    return "/console"


def principal_from_cookie(request: Request, storage: Storage) -> Principal | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > 200:
        return None
    found = accounts.session(storage, token)
    if found is None:
        return None
    u = found.user
    return Principal(u.username, u.display_name, u.role, u.region, found.csrf)


def _path(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def page_principal(request: Request, storage: Storage,
                   roles: Sequence[str] = ALL_ROLES) -> Principal:
    """The logged-in user of a page request with one of *roles*."""
    principal = principal_from_cookie(request, storage)
    if principal is None:
        raise LoginNeeded(_path(request))
    if principal.role not in roles:
        raise PageForbidden(principal)
    return principal


def api_principal(request: Request, storage: Storage,
                  roles: Sequence[str] = ALL_ROLES) -> Principal:
    """The logged-in user of a console JSON request with one of *roles* (401/403)."""
    principal = principal_from_cookie(request, storage)
    if principal is None:
        token = bearer(request)
        if token and (storage.authenticate(token) or storage.authenticate_hq(token)):
            raise Refusal(403, "forbidden", "a device or API token cannot use the console")
        raise Refusal(401, "unauthorized", "log in to the console first")
    if principal.role not in roles:
        raise Refusal(403, "forbidden", f"not for the role {principal.role}")
    return principal


def _same(sent: object, principal: Principal) -> bool:
    return isinstance(sent, str) and hmac.compare_digest(sent.encode(), principal.csrf.encode())


class PageError(Exception):
    """A page request that cannot be done: the app answers an error page in the user's
    language (message *key* with *params*) with *status*."""

    def __init__(self, status: int, key: str, **params: object) -> None:
        super().__init__(key)
        self.status, self.key, self.params = status, key, params


def check_csrf(request: Request, principal: Principal, form: Mapping[str, object]) -> None:
    """Refuse (a 403 page) a form without this session's CSRF token."""
    del request
    if not _same(form.get(CSRF_FIELD), principal):
        raise PageError(403, "base.error.csrf")


def check_csrf_header(request: Request, principal: Principal) -> None:
    """Refuse (403 ``csrf``) a script's request without the ``X-CSRF-Token`` header."""
    if not _same(request.headers.get(CSRF_HEADER), principal):
        raise Refusal(403, "csrf", "the X-CSRF-Token header is missing or wrong")
