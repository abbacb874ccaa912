"""Taking a ticket and handing it to a colleague, in the real ticket panel and queue, by
mouse and by keyboard; the handler shows in the queue and in the report's overdue list."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton
from pytestqt.qtbot import QtBot

from desktop.desk import Desk
from desktop.reports.overdue import overdue_tickets
from desktop.staff import Staff
from desktop.tickets import create_ticket, get_ticket
from domain.clock import FixedClock
from local_db import eventlog
from tests.conftest import NAMES
from ui.context import AppContext
from ui.queue_model import COLUMNS
from ui.queue_panel import QueuePanel
from ui.ticket_panel import TicketPanel


def _button(panel: TicketPanel, action: str) -> QPushButton:
    return panel.action_bar.buttons[action]  # parented only while it is offered


def _handler_column(queue: QueuePanel) -> list[str]:
    m = queue.model
    return [m.data(m.index(r, COLUMNS.index("handler"))) for r in range(m.rowCount())]


def test_take_then_hand_over_by_mouse_and_keyboard(
        ctx: AppContext, qtbot: QtBot, desk: Desk, staff: dict[str, Staff],
        login: Callable[[str], Staff], clock: FixedClock) -> None:
    ticket = create_ticket(desk, staff["c1"], {"text": "收银员多收了我五块钱"}).ticket
    assert ticket.handler is None
    panel, queue = TicketPanel(ctx), QueuePanel(ctx)
    for widget in (panel, queue):
        qtbot.addWidget(widget)
        widget.resize(1200, 700)
        widget.show()
    login("d1")
    panel.show_ticket(ticket.id)
    handler_label = panel.findChild(QLabel, "ticketHandler")
    assert handler_label is not None and "未分配" in handler_label.text()
    take = _button(panel, "take")
    assert take.isVisible() and "&" in take.text()  # a mnemonic: Alt reaches it
    with qtbot.waitSignal(panel.action_bar.submitted, timeout=10_000) as done:
        qtbot.mouseClick(take, Qt.MouseButton.LeftButton)
    assert done.args == ["take"]
    qtbot.waitUntil(lambda: NAMES["d1"] in handler_label.text())
    assert get_ticket(desk, ticket.id).handler == "d1"
    assert not _button(panel, "take").isVisible()  # it is mine already
    assert _handler_column(queue) == [NAMES["d1"]]
    queue.mine_box.setChecked(True)
    assert [queue.model.ticket_id_at(r) for r in range(queue.model.rowCount())] == [ticket.id]
    queue.mine_box.setChecked(False)

    # Hand it to the manager by keyboard only: the button, the colleague, Save.
    give = _button(panel, "assign")
    give.setFocus()
    qtbot.keyClick(give, Qt.Key.Key_Space)
    combo = panel.findChild(QComboBox, "assignTo")
    assert combo is not None and combo.isVisible()
    assert panel.focusWidget() is combo
    ids = [combo.itemData(i) for i in range(combo.count())]
    assert "d1" not in ids and "c1" not in ids  # not the handler, not a cashier
    assert {"d2", "m1", "m2"} <= set(ids)
    while combo.currentData() != "m1":
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    save = panel.findChild(QPushButton, "submit_assign")
    assert save is not None
    qtbot.keyClick(combo, Qt.Key.Key_Tab)
    assert panel.focusWidget() is save
    with qtbot.waitSignal(ctx.executor.changed, timeout=10_000):
        qtbot.keyClick(save, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: NAMES["m1"] in handler_label.text())
    assert get_ticket(desk, ticket.id).handler == "m1"
    assert _handler_column(queue) == [NAMES["m1"]]
    timeline = panel.timeline
    lines = [timeline.item(i).text() for i in range(timeline.count())]
    assert sum("指派" in line for line in lines) == 2
    assert any(f"交给{NAMES['m1']}" in line for line in lines)
    events = [e for e in eventlog.events_for_ticket(desk.conn, ticket.id)
              if e.type == "assigned"]
    assert [(e.actor, e.payload["handler"]) for e in events] == [("d1", "d1"), ("d1", "m1")]

    # The report's overdue list names the handler.
    now = clock.advance(hours=5)
    overdue = overdue_tickets(desk.conn, now, names={s.id: s.name for s in staff.values()})
    assert [(o.number, o.handler) for o in overdue] == [(ticket.number, NAMES["m1"])]


def test_a_cashier_is_offered_neither(ctx: AppContext, qtbot: QtBot, desk: Desk,
                                      staff: dict[str, Staff],
                                      login: Callable[[str], Staff]) -> None:
    ticket = create_ticket(desk, staff["c1"], {"text": "收银员多收了我五块钱"}).ticket
    panel = TicketPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    login("c1")
    panel.show_ticket(ticket.id)
    assert not _button(panel, "take").isVisible()
    assert not _button(panel, "assign").isVisible()
    login("d2")
    assert _button(panel, "take").isVisible() and _button(panel, "assign").isVisible()


def test_the_dashboards_overdue_list_names_the_handler(
        ctx: AppContext, qtbot: QtBot, desk: Desk, staff: dict[str, Staff],
        login: Callable[[str], Staff], clock: FixedClock) -> None:
    from ui.reports import ReportDashboard

    ticket = create_ticket(desk, staff["d1"], {"text": "收银员多收了我五块钱"}).ticket
    other = create_ticket(desk, staff["d1"], {"text": "服务态度很差"}).ticket
    login("m1")
    panel = TicketPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    panel.show_ticket(ticket.id)
    panel.action_bar.open_action("assign")
    combo = panel.findChild(QComboBox, "assignTo")
    assert combo is not None
    combo.setCurrentIndex(combo.findData("d2"))
    with qtbot.waitSignal(ctx.executor.changed, timeout=10_000):
        panel.action_bar.pages["assign"].save.click()  # type: ignore[attr-defined]
    clock.advance(hours=5)  # both level 2: overdue after 240 min
    dashboard = ReportDashboard(ctx)
    qtbot.addWidget(dashboard)
    dashboard.resize(1000, 900)
    with qtbot.waitSignal(dashboard.report_shown, timeout=10_000):
        dashboard.show()
    table = dashboard.sections.overdue
    rows = {table.item(r, 0).text(): table.item(r, table.columnCount() - 1).text()
            for r in range(table.rowCount())}
    assert rows[ticket.number] == NAMES["d2"]
    assert rows[other.number] not in (NAMES["d2"], "")  # unassigned: a dash, not blank


def test_a_ticket_given_away_leaves_mine(ctx: AppContext, qtbot: QtBot, desk: Desk,
                                         staff: dict[str, Staff],
                                         login: Callable[[str], Staff]) -> None:
    from desktop import ticket_actions as handling

    mine = create_ticket(desk, staff["d1"], {"text": "收银员多收了我五块钱"}).ticket
    given = create_ticket(desk, staff["d1"], {"text": "服务态度很差"}).ticket
    taken = create_ticket(desk, staff["d2"], {"text": "请问几点关门"}).ticket
    handling.assign(desk, staff["d1"], given.id, staff["d2"])
    handling.assign(desk, staff["d1"], taken.id, staff["d1"])
    login("d1")
    queue = QueuePanel(ctx)
    qtbot.addWidget(queue)
    queue.show()
    queue.mine_box.setChecked(True)
    shown = {queue.model.ticket_id_at(r) for r in range(queue.model.rowCount())}
    assert shown == {mine.id, taken.id}
    login("d2")
    queue.apply_filter()
    shown = {queue.model.ticket_id_at(r) for r in range(queue.model.rowCount())}
    assert shown == {given.id}
