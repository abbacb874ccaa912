"""The agents' intake page on a real server: the live suggestion, the customer's history,
one ticket per form however often it is sent, bad input said and kept, and a desk of the
store pulling what the agent recorded."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime, timedelta

import httpx

from desktop.tickets import create_ticket
from sync.server import channels
from sync.server.storage import Storage
from tests.sync.helpers import DeskNode, ServerProcess
from tests.sync.server.console.helpers import add_user, csrf_of, logged_in

FOOD = "昨天买的卤味吃完全家拉肚子，孩子去了医院"


def _store(server: ServerProcess) -> str:
    code = "I" + secrets.token_hex(2).upper()
    server.add_store(code)
    return code


def _form(client: httpx.Client) -> dict[str, str]:
    html = client.get("/console/intake").text
    external = re.search(r'name="external_id" value="([^"]+)"', html)
    assert external
    return {"csrf_token": csrf_of(html), "external_id": external.group(1), "channel": "hotline",
            "phone": "", "product": "", "sku": "", "paid": ""}


def test_the_suggestion_is_the_channel_endpoints_triage(server: ServerProcess) -> None:
    store = _store(server)
    client, csrf = logged_in(server, add_user(server, "agent"))
    with closing(client):
        answer = client.post("/console/api/intake/triage", headers={"X-CSRF-Token": csrf},
                             json={"store": store, "channel": "hotline", "text": FOOD,
                                   "phone": ""})
        assert answer.status_code == 200, answer.text
        storage = Storage(server.db_url)
        try:
            expected = channels.suggest(storage, store, "hotline", FOOD)
        finally:
            storage.close()
        triage = answer.json()["triage"]
        assert triage["level"] == expected.level == 1
        assert triage["subcategory"] == expected.subcategory
        assert re.search(r"[\u4e00-\u9fff]", triage["problem"])
        # Without the header, or with a desk's way in, nothing is answered.
        assert client.post("/console/api/intake/triage", json={}).status_code == 403
    token_answer = httpx.post(f"{server.url}/console/api/intake/triage",
                              headers={"Authorization": "Bearer nonsense"}, json={})
    assert token_answer.status_code == 401


def test_one_ticket_per_form_history_and_bad_input(server: ServerProcess) -> None:
    store = _store(server)
    client, _ = logged_in(server, add_user(server, "agent"))
    with closing(client):
        form = _form(client)
        phone = f"139{secrets.randbelow(10**8):08d}"
        data = {**form, "store": store, "text": FOOD, "phone": phone, "product": "卤味拼盘",
                "paid": "38.80"}
        first = client.post("/console/intake", data=data)
        assert first.status_code == 200, first.text
        number = re.search(r'data-testid="intake-made">.*?单号 ([A-Z0-9-]+)', first.text)
        assert number, first.text
        again = client.post("/console/intake", data=data)
        assert number.group(1) in again.text  # the same ticket, not a second one
        # The customer's history shows the ticket, the phone masked.
        csrf = csrf_of(again.text)
        seen = client.post("/console/api/intake/triage", headers={"X-CSRF-Token": csrf},
                           json={"store": store, "channel": "qr", "text": FOOD, "phone": phone})
        rows = seen.json()["history"]
        assert [r["number"] for r in rows] == [number.group(1)]
        assert phone not in seen.text and rows[0]["phone"] != phone
        assert [r["number"] for r in seen.json()["duplicates"]] == [number.group(1)]
        # Bad input: said in the user's words, what was typed kept, nothing made.
        bad = client.post("/console/intake", data={**_form(client), "store": store,
                                                   "text": "牛奶过期", "paid": "-5"})
        assert bad.status_code == 400 and "实付金额" in bad.text and "牛奶过期" in bad.text
        unknown = client.post("/console/intake", data={**_form(client), "store": "NOPE9",
                                                       "text": "牛奶过期"})
        assert unknown.status_code == 404 and "没有这个门店" in unknown.text
        huge = "长" * 1_000_000
        long_answer = client.post("/console/intake", data={**_form(client), "store": store,
                                                           "text": huge})
        assert long_answer.status_code == 400 and "太长" in long_answer.text
        no_csrf = client.post("/console/intake", data={**_form(client), "csrf_token": "x",
                                                       "store": store, "text": "牛奶过期"})
        assert no_csrf.status_code == 403 and "牛奶过期" in no_csrf.text


def test_who_opens_the_intake(server: ServerProcess) -> None:
    client, _ = logged_in(server, add_user(server, "regional", "IR"))
    with closing(client):
        assert client.get("/console/intake").status_code == 403
    client, _ = logged_in(server, add_user(server, "hq"), lang="en")
    with closing(client):
        page = client.get("/console/intake")
        assert page.status_code == 200 and "Record a channel complaint" in page.text


def test_an_agents_complaint_reaches_the_stores_desk(
        server: ServerProcess, make_desk: Callable[..., DeskNode]) -> None:
    node = make_desk("K", "D1")
    store = node.desk.store_code
    client, _ = logged_in(server, add_user(server, "agent"))
    with closing(client):
        made = client.post("/console/intake", data={**_form(client), "store": store,
                                                    "text": "网上订的牛奶送到时已经过期三天了"})
        number = re.search(r"单号 ([A-Z0-9-]+)", made.text)
        assert number, made.text
    node.engine.sync_once()
    rows = node.desk.conn.execute("SELECT number, text FROM tickets").fetchall()
    assert (number.group(1), "网上订的牛奶送到时已经过期三天了") in [tuple(r) for r in rows]


RETYPED = "昨天买的卤味吃完全家都拉肚子了，孩子去了医院！"  # FOOD typed again, ≥ 0.8 alike
SAME_PROBLEM = "前天在店里买的熟食，吃了以后全家肚子疼拉肚子"  # another text, same subcategory
DOUYIN_EN = "Douyin"  # the default policy's English label of the channel


def test_likely_duplicates_across_stores_and_channels(
        server: ServerProcess, make_desk: Callable[..., DeskNode]) -> None:
    """The desk's rule at the centre: nearly the same text at the store (another phone)
    is similar_text, the same customer at another store is same_customer, and the same
    customer's ticket outside both windows is history only."""
    phone = f"139{secrets.randbelow(10**8):08d}"
    hotline_phone = f"137{secrets.randbelow(10**8):08d}"
    node = make_desk("K", "D1")
    store = node.desk.store_code
    other = _store(server)
    # An old complaint of the customer at the store's desk, 73 h ago (outside both
    # 72 h windows of the default policy), same text and problem.
    node.clock.set(datetime.now(UTC) - timedelta(hours=73))
    old = create_ticket(node.desk, node.clerk, {"text": FOOD,
                                                "customer": {"phone": phone}}).ticket
    node.engine.sync_once()
    storage = Storage(server.db_url)
    try:
        hotline = channels.create(storage, {
            "store_code": store, "channel": "hotline", "text": FOOD,
            "external_id": "hot-" + secrets.token_hex(6),
            "customer": {"phone": hotline_phone}})
        elsewhere = channels.create(storage, {
            "store_code": other, "channel": "douyin", "text": SAME_PROBLEM,
            "external_id": "dy-" + secrets.token_hex(6), "customer": {"phone": phone}})
        unrelated = channels.create(storage, {
            "store_code": store, "channel": "qr", "text": "收银员态度很差，找零还扔在台面上",
            "external_id": "qr-" + secrets.token_hex(6), "customer": {"phone": phone}})
        triaged = {channels.suggest(storage, s, "hotline", text).subcategory
                   for s, text in ((store, RETYPED), (store, FOOD), (other, SAME_PROBLEM))}
    finally:
        storage.close()
    assert len(triaged) == 1 and old.subcategory in triaged  # the same problem, all four
    client, csrf = logged_in(server, add_user(server, "agent"), lang="en")
    with closing(client):
        answer = client.post("/console/api/intake/triage", headers={"X-CSRF-Token": csrf},
                             json={"store": store, "channel": "online", "text": RETYPED,
                                   "phone": phone})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        history = [r["number"] for r in body["history"]]
        assert set(history) == {old.number, elsewhere.number, unrelated.number}
        dups = {r["number"]: r for r in body["duplicates"]}
        assert set(dups) == {hotline.number, elsewhere.number}
        assert body["duplicates"][0]["number"] == elsewhere.number  # the customer first
        same = dups[elsewhere.number]
        assert (same["reason"], same["store"]) == ("same_customer", other)
        assert same["reason_label"] == "Same customer, same problem"
        assert same["channel"] == DOUYIN_EN
        assert same["url"] == f"/console/tickets/{same['ticket_id']}"
        alike = dups[hotline.number]
        assert (alike["reason"], alike["store"]) == ("similar_text", store)
        assert alike["similarity"] >= 0.8 and "phone" not in alike
        assert hotline_phone not in answer.text
        assert client.get(alike["url"]).status_code == 200
        # Another phone and another text: nothing at all is offered.
        none = client.post("/console/api/intake/triage", headers={"X-CSRF-Token": csrf},
                           json={"store": store, "channel": "online", "text": SAME_PROBLEM,
                                 "phone": ""}).json()
        assert none["duplicates"] == []
        # In Chinese the reason is Chinese.
        client.cookies.set("kesu_lang", "zh")
        zh = client.post("/console/api/intake/triage", headers={"X-CSRF-Token": csrf},
                         json={"store": store, "channel": "online", "text": RETYPED,
                               "phone": ""}).json()
        assert [r["reason_label"] for r in zh["duplicates"]] == ["本店内容几乎相同"]
