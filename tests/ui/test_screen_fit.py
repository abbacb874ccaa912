"""Every window fits the screens stores have (1280×720, 1366×768), in Chinese and English,
with the longest content: the longest complaint, a long timeline, every form open.

A size hint larger than the screen makes Qt open the window larger than the screen (or
grow it when a ticket opens) and push buttons off-screen; a minimum size larger than the
screen cannot be fixed by the person at all. Every control of the ticket view must be
reachable at 1280×720: inside the window, or inside a scroll area that reaches it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QComboBox,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from desktop import ticket_actions as handling
from desktop.compensation import compensate
from desktop.desk import Desk
from desktop.staff import Staff
from desktop.tickets import create_ticket
from domain.clock import FixedClock
from domain.fold import TicketState
from tests.conftest import PINS
from ui.context import AppContext
from ui.fit import FRAME_ALLOWANCE, ElidedButton, FlowLayout, fit_to_screen
from ui.main_window import MainWindow
from ui.translations import install_language

SMALL = QSize(1280, 720)
ROOM = SMALL - FRAME_ALLOWANCE  # what a window gets on it, under a title bar

# The longest complaint the policy takes (5000 characters), with an order number and a
# web address that have no place to break a line.
_STORY = "昨天在你们这买的酸奶打开是酸臭的，孩子喝了两口就拉肚子了，要求退款并赔偿医药费。"
LONG_TEXT = ("订单号" + "8" * 60 + " https://shop.example.cn/" + "a" * 80 + " "
             + _STORY * 120)[:5000]


@pytest.fixture(params=["zh_CN", "en"])
def language(request: pytest.FixtureRequest, ctx: AppContext) -> Iterator[str]:
    install_language(request.param)
    ctx.language = request.param
    yield request.param
    install_language("zh_CN")


@pytest.fixture
def busy_ticket(desk: Desk, staff: dict[str, Staff], clock: FixedClock) -> TicketState:
    """A level-1 ticket, overdue, with the longest text, a long timeline and a ledger."""
    ticket = create_ticket(desk, staff["d1"], {
        "text": "孩子吃了以后食物中毒住院了，" + LONG_TEXT, "channel": "desk",
        "customer": {"phone": "13812345678"}, "amount_paid": "12.50"}).ticket
    for i in range(30):
        handling.add_note(desk, staff["d1"], ticket.id,
                          f"第{i + 1}次跟进：" + "已联系供应商和品控部门，等待检测报告。" * 12)
    for amount in ("20", "50", "5000"):
        compensate(desk, staff["d1"], ticket.id, amount=amount, kind="cash",
                   note="补偿说明" * 30)
    clock.advance(minutes=300)  # the response target has long passed: alerts are up
    return ticket


def _window(ctx: AppContext, qtbot: QtBot, staff_id: str) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    window.login.staff_id.setText(staff_id)
    window.login.pin.setText(PINS[staff_id])
    window.login.submit.click()
    qtbot.waitUntil(lambda: window.work is not None and ctx.session.staff is not None,
                    timeout=10_000)
    return window


def _fits(size: QSize, room: QSize) -> bool:
    return size.width() <= room.width() and size.height() <= room.height()


def _assert_fits(widget: QWidget, what: str) -> None:
    QApplication.processEvents()
    hint, minimum = widget.sizeHint(), widget.minimumSizeHint()
    assert _fits(hint, SMALL), f"{what}: size hint {hint.toTuple()} > 1280×720"
    assert _fits(minimum, ROOM), f"{what}: minimum size {minimum.toTuple()} > {ROOM.toTuple()}"


def _controls(root: QWidget) -> list[QWidget]:
    kinds = (QAbstractButton, QLineEdit, QComboBox, QSpinBox, QTextEdit)
    return [w for w in root.findChildren(QWidget)
            if isinstance(w, kinds) and w.isVisibleTo(root)
            and not isinstance(w.parentWidget(), QAbstractScrollArea)]  # skip scroll bars


def _reachable(control: QWidget, window: QWidget) -> str | None:
    """Why *control* cannot be reached in *window* as laid out now (None: it can)."""
    # Inside a scroll area: it must lie within the area's content, which scrolls; and the
    # area itself must be reachable.
    parent = control.parentWidget()
    while parent is not None and parent is not window:
        area = parent.parentWidget().parentWidget() if parent.parentWidget() else None
        if isinstance(area, QScrollArea) and area.widget() is parent:
            inner = QRect(control.mapTo(parent, control.rect().topLeft()), control.size())
            if not parent.rect().contains(inner):
                return f"outside its scroll area's content {inner.getRect()}"
            return _reachable(area, window)
        parent = parent.parentWidget()
    box = QRect(control.mapTo(window, control.rect().topLeft()), control.size())
    if not window.rect().contains(box):
        return f"at {box.getRect()}, outside the window {window.rect().getRect()}"
    if isinstance(control, QAbstractButton) and not isinstance(control, ElidedButton):
        if control.width() < control.minimumSizeHint().width():
            return f"squeezed to {control.width()} < {control.minimumSizeHint().width()} px"
    return None


def _open_every_form(window: MainWindow) -> Iterator[str]:
    """Open each form the ticket offers in turn, with its hidden parts shown."""
    assert window.work is not None
    actions = window.work.ticket.action_bar
    for action in actions.allowed():
        actions.open_action(action)
        page = actions.stack.currentWidget()
        for child in page.findChildren(QWidget):
            if child.isHidden() and child.parentWidget() is page:
                child.show()  # every box of the form: errors, approval, outcome
        QApplication.processEvents()
        yield action
    actions.close_form()


def test_main_window_fits_a_small_screen_with_the_longest_content(
        ctx: AppContext, qtbot: QtBot, language: str, busy_ticket: TicketState,
        staff: dict[str, Staff], wait_idle: Callable[[], None]) -> None:
    window = _window(ctx, qtbot, "m1")  # a manager: every tab, the strip, the alerts
    assert window.work is not None
    work = window.work
    wait_idle()
    _assert_fits(window, f"login to the work area ({language})")
    work.open_ticket(busy_ticket.id)
    assert work.ticket.timeline.count() > 30
    _assert_fits(window, f"ticket ({language})")
    for action in _open_every_form(window):
        _assert_fits(window, f"ticket with the {action} form open ({language})")
    for page in (work.intake, work.approvals, work.reports):
        work.tabs.setCurrentWidget(page)
        _assert_fits(window, f"{page.objectName()} ({language})")
    window.lock()
    _assert_fits(window, f"lock screen ({language})")


@pytest.mark.parametrize("screen", [QSize(1280, 720), QSize(1366, 768)])
def test_every_control_of_the_ticket_view_is_reachable(
        ctx: AppContext, qtbot: QtBot, language: str, busy_ticket: TicketState,
        screen: QSize, wait_idle: Callable[[], None]) -> None:
    window = _window(ctx, qtbot, "m1")
    assert window.work is not None
    window.resize(screen - FRAME_ALLOWANCE)
    wait_idle()
    window.work.open_ticket(busy_ticket.id)
    QApplication.processEvents()
    assert window.size() == screen - FRAME_ALLOWANCE  # opening a ticket never grows it
    forms = list(_open_every_form(window))
    assert forms  # the manager may do something to this ticket
    actions = window.work.ticket.action_bar
    for action in forms:
        actions.open_action(action)
        QApplication.processEvents()
        problems = [f"{c.objectName() or type(c).__name__}: {why}"
                    for c in _controls(window.work.ticket)
                    if (why := _reachable(c, window)) is not None]
        assert not problems, f"{action} form ({language}, {screen.toTuple()}): {problems}"
    assert window.size() == screen - FRAME_ALLOWANCE


def test_the_window_opens_within_the_screen(ctx: AppContext, qtbot: QtBot) -> None:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    available = window.screen().availableGeometry()
    assert window.width() <= available.width() and window.height() <= available.height()
    assert available.contains(QRect(window.pos(), window.size()))
    # On a big screen it takes the size it prefers, on a small one what there is.
    probe = QWidget()
    qtbot.addWidget(probe)
    assert fit_to_screen(probe, QSize(400, 300)) == QSize(400, 300)
    big = fit_to_screen(probe, available.size() * 2)
    assert big == available.size() - FRAME_ALLOWANCE


def test_a_flow_row_wraps_instead_of_widening(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QPushButton

    host = QWidget()
    qtbot.addWidget(host)
    row = FlowLayout(host)
    buttons = [QPushButton(f"按钮 {i} " * 3) for i in range(12)]
    for b in buttons:
        row.addWidget(b)
    widest = max(b.sizeHint().width() for b in buttons)
    assert host.minimumSizeHint().width() <= widest + 30  # + the margins
    host.resize(widest + 10, row.heightForWidth(widest + 10))
    host.show()
    QApplication.processEvents()
    assert all(host.rect().contains(b.geometry()) for b in buttons)
    assert len({b.y() for b in buttons}) > 1


def test_an_elided_button_shows_its_whole_text_in_the_tooltip(qtbot: QtBot) -> None:
    text = "XT01-D1-20261121-0004 变质过期，超时 18 小时 12 分钟 " * 3
    button = ElidedButton(text, max_width=300)
    qtbot.addWidget(button)
    button.setStyleSheet("font-weight: bold; padding: 2px 8px;")
    button.show()
    button.resize(button.sizeHint())
    QApplication.processEvents()
    assert button.width() <= 300
    assert button.text().endswith("…") and button.toolTip() == text
    assert button.full_text() == text
    # The shown text fits the button in its own (bold) font: nothing is clipped.
    assert button.fontMetrics().horizontalAdvance(button.text()) <= button.width() - 8


def test_the_reports_tab_gets_the_whole_width(ctx: AppContext, qtbot: QtBot,
                                              wait_idle: Callable[[], None]) -> None:
    window = _window(ctx, qtbot, "m1")
    assert window.work is not None
    work = window.work
    window.resize(ROOM)
    QApplication.processEvents()
    queue_width = work.queue.width()
    assert queue_width > 200
    work.tabs.setCurrentWidget(work.reports)
    QApplication.processEvents()
    assert work.reports.width() >= ROOM.width() - 60  # the queue made room
    work.tabs.setCurrentWidget(work.intake)
    QApplication.processEvents()
    assert abs(work.queue.width() - queue_width) <= 2  # and has it back
    wait_idle()


def test_the_other_windows_fit_a_small_screen(
        ctx: AppContext, qtbot: QtBot, language: str, busy_ticket: TicketState,
        staff: dict[str, Staff], wait_idle: Callable[[], None]) -> None:
    from ui.quick_entry import QuickEntryWindow

    window = _window(ctx, qtbot, "m1")
    assert window.work is not None
    wait_idle()
    window.lock()
    _assert_fits(window.login, f"login ({language})")
    ctx.session.login(staff["m1"])
    for kind in range(3):  # each receipt, the A4 one too
        dialog = window.printing.open_dialog(busy_ticket.id, window)
        dialog.kind.setCurrentIndex(min(kind, dialog.kind.count() - 1))
        dialog.paper.setCurrentIndex(dialog.paper.count() - 1)
        wait_idle()
        _assert_fits(dialog, f"print dialog ({language})")
        dialog.close()
    queue = window.printing.show_queue()
    _assert_fits(queue, f"print queue ({language})")
    queue.close()
    quick = QuickEntryWindow(ctx)
    qtbot.addWidget(quick)
    ctx.session.login(staff["c1"])
    quick.show_and_focus()
    quick.note.setText(LONG_TEXT[:200])
    _assert_fits(quick, f"quick entry ({language})")
    quick.pick_category(1)
    QApplication.processEvents()
    problems = [f"{c.objectName()}: {why}" for c in _controls(quick)
                if (why := _reachable(c, quick)) is not None]
    assert not problems, problems
    for button in quick.category_buttons:  # the picked one is bold: its text still fits
        bold = QFont(button.font())
        bold.setBold(True)
        assert QFontMetrics(bold).horizontalAdvance(button.text()) + 12 <= button.width(), (
            button.text(), button.width())
    quick.close()


@pytest.mark.parametrize("width", [1280, 1920])
def test_the_manager_strip_shows_its_buttons_whole(
        ctx: AppContext, qtbot: QtBot, language: str, desk: Desk, staff: dict[str, Staff],
        clock: FixedClock, width: int, wait_idle: Callable[[], None]) -> None:
    for text in ("孩子吃了熟食以后食物中毒住院了，要求赔偿医药费",
                 "酸奶过期了，孩子喝了以后上吐下泻，去医院挂了急诊",
                 "买的鸡蛋里吃出玻璃碎片，划伤了嘴，要求赔偿"):
        create_ticket(desk, staff["d1"], {"text": text, "channel": "desk"})
    clock.advance(minutes=24 * 60 + 17)  # level 1, overdue by a day: long button texts
    window = _window(ctx, qtbot, "m1")
    assert window.work is not None
    strip = window.work.attention
    window.resize(QSize(width, 720) - FRAME_ALLOWANCE)
    qtbot.waitUntil(lambda: bool(strip.overdue_buttons), timeout=10_000)
    wait_idle()
    QApplication.processEvents()
    assert strip.isVisible()
    for button in strip.overdue_buttons + strip.repeat_buttons:
        assert isinstance(button, ElidedButton)
        inside = QRect(button.mapTo(strip, button.rect().topLeft()), button.size())
        assert strip.rect().contains(inside), (button.full_text(), inside.getRect())
        # What is written fits the button in its own bold font: elided, never clipped.
        shown = button.fontMetrics().horizontalAdvance(button.text())
        assert shown <= button.width() - 8, (button.text(), shown, button.width())
        if width >= 1920:
            assert button.text() == button.full_text()  # room enough: the whole text
