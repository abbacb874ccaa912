"""Which days the manager's screens speak of: the strip and the dashboard name their
periods, share one definition of a repeat problem, and a period's start and end are plain.

START is Sunday 2026-11-22 10:00 in the store (Asia/Shanghai).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from desktop.desk import Desk
from desktop.staff import Staff
from desktop.tickets import create_ticket
from domain.clock import FixedClock
from tests.conftest import START
from tests.ui.login_steps import log_in
from tests.ui.reports.test_dashboard import choose_period, dashboard, tile_value, window
from tests.ui.test_ticket_panel import child
from ui.context import AppContext
from ui.main_window import MainWindow
from ui.reports import ReportDashboard
from ui.reports.attention_strip import AttentionStrip

__all__ = ["dashboard", "window"]  # the fixtures, shared with test_report_dashboard

# The case the desk saw: a cashier error every day from Tuesday to Saturday, none today.
CASHIER_DAYS = [date(2026, 11, d) for d in (17, 18, 19, 20, 21)]


@pytest.fixture
def history(desk: Desk, staff: dict[str, Staff], clock: FixedClock) -> Iterator[list[str]]:
    """Five days of cashier errors ending yesterday, one ticket on the last evening of
    October and one just after midnight on 1 November (store time)."""
    made = []

    def at(moment: datetime, text: str) -> None:
        clock.set(moment)
        made.append(create_ticket(desk, staff["d1"], {"text": text}).ticket.id)

    for day in CASHIER_DAYS:
        at(datetime(day.year, day.month, day.day, 3, 0, tzinfo=UTC), "结账多收了钱，扫了两次")
    at(datetime(2026, 10, 31, 15, 30, tzinfo=UTC), "地面很脏")  # 10-31 23:30 store time
    at(datetime(2026, 10, 31, 16, 10, tzinfo=UTC), "地面很脏")  # 11-01 00:10 store time
    clock.set(START)
    yield made


def test_the_strip_names_its_days_and_the_dashboard_agrees(
        ctx: AppContext, qtbot: QtBot, dashboard: ReportDashboard) -> None:
    strip = AttentionStrip(ctx)
    qtbot.addWidget(strip)
    with qtbot.waitSignal(strip.refreshed, timeout=10_000):
        strip.set_active(True)
    [alert] = [a for a in strip.repeat_alerts if a.key == "cashier_error"]
    assert (alert.first_day, alert.last_day, alert.days) == (CASHIER_DAYS[0],
                                                             CASHIER_DAYS[-1], 5)
    label: QLabel = child(strip, QLabel, "attentionRepeatLabel")
    assert label.text() == "近7天（2026-11-16 – 11-22）重复问题："
    button = strip.repeat_buttons[[a.key for a in strip.repeat_alerts].index("cashier_error")]
    assert "连续 5 天（11-17 – 11-21）" in button.toolTip()
    # Today's dashboard has no repeat reaching into today, and says that it is today's.
    choose_period(qtbot, dashboard, "today")
    assert dashboard.report is not None and dashboard.report.repeat_alerts == ()
    heading: QLabel = child(dashboard, QLabel, "headRepeats")
    assert "2026-11-22" in heading.text() and "连续 3 天" in heading.text()
    # For the strip's days, the dashboard lists exactly the strip's repeat problems.
    assert strip.period is not None
    with qtbot.waitSignal(dashboard.report_shown, timeout=10_000):
        dashboard.set_period("custom", strip.period.first_day, strip.period.last_day)
    assert dashboard.report.repeat_alerts == strip.repeat_alerts
    assert "2026-11-16 – 11-22" in heading.text()


def test_this_week_shows_its_bounds_and_the_same_weekdays_before(
        qtbot: QtBot, dashboard: ReportDashboard) -> None:
    choose_period(qtbot, dashboard, "week")
    status: QLabel = child(dashboard, QLabel, "reportStatus")
    text = status.text()
    assert "2026-11-16（周一） 00:00 至 2026-11-22（周日） 24:00" in text
    assert "门店时间（Asia/Shanghai，UTC+08:00）" in text
    assert "2026-11-09（周一） – 2026-11-15（周日）" in text


def test_last_month_is_the_whole_of_october(
        ctx: AppContext, qtbot: QtBot, dashboard: ReportDashboard) -> None:
    choose_period(qtbot, dashboard, "last_month")
    assert dashboard.period is not None
    assert (dashboard.period.first_day, dashboard.period.last_day) == (date(2026, 10, 1),
                                                                       date(2026, 10, 31))
    # Counted independently: created in October store days (UTC+8).
    counted = ctx.desk.conn.execute(
        "SELECT count(*) FROM tickets WHERE created_at >= '2026-09-30T16:00:00.000Z' "
        "AND created_at < '2026-10-31T16:00:00.000Z'").fetchone()[0]
    assert tile_value(dashboard, "tickets") == str(counted) == "1"
    text = child(dashboard, QLabel, "reportStatus").text()
    assert "2026-10-01（周四） 00:00 至 2026-10-31（周六） 24:00" in text
    assert "2026-09-01（周二） – 2026-09-30（周三）" in text  # the whole month before


def test_from_the_strip_the_dashboard_opens_on_the_strips_days(
        ctx: AppContext, qtbot: QtBot, window: MainWindow, history: list[str]) -> None:
    log_in(qtbot, window, "m1")
    work = window.work
    assert work is not None
    strip = work.attention
    qtbot.waitUntil(lambda: bool(strip.repeat_buttons), timeout=10_000)
    index = [a.key for a in strip.repeat_alerts].index("cashier_error")
    with qtbot.waitSignal(work.reports.report_shown, timeout=10_000):
        qtbot.mouseClick(strip.repeat_buttons[index], Qt.MouseButton.LeftButton)
    assert work.tabs.currentWidget() is work.reports
    report = work.reports.report
    assert report is not None and strip.period is not None
    assert (report.period.first_day, report.period.last_day) == (strip.period.first_day,
                                                                 strip.period.last_day)
    assert report.repeat_alerts == strip.repeat_alerts
