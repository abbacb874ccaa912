"""The script library pages on a real server: hq drafts, checks and publishes; the desks
pull what was published; refusals name the script and field and keep the text; forged
forms change nothing; a regional manager reads their region's usage only.

The library is the chain's one document, so the tests that count versions from nothing
run on a server of their own (SQLite and PostgreSQL).
"""

from __future__ import annotations

import html
import re
import secrets
import uuid
from contextlib import closing
from datetime import UTC, datetime
from typing import Any

import httpx

from domain.clock import format_time
from domain.scripts import parse_library
from sync.server import script_library
from sync.server.storage import Storage
from tests.sync.helpers import ServerProcess, add_store, headers
from tests.sync.server.console.helpers import add_user, logged_in

NOW = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)


def _device_token(server: ServerProcess, store: str | None = None) -> str:
    """A device token of a desk of *store* (a new store when None), by raw enrolment."""
    store = store or "S" + secrets.token_hex(3).upper()
    code = server.enrol_code(store, "D1")
    answer = httpx.post(f"{server.url}/v1/enrol", headers=headers(), timeout=10,
                        json={"protocol": 1, "code": code, "device_id": f"d-{uuid.uuid4()}"})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["token"])


def _login(server: ServerProcess, role: str, region: str | None = None,
           lang: str = "zh") -> tuple[httpx.Client, str]:
    """A logged-in client that follows the forms' redirects (303 to the page)."""
    client, csrf = logged_in(server, add_user(server, role, region), lang=lang)
    client.follow_redirects = True
    return client, csrf


def _form(csrf: str, **over: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "csrf_token": csrf, "original_id": "", "id": "wet-floor", "subcategory": "safety",
        "levels": ["1", "2"], "title_zh": "地面湿滑", "title_en": "Wet floor",
        "say_first_zh": "非常抱歉，请问您有没有受伤？", "say_first_en": "",
        "check_zh": "查看监控，确认警示牌", "check_en": "", "may_offer_zh": "报销合理的医药费",
        "may_offer_en": "", "offer_limit": "500", "never_promise_zh": "", "never_promise_en": "",
        "legal_rule_zh": "", "legal_rule_en": ""}
    form.update(over)
    return form


def _draft_ids(page: str) -> list[str]:
    return re.findall(r'data-testid="scripts-draft-row" data-id="([^"]+)"', page)


def _changes(page: str) -> list[tuple[str, str]]:
    return re.findall(r'data-testid="scripts-change" data-id="([^"]+)" data-kind="([^"]+)"',
                      page)


def _version(storage_url: str) -> int:
    storage = Storage(storage_url)
    try:
        with storage.engine.connect() as conn:
            return script_library.current_version(conn)
    finally:
        storage.close()


