"""A product alert raised at the centre reaches a fourth store's desk at its next sync
and shows on the desk's product-alert strip (real server, real desks, Qt offscreen)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop.product_alerts import open_alerts
from desktop.tickets import create_ticket
from tests.sync.helpers import DeskNode, ServerProcess
from ui.context import open_context
from ui.product_alerts_strip import ProductAlertStrip
from ui.translations import install_language

MakeDesk = Callable[..., DeskNode]


def _db_path(node: DeskNode) -> Path:
    return Path(node.conn.execute("PRAGMA database_list").fetchone()[2])


def test_a_desk_receives_the_alert_at_next_sync_and_shows_it(
        make_desk: MakeDesk, server: ServerProcess, qtbot: QtBot, qapp: object) -> None:
    a, b, c, d = (make_desk(s, "D1") for s in "ABCD")
    a.clock.set(datetime.now(UTC) - timedelta(days=2))
    product = f"芒果布丁 {uuid.uuid4().hex[:6]}"
    for node in (a, b, c):
        create_ticket(node.desk, node.clerk, {"text": "布丁有酸味",
                                              "product": {"name": product}})
        node.clock.advance(hours=3)
        node.engine.sync_once()
    assert [x for x in open_alerts(d.conn) if x.label == product] == []
    d.engine.sync_once()  # the fourth store sold none of it, and still hears of it
    [alert] = [x for x in open_alerts(d.conn) if x.label == product]
    assert (alert.store_count, alert.tickets, alert.days) == (3, 3, 7)

    install_language("zh_CN")
    ctx = open_context(_db_path(d), clock=d.clock, idle_lock_ms=0)
    try:
        strip = ProductAlertStrip(ctx)
        qtbot.addWidget(strip)
        strip.resize(1280, 120)
        strip.show()
        with qtbot.waitSignal(strip.refreshed, timeout=10_000):
            strip.set_active(True)
        assert strip.isVisible()
        texts = [line.text() for line in strip.lines if line.isVisible()]
        assert f"商品预警：{product} 近7天 3 家门店被投诉，请检查货架" in texts
        assert "总部商品预警" in strip.title.text()
    finally:
        ctx.close()
