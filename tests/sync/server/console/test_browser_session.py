"""Logging in and out of the console in a real browser: the right password, a wrong one,
lockout, CSRF refused, logout ending the session; and a desk's bearer token, which is
never a console login."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from local_db import sync_state
from sync.server import policy_store
from sync.server.console.auth import SESSION_COOKIE
from sync.server.console.i18n import t
from sync.server.storage import Storage
from sync.server.tables import console_sessions, events
from tests.sync.helpers import DeskNode, ServerProcess, headers
from tests.sync.server.console.conftest import Account, Offsite, log_in

MakeAccount = Callable[..., Account]


def _session_count(storage: Storage, account: Account) -> int:
    with storage.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(console_sessions).where(
            console_sessions.c.username == account.username,
            console_sessions.c.ended_at.is_(None))).scalar_one())


def _event_count(storage: Storage) -> int:
    with storage.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(events)).scalar_one())


def test_the_right_password_opens_the_roles_home(page: Page, server: ServerProcess,
                                                 make_account: MakeAccount,
                                                 offsite: Offsite) -> None:
    hq = make_account("hq")
    page.goto(f"{server.url}/console")
    # Not logged in: the login page; logged in, headquarters' home is the chain's queue.
    assert page.url.startswith(f"{server.url}/console/login")
    expect(page.get_by_test_id("login-form")).to_be_visible()
    log_in(page, server, hq, next_path="/console")
    assert page.url == f"{server.url}/console/queue"
    page.goto(f"{server.url}/console/account")
    expect(page.get_by_test_id("who")).to_contain_text(hq.display_name)
    expect(page.get_by_test_id("who")).to_contain_text(t("base.role.hq", "zh"))
    cookie = next(c for c in page.context.cookies() if c["name"] == SESSION_COOKIE)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    # Script cannot read the session cookie.
    assert SESSION_COOKIE not in page.evaluate("document.cookie")
    assert offsite.urls == []


def test_the_login_form_comes_back_to_the_page_asked_for(page: Page, server: ServerProcess,
                                                         make_account: MakeAccount) -> None:
    agent = make_account("agent")
    page.goto(f"{server.url}/console/account")
    assert page.url.startswith(f"{server.url}/console/login?next=")
    page.get_by_test_id("username").fill(agent.username)
    page.get_by_test_id("password").fill(agent.password)
    with page.expect_navigation():
        page.get_by_test_id("login-submit").click()
    assert page.url == f"{server.url}/console/account"
    expect(page.get_by_test_id("who")).to_contain_text(agent.display_name)
    # An agent's home is intake.
    page.goto(f"{server.url}/console")
    assert page.url == f"{server.url}/console/intake"


def test_a_wrong_password_is_said_and_the_name_kept(page: Page, server: ServerProcess,
                                                    make_account: MakeAccount,
                                                    console_storage: Storage) -> None:
    hq = make_account("hq")
    log_in(page, server, Account(hq.username, "not-the-password", hq.display_name, "hq", None))
    expect(page.get_by_test_id("login-message")).to_have_text(t("login.wrong", "zh"))
    expect(page.get_by_test_id("username")).to_have_value(hq.username)
    assert page.url.startswith(f"{server.url}/console/login")
    assert _session_count(console_storage, hq) == 0
    # An unknown name gets the very same answer (nothing tells which names exist).
    log_in(page, server, Account("nobody-here", "whatever-password", "", "hq", None))
    expect(page.get_by_test_id("login-message")).to_have_text(t("login.wrong", "zh"))


def test_an_account_locks_after_the_policys_failures_even_for_the_right_password(
        page: Page, server: ServerProcess, make_account: MakeAccount,
        console_storage: Storage) -> None:
    agent = make_account("agent")
    with console_storage.engine.connect() as conn:
        allowed = policy_store.current(conn)[0].console.max_failed_logins
    wrong = Account(agent.username, "wrong-password-1", agent.display_name, "agent", None)
    message = page.get_by_test_id("login-message")
    for _ in range(allowed - 1):
        log_in(page, server, wrong)
        expect(message).to_have_text(t("login.wrong", "zh"))
    log_in(page, server, wrong)  # the last failure the policy allows locks the account
    locked_prefix = t("login.locked", "zh", until="").split("{")[0].rstrip("。")
    expect(message).to_contain_text(locked_prefix)
    log_in(page, server, agent)  # the right password, refused while locked
    expect(message).to_contain_text(locked_prefix)
    assert page.url.startswith(f"{server.url}/console/login")
    assert SESSION_COOKIE not in {c["name"] for c in page.context.cookies()}
    assert _session_count(console_storage, agent) == 0
    page.goto(f"{server.url}/console/account")
    assert page.url.startswith(f"{server.url}/console/login")


def test_the_lockout_message_is_in_english_too(page: Page, server: ServerProcess,
                                               make_account: MakeAccount,
                                               console_storage: Storage) -> None:
    agent = make_account("agent")
    with console_storage.engine.connect() as conn:
        allowed = policy_store.current(conn)[0].console.max_failed_logins
    page.goto(f"{server.url}/console/login")
    page.get_by_test_id("switch-language").click()
    expect(page.get_by_test_id("login-submit")).to_have_text(t("login.submit", "en"))
    wrong = Account(agent.username, "wrong-password-1", agent.display_name, "agent", None)
    for _ in range(allowed):
        log_in(page, server, wrong)
    expect(page.get_by_test_id("login-message")).to_contain_text(
        t("login.locked", "en", until="").split("{")[0].rstrip("."))


def test_logout_ends_the_session_for_the_back_button_and_a_reused_cookie(
        page: Page, server: ServerProcess, make_account: MakeAccount,
        console_storage: Storage) -> None:
    hq = make_account("hq")
    log_in(page, server, hq, next_path="/console/account")
    mine = page.url
    cookie = next(c["value"] for c in page.context.cookies() if c["name"] == SESSION_COOKIE)
    with page.expect_navigation():
        page.get_by_test_id("logout").click()
    expect(page.get_by_test_id("login-message")).to_have_text(t("login.logged_out", "zh"))
    assert _session_count(console_storage, hq) == 0
    page.go_back()
    page.reload()  # the back button may show a cached copy: asking again must fail
    assert page.url.startswith(f"{server.url}/console/login")
    # The old cookie, sent again by hand, opens nothing.
    answer = httpx.get(mine, cookies={SESSION_COOKIE: cookie}, timeout=10)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/console/login")


def test_a_form_without_the_csrf_token_is_refused_and_changes_nothing(
        page: Page, server: ServerProcess, make_account: MakeAccount,
        console_storage: Storage) -> None:
    hq = make_account("hq")
    log_in(page, server, hq, next_path="/console/account")
    before = _event_count(console_storage)
    for token in (None, "forged-token"):
        # The logout form as a forged page would send it: no token, or a wrong one.
        page.evaluate("""token => {
            const field = document.querySelector('form[action="/console/logout"] '
                                                  + 'input[name="csrf_token"]');
            if (token === null) field.remove(); else field.value = token;
        }""", token)
        with page.expect_response(f"{server.url}/console/logout") as answer:
            page.get_by_test_id("logout").click()
        assert answer.value.status == 403
        expect(page.locator("main")).to_contain_text(t("base.error.csrf", "zh"))
        assert _session_count(console_storage, hq) == 1  # still logged in
        page.goto(f"{server.url}/console/account")
        assert page.url == f"{server.url}/console/account"
    assert _event_count(console_storage) == before


def test_a_script_post_without_the_csrf_header_is_refused(
        page: Page, server: ServerProcess, make_account: MakeAccount) -> None:
    hq = make_account("hq")
    log_in(page, server, hq, next_path="/console/account")
    status = page.evaluate("""() => fetch('/console/logout', {method: 'POST',
        headers: {'Content-Type': 'application/x-www-form-urlencoded'},
        body: 'csrf_token=' + encodeURIComponent('x' + document.body.dataset.csrf)})
        .then(r => r.status)""")
    assert status == 403
    # The page's own token is the one that works.
    with page.expect_navigation():
        page.get_by_test_id("logout").click()
    assert page.url.startswith(f"{server.url}/console/login")


def test_a_desk_token_cannot_use_the_console(make_desk: Callable[..., DeskNode],
                                             server: ServerProcess) -> None:
    node = make_desk("A", "D1")
    token = sync_state.read_state(node.conn).token
    assert token
    # Just what a desk sends: its token and the protocol header.
    bearer = headers(token)
    with httpx.Client(base_url=server.url, timeout=10) as http:
        # The token works where it belongs ...
        assert http.get("/v1/status", headers=bearer).status_code == 200
        # ... and nowhere in the console: a page sends it to the login form, a console
        # API call is refused; neither shows anything of the chain.
        for path in ("/console", "/console/account"):
            answer = http.get(path, headers=bearer)
            refused = answer.status_code in (401, 403) or (
                answer.status_code == 303
                and answer.headers["location"].startswith("/console/login"))
            assert refused, (path, answer.status_code)
            assert node.desk.store_code not in answer.text
        answer = http.get("/console/api/whoami", headers=bearer)
        assert answer.status_code == 403
        assert set(answer.json()) == {"error", "detail"}
