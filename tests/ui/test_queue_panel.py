"""The queue panel: filters, SQL sorting, lazy pages, live countdown, refresh, keyboard."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QShortcut
from pytestqt.qtbot import QtBot

from desktop import ticket_actions as handling
from desktop.desk import Desk, install_policy
from desktop.staff import Staff
from desktop.tickets import create_ticket
from domain.clock import FixedClock
from ui.context import AppContext
from ui.labels import OVERDUE_BACKGROUND
from ui.queue_model import COLUMNS, COUNTDOWN, PAGE_SIZE
from ui.queue_panel import QueuePanel

LEVEL1 = "酸奶过期了，孩子喝了拉肚子"  # food safety: level 1, 60 min
LEVEL2 = "收银员多收了我五块钱"  # level 2, 240 min
LEVEL3 = "请问几点关门"  # inquiry: level 3


@pytest.fixture
def make_panel(ctx: AppContext, qtbot: QtBot) -> Iterator[Callable[[], QueuePanel]]:
    """Build shown panels; they are closed before the context's database is."""
    panels: list[QueuePanel] = []

    def make() -> QueuePanel:
        panel = QueuePanel(ctx)
        panels.append(panel)
        panel.resize(1300, 500)
        panel.show()
        qtbot.waitExposed(panel)
        return panel

    yield make
    for panel in panels:
        panel.close()
        panel.deleteLater()


def _column(panel: QueuePanel, key: str) -> list[str]:
    m = panel.model
    return [m.data(m.index(r, COLUMNS.index(key))) for r in range(m.rowCount())]


def test_default_shows_open_tickets_and_status_filter(
        make_panel: Callable[[], QueuePanel], ctx: AppContext,
        desk: Desk, staff: dict[str, Staff], qtbot: QtBot) -> None:
    a = create_ticket(desk, staff["d1"], {"text": LEVEL2}).ticket
    b = create_ticket(desk, staff["d1"], {"text": LEVEL3}).ticket
    handling.void(desk, staff["m1"], b.id, "录错了")
    panel = make_panel()
    assert panel.model.rowCount() == 1
    assert panel.model.ticket_id_at(0) == a.id
    assert panel.count_label.text() != ""
    assert "1" in panel.count_label.text()
    panel.status_box.setCurrentIndex(panel.status_box.findData("all"))
    assert panel.model.rowCount() == 2
    panel.status_box.setCurrentIndex(panel.status_box.findData("voided"))
    assert [panel.model.ticket_id_at(0)] == [b.id]
    assert panel.model.rowCount() == 1


def test_level_channel_mine_and_text_filters(
        make_panel: Callable[[], QueuePanel], ctx: AppContext,
        desk: Desk, staff: dict[str, Staff], qtbot: QtBot,
        login: Callable[[str], Staff]) -> None:
    one = create_ticket(desk, staff["d1"], {"text": LEVEL1}).ticket
    two = create_ticket(desk, staff["d2"], {"text": LEVEL2, "channel": "checkout"}).ticket
    three = create_ticket(desk, staff["d2"], {"text": LEVEL3}).ticket
    assert (one.level, two.level, three.level) == (1, 2, 3)
    login("d1")
    panel = make_panel()
    panel.level_box.setCurrentIndex(panel.level_box.findData(1))
    assert [panel.model.ticket_id_at(r) for r in range(panel.model.rowCount())] == [one.id]
    panel.level_box.setCurrentIndex(0)
    panel.channel_box.setCurrentIndex(panel.channel_box.findData("checkout"))
    assert [panel.model.ticket_id_at(r) for r in range(panel.model.rowCount())] == [two.id]
    panel.channel_box.setCurrentIndex(0)
    qtbot.mouseClick(panel.mine_box, Qt.MouseButton.LeftButton)
    assert [panel.model.ticket_id_at(r) for r in range(panel.model.rowCount())] == [one.id]
    qtbot.mouseClick(panel.mine_box, Qt.MouseButton.LeftButton)
    assert panel.model.rowCount() == 3
    panel.search.insert("几点")  # QTest cannot type non-ASCII keys
    qtbot.keyClick(panel.search, Qt.Key.Key_Return)
    assert [panel.model.ticket_id_at(r) for r in range(panel.model.rowCount())] == [three.id]
    panel.search.clear()
    qtbot.keyClicks(panel.search, two.number)
    qtbot.keyClick(panel.search, Qt.Key.Key_Return)
    assert [panel.model.ticket_id_at(r) for r in range(panel.model.rowCount())] == [two.id]


