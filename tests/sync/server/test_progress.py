"""The customer progress page against a real ``kesu-server`` and a real desk's tickets."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from desktop.ticket_actions import add_note, advance, contact_customer
from desktop.tickets import create_ticket, verify_code_of
from domain.clock import FixedClock
from domain.phones import mask_phone
from local_db import store
from sync.server.progress import GuessLimiter, mask_name
from tests.conftest import START
from tests.sync.helpers import DeskNode, ServerProcess
from tests.sync.server.hq_client import HQ
from tests.sync.server_fixtures import _new_server

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


def _as(server: ServerProcess, number: str, code: str, client: str) -> httpx.Response:
    return httpx.get(f"{server.url}/p/{number}", params={"code": code},
                     headers={"X-Forwarded-For": client}, timeout=10)


def test_wrong_codes_stop_the_guesser_never_the_customer(
        make_desk: MakeDesk, server: ServerProcess) -> None:
    """Finding 8: ten wrong codes locked the page for 15 minutes, right code included.
    On a server that trusts no proxy, X-Forwarded-For changes nothing: one client."""
    a = make_desk("L", "D1", server)
    made = create_ticket(a.desk, a.clerk, {"text": "收银员态度很差，问她问题不理人"}).ticket
    code = _code(a, made.id)
    a.engine.sync_once()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    rotating = [_as(server, made.number, wrong, f"10.0.0.{i}").status_code for i in range(7)]
    assert rotating == [404] * 5 + [429] * 2  # the guesser (loopback) is stopped
    assert "Retry-After" in _as(server, made.number, wrong, "10.9.9.9").headers


def test_behind_a_configured_proxy_the_right_code_still_opens_the_page(
        backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    proxied = _new_server(backend, tmp_path, request)
    proxied.extra_args = ["--forwarded-allow-ips", "127.0.0.1"]
    proxied.extra_env = {"KESU_PROGRESS_SLOW_S": "1"}
    proxied.start()
    try:
        node = DeskNode(tmp_path / "desk.db", "PX9", "D1", FixedClock(START), proxied)
        node.enrol()
        made = create_ticket(node.desk, node.clerk, {"text": "收银员态度很差"}).ticket
        code = _code(node, made.id)
        node.engine.sync_once()
        node.close()
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        # Four addresses, five wrong codes each: each is stopped, the number slowed.
        answers = [_as(proxied, made.number, wrong, f"10.0.{i}.1").status_code
                   for i in range(4) for _ in range(6)]
        assert answers.count(429) >= 4 and set(answers) == {404, 429}
        assert _as(proxied, made.number, code, "10.0.0.1").status_code == 429  # stopped
        # The customer, from their own address, waits at most the slowed interval.
        first = _as(proxied, made.number, code, "192.0.2.7")
        if first.status_code == 429:
            assert int(first.headers["Retry-After"]) <= 1
            time.sleep(1.1)
            first = _as(proxied, made.number, code, "192.0.2.7")
        assert first.status_code == 200 and made.number in first.text
    finally:
        proxied.kill()
        proxied.drop_database()


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
    limiter = GuessLimiter(per_pair=2, per_client=3, per_number=3, slow_interval_s=10,
                           window_s=60, clock=lambda: now[0])

    def guess(number: str, client: str, right: bool = False) -> float | None:
        wait = limiter.admit(number, client)
        if wait is None:
            limiter.result(number, client, right=right)
        return wait

    assert guess("N1", "ip") is None and guess("N1", "ip") is None
    assert guess("N1", "ip") == 60  # this client, this number: stopped
    assert guess("N1", "other") is None  # the number is slowed now (3 wrong in all)
    assert guess("N1", "third", right=True) == 10  # inside the interval: wait, not a lock
    now[0] = 10.0
    assert guess("N1", "third", right=True) is None  # the customer's own try
    assert guess("N1", "fourth") is None  # the slot was given back
    assert guess("N2", "ip") is None
    assert guess("N3", "ip") == 60  # three wrong codes in all: the client is stopped
    assert guess("N1", "fifth") == 10  # "fourth" was wrong: the next slot is later
    now[0] = 71.0
    assert guess("N1", "ip") is None  # the window passed
