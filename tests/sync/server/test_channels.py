"""Tickets from the hotline, QR codes, online and Douyin, made at the centre for a store."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from desktop.ticket_actions import add_note
from desktop.tickets import get_ticket
from local_db import store
from tests.sync.helpers import DeskNode, ServerProcess
from tests.sync.server.hq_client import HQ

MakeDesk = Callable[..., DeskNode]
FOOD_POISONING = "昨天在你们店买的熟食，全家吃了以后上吐下泻，孩子现在还在医院"


@pytest.fixture
def hq(server: ServerProcess) -> Iterator[HQ]:
    """A headquarters user with a fresh token."""
    client = HQ(server, name="客服中心")
    yield client
    client.close()


def _store_day() -> str:
    return datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y%m%d")


def _body(store_code: str, external_id: str, **extra: object) -> dict[str, object]:
    return {"store_code": store_code, "channel": "hotline", "text": FOOD_POISONING,
            "customer": {"name": "陈女士", "phone": "138-1234-5678"},
            "product": {"name": "卤味拼盘", "sku": "690123"}, "amount_paid_fen": 3880,
            "external_id": external_id, **extra}


def test_a_hotline_ticket_reaches_the_store_graded_and_numbered(
        make_desk: MakeDesk, server: ServerProcess, hq: HQ) -> None:
    a, other = make_desk("A", "D1", server), make_desk("B", "D1", server)
    code = a.desk.store_code
    before = _store_day()
    made = hq.channel_ticket(_body(code, "400-call-0001"))
    assert made.status_code == 201, made.text
    ticket = made.json()
    # Numbered by the store's date (Shanghai), which may turn during the call.
    assert re.fullmatch(rf"{code}-HQ-\d{{8}}-0001", ticket["number"])
    assert ticket["number"].split("-")[2] in {before, _store_day()}
    assert re.fullmatch(r"\d{6}", ticket["verify_code"])
    assert ticket["level"] == 1

    with ThreadPoolExecutor(3) as pool:  # a caller retrying at once gets the same ticket
        agains = list(pool.map(lambda _: hq.channel_ticket(
            _body(code, "400-call-0001", text="重复提交的同一个来电")), range(3)))
    assert [(r.status_code, r.json()) for r in agains] == [(200, ticket)] * 3
    with ThreadPoolExecutor(3) as pool:  # a new complaint sent three times at once
        racing = list(pool.map(lambda _: hq.channel_ticket(_body(code, "400-call-0002")),
                               range(3)))
    assert sorted(r.status_code for r in racing) == [200, 200, 201]
    assert len({r.json()["ticket_id"] for r in racing}) == 1
    second = hq.channel_ticket(_body(code, "douyin-77", channel="douyin",
                                     text="直播间买的纸巾少发了一包"))
    assert second.status_code == 201
    assert second.json()["number"].endswith("-0003") and second.json()["level"] > 1

    a.engine.sync_once()
    other.engine.sync_once()
    assert store.check(a.conn) == []
    on_desk = get_ticket(a.desk, ticket["number"])
    assert on_desk.id == ticket["ticket_id"] and on_desk.level == 1
    assert (on_desk.channel, on_desk.desk_code, on_desk.store_code) == ("hotline", "HQ", code)
    assert on_desk.customer_phone == "13812345678" and on_desk.amount_paid_fen == 3880
    assert "food_safety" in on_desk.flags
    assert on_desk.created_by == "channel:hotline"
    created = json.loads(a.conn.execute(
        "SELECT payload FROM events WHERE ticket_id = ? AND type = 'ticket_created'",
        (on_desk.id,)).fetchone()[0])
    assert created["verify_code"] == ticket["verify_code"]
    kinds = [r[0] for r in a.conn.execute(
        "SELECT type FROM events WHERE ticket_id = ? ORDER BY hlc", (on_desk.id,))]
    assert kinds == ["ticket_created", "notification_raised"]  # as a desk's level-1 save
    assert other.conn.execute("SELECT count(*) FROM events").fetchone()[0] == 0
    # Each store has a central chain of its own, gapless on its desks.
    for n in (1, 2):
        assert hq.channel_ticket(_body(other.desk.store_code, f"b-{n}")).status_code == 201
    other.engine.sync_once()
    assert store.check(other.conn) == []
    chains = [(r[0].rsplit(":", 1)[0], r[1]) for r in other.conn.execute(
        "SELECT device_id, device_seq FROM events ORDER BY device_seq")]
    assert chains == [(f"central:{other.desk.store_code}", n) for n in (1, 2, 3, 4)]

    # The store handles it like its own ticket, and the centre sees that.
    a.clock.advance(minutes=3)
    add_note(a.desk, a.clerk, on_desk.id, "已回电顾客，约好明天上门")
    a.engine.sync_once()
    assert a.engine.status()["pending"] == 0
    shown = hq.show(on_desk.id).json()
    assert shown["ticket"]["first_response_at"] is not None
    assert [e["type"] for e in shown["events"]] == [
        "ticket_created", "notification_raised", "note_added"]


def test_channel_requests_are_checked(make_desk: MakeDesk, server: ServerProcess,
                                      hq: HQ) -> None:
    a = make_desk("A", "D1", server)
    code = a.desk.store_code

    def refused(resp: httpx.Response, status: int, error: str) -> None:
        assert (resp.status_code, resp.json()["error"]) == (status, error), resp.text

    refused(hq.channel_ticket(_body(code, "x1", channel="fax")), 400, "unknown_channel")
    refused(hq.channel_ticket(_body(code, "x2", text="  ")), 400, "empty_text")
    refused(hq.channel_ticket(_body(code, "x3", amount_paid_fen="38.80")), 400, "malformed")
    refused(hq.channel_ticket(_body(code, "")), 400, "malformed")
    refused(hq.channel_ticket(_body("bad code", "x4")), 400, "malformed")
    refused(hq.channel_ticket(_body(code, "x5", customer={"phone": "call me"})), 400,
            "bad_phone")
    refused(hq.channel_ticket(_body("ZZ9NONE", "x6")), 404, "unknown_store")
    a.engine.sync_once()
    assert a.conn.execute("SELECT count(*) FROM events").fetchone()[0] == 0


def test_a_third_channel_complaint_raises_its_group_everywhere(
        make_desk: MakeDesk, server: ServerProcess, hq: HQ) -> None:
    a = make_desk("A", "D1", server)
    code = a.desk.store_code
    texts = ["停车场的电梯坏了一直不修", "地下车库电梯又停运了，推车下不去",
             "电梯故障，老人只能走楼梯"]
    made = []
    for i, text in enumerate(texts):
        r = hq.channel_ticket(_body(code, f"douyin-{i}", text=text, channel="douyin"))
        assert r.status_code == 201, r.text
        made.append(r.json())
    assert made[-1]["level"] == 1
    earlier = [m for m in made[:2] if m["level"] > 1]
    assert earlier, "the first two must start below level 1 for this test to mean anything"
    for m in made[:2]:
        shown = hq.show(m["ticket_id"]).json()
        assert shown["ticket"]["level"] == 1 and "group" in shown["ticket"]["flags"]
        raised = [e for e in shown["events"] if e["type"] == "triaged"]
        assert len(raised) == (1 if m in earlier else 0)
    a.engine.sync_once()
    assert store.check(a.conn) == []
    for m in made:
        ticket = get_ticket(a.desk, m["ticket_id"])
        assert ticket.level == 1 and "group" in ticket.flags
