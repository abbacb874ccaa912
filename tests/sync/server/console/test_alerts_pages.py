"""The alerts page on a real server with real desks: product alerts for headquarters and
a regional manager (scope, stores named, 404 outside it), closing with CSRF, watch terms
added and stopped with refusals that keep what was typed, and the watch terms' threshold
(exactly the threshold no alert, one more an alert, once per day)."""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import sqlalchemy as sa

from desktop.ticket_actions import void
from desktop.tickets import create_ticket
from sync.server.console import masterdata
from sync.server.storage import Storage
from sync.server.tables import notifications
from tests.sync.helpers import DeskNode, ServerProcess
from tests.sync.server.console.helpers import add_user, logged_in

MakeDesk = Callable[..., DeskNode]


def _row(html: str, label: str) -> str:
    """The table row of the alert on *label*."""
    for row in re.findall(r'<tr data-testid="alert-row".*?</tr>', html, re.S):
        if f">{label}<" in row:
            return str(row)
    raise AssertionError(f"no alert row for {label}")


def _chain(make_desk: MakeDesk, server: ServerProcess, hours_ago: float = 48
           ) -> tuple[str, list[DeskNode]]:
    """Stores A and B in a region of their own, C in another; all enrolled."""
    region = "RG" + secrets.token_hex(2).upper()
    nodes = []
    for name, where in (("A", region), ("B", region), ("C", "TEST")):
        node = make_desk(name, "D1", enrol=False)
        server.add_store(node.desk.store_code, where)
        node.enrol()
        nodes.append(node)
    nodes[0].clock.set(datetime.now(UTC) - timedelta(hours=hours_ago))
    return region, nodes


def _complain(node: DeskNode, text: str, product: str | None = None) -> str:
    data: dict[str, object] = {"text": text}
    if product:
        data["product"] = {"name": product}
    ticket = create_ticket(node.desk, node.clerk, data).ticket
    node.clock.advance(minutes=10)
    node.engine.sync_once()
    return ticket.id


def test_product_alert_pages_for_headquarters_and_a_regional_manager(
        make_desk: MakeDesk, server: ServerProcess) -> None:
    region, (a, b, c) = _chain(make_desk, server)
    product = f"蛋挞 {uuid.uuid4().hex[:6]}"
    tickets = [_complain(n, "蛋挞有怪味", product) for n in (a, b, c)]
    hq, hq_csrf = logged_in(server, add_user(server, "hq"))
    mine, mine_csrf = logged_in(server, add_user(server, "regional", region))
    other, _ = logged_in(server, add_user(server, "regional", "RX" + secrets.token_hex(2).upper()))
    with closing(hq), closing(mine), closing(other):
        page = hq.get("/console/alerts")
        assert page.status_code == 200
        row = _row(page.text, product)
        assert 'data-status="open"' in row and "3 家门店 · 3 单" in row
        for node in (a, b, c):
            assert f'data-store="{node.desk.store_code}"' in row
        assert 'data-testid="alert-close"' in row
        alert_id = re.search(r'data-alert="(\d+)"', row).group(1)  # type: ignore[union-attr]

        # The regional manager: the alert touches their region; their stores only.
        page = mine.get("/console/alerts")
        row = _row(page.text, product)
        assert f'data-store="{a.desk.store_code}"' in row
        assert f'data-store="{b.desk.store_code}"' in row
        assert f'data-store="{c.desk.store_code}"' not in row
        assert "另有 1 家其他区域门店" in row and "3 家门店" in row
        assert 'data-testid="alert-close"' not in row
        assert 'data-testid="term-add-form"' not in page.text
        detail = mine.get(f"/console/alerts/{alert_id}")
        assert detail.status_code == 200
        assert {tickets[0], tickets[1]} == set(re.findall(
            r'data-testid="alert-ticket" data-ticket="([^"]+)"', detail.text))
        assert mine.post(f"/console/alerts/{alert_id}/close",
                         data={"csrf_token": mine_csrf}).status_code == 403
        # Another region's manager: no such alert.
        assert product not in other.get("/console/alerts").text
        assert other.get(f"/console/alerts/{alert_id}").status_code == 404
        # Store C moves into the region: its part of the alert follows it.
        storage = Storage(server.db_url)
        try:
            masterdata.save_store(storage, c.desk.store_code, "搬迁门店", region)
        finally:
            storage.close()
        row = _row(mine.get("/console/alerts").text, product)
        assert f'data-store="{c.desk.store_code}"' in row and "另有" not in row

        # Headquarters closes it: without the CSRF token refused, then done, named.
        assert hq.post(f"/console/alerts/{alert_id}/close", data={}).status_code == 403
        done = hq.post(f"/console/alerts/{alert_id}/close", data={"csrf_token": hq_csrf})
        assert done.status_code == 303
        page = hq.get(done.headers["location"])
        assert f"已标记为已处理：{product}" in page.text
        row = _row(page.text, product)
        assert 'data-status="closed"' in row and "标记已处理" in row
        again = hq.post(f"/console/alerts/{alert_id}/close", data={"csrf_token": hq_csrf})
        assert again.status_code == 409 and "已经关闭" in again.text
        assert hq.get("/console/alerts/999999999").status_code == 404


def _term_row(html: str, term: str, product: str = "") -> str:
    found = re.search(rf'<tr data-testid="term-row" data-term="{re.escape(term)}" '
                      rf'data-product="{re.escape(product)}".*?</tr>', html, re.S)
    assert found, f"no row for {term}"
    return found.group(0)