def test_hq_publishes_the_starter_then_edits_and_publishes_again(
        private_server: ServerProcess) -> None:
    server = private_server
    token = _device_token(server)
    client, csrf = _login(server, "hq")
    with closing(client):
        first = client.get("/console/scripts")
        assert first.status_code == 200 and 'data-testid="scripts-none"' in first.text
        assert 'data-testid="scripts-starter"' in first.text
        starter = client.post("/console/scripts/starter", data={"csrf_token": csrf})
        assert starter.status_code == 200 and str(starter.url).endswith("published=1")
        assert 'data-testid="scripts-starter"' not in starter.text
        assert client.post("/console/scripts/starter",
                           data={"csrf_token": csrf}).status_code == 409
        # Search: a word of a text, a subcategory's name (not written in any script).
        found = client.get("/console/scripts", params={"q": "异物"}).text
        assert re.findall(r'data-testid="script" data-id="([^"]+)"', found) == [
            "foreign-object"]
        by_label = client.get("/console/scripts", params={"q": "收银差错"}).text
        assert re.findall(r'data-testid="script" data-id="([^"]+)"', by_label) == [
            "checkout-error"]
        assert "一千元" in client.get("/console/scripts").text  # the statutory rule

        draft = client.get("/console/scripts/draft").text
        assert _changes(draft) == [] and "general-apology" in _draft_ids(draft)
        edit = client.get("/console/scripts/edit", params={"id": "staff-attitude"})
        assert edit.status_code == 200 and "员工服务态度" in edit.text
        changed = _form(csrf, original_id="staff-attitude", id="staff-attitude",
                        subcategory="attitude", levels=[], title_zh="员工态度（新版）",
                        offer_limit="80")
        saved = client.post("/console/scripts/save", data=changed)
        assert saved.status_code == 200 and 'data-testid="scripts-saved"' in saved.text
        assert client.post("/console/scripts/save", data=_form(csrf)).status_code == 200
        removed = client.post("/console/scripts/remove",
                              data={"csrf_token": csrf, "id": "general-apology"})
        assert removed.status_code == 200
        draft = removed.text
        assert sorted(_changes(draft)) == [("general-apology", "removed"),
                                           ("staff-attitude", "changed"),
                                           ("wet-floor", "added")]
        assert "wet-floor" in _draft_ids(draft) and "general-apology" not in _draft_ids(draft)
        assert _version(server.db_url) == 1  # the draft is not published
        published = client.post("/console/scripts/publish", data={"csrf_token": csrf})
        assert published.status_code == 200 and str(published.url).endswith("published=2")
        # Each publication is listed with the person who made it.
        history = re.findall(r'data-testid="scripts-publication" data-version="(\d+)">'
                             r'<td[^>]*>\d+</td><td>[^<]+</td><td>([^<]+)</td>', published.text)
        assert [v for v, _ in history] == ["2", "1"]
        assert all(who.startswith("hq:测试hq") for _, who in history)
        assert client.post("/console/scripts/publish",
                           data={"csrf_token": csrf}).status_code == 409  # no draft left
    pulled = httpx.get(f"{server.url}/v1/scripts", headers=headers(token), timeout=10)
    library = parse_library(pulled.json())
    assert library.version == 2 and pulled.headers["ETag"] == '"v2"'
    ids = [s.id for s in library.scripts]
    assert "wet-floor" in ids and "general-apology" not in ids
    attitude = library.get("staff-attitude")
    assert attitude is not None and attitude.title.zh == "员工态度（新版）"
    assert attitude.offer_limit_fen == 8000 and attitude.levels == ()
    wet = library.get("wet-floor")
    assert wet is not None and wet.levels == (1, 2) and wet.offer_limit_fen == 50000
    assert library.published_by.startswith("hq:测试hq")


def test_a_bad_script_is_refused_naming_the_field_and_keeping_the_text(
        server: ServerProcess) -> None:
    client, csrf = _login(server, "hq", lang="en")
    with closing(client):
        before = client.get("/console/scripts/draft").text
        cases = (
            (_form(csrf, id="Wet Floor"), "id", "lower-case letters"),
            (_form(csrf, subcategory="no_such"), "subcategory", "no such subcategory"),
            (_form(csrf, levels=["4"]), "levels", "may only be 1, 2, 3"),
            (_form(csrf, levels=["x"]), "levels", "may only be 1, 2, 3"),
            (_form(csrf, title_zh="  "), "title", "Chinese text is required"),
            (_form(csrf, check_zh="查" * 2001), "check", "at most 2000"),
            (_form(csrf, offer_limit="12,5"), "offer_limit", "decimal point"),
            (_form(csrf, offer_limit="一百"), "offer_limit", "not an amount"),
            (_form(csrf, offer_limit="100001"), "offer_limit", "too large"),
            (_form(csrf, offer_limit="-3"), "offer_limit", "negative"),
        )
        for form, field, words in cases:
            answer = client.post("/console/scripts/save", data=form)
            assert answer.status_code == 422, (field, answer.text[:300])
            found = re.search(r'data-testid="scripts-error" data-field="([^"]*)">(.*?)</div>',
                              answer.text, re.S)
            assert found and found.group(1) == field, (field, found)
            message = html.unescape(found.group(2))
            assert words in message and "Script “" in message, (field, message)
            # What was typed is on the form again.
            assert html.escape(form["check_zh"][:50]) in answer.text
            assert f'value="{html.escape(form["id"])}"' in answer.text
            assert 'aria-invalid="true"' in answer.text
        zh_client, zh_csrf = _login(server, "hq", lang="zh")
        with closing(zh_client):
            answer = zh_client.post("/console/scripts/save",
                                    data=_form(zh_csrf, offer_limit="abc"))
            assert answer.status_code == 422
            assert "话术“地面湿滑”的“可给金额上限（元）”" in html.unescape(answer.text)
        # A new script may not take an id the draft has.
        assert client.post("/console/scripts/save",
                           data=_form(csrf, id="dup-check")).status_code == 200
        again = client.post("/console/scripts/save", data=_form(csrf, id="dup-check",
                                                                title_zh="另一条"))
        assert again.status_code == 422 and 'data-field="id"' in again.text
        assert "is used by another script" in html.unescape(again.text)
        draft = client.get("/console/scripts/draft").text
        assert _draft_ids(draft).count("dup-check") == 1
        assert len(_draft_ids(draft)) == len(_draft_ids(before)) + 1
        client.post("/console/scripts/discard", data={"csrf_token": csrf})


