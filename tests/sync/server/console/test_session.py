"""Logging in and out of the console on a real server: passwords, lockout, CSRF, tokens."""

from __future__ import annotations

import httpx
import pytest

from sync.server.console import accounts
from sync.server.storage import Storage
from tests.sync.helpers import ServerProcess
from tests.sync.server.console.helpers import PASSWORD, add_user, logged_in


def test_password_hash_is_slow_salted_and_checked() -> None:
    one, two = accounts.hash_password(PASSWORD), accounts.hash_password(PASSWORD)
    assert one != two and one.startswith("scrypt$16384$8$1$")
    assert accounts.verify_password(PASSWORD, one)
    assert not accounts.verify_password(PASSWORD + "x", one)
    assert not accounts.verify_password(PASSWORD, "garbage")


@pytest.mark.parametrize("weak", ["short", "1234567890123", "aaaaaaaaaaaa", 12345678901])
def test_weak_passwords_are_refused(weak: object) -> None:
    with pytest.raises(accounts.ActionRefused) as refused:
        accounts.check_password_rules(weak)
    assert refused.value.error == "weak_password"


def test_login_page_in_both_languages(server: ServerProcess) -> None:
    zh = httpx.get(f"{server.url}/console/login")
    en = httpx.get(f"{server.url}/console/login", cookies={"kesu_lang": "en"})
    assert zh.status_code == en.status_code == 200
    assert "用户名" in zh.text and "User name" in en.text
    assert "default-src 'self'" in zh.headers["content-security-policy"]


def test_pages_need_a_login(server: ServerProcess) -> None:
    answer = httpx.get(f"{server.url}/console/account")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/console/login?next=/console/account")
    assert httpx.get(f"{server.url}/console/api/whoami").status_code == 401


def test_login_sets_a_strict_http_only_cookie_and_logout_ends_it(server: ServerProcess) -> None:
    username = add_user(server, "hq")
    client, csrf = logged_in(server, username)
    cookie = client.cookies.get("kesu_console")
    me = client.get("/console/api/whoami").json()
    assert me["role"] == "hq" and me["username"] == username
    raw = httpx.post(f"{server.url}/console/login",
                     data={"username": username, "password": PASSWORD})
    set_cookie = raw.headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=strict" in set_cookie
    # Logging out without the CSRF token does nothing; with it, the cookie is dead.
    assert client.post("/console/logout", data={}).status_code == 403
    assert client.get("/console/api/whoami").status_code == 200
    assert client.post("/console/logout", data={"csrf_token": csrf}).status_code == 303
    reused = httpx.get(f"{server.url}/console/api/whoami", cookies={"kesu_console": cookie})
    assert reused.status_code == 401


def test_wrong_password_then_lockout(server: ServerProcess) -> None:
    username = add_user(server, "agent")
    storage = Storage(server.db_url)
    try:
        with storage.engine.connect() as conn:
            from sync.server import policy_store
            limit = policy_store.current(conn)[0].console.max_failed_logins
    finally:
        storage.close()
    for attempt in range(1, limit + 1):
        answer = httpx.post(f"{server.url}/console/login",
                            data={"username": username, "password": "wrong password 1"})
        if attempt < limit:
            assert answer.status_code == 401 and "用户名或密码错误" in answer.text
    assert answer.status_code == 423 and "已锁定" in answer.text
    # Locked: the right password is refused too, and no cookie is given.
    locked = httpx.post(f"{server.url}/console/login",
                        data={"username": username, "password": PASSWORD})
    assert locked.status_code == 423 and "kesu_console" not in locked.headers.get("set-cookie", "")
    # An unknown name gets the wrong-password answer, not a different one.
    unknown = httpx.post(f"{server.url}/console/login",
                         data={"username": "nobody-here", "password": PASSWORD})
    assert unknown.status_code == 401


def test_a_desk_token_cannot_use_the_console(server: ServerProcess, make_desk) -> None:  # type: ignore[no-untyped-def]
    desk = make_desk("A", "D1")
    token = desk.engine.tokens.get()  # the desk's device token
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{server.url}/console/api/whoami", headers=headers).status_code == 403
    page = httpx.get(f"{server.url}/console/account", headers=headers)
    assert page.status_code == 303 and "/console/login" in page.headers["location"]


def test_open_redirects_are_refused(server: ServerProcess) -> None:
    username = add_user(server, "hq")
    answer = httpx.post(f"{server.url}/console/login", data={
        "username": username, "password": PASSWORD, "next": "https://evil.example/"})
    assert answer.headers["location"] == "/console/queue"


def test_two_server_processes_share_sessions_and_lockout(pg_cluster) -> None:  # type: ignore[no-untyped-def]
    """On PostgreSQL several processes serve one chain: a session made at one works at
    the other, and wrong passwords count across both."""
    url = pg_cluster.create_database()
    one, two = ServerProcess(url, cluster=pg_cluster), ServerProcess(url, cluster=pg_cluster)
    one.start()
    two.start()
    try:
        username = add_user(one, "hq")
        client, _csrf = logged_in(one, username)
        cookie = client.cookies.get("kesu_console")
        there = httpx.get(f"{two.url}/console/api/whoami", cookies={"kesu_console": cookie})
        assert there.status_code == 200 and there.json()["username"] == username
        victim = add_user(one, "agent")
        for n in range(5):
            target = (one, two)[n % 2]
            last = httpx.post(f"{target.url}/console/login",
                              data={"username": victim, "password": "not the password"})
        assert last.status_code == 423
    finally:
        one.kill()
        two.kill()
