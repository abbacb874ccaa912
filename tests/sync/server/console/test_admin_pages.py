"""The admin page on a real server (both backends): who may open it, regions, stores and
accounts made and changed there, refusals that keep what was typed, a store moved with
its tickets, and the audit naming the person."""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass

import httpx
import pytest

from sync.server import channels
from sync.server.console import accounts, audit, masterdata
from sync.server.console.i18n import t
from sync.server.storage import Storage
from tests.sync.helpers import ServerProcess
from tests.sync.server.console.helpers import PASSWORD, add_user, csrf_of, logged_in


@dataclass(frozen=True)
class Admin:
    """An hq account logged in, and the server's database."""

    storage: Storage
    username: str
    client: httpx.Client
    csrf: str
    tag: str


@pytest.fixture
def admin(server: ServerProcess) -> Iterator[Admin]:
    storage = Storage(server.db_url)
    username = add_user(server, "hq")
    client, csrf = logged_in(server, username)
    yield Admin(storage, username, client, csrf, secrets.token_hex(2).upper())
    client.close()
    storage.close()


def _post(admin: Admin, path: str, **data: str) -> httpx.Response:
    return admin.client.post(path, data={"csrf_token": admin.csrf, **data})


def _message(page: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}"[^>]*>([^<]*)<', page)
    assert found, f"no {testid} on the page"
    return html.unescape(found.group(1))