def _day(row: str, day: str) -> tuple[int, bool]:
    found = re.search(rf'data-day="{day}" data-count="(\d+)" data-alerted="(yes|no)"', row)
    assert found, day
    return int(found.group(1)), found.group(2) == "yes"


def test_watch_terms_forms_and_the_daily_threshold(make_desk: MakeDesk,
                                                   server: ServerProcess) -> None:
    region, (a, b, c) = _chain(make_desk, server, hours_ago=30)
    word = "怪味" + uuid.uuid4().hex[:4].upper()
    _complain(a, "上周就有" + word)  # created more than a day before the term: not counted
    a.clock.advance(hours=12)
    hq, csrf = logged_in(server, add_user(server, "hq"))
    mine, mine_csrf = logged_in(server, add_user(server, "regional", region))
    with closing(hq), closing(mine):
        # Refusals keep what was typed, in the user's language.
        refused = hq.post("/console/alerts/terms", data={
            "csrf_token": csrf, "term": word, "product": "", "threshold": "两"})
        assert refused.status_code == 400 and "每日阈值须为 1 到" in refused.text
        assert f'value="{word}"' in refused.text and 'value="两"' in refused.text
        refused = hq.post("/console/alerts/terms", data={
            "csrf_token": csrf, "term": "  ", "threshold": "2"})
        assert refused.status_code == 400 and "请填写关注词" in refused.text
        assert 'value="2"' in refused.text
        assert mine.post("/console/alerts/terms", data={
            "csrf_token": mine_csrf, "term": word, "threshold": "2"}).status_code == 403
        assert hq.post("/console/alerts/terms", data={
            "term": word, "threshold": "2"}).status_code == 403
        added = hq.post("/console/alerts/terms", data={
            "csrf_token": csrf, "term": word, "product": "", "threshold": "2"})
        assert added.status_code == 303
        again = hq.post("/console/alerts/terms", data={
            "csrf_token": csrf, "term": word.lower(), "product": "", "threshold": "5"})
        assert again.status_code == 400 and "已在关注中" in again.text
        # The same word for one product line: only tickets about that product count.
        assert hq.post("/console/alerts/terms", data={
            "csrf_token": csrf, "term": word, "product": "芒果", "threshold": "9"}
            ).status_code == 303

        # Full-width and lower case in the text still match; the term past the 200
        # characters the projection keeps still counts.
        day = a.clock.now().astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()
        first = _complain(a, "面包" + word.lower().translate(
            {ord(ch): ord(ch) + 0xFEE0 for ch in "0123456789ABCDEF"}))
        _complain(b, "很长的描述" * 50 + word)
        page = hq.get("/console/alerts").text
        assert _day(_term_row(page, word), day) == (2, False)  # exactly the threshold
        _complain(c, word + "，顾客很生气", product="芒果布丁")
        page = hq.get("/console/alerts").text
        assert _day(_term_row(page, word), day) == (3, True)
        assert _day(_term_row(page, word, "芒果"), day) == (1, False)
        _complain(c, "又是" + word)  # the day's alert is raised once
        storage = Storage(server.db_url)
        try:
            with storage.engine.connect() as conn:
                sent = conn.execute(sa.select(notifications.c.event_id, notifications.c.content)
                                    .where(notifications.c.kind == "watch_alert",
                                           notifications.c.content.contains(word))).all()
        finally:
            storage.close()
        assert len(sent) == 1 and "关注词预警" in sent[0][1] and "3 单" in sent[0][1]
        # A voided ticket leaves the count (the alert already raised stays).
        void(a.desk, a.manager, first, "录入错误")
        a.engine.sync_once()
        assert _day(_term_row(hq.get("/console/alerts").text, word), day) == (3, True)
        # The regional manager sees their region's stores' counts (A's voided: B's one).
        row = _term_row(mine.get("/console/alerts").text, word)
        assert _day(row, day) == (1, True) and 'data-testid="term-disable"' not in row
        # Stopped: no longer counted.
        term_id = re.search(r'/console/alerts/terms/(\d+)/disable',  # type: ignore[union-attr]
                            _term_row(hq.get("/console/alerts").text, word)).group(1)
        stopped = hq.post(f"/console/alerts/terms/{term_id}/disable", data={"csrf_token": csrf})
        assert stopped.status_code == 303
        _complain(a, word)
        row = _term_row(hq.get("/console/alerts").text, word)
        assert 'data-active="no"' in row and _day(row, day) == (3, True)
        assert hq.post(f"/console/alerts/terms/{term_id}/disable",
                       data={"csrf_token": csrf}).status_code == 409


def test_who_opens_the_alerts_page(server: ServerProcess) -> None:
    assert httpx.get(f"{server.url}/console/alerts").status_code == 303
    client, csrf = logged_in(server, add_user(server, "agent"))
    with closing(client):
        assert client.get("/console/alerts").status_code == 403
        assert client.post("/console/alerts/terms", data={
            "csrf_token": csrf, "term": "x", "threshold": "1"}).status_code == 403
    client, _ = logged_in(server, add_user(server, "hq"), lang="en")
    with closing(client):
        page = client.get("/console/alerts")
        assert page.status_code == 200 and "Product alerts and watch terms" in page.text