def test_overdue_filter_countdown_and_highlight_follow_the_clock(
        make_panel: Callable[[], QueuePanel], ctx: AppContext,
        desk: Desk, staff: dict[str, Staff], clock: FixedClock,
        qtbot: QtBot) -> None:
    urgent = create_ticket(desk, staff["d1"], {"text": LEVEL1}).ticket
    create_ticket(desk, staff["d1"], {"text": LEVEL3})
    panel = make_panel()
    m = panel.model
    row = m.row_of(urgent.id)
    assert row is not None
    assert m.data(m.index(row, COUNTDOWN)) == m.tr("{hours} h {minutes} min left").format(
        hours=1, minutes=0)
    clock.advance(minutes=25)
    m.tick()
    assert m.data(m.index(row, COUNTDOWN)) == m.tr("{minutes} min left").format(minutes=35)
    assert m.data(m.index(row, 1), Qt.ItemDataRole.BackgroundRole) is None
    qtbot.mouseClick(panel.overdue_box, Qt.MouseButton.LeftButton)
    assert m.rowCount() == 0
    clock.advance(minutes=35 + 80)
    qtbot.mouseClick(panel.overdue_box, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.overdue_box, Qt.MouseButton.LeftButton)
    assert [m.ticket_id_at(r) for r in range(m.rowCount())] == [urgent.id]
    assert m.data(m.index(0, COUNTDOWN)) == m.tr("Overdue {hours} h {minutes} min").format(
        hours=1, minutes=20)
    brush = m.data(m.index(0, COLUMNS.index("summary")), Qt.ItemDataRole.BackgroundRole)
    assert brush.color() == QColor(OVERDUE_BACKGROUND)


def test_countdown_changes_on_the_timer_without_a_query(
        make_panel: Callable[[], QueuePanel], ctx: AppContext,
        desk: Desk, staff: dict[str, Staff], clock: FixedClock,
        qtbot: QtBot) -> None:
    create_ticket(desk, staff["d1"], {"text": LEVEL2})
    panel = make_panel()
    m = panel.model
    left = m.tr("{hours} h {minutes} min left")
    assert m.data(m.index(0, COUNTDOWN)) == left.format(hours=4, minutes=0)
    reloads: list[int] = []
    m.reloaded.connect(reloads.append)
    clock.advance(minutes=90)
    with qtbot.waitSignal(m.dataChanged, timeout=3000):
        pass
    assert m.data(m.index(0, COUNTDOWN)) == left.format(hours=2, minutes=30)
    assert reloads == []


def test_sorting_is_done_in_sql(
        make_panel: Callable[[], QueuePanel], ctx: AppContext,
        desk: Desk, staff: dict[str, Staff],
                                clock: FixedClock, qtbot: QtBot) -> None:
    for text in (LEVEL2, LEVEL1, LEVEL3):
        create_ticket(desk, staff["d1"], {"text": text})
        clock.advance(minutes=1)
    panel = make_panel()
    levels = lambda: [panel.model.queue_row(r).level  # noqa: E731
                      for r in range(panel.model.rowCount())]
    assert levels() == [1, 2, 3]  # urgency: none overdue, so by level
    panel.table.sortByColumn(COLUMNS.index("created"), Qt.SortOrder.DescendingOrder)
    assert levels() == [3, 1, 2]  # newest first
    panel.table.sortByColumn(COLUMNS.index("level"), Qt.SortOrder.AscendingOrder)
    assert levels() == [1, 2, 3]
    panel.table.sortByColumn(COLUMNS.index("level"), Qt.SortOrder.DescendingOrder)
    assert levels() == [3, 2, 1]
    panel.table.sortByColumn(COLUMNS.index("created"), Qt.SortOrder.AscendingOrder)
    assert levels() == [2, 1, 3]


