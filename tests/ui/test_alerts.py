"""The alert banner: shows level-1 / overdue / escalated tickets until acknowledged."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.staff import Staff
from desktop.tickets import create_ticket
from domain.clock import FixedClock
from ui.alerts import AlertBanner
from ui.context import AppContext


def test_level_one_banner_stays_until_acknowledged(
    ctx: AppContext, qtbot: QtBot, staff: dict[str, Staff], login: Callable[[str], Staff],
    wait_idle: Callable[[], None],
) -> None:
    login("d1")
    banner = AlertBanner(ctx)
    qtbot.addWidget(banner)
    banner.refresh()
    assert banner.isHidden()
    t = create_ticket(ctx.desk, staff["c1"], {"text": "孩子吃了你们的酸奶食物中毒住院了"}).ticket
    banner.refresh()
    assert not banner.isHidden()
    assert t.number in banner.text.text()
    opened: list[str] = []
    banner.open_ticket.connect(opened.append)
    qtbot.mouseClick(banner.view_button, Qt.MouseButton.LeftButton)
    assert opened == [t.id]
    banner.refresh()  # looking is not acknowledging
    assert not banner.isHidden()
    with qtbot.waitSignal(ctx.executor.changed, timeout=5000):
        qtbot.mouseClick(banner.ack_button, Qt.MouseButton.LeftButton)
    wait_idle()
    assert banner.isHidden()  # refreshed by the executor's changed signal
    actor = ctx.desk.conn.execute(
        "SELECT actor FROM events WHERE type = 'alert_acknowledged'").fetchone()[0]
    assert actor == "d1"


def test_overdue_then_escalation_is_raised_by_the_timer_job(
    ctx: AppContext, qtbot: QtBot, staff: dict[str, Staff], clock: FixedClock,
    login: Callable[[str], Staff], wait_idle: Callable[[], None],
) -> None:
    login("d1")
    banner = AlertBanner(ctx)
    qtbot.addWidget(banner)
    t = create_ticket(ctx.desk, staff["d1"], {"text": "收银员态度不好"}).ticket
    clock.advance(minutes=t.respond_within_minutes + 5)
    banner.refresh()
    assert [a.kind for a in banner.alerts] == ["overdue"]
    assert t.number in banner.text.text()
    clock.advance(hours=48)
    banner.run_escalation()
    wait_idle()
    assert banner.alerts[0].kind == "escalated"
    assert "2" in banner.more.text() or len(banner.alerts) == 2