def _value(page: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}"[^>]*value="([^"]*)"', page)
    assert found, f"no {testid} field"
    return html.unescape(found.group(1))


def _last(storage: Storage, subject: str) -> audit.Entry:
    with storage.engine.connect() as conn:
        return next(e for e in audit.recent(conn, 500) if e.subject == subject)


def test_only_headquarters_opens_it(server: ServerProcess) -> None:
    assert httpx.get(f"{server.url}/console/admin").status_code == 303
    for role, region in (("agent", None), ("regional", "ADM" + secrets.token_hex(2).upper())):
        client, csrf = logged_in(server, add_user(server, role, region))
        with closing(client):
            assert client.get("/console/admin").status_code == 403
            assert client.post("/console/admin/regions", data={
                "csrf_token": csrf, "code": "NOPE", "name_zh": "不行"}).status_code == 403
            assert client.post("/console/admin/users/x/disable",
                               data={"csrf_token": csrf}).status_code == 403
            nav = client.get("/console/queue").text
            assert 'data-testid="nav-admin"' not in nav
    storage = Storage(server.db_url)
    try:
        with storage.engine.connect() as conn:
            assert "NOPE" not in {r.code for r in masterdata.list_regions(conn)}
    finally:
        storage.close()


def test_regions_and_stores_are_added_and_edited(admin: Admin) -> None:
    region, store = f"A{admin.tag}", f"s{admin.tag}1"
    answer = _post(admin, "/console/admin/regions", code=region.lower(), name_zh="华中区",
                   name_en="Central China")
    assert answer.status_code == 303 and "done=region" in answer.headers["location"]
    answer = _post(admin, "/console/admin/stores", code=store, name="长沙五一店",
                   region=region, time_zone="Asia/Shanghai")
    assert answer.status_code == 303
    page = admin.client.get("/console/admin").text
    row = page.split(f'data-store="{store.upper()}"', 1)[1].split("</tr>", 1)[0]
    assert "长沙五一店" in row and "华中区" in row
    # Renaming the region and the store keeps their codes.
    assert _post(admin, "/console/admin/regions", code=region, name_zh="华中大区",
                 name_en="").status_code == 303
    assert _post(admin, "/console/admin/stores", code=store.upper(), name="长沙五一广场店",
                 region=region, time_zone="Asia/Urumqi").status_code == 303
    with admin.storage.engine.connect() as conn:
        saved = masterdata.store(conn, store.upper())
        names = {r.code: r.name_zh for r in masterdata.list_regions(conn)}
    assert saved == masterdata.Store(store.upper(), "长沙五一广场店", region, "Asia/Urumqi")
    assert names[region] == "华中大区"
    changed = _last(admin.storage, store.upper())
    assert changed.action == "store.changed" and changed.actor.startswith("hq:")
    assert changed.detail == {"name": ["长沙五一店", "长沙五一广场店"],
                              "time_zone": ["Asia/Shanghai", "Asia/Urumqi"]}
    # The edit link fills the form with the store, its code read-only.
    edit = admin.client.get(f"/console/admin?store={store.upper()}").text
    assert _value(edit, "admin-store-name") == "长沙五一广场店"
    assert re.search(r'data-testid="admin-store-code"[^>]*readonly', edit)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_refused_store_keeps_what_was_typed_and_says_why(server: ServerProcess,
                                                           lang: str) -> None:
    storage = Storage(server.db_url)
    client, csrf = logged_in(server, add_user(server, "hq"), lang=lang)
    tag = secrets.token_hex(2).upper()
    try:
        masterdata.save_region(storage, f"B{tag}", "西南区", "South-west")
        cases = (
            ({"code": f"Z{tag}", "name": "成都春熙店", "region": f"B{tag}",
              "time_zone": "Mars/Olympus"}, 400, "admin.error.bad_time_zone"),
            ({"code": f"Z{tag}", "name": "成都春熙店", "region": "NOWHERE",
              "time_zone": "Asia/Shanghai"}, 404, "admin.error.unknown_region"),
            ({"code": "TOO-LONG-CODE", "name": "成都春熙店", "region": f"B{tag}",
              "time_zone": "Asia/Shanghai"}, 400, "admin.error.bad_code"),
            ({"code": f"Z{tag}", "name": "  ", "region": f"B{tag}",
              "time_zone": "Asia/Shanghai"}, 400, "admin.error.bad_name"),
        )
        for typed, status, key in cases:
            answer = client.post("/console/admin/stores", data={"csrf_token": csrf, **typed})
            assert answer.status_code == status, typed
            assert _message(answer.text, "admin-store-error") == t(key, lang)
            assert _value(answer.text, "admin-store-zone") == typed["time_zone"]
            assert _value(answer.text, "admin-store-name") == typed["name"].strip()
        with storage.engine.connect() as conn:
            assert masterdata.store(conn, f"Z{tag}") is None
            # A refused change leaves no line in the history either.
            assert all(e.subject != f"Z{tag}" for e in audit.recent(conn, 500))
        # Without the session's CSRF token nothing is saved.
        answer = client.post("/console/admin/stores", data={
            "csrf_token": "forged", "code": f"Z{tag}", "name": "成都春熙店",
            "region": f"B{tag}", "time_zone": "Asia/Shanghai"})
        assert answer.status_code == 403
        with storage.engine.connect() as conn:
            assert masterdata.store(conn, f"Z{tag}") is None
    finally:
        client.close()
        storage.close()


def test_an_account_made_here_logs_in(admin: Admin, server: ServerProcess) -> None:
    region = f"C{admin.tag}"
    masterdata.save_region(admin.storage, region, "华北区", "North China")
    username = f"zm{admin.tag.lower()}"
    # A regional manager without a region is refused, the typed name kept, the password not.
    answer = _post(admin, "/console/admin/users", username=username, display_name="张敏",
                   role="regional", region="", password="kesu-Region-2026")
    assert answer.status_code == 400
    assert _message(answer.text, "admin-user-error") == t("admin.error.region_required", "zh")
    assert _value(answer.text, "admin-user-username") == username
    assert "kesu-Region-2026" not in answer.text
    for weak in ("12345678901", "aaaaaaaaaaaa", "short"):
        answer = _post(admin, "/console/admin/users", username=username, display_name="张敏",
                       role="regional", region=region, password=weak)
        assert answer.status_code == 400
        assert _message(answer.text, "admin-user-error") == t("admin.error.weak_password", "zh")
    answer = _post(admin, "/console/admin/users", username=username, display_name="张敏",
                   role="regional", region=region, password="kesu-Region-2026")
    assert answer.status_code == 303
    client, _ = logged_in(server, username, "kesu-Region-2026")
    with closing(client):
        assert "张敏" in client.get("/console/account").text
    again = _post(admin, "/console/admin/users", username=username, display_name="张敏二",
                  role="agent", region="", password="kesu-Region-2026")
    assert again.status_code == 409
    made = _last(admin.storage, username)
    assert made.action == "user.added" and made.detail["region"] == region
    assert "kesu-Region-2026" not in str(made.detail)


def test_a_generated_password_is_shown_once_and_works(admin: Admin,
                                                      server: ServerProcess) -> None:
    username = f"ln{admin.tag.lower()}"
    answer = _post(admin, "/console/admin/users", username=username, display_name="李娜",
                   role="agent", region="", password="")
    assert answer.status_code == 200
    shown = _message(answer.text, "admin-password-value")
    accounts.check_password_rules(shown)
    client, _ = logged_in(server, username, shown)
    client.close()
    # It is in no later page.
    assert shown not in admin.client.get("/console/admin").text


def test_disable_enable_unlock_and_a_new_password(admin: Admin, server: ServerProcess) -> None:
    username = add_user(server, "agent")
    theirs, _ = logged_in(server, username)
    with closing(theirs):
        assert _post(admin, f"/console/admin/users/{username}/disable").status_code == 303
        # Their session ended; they cannot log in again.
        assert theirs.get("/console/account").status_code == 303
        refused = httpx.post(f"{server.url}/console/login",
                             data={"username": username, "password": PASSWORD})
        assert refused.status_code != 303
    assert _post(admin, f"/console/admin/users/{username}/enable").status_code == 303
    logged_in(server, username)[0].close()
    # Locked by wrong passwords, then unlocked here: the right password works at once.
    for _ in range(5):
        httpx.post(f"{server.url}/console/login", data={"username": username,
                                                        "password": "wrong-password-x"})
    page = admin.client.get("/console/admin").text
    assert re.search(rf'data-username="{username}" data-state="locked"', page)
    assert _post(admin, f"/console/admin/users/{username}/unlock").status_code == 303
    logged_in(server, username)[0].close()
    # A new password: the old one no longer works, the shown one does.
    answer = _post(admin, f"/console/admin/users/{username}/password")
    assert answer.status_code == 200
    shown = _message(answer.text, "admin-password-value")
    assert httpx.post(f"{server.url}/console/login", data={
        "username": username, "password": PASSWORD}).status_code != 303
    logged_in(server, username, shown)[0].close()
    with admin.storage.engine.connect() as conn:
        actions = [e.action for e in audit.recent(conn, 500) if e.subject == username]
    assert actions[:4] == ["user.password_set", "user.unlocked", "user.enabled",
                           "user.disabled"]


def test_headquarters_cannot_disable_itself_and_unknown_names_are_said(admin: Admin) -> None:
    answer = _post(admin, f"/console/admin/users/{admin.username}/disable")
    assert answer.status_code == 409
    assert t("admin.error.self", "zh") in answer.text
    assert admin.client.get("/console/account").status_code == 200
    answer = _post(admin, "/console/admin/users/nobody-here/enable")
    assert answer.status_code == 404
    assert t("admin.error.unknown_user", "zh") in answer.text
    assert _post(admin, f"/console/admin/users/{admin.username}/explode").status_code == 404


def test_a_store_moved_to_another_region_takes_its_tickets(admin: Admin,
                                                           server: ServerProcess) -> None:
    east, west = f"E{admin.tag}", f"W{admin.tag}"
    store = f"M{admin.tag}"
    masterdata.save_region(admin.storage, east, "华东区", "East")
    masterdata.save_region(admin.storage, west, "西北区", "West")
    masterdata.save_store(admin.storage, store, "杭州一店", east)
    ticket = channels.create(admin.storage, {
        "store_code": store, "channel": "hotline", "text": "收银员态度很差",
        "external_id": secrets.token_hex(6), "customer": {"phone": "13812345678"}})
    east_mgr, _ = logged_in(server, add_user(server, "regional", east))
    west_mgr, _ = logged_in(server, add_user(server, "regional", west))
    with closing(east_mgr), closing(west_mgr):
        path = f"/console/tickets/{ticket.ticket_id}"
        assert east_mgr.get(path).status_code == 200
        assert west_mgr.get(path).status_code == 404
        assert _post(admin, "/console/admin/stores", code=store, name="杭州一店",
                     region=west, time_zone="Asia/Shanghai").status_code == 303
        assert east_mgr.get(path).status_code == 404
        assert west_mgr.get(path).status_code == 200
        assert store in west_mgr.get("/console/queue").text
    moved = _last(admin.storage, store)
    assert moved.detail == {"region": [east, west]}


def test_the_page_reads_in_both_languages_with_its_history(server: ServerProcess) -> None:
    for lang in ("zh", "en"):
        client, csrf = logged_in(server, add_user(server, "hq"), lang=lang)
        with closing(client):
            tag = secrets.token_hex(2).upper()
            client.post("/console/admin/regions", data={
                "csrf_token": csrf, "code": f"H{tag}", "name_zh": "华南区",
                "name_en": "South"})
            page = client.get("/console/admin").text
        assert f"<title>{t('admin.title', lang)}" in page
        assert 'data-testid="nav-admin"' in page
        row = page.split(f'data-subject="H{tag}"', 1)[1].split("</tr>", 1)[0]
        assert t("admin.action.region.added", lang) in row
        assert t("admin.field.name_zh", lang) in row
        assert csrf_of(page)
