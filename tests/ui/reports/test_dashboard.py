"""The managers' reports in the app: the start strip, the dashboard and its click-through,
on a real desk file with tickets recorded through the core."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtWidgets import QComboBox, QDateEdit, QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from desktop.desk import Desk
from desktop.staff import Staff
from desktop.tickets import create_ticket
from domain.clock import FixedClock
from tests.conftest import START
from tests.ui.login_steps import log_in
from tests.ui.test_ticket_panel import child
from ui.context import AppContext
from ui.main_window import MainWindow
from ui.reports import ReportDashboard
from ui.reports.formatting import WORSE_COLOUR
from ui.reports.report_charts import ReportChart
from ui.reports.report_tables import DrillTable
from ui.reports.tiles import FigureTile


@dataclass
class History:
    """Tickets of a store's week; START is Sunday 2026-11-22 10:00 in the store."""

    last_week: str
    attitude: str
    quality: list[str]   # 11-20, 11-21, 11-22: the repeat-problem alert
    spoiled: str         # level 1, today 08:30, no response: overdue at 10:00

    @property
    def week(self) -> list[str]:
        return [self.attitude, *self.quality, self.spoiled]


@pytest.fixture
def history(desk: Desk, staff: dict[str, Staff], clock: FixedClock) -> Iterator[History]:
    def at(moment: datetime, text: str) -> str:
        clock.set(moment)
        ticket = create_ticket(desk, staff["d1"], {
            "text": text, "customer": {"phone": "13912345678"}}).ticket
        return ticket.id

    made = History(
        last_week=at(datetime(2026, 11, 12, 2, 0, tzinfo=UTC), "收银员态度很差，还骂人"),
        attitude=at(datetime(2026, 11, 17, 2, 0, tzinfo=UTC), "收银员态度很差，还骂人"),
        quality=[at(datetime(2026, 11, 20, 2, 0, tzinfo=UTC), "买的电饭煲用了两天就坏了"),
                 at(datetime(2026, 11, 21, 2, 0, tzinfo=UTC), "买的吹风机用了两天就坏了"),
                 at(datetime(2026, 11, 22, 0, 0, tzinfo=UTC), "买的电饭煲用了两天就坏了")],
        spoiled=at(datetime(2026, 11, 22, 0, 30, tzinfo=UTC), "酸奶过期了，喝了一口是酸臭的"),
    )
    clock.set(START)
    yield made


@pytest.fixture
def window(ctx: AppContext, qtbot: QtBot) -> Iterator[MainWindow]:
    w = MainWindow(ctx)

    def no_question(widget: MainWindow) -> None:
        widget.confirm_discard = lambda: True  # type: ignore[method-assign]

    qtbot.addWidget(w, before_close_func=no_question)
    w.show()
    qtbot.waitExposed(w)
    yield w


@pytest.fixture
def dashboard(ctx: AppContext, qtbot: QtBot, history: History,
              login: Callable[[str], Staff]) -> ReportDashboard:
    login("m1")
    widget = ReportDashboard(ctx)
    qtbot.addWidget(widget)
    widget.resize(1000, 900)
    with qtbot.waitSignal(widget.report_shown, timeout=10_000):
        widget.show()  # the first show computes the chosen period
    qtbot.waitExposed(widget)
    return widget


def tile_value(widget: QWidget, key: str) -> str:
    label: QLabel = child(widget, QLabel, f"tile_{key}Value")
    return label.text()


def choose_period(qtbot: QtBot, dash: ReportDashboard, kind: str) -> None:
    """Pick a period with the keyboard in the period box, and wait for its report."""
    box: QComboBox = child(dash, QComboBox, "reportPeriodKind")
    box.setFocus()
    target = [box.itemData(i) for i in range(box.count())].index(kind)
    if target == box.currentIndex():
        return
    key = Qt.Key.Key_Down if target > box.currentIndex() else Qt.Key.Key_Up
    with qtbot.waitSignal(dash.report_shown, timeout=10_000):
        for _ in range(abs(target - box.currentIndex())):
            qtbot.keyClick(box, key)