def test_opens_in_urgency_order_and_headers_still_sort(
        make_panel: Callable[[], QueuePanel], ctx: AppContext,
        desk: Desk, staff: dict[str, Staff], clock: FixedClock, qtbot: QtBot) -> None:
    """49 days overdue is on top, then minutes overdue, then by level and time left."""
    old = create_ticket(desk, staff["d1"], {"text": LEVEL3}).ticket   # due in 24 h
    clock.advance(days=50)
    late = create_ticket(desk, staff["d1"], {"text": LEVEL2}).ticket  # due in 240 min
    clock.advance(minutes=235)
    level3_new = create_ticket(desk, staff["d1"], {"text": LEVEL3}).ticket
    level1 = create_ticket(desk, staff["d1"], {"text": LEVEL1}).ticket
    level2_soon = create_ticket(desk, staff["d2"], {"text": LEVEL2}).ticket
    answered = create_ticket(desk, staff["d2"], {"text": LEVEL1}).ticket
    handling.add_note(desk, staff["d1"], answered.id, "已联系顾客")
    clock.advance(minutes=10)  # `late` is now 5 minutes overdue, `old` 49 days
    panel = make_panel()
    m = panel.model
    order = [m.ticket_id_at(r) for r in range(m.rowCount())]
    assert order == [old.id, late.id, level1.id, answered.id, level2_soon.id, level3_new.id]
    assert m.data(m.index(0, COUNTDOWN)).startswith(m.tr("Overdue {days} d {hours} h")
                                                    .split("{")[0])
    header = panel.table.horizontalHeader()
    assert header.sortIndicatorSection() == COUNTDOWN
    assert header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
    # Any column still sorts, by a click on its header; the countdown's brings urgency back.
    rect = header.sectionViewportPosition(COLUMNS.index("created"))
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(rect + 5, header.height() // 2))
    created = [m.queue_row(r).created_at for r in range(m.rowCount())]
    assert created in (sorted(created), sorted(created, reverse=True))
    assert [m.ticket_id_at(r) for r in range(m.rowCount())] != order
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(header.sectionViewportPosition(COUNTDOWN) + 5,
                                header.height() // 2))
    if header.sortIndicatorOrder() != Qt.SortOrder.AscendingOrder:
        panel.table.sortByColumn(COUNTDOWN, Qt.SortOrder.AscendingOrder)
    assert [m.ticket_id_at(r) for r in range(m.rowCount())] == order


@pytest.fixture
def many(desk: Desk, staff: dict[str, Staff], clock: FixedClock) -> list[str]:
    ids = []
    for i in range(450):
        ids.append(create_ticket(desk, staff["d1"], {"text": f"第{i}号 {LEVEL3}"}).ticket.id)
        clock.advance(seconds=30)
    return ids


def test_lazy_fetch_in_pages(
        make_panel: Callable[[], QueuePanel], ctx: AppContext,
        many: list[str], qtbot: QtBot) -> None:
    panel = make_panel()
    m = panel.model
    assert m.rowCount() == PAGE_SIZE
    assert "450" in panel.count_label.text()
    assert m.canFetchMore()
    panel.table.scrollToBottom()
    qtbot.waitUntil(lambda: m.rowCount() > PAGE_SIZE)
    while m.canFetchMore():
        m.fetchMore()
    assert m.rowCount() == 450
    assert [m.ticket_id_at(r) for r in range(450)] == many  # urgency: the least time left first
    assert panel.select_ticket(many[0])


def test_refresh_after_a_write_keeps_the_selection_and_enter_activates(
        make_panel: Callable[[], QueuePanel], ctx: AppContext,
        desk: Desk, staff: dict[str, Staff], qtbot: QtBot,
        clock: FixedClock, wait_idle: Callable[[], None]) -> None:
    first = create_ticket(desk, staff["d1"], {"text": LEVEL2}).ticket
    clock.advance(minutes=1)
    create_ticket(desk, staff["d1"], {"text": LEVEL3})
    panel = make_panel()
    with qtbot.waitSignal(panel.current_ticket_changed) as changed:
        assert panel.select_ticket(first.id)
    assert changed.args == [first.id]
    assert panel.table.currentIndex().row() == 0  # urgency: level 2 before level 3
    with qtbot.waitSignal(ctx.executor.changed, timeout=5000):
        ctx.executor.submit(lambda d: create_ticket(d, staff["d2"], {"text": LEVEL1}))
    wait_idle()
    assert panel.model.rowCount() == 3
    assert panel.selected_ticket() == first.id
    assert panel.table.currentIndex().row() == 1  # the new level 1 went on top
    panel.table.setFocus()
    with qtbot.waitSignal(panel.ticket_activated) as opened:
        qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    assert opened.args == [first.id]


def test_ctrl_f_focuses_the_search_box(make_panel: Callable[[], QueuePanel]) -> None:
    # QTest key clicks do not reach QShortcut on the offscreen platform; check the
    # binding and what it does.
    panel = make_panel()
    find = panel.findChild(QShortcut, "queueFindShortcut")
    assert find is not None
    assert find.key().toString() == "Ctrl+F"
    panel.table.setFocus()
    find.activated.emit()
    assert panel.focusWidget() is panel.search


def test_the_customer_column_masks_the_phone_where_the_policy_says(
        make_panel: Callable[[], QueuePanel], ctx: AppContext, desk: Desk,
        staff: dict[str, Staff], login: Callable[[str], Staff], tmp_path: Path) -> None:
    create_ticket(desk, staff["d1"], {"text": LEVEL2, "customer": {"phone": "13812345678"}})
    login("d1")
    panel = make_panel()
    assert _column(panel, "customer") == ["138****5678"]  # the shipped policy masks it
    doc = json.loads(json.dumps(desk.policy.raw))
    doc["privacy"] = {"mask_phone_in": ["receipt", "progress_page"]}
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    install_policy(ctx.desk, path)
    panel.model.refresh()
    assert _column(panel, "customer") == ["13812345678"]
    login("c1")
    panel.model.refresh()
    assert _column(panel, "customer") == ["138****5678"]  # cashiers are not in the roles