def test_a_forged_form_changes_nothing(server: ServerProcess) -> None:
    client, csrf = _login(server, "hq")
    with closing(client):
        client.post("/console/scripts/discard", data={"csrf_token": csrf})
        version = _version(server.db_url)
        before = client.get("/console/scripts/draft").text
        wrong = csrf[:-1] + ("1" if csrf[-1] == "0" else "0")
        for path, form in (("/console/scripts/save", _form("forged")),
                           ("/console/scripts/save", {k: v for k, v in _form("x").items()
                                                      if k != "csrf_token"}),
                           ("/console/scripts/remove", {"csrf_token": "", "id": "x"}),
                           ("/console/scripts/publish", {"csrf_token": wrong}),
                           ("/console/scripts/discard", {}),
                           ("/console/scripts/starter", {"csrf_token": "nope"})):
            answer = client.post(path, data=form)
            assert answer.status_code == 403, path
        assert _draft_ids(client.get("/console/scripts/draft").text) == _draft_ids(before)
        assert _version(server.db_url) == version
        storage = Storage(server.db_url)
        try:
            with storage.engine.connect() as conn:
                assert script_library.draft(conn) is None  # no save made one
        finally:
            storage.close()
        # Another site's form: no session cookie of ours goes with it either way.
        outsider = httpx.post(f"{server.url}/console/scripts/publish", data={"csrf_token": csrf})
        assert outsider.status_code == 303 and "/console/login" in outsider.headers["location"]


def test_regional_managers_read_their_regions_usage_and_cannot_edit(
        server: ServerProcess) -> None:
    region, elsewhere = f"E{secrets.token_hex(2).upper()}", f"W{secrets.token_hex(2).upper()}"
    mine, theirs = f"M{secrets.token_hex(3).upper()}", f"T{secrets.token_hex(3).upper()}"
    storage = Storage(server.db_url)
    try:
        add_store(storage, mine, region)
        add_store(storage, theirs, elsewhere)
    finally:
        storage.close()
    script_id = f"probe-{secrets.token_hex(3)}"
    for store, copied, helpful in ((mine, 3, 1), (theirs, 2, 2)):
        uses = [{"id": str(uuid.uuid4()), "script_id": script_id, "version": 1, "kind": kind,
                 "ticket_id": None, "at": format_time(NOW)}
                for kind, n in (("copied", copied), ("helpful", helpful)) for _ in range(n)]
        answer = httpx.post(f"{server.url}/v1/scripts/usage", timeout=10,
                            headers=headers(_device_token(server, store)), json={"uses": uses})
        assert answer.json() == {"accepted": copied + helpful}

    def rows(page: str) -> dict[str, tuple[str, str]]:
        found = re.findall(r'data-testid="scripts-usage-row" data-script="' + script_id
                           + r'" data-store="([^"]+)">.*?data-testid="copied">(\d+)<.*?'
                           r'data-testid="helpful">(\d+)<', page, re.S)
        return {store: (copied, helpful) for store, copied, helpful in found}

    regional, csrf = _login(server, "regional", region)
    with closing(regional):
        page = regional.get("/console/scripts")
        assert page.status_code == 200
        assert rows(page.text) == {mine: ("3", "1")}
        assert 'data-testid="scripts-edit-draft"' not in page.text
        assert 'data-testid="scripts-starter"' not in page.text
        for path in ("/console/scripts/draft", "/console/scripts/edit"):
            assert regional.get(path).status_code == 403, path
        for path in ("/console/scripts/save", "/console/scripts/remove",
                     "/console/scripts/publish", "/console/scripts/discard",
                     "/console/scripts/starter"):
            assert regional.post(path, data=_form(csrf)).status_code == 403, path
    hq, _ = _login(server, "hq")
    with closing(hq):
        assert rows(hq.get("/console/scripts").text) == {mine: ("3", "1"),
                                                          theirs: ("2", "2")}
    agent, _ = _login(server, "agent")
    with closing(agent):
        assert agent.get("/console/scripts").status_code == 403
    assert httpx.get(f"{server.url}/console/scripts").status_code == 303