def drill_ids(qtbot: QtBot, dash: ReportDashboard, act: Callable[[], None]) -> set[str]:
    with qtbot.waitSignal(dash.drill.loaded, timeout=10_000):
        act()
    return set(dash.drill.ticket_ids())


def click_row(qtbot: QtBot, table: DrillTable, row: int) -> None:
    rect = table.visualRect(table.model().index(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


# --- the start screen -------------------------------------------------------------------


def test_manager_start_strip_opens_the_overdue_level1_ticket(
    ctx: AppContext, qtbot: QtBot, window: MainWindow, history: History,
) -> None:
    log_in(qtbot, window, "m1")
    work = window.work
    assert work is not None
    strip = work.attention
    qtbot.waitUntil(lambda: bool(strip.overdue_buttons), timeout=10_000)
    assert strip.isVisible()
    assert [t.ticket_id for t in strip.overdue] == [history.spoiled]  # level 1 only
    overdue: QPushButton = child(strip, QPushButton, "attentionOverdue0")
    qtbot.mouseClick(overdue, Qt.MouseButton.LeftButton)
    assert work.tabs.currentWidget() is work.ticket
    assert work.ticket.current_ticket_id() == history.spoiled
    # The repeat alert (quality on three days running) lists its tickets in Reports.
    repeat: QPushButton = child(strip, QPushButton, "attentionRepeat0")
    ids = drill_ids(qtbot, work.reports,
                    lambda: qtbot.mouseClick(repeat, Qt.MouseButton.LeftButton))
    assert work.tabs.currentWidget() is work.reports
    assert ids == set(history.quality)
    # Activating a listed ticket opens it.
    with qtbot.waitSignal(work.reports.open_ticket, timeout=2000) as opened:
        work.reports.drill.table.setFocus()
        qtbot.keyClick(work.reports.drill.table, Qt.Key.Key_Return)
    assert opened.args[0] in history.quality
    assert work.tabs.currentWidget() is work.ticket


def test_non_manager_has_no_reports_and_no_strip(
    ctx: AppContext, qtbot: QtBot, window: MainWindow, history: History,
    wait_idle: Callable[[], None],
) -> None:
    log_in(qtbot, window, "d1")
    work = window.work
    assert work is not None
    wait_idle()
    assert not work.tabs.isTabVisible(work.tabs.indexOf(work.reports))
    assert not work.attention.isVisible()
    assert work.reports.report is None  # nothing computed for a hidden tab
    # The manager takes over the desk: the tab and the strip appear.
    window.lock_action.trigger()
    log_in(qtbot, window, "m1")
    assert work.tabs.isTabVisible(work.tabs.indexOf(work.reports))
    qtbot.waitUntil(work.attention.isVisible, timeout=10_000)


# --- the dashboard ----------------------------------------------------------------------


def test_week_figures_and_period_switch(
    ctx: AppContext, qtbot: QtBot, dashboard: ReportDashboard, history: History,
) -> None:
    choose_period(qtbot, dashboard, "week")
    assert dashboard.period is not None
    assert (dashboard.period.first_day.isoformat(), dashboard.period.last_day.isoformat()) \
        == ("2026-11-16", "2026-11-22")
    counted = ctx.desk.conn.execute(
        "SELECT count(*) FROM tickets WHERE created_at >= '2026-11-15T16:00:00.000Z' "
        "AND created_at < '2026-11-22T16:00:00.000Z'").fetchone()[0]
    assert tile_value(dashboard, "tickets") == str(counted) == str(len(history.week))
    assert tile_value(dashboard, "overdue") != "0"
    # The previous week had one ticket: the change says +4.
    change: QLabel = child(dashboard, QLabel, "tile_ticketsChange")
    assert "+4" in change.text()
    # More complaints is worse, in the dashboard as in the PDF (model.HIGHER_IS_BETTER).
    assert WORSE_COLOUR in change.styleSheet()
    choose_period(qtbot, dashboard, "today")
    assert tile_value(dashboard, "tickets") == "2"
    # A custom range of store days: the previous week's Thursday alone.
    box = child(dashboard, QComboBox, "reportPeriodKind")
    first: QDateEdit = child(dashboard, QDateEdit, "reportFirstDay")
    last: QDateEdit = child(dashboard, QDateEdit, "reportLastDay")
    choose_period(qtbot, dashboard, "custom")
    assert first.isEnabled() and box.currentData() == "custom"
    with qtbot.waitSignal(dashboard.report_shown, timeout=10_000):
        first.setDate(QDate(2026, 11, 12))
        last.setDate(QDate(2026, 11, 12))
    assert tile_value(dashboard, "tickets") == "1"


def test_reversed_custom_range_shows_the_error(
    ctx: AppContext, qtbot: QtBot, dashboard: ReportDashboard,
) -> None:
    choose_period(qtbot, dashboard, "custom")
    first: QDateEdit = child(dashboard, QDateEdit, "reportFirstDay")
    last: QDateEdit = child(dashboard, QDateEdit, "reportLastDay")
    first.setDate(QDate(2026, 11, 25))
    last.setDate(QDate(2026, 11, 20))
    dashboard.refresh_button.setFocus()
    qtbot.keyClick(dashboard.refresh_button, Qt.Key.Key_F5)
    error: QLabel = child(dashboard, QLabel, "reportError")
    assert error.isVisible() and error.text() != ""


def test_click_through_lists_exactly_the_tickets_behind(
    ctx: AppContext, qtbot: QtBot, dashboard: ReportDashboard, history: History,
) -> None:
    choose_period(qtbot, dashboard, "week")
    # The category bar "product": the quality tickets and the spoiled yoghurt.
    chart: ReportChart = child(dashboard, ReportChart, "chartCategory")
    bar = [chart.bar_drill(i).as_dict()["category"]
           for i in range(chart.bar_count())].index("product")
    dashboard.scroll_area.ensureWidgetVisible(chart)
    point: QPoint = chart.bar_point(bar)
    ids = drill_ids(qtbot, dashboard, lambda: qtbot.mouseClick(
        chart.viewport(), Qt.MouseButton.LeftButton, pos=point))
    assert ids == {*history.quality, history.spoiled}
    # A row of the breakdown by subcategory.
    box: QComboBox = child(dashboard, QComboBox, "breakdownBox")
    box.setCurrentIndex(box.findData("subcategory"))
    table: DrillTable = child(dashboard, DrillTable, "tableBreakdown")
    row = [line.drill.as_dict().get("subcategory") if line.drill else None
           for line in table.lines].index("attitude")
    dashboard.scroll_area.ensureWidgetVisible(table)
    ids = drill_ids(qtbot, dashboard, lambda: click_row(qtbot, table, row))
    assert ids == {history.attitude}  # last week's rude cashier is not behind it
    # A tile, with the keyboard.
    tile: FigureTile = child(dashboard, FigureTile, "tile_overdue")
    tile.setFocus()
    ids = drill_ids(qtbot, dashboard, lambda: qtbot.keyClick(tile, Qt.Key.Key_Return))
    overdue_now = {r[0] for r in ctx.desk.conn.execute(
        "SELECT id FROM tickets WHERE first_response_at IS NULL AND due_at <= ?",
        ("2026-11-22T02:00:00.000Z",))}
    assert ids == overdue_now and history.spoiled in ids
    # The overdue table opens its ticket directly.
    overdue: DrillTable = child(dashboard, DrillTable, "tableOverdue")
    dashboard.scroll_area.ensureWidgetVisible(overdue)
    row = [line.ticket_id for line in overdue.lines].index(history.spoiled)
    with qtbot.waitSignal(dashboard.open_ticket, timeout=2000) as opened:
        click_row(qtbot, overdue, row)
    assert opened.args == [history.spoiled]


def test_refreshes_after_a_write_while_visible(
    ctx: AppContext, qtbot: QtBot, dashboard: ReportDashboard, history: History,
    staff: dict[str, Staff],
) -> None:
    choose_period(qtbot, dashboard, "today")
    assert tile_value(dashboard, "tickets") == "2"
    with qtbot.waitSignal(dashboard.report_shown, timeout=10_000):
        ctx.executor.submit(lambda desk: create_ticket(desk, staff["d1"], {
            "text": "排队结账等了四十分钟", "customer": {"phone": "13912345678"}}))
    assert tile_value(dashboard, "tickets") == "3"
