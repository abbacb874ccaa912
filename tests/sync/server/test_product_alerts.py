"""Cross-store product alerts at the centre: raised at N stores within M days (policy
defaults 3 and 7), not at N-1 or spread wider; one store and one ticket count once;
SKU and name keys; voided tickets leave; the WeCom message is queued; closed by HQ.

Real desks push by the real sync protocol to a real ``kesu-server`` (both backends); the
alerts are read through the desks' ``GET /v1/alerts``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa

from desktop.ticket_actions import add_note, void
from desktop.tickets import create_ticket
from local_db import sync_state
from sync.protocol import PROTOCOL_HEADER
from sync.server import product_alerts
from sync.server.storage import Storage
from sync.server.tables import events, notifications
from sync.server.tables import product_alerts as alerts_table
from tests.sync.helpers import DeskNode, ServerProcess
from tests.sync.server.hq_client import HQ
from tests.sync.server.test_notify import webhook_servers  # noqa: F401 (a fixture)
from tests.sync.server.webhook_sink import WebhookSink

MakeDesk = Callable[..., DeskNode]


def _product() -> str:
    """A product name no other test uses (product keys are chain-wide), without digits:
    the WeCom message masks a run of 7 digits as a phone number."""
    return f"测试酸奶 {uuid.uuid4().hex[:8].translate(str.maketrans('0123456789', 'ghijklmnop'))}"


def _desks(make_desk: MakeDesk, n: int, days_ago: float = 3) -> list[DeskNode]:
    desks = [make_desk(chr(ord("A") + i), "D1") for i in range(n)]
    # Mentions are dated by the desks' (shared) clock, the alerts' quiet rule (no mention
    # for M days closes an alert) by the server's: start a few days before now.
    desks[0].clock.set(datetime.now(UTC) - timedelta(days=days_ago))
    return desks


def _complain(node: DeskNode, product: str | None, sku: str | None = None,
              text: str = "酸奶胀包，味道发酸") -> str:
    data: dict[str, Any] = {"text": text, "product": {}}
    if product is not None:
        data["product"]["name"] = product
    if sku is not None:
        data["product"]["sku"] = sku
    ticket = create_ticket(node.desk, node.clerk, data).ticket
    node.engine.sync_once()
    return ticket.id


def alerts(node: DeskNode, since: int = 0) -> list[dict[str, Any]]:
    """The alert changes the server answers this desk (its own device token)."""
    token = sync_state.read_state(node.conn).token
    answer = httpx.get(f"{node.server.url}/v1/alerts", params={"since": since}, headers={
        PROTOCOL_HEADER: "1", "Authorization": f"Bearer {token}"}, timeout=10)
    assert answer.status_code == 200, answer.text
    return list(answer.json()["alerts"])


def _open_for(node: DeskNode, label: str) -> list[dict[str, Any]]:
    latest: dict[int, dict[str, Any]] = {}
    for alert in alerts(node):
        latest[alert["id"]] = alert
    return [a for a in latest.values() if a["label"] == label and a["status"] == "open"]


def test_n_minus_one_stores_no_alert_n_stores_alert(make_desk: MakeDesk,
                                                    server: ServerProcess) -> None:
    a, b, c = _desks(make_desk, 3)
    product = _product()
    first = _complain(a, product)
    a.clock.advance(hours=1)
    _complain(a, product)  # the same store again: still one store
    a.clock.advance(hours=1)
    _complain(b, product)
    add_note(a.desk, a.clerk, first, "已联系顾客")  # another event on a counted ticket
    a.engine.sync_once()
    assert _open_for(a, product) == []
    a.clock.advance(days=2)
    _complain(c, product)
    [alert] = _open_for(c, product)
    assert (alert["store_count"], alert["tickets"], alert["days"]) == (3, 4, 7)
    # A later event on a counted ticket changes nothing; a fourth ticket adds one.
    add_note(a.desk, a.clerk, first, "二次回访")
    a.engine.sync_once()
    [alert] = _open_for(a, product)
    assert alert["tickets"] == 4
    _complain(b, product)
    [alert] = _open_for(b, product)
    assert (alert["store_count"], alert["tickets"]) == (3, 5)
    # Headquarters' WeCom message waits in the outbox, in Chinese.
    storage = Storage(server.db_url)
    try:
        with storage.engine.connect() as conn:
            content = conn.execute(sa.select(notifications.c.content).where(
                notifications.c.event_id == f"product_alert:{alert['id']}")).scalar_one()
        assert "商品预警" in content and product in content and "3 家门店" in content
        # HQ closes it, naming the person; closing twice is refused.
        with storage.writing() as conn:
            assert product_alerts.close(conn, alert["id"], "hq:王总")
            assert not product_alerts.close(conn, alert["id"], "hq:王总")
    finally:
        storage.close()
    assert _open_for(a, product) == []
    closed = [x for x in alerts(a) if x["id"] == alert["id"]][-1]
    assert closed["status"] == "closed"


def test_n_stores_spread_over_more_than_m_days_no_alert(make_desk: MakeDesk,
                                                        server: ServerProcess) -> None:
    a, b, c, d = _desks(make_desk, 4, days_ago=8)
    product = _product()
    _complain(a, product)
    a.clock.advance(days=4)
    _complain(b, product)
    a.clock.advance(days=3)  # exactly 7 days after the first: not within 7 days
    _complain(c, product)
    assert _open_for(a, product) == []
    a.clock.advance(hours=1)
    _complain(d, product)  # b, c, d within 3 days and 1 hour
    [alert] = _open_for(a, product)
    assert alert["store_count"] == 3


def test_sku_and_name_keys(make_desk: MakeDesk, server: ServerProcess) -> None:
    a, b, c = _desks(make_desk, 3)
    sku = f"69{uuid.uuid4().int % 10**11:011d}"
    name = f"Milk {uuid.uuid4().hex[:6].upper()} 1L"
    # One SKU under three names is one product; it is not the name's product.
    _complain(a, name, sku)
    _complain(b, "鲜牛奶", sku)
    _complain(c, None, sku)
    [by_sku] = [x for x in _open_for(a, "鲜牛奶") + _open_for(a, sku)]
    assert by_sku["store_count"] == 3
    # The name, written three ways, in three stores: one product by its name.
    _complain(a, name)
    _complain(b, name.lower())
    assert _open_for(a, name) == [] and _open_for(a, name.replace(" ", "")) == []
    _complain(c, name.replace(" ", "").upper())
    assert len([x for x in alerts(a) if x["status"] == "open"
                and x["label"].replace(" ", "").lower() == name.replace(" ", "").lower()]) == 1


def test_voided_tickets_do_not_count(make_desk: MakeDesk, server: ServerProcess) -> None:
    a, b, c = _desks(make_desk, 3)
    product = _product()
    _complain(a, product)
    _complain(b, product)
    wrong = create_ticket(c.desk, c.clerk, {"text": "录错了", "product": {"name": product}}).ticket
    void(c.desk, c.manager, wrong.id, "录入错误")
    c.engine.sync_once()
    assert _open_for(a, product) == []
    # A ticket voided after it made the N-th store withdraws the alert.
    third = _complain(c, product)
    [alert] = _open_for(a, product)
    void(c.desk, c.manager, third, "重复录入")
    c.engine.sync_once()
    assert _open_for(a, product) == []
    last = [x for x in alerts(a) if x["id"] == alert["id"]][-1]
    assert (last["status"], last["store_count"]) == ("closed", 2)


def test_desk_pulls_changes_and_a_failed_alert_pull_never_fails_the_round(
        make_desk: MakeDesk, server: ServerProcess) -> None:
    a, b, c = _desks(make_desk, 3)
    product = _product()
    for node in (a, b, c):
        _complain(node, product)
    held = {r[0]: r[1] for r in a.conn.execute(
        "SELECT label, status FROM product_alerts WHERE label = ?", (product,))}
    assert held == {}  # a synced before the third store's ticket existed
    a.engine.sync_once()
    assert [r[0] for r in a.conn.execute(
        "SELECT status FROM product_alerts WHERE label = ?", (product,))] == ["open"]
    cursor = a.conn.execute("SELECT cursor FROM alerts_pull_state").fetchone()[0]
    assert cursor >= max(x["seq"] for x in alerts(a))
    # The desk's alert table broken: the round still pushes its tickets.
    a.conn.execute("DROP TABLE product_alerts")
    ticket = create_ticket(a.desk, a.clerk, {"text": "另一件事"}).ticket
    report = a.engine.sync_once()
    assert report.pushed >= 1
    storage = Storage(server.db_url)
    try:
        with storage.engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(events).where(
                events.c.ticket_id == ticket.id)).scalar_one() == 1
    finally:
        storage.close()


def test_wecom_gets_the_alert_and_a_closed_product_needs_new_complaints(
        make_desk: MakeDesk,
        webhook_servers: Callable[..., ServerProcess]) -> None:  # noqa: F811
    with WebhookSink() as sink:
        own = webhook_servers(sink.url)
        nodes = [make_desk(s, "D1", server=own) for s in "ABCDEF"]
        nodes[0].clock.set(datetime.now(UTC) - timedelta(days=3))
        product = _product()
        for node in nodes[:3]:
            _complain(node, product)
        [alert] = _open_for(nodes[0], product)
        assert sink.wait_for(lambda posts: any(product in p.content for p in posts))
        [post] = [p for p in sink.delivered() if product in p.content]
        assert "商品预警" in post.content and "近7天" in post.content
        assert "3 家门店" in post.content and "请各门店检查货架" in post.content
        # While open, a fourth store adds to the same alert: no second alert, no message.
        _complain(nodes[3], product)
        assert [a["id"] for a in _open_for(nodes[0], product)] == [alert["id"]]
        storage = Storage(own.db_url)
        try:
            with storage.writing() as conn:
                assert product_alerts.close(conn, alert["id"], "hq:王总")
            # After the close, the old mentions are dealt with: one new store is not
            # three; three new ones are (created after the close by the server's clock).
            nodes[0].clock.set(datetime.now(UTC) + timedelta(minutes=1))
            _complain(nodes[4], product)
            assert _open_for(nodes[0], product) == []
            _complain(nodes[5], product)
            _complain(nodes[0], product)
            [again] = _open_for(nodes[0], product)
            assert again["id"] != alert["id"] and again["store_count"] == 3
            # No complaint for M days: closed as quiet (the server's clock moved on).
            assert product_alerts.close_quiet(
                storage, now=datetime.now(UTC) + timedelta(days=8)) >= 1
            with storage.engine.connect() as conn:
                by = conn.execute(sa.select(alerts_table.c.closed_by)
                                  .where(alerts_table.c.id == again["id"])).scalar_one()
            assert by == "auto:quiet"
        finally:
            storage.close()
        assert _open_for(nodes[0], product) == []
        assert sink.wait_for(lambda posts: sum(product in p.content for p in posts) == 2)


def test_the_alerts_route_wants_a_device_token(server: ServerProcess,
                                               make_desk: MakeDesk) -> None:
    node = make_desk("A", "D1")
    url = f"{server.url}/v1/alerts"
    assert httpx.get(url, headers={PROTOCOL_HEADER: "1"}).status_code == 401
    assert httpx.get(url, headers={PROTOCOL_HEADER: "1",
                                   "Authorization": "Bearer nope"}).status_code == 401
    token = sync_state.read_state(node.conn).token
    assert httpx.get(url, headers={"Authorization": f"Bearer {token}"}).status_code == 426
    bad = httpx.get(url, params={"since": "-1"}, headers={
        PROTOCOL_HEADER: "1", "Authorization": f"Bearer {token}"})
    assert bad.status_code == 400
    hq = HQ(server, "王总")
    assert httpx.get(url, headers={PROTOCOL_HEADER: "1",
                                   "Authorization": f"Bearer {hq.token}"}).status_code == 403
    hq.close()
