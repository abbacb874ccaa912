"""Console test helpers: accounts on a real server's database, a logged-in httpx client."""

from __future__ import annotations

import re
import secrets

import httpx

from sync.server.console import accounts
from sync.server.storage import Storage
from tests.sync.helpers import ServerProcess, add_store

PASSWORD = "correct horse 电池"


def add_user(server: ServerProcess, role: str, region: str | None = None,
             password: str = PASSWORD) -> str:
    """A new account of *role* on *server*'s database; its user name."""
    username = f"{role[:3]}{secrets.token_hex(3)}"
    storage = Storage(server.db_url)
    try:
        if region is not None:
            add_store(storage, f"R{region[:3]}{secrets.token_hex(1).upper()}", region)
        accounts.add_user(storage, username, f"测试{role}{username[-2:]}", role, password,
                          region)
    finally:
        storage.close()
    return username


def csrf_of(html: str) -> str:
    """The CSRF token a page's forms carry."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def logged_in(server: ServerProcess, username: str, password: str = PASSWORD,
              lang: str = "zh") -> tuple[httpx.Client, str]:
    """An httpx client with a console session of *username*, and its CSRF token."""
    client = httpx.Client(base_url=server.url, timeout=10, cookies={"kesu_lang": lang})
    answer = client.post("/console/login", data={"username": username, "password": password})
    assert answer.status_code == 303, answer.text
    page = client.get("/console/account")
    return client, csrf_of(page.text)
