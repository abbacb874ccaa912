"""Steps done by keyboard go where staff expect: the search box leads to its results, a
figure's list takes the next Enter."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.desk import Desk
from desktop.staff import Staff
from desktop.tickets import create_ticket
from domain.clock import FixedClock
from tests.ui.keyboard import type_text
from ui.context import AppContext
from ui.reports import ReportDashboard
from ui.reports.tiles import FigureTile
from ui.ticket_queue_panel import TicketQueuePanel


@pytest.fixture
def queue(ctx: AppContext, qtbot: QtBot, desk: Desk, staff: dict[str, Staff],
          clock: FixedClock) -> Iterator[TicketQueuePanel]:
    for text in ("停车场收费不合理", "酸奶过期了，喝了一口是酸臭的", "停车场没有灯"):
        create_ticket(desk, staff["d1"], {"text": text})
        clock.advance(minutes=1)
    panel = TicketQueuePanel(ctx)
    qtbot.addWidget(panel)
    panel.resize(1300, 500)
    panel.show()
    panel.activateWindow()
    qtbot.waitActive(panel)
    yield panel


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Down])
def test_enter_or_down_in_the_search_box_goes_to_the_results(
    queue: TicketQueuePanel, qtbot: QtBot, key: Qt.Key,
) -> None:
    queue.search.setFocus()
    type_text(qtbot, queue.search, "停车场")
    qtbot.keyClick(queue.search, key)
    # The search ran at once (no waiting for the typing pause) and the keys are in the
    # results, on the first of them.
    assert queue.model.total == 2
    assert QApplication.focusWidget() is queue.table
    assert queue.table.currentIndex().row() == 0
    first = queue.model.ticket_id_at(0)
    with qtbot.waitSignal(queue.ticket_activated, timeout=2000) as opened:
        qtbot.keyClick(queue.table, Qt.Key.Key_Return)
    assert opened.args == [first]


def test_enter_after_clicking_a_report_tile_opens_the_first_ticket_listed(
    ctx: AppContext, qtbot: QtBot, desk: Desk, staff: dict[str, Staff],
    login: Callable[[str], Staff],
) -> None:
    for text in ("酸奶过期了，喝了一口是酸臭的", "收银员态度很差，还骂人"):
        create_ticket(desk, staff["d1"], {"text": text})
    login("m1")
    dash = ReportDashboard(ctx)
    qtbot.addWidget(dash)
    dash.resize(1000, 900)
    with qtbot.waitSignal(dash.report_shown, timeout=10_000):
        dash.show()
    dash.activateWindow()
    qtbot.waitActive(dash)
    tile = dash.findChild(FigureTile, "tile_tickets")
    assert tile is not None
    dash.scroll_area.ensureWidgetVisible(tile)
    with qtbot.waitSignal(dash.drill.loaded, timeout=10_000):
        qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
    listed = dash.drill.ticket_ids()
    assert len(listed) == 2
    focus = QApplication.focusWidget()
    assert focus is dash.drill.table
    with qtbot.waitSignal(dash.open_ticket, timeout=2000) as opened:
        qtbot.keyClick(focus, Qt.Key.Key_Return)
    assert opened.args == [listed[0]]
