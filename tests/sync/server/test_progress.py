"""The customer progress page against a real ``kesu-server`` and a real desk's tickets."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx

from desktop.handling import add_note, advance, contact_customer
from desktop.tickets import create_ticket, verify_code_of
from local_db import store
from sync.server.progress import GuessLimiter, mask_name, mask_phone
from tests.sync.helpers import DeskNode, ServerProcess
from tests.sync.server.hq_client import HQ

MakeDesk = Callable[..., DeskNode]


def _code(node: DeskNode, ticket_id: str) -> str:
    payload = node.conn.execute(
        "SELECT payload FROM events WHERE type = 'ticket_created' AND ticket_id = ?",
        (ticket_id,)).fetchone()[0]
    return str(json.loads(payload)["verify_code"])


def _page(server: ServerProcess, number: str, code: str) -> httpx.Response:
    return httpx.get(f"{server.url}/p/{number}", params={"code": code}, timeout=10)


def test_the_page_shows_state_and_history_in_chinese_and_follows_the_desk(
        make_desk: MakeDesk, server: ServerProcess) -> None:
    a = make_desk("P", "D1", server)
    made = create_ticket(a.desk, a.clerk, {
        "text": "酸奶过期了<script>alert('x')</script>，孩子喝了拉肚子",
        "customer": {"name": "王小明", "phone": "13812345678"},
        "product_name": "原味酸奶"}).ticket
    code = _code(a, made.id)
    assert len(code) == 6 and code.isdigit() and verify_code_of(a.desk, made.id) == code
    assert store.check(a.conn) == []  # the code is part of the hash-chained payload
    a.engine.sync_once()

    page = _page(server, made.number, code)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store"
    body = page.text
    assert '<html lang="zh-CN">' in body
    assert made.number in body and "受理" in body and "投诉已受理登记" in body
    assert "一级" in body and "60 分钟内响应" in body
    assert "2026-11-22 10:00" in body  # 02:00 UTC in the store's zone (Asia/Shanghai)
    assert "<script>" not in body and "&lt;script&gt;" in body
    assert "13812345678" not in body and "138****5678" in body
    assert "王小明" not in body and "王**" in body
    assert "http://" not in body.replace('href="/p"', "")  # no external assets

    a.clock.advance(minutes=20)
    contact_customer(a.desk, a.clerk, made.id, "phone", "已电话致歉，约定明天上门")
    add_note(a.desk, a.manager, made.id, "内部：供应商批次 B17 有问题")
    a.clock.advance(minutes=5)
    advance(a.desk, a.manager, made.id, "rectifying")
    a.engine.sync_once()

    body = _page(server, made.number, code).text
    assert "进入「整改」阶段" in body and "门店已与您联系" in body
    assert "门店记录了处理进展" in body
    assert 'class="now">整改<' in body
    assert "已于 2026-11-22 10:20 响应" in body
    for secret in ("内部：供应商批次", "约定明天上门", "店长张伟", "服务台小李", "m1", "d1"):
        assert secret not in body


def test_a_wrong_code_and_an_unknown_number_look_the_same(
        make_desk: MakeDesk, server: ServerProcess) -> None:
    a = make_desk("W", "D1", server)
    made = create_ticket(a.desk, a.clerk, {"text": "收银员态度很差，问她问题不理人"}).ticket
    code = _code(a, made.id)
    a.engine.sync_once()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    answers = [_page(server, made.number, wrong),
               _page(server, made.number[:-1] + "9", code),
               _page(server, made.number, "12345"),
               _page(server, made.number, "")]
    assert {r.status_code for r in answers} == {404}
    assert len({r.text for r in answers}) == 1
    assert "未找到" in answers[0].text and made.number not in answers[0].text
    assert _page(server, made.number, code).status_code == 200


def test_too_many_wrong_codes_lock_the_number(make_desk: MakeDesk,
                                               server: ServerProcess) -> None:
    a = make_desk("L", "D1", server)
    made = create_ticket(a.desk, a.clerk, {"text": "收银员态度很差，问她问题不理人"}).ticket
    other = create_ticket(a.desk, a.clerk, {"text": "请问几点关门"}).ticket
    code = _code(a, made.id)
    a.engine.sync_once()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert [_page(server, made.number, wrong).status_code for _ in range(10)] == [404] * 10
    locked = _page(server, made.number, code)
    assert locked.status_code == 429 and "请稍后再试" in locked.text
    # Another number is still open to its owner.
    assert _page(server, other.number, _code(a, other.id)).status_code == 200


def test_the_form_leads_to_the_page(make_desk: MakeDesk, server: ServerProcess) -> None:
    form = httpx.get(f"{server.url}/p", timeout=10)
    assert form.status_code == 200 and "查询码" in form.text and 'name="number"' in form.text
    moved = httpx.get(f"{server.url}/p", params={"number": " XT01-D1-1 ", "code": "123456"},
                      timeout=10)
    assert moved.status_code == 303
    assert moved.headers["location"] == "/p/XT01-D1-1?code=123456"


def test_a_channel_ticket_has_a_page_with_the_servers_code(
        make_desk: MakeDesk, server: ServerProcess) -> None:
    a = make_desk("C", "D1", server)
    hq = HQ(server, name="客服中心")
    try:
        made = hq.channel_ticket({
            "store_code": a.desk.store_code, "channel": "hotline",
            "text": "熟食吃了上吐下泻", "customer": {"name": "陈女士", "phone": "13812345678"},
            "external_id": "400-call-9"}).json()
    finally:
        hq.close()
    page = _page(server, made["number"], made["verify_code"])
    assert page.status_code == 200
    assert "400电话" in page.text and "陈*" in page.text and "13812345678" not in page.text


def test_masks_and_limiter_rules() -> None:
    assert mask_phone("138-1234-5678") == "138****5678"
    assert mask_phone("12345") == "*****"
    assert mask_name("陈") == "陈*" and mask_name(None) is None
    now = [0.0]
    limiter = GuessLimiter(per_number=2, per_client=3, window_s=60, clock=lambda: now[0])
    limiter.failed("N1", "ip")
    assert not limiter.blocked("N1", "ip")
    limiter.failed("N1", "ip")
    assert limiter.blocked("N1", "ip") and not limiter.blocked("N2", "other")
    limiter.failed("N2", "ip")
    assert limiter.blocked("N3", "ip")  # the client's allowance is used up too
    now[0] = 61.0
    assert not limiter.blocked("N1", "ip")
