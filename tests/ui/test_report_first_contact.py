"""The dashboard's first-contact resolution tile: its figure and the tickets behind it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop import ticket_actions as handling
from desktop.desk import Desk
from desktop.staff import Staff
from desktop.tickets import create_ticket
from tests.ui.test_report_dashboard import drill_ids, tile_value
from tests.ui.test_ticket_panel import child
from ui.context import AppContext
from ui.reports import ReportDashboard
from ui.reports.tiles import FigureTile


def test_fcr_tile_shows_the_share_and_drills_to_its_tickets(
    ctx: AppContext, desk: Desk, staff: dict[str, Staff], qtbot: QtBot,
    login: Callable[[str], Staff],
) -> None:
    settled = create_ticket(desk, staff["d1"], {"text": "请问你们几点关门"}).ticket.id
    handling.resolve_first_contact(desk, staff["d1"], settled, "当场答复")
    for text in ("收银员态度很差，问她问题不理人还翻白眼", "会员积分没有到账",
                 "停车场没有灯，晚上很黑"):
        create_ticket(desk, staff["d1"], {"text": text})
    login("m1")
    dashboard = ReportDashboard(ctx)
    qtbot.addWidget(dashboard)
    dashboard.resize(1000, 900)
    with qtbot.waitSignal(dashboard.report_shown, timeout=10_000):
        dashboard.show()
    qtbot.waitExposed(dashboard)
    assert tile_value(dashboard, "first_contact") == "25.0%"
    detail = child(dashboard, FigureTile, "tile_first_contact").detail.text()
    assert "1" in detail and "4" in detail
    tile: FigureTile = child(dashboard, FigureTile, "tile_first_contact")
    tile.setFocus()
    ids = drill_ids(qtbot, dashboard, lambda: qtbot.keyClick(tile, Qt.Key.Key_Return))
    assert ids == {settled}
