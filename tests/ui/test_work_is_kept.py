"""The app never takes work out of staff's hands.

In every inline form staff type, then every timer of the window fires (escalation,
alert re-check, the manager's strip, the status line, the countdowns...) with the clock
moved on, and a pull from another desk changes the very ticket on screen. Afterwards the
keyboard focus is where it was, the typed text is all there, nothing in the window was
hidden (not even for a moment), the ticket shown and the queue's selection are the same,
and the next keystrokes land in the field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from desktop import ticket_actions as handling
from desktop.compensation import compensate
from desktop.desk import Desk
from desktop.staff import Staff
from desktop.tickets import create_ticket, get_ticket
from domain.clock import FixedClock
from tests.ui.keyboard import type_text
from tests.ui.login_steps import log_in
from tests.ui.other_desk import OtherDesk
from ui import alerts as alerts_module
from ui import read_strip
from ui.context import AppContext
from ui.main_window import MainWindow, WorkArea

LEVEL1_TEXT = "酸奶过期了，孩子喝了拉肚子"
LEVEL2_TEXT = "收银员态度很差，找零少给了五块钱"
OTHER_DESK_NOTE = "另一台服务台补发优惠券"


@pytest.fixture
def window(ctx: AppContext, qtbot: QtBot) -> Iterator[MainWindow]:
    w = MainWindow(ctx)

    def no_question(widget: MainWindow) -> None:
        widget.confirm_discard = lambda: True  # type: ignore[method-assign]

    qtbot.addWidget(w, before_close_func=no_question)
    w.resize(1500, 1000)  # the layout at small screens is another test's business
    w.show()
    qtbot.waitExposed(w)
    yield w


@pytest.fixture
def other(tmp_path: Path, clock: FixedClock, ctx: AppContext) -> Iterator[OtherDesk]:
    desk = OtherDesk(tmp_path / "other.db", clock, ctx)
    yield desk
    desk.close()


class Watch(QObject):
    """Records every widget of the work area that was hidden, and focus leaving."""

    def __init__(self, root: QWidget) -> None:
        super().__init__()
        self._root = root
        self.hidden: list[str] = []
        self.focus_out: list[str] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Qt's own parts of a widget (qt_tableview_cornerbutton...) are not staff's.
        if (isinstance(watched, QWidget) and self._root.isAncestorOf(watched)
                and not watched.objectName().startswith("qt_")):
            if event.type() == QEvent.Type.Hide:
                self.hidden.append(f"{type(watched).__name__}:{watched.objectName()}")
            elif event.type() == QEvent.Type.FocusOut:
                self.focus_out.append(f"{type(watched).__name__}:{watched.objectName()}")
        return False


def fire_every_timer(root: QObject) -> list[QTimer]:
    """Deliver every timer's timeout under *root* now (as if a minute went by)."""
    timers = root.findChildren(QTimer)
    for timer in timers:
        timer.timeout.emit()
    return timers


def interrupt(qtbot: QtBot, ctx: AppContext, w: MainWindow, clock: FixedClock,
              other: OtherDesk, ticket_id: str, wait_idle: Callable[[], None],
              elsewhere: str) -> None:
    """A busy minute: the clock moves, every timer fires (twice, so the jobs they queue
    are delivered and the debounced refreshes run), another desk's compensation on the
    shown ticket and note on another one arrive by pull, and the timers fire again."""
    clock.advance(hours=2)  # the level-1 ticket is overdue: escalation steps fall due
    timers = fire_every_timer(w)
    # The timers the issue names are among them: they must not be skipped silently.
    slots = {t.interval() for t in timers}
    assert alerts_module.ESCALATE_EVERY_MS in slots
    assert alerts_module.RECHECK_EVERY_MS in slots
    assert read_strip.RECHECK_MS in slots  # the strips (attention, product alerts)
    wait_idle()
    fire_every_timer(w)
    wait_idle()
    # Not a response (the level-1 ticket stays overdue, so the strip keeps its line).
    compensate(other.desk, other.staff["d2"], ticket_id, amount="5", kind="coupon",
               note=OTHER_DESK_NOTE)
    handling.add_note(other.desk, other.staff["d2"], elsewhere, "另一台服务台：已回电")
    assert other.deliver() > 0
    wait_idle()
    clock.advance(minutes=1)
    fire_every_timer(w)
    wait_idle()
    fire_every_timer(w)
    wait_idle()
    qtbot.wait(5)


@dataclass
class Snapshot:
    focus: QWidget | None
    texts: dict[str, object]
    shown: str | None
    selected: str | None
    open_form: str | None
    tab: QWidget | None


def value_of(widget: QWidget) -> object:
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QComboBox):
        return widget.currentData()
    if isinstance(widget, QAbstractSpinBox):
        return widget.text()
    raise AssertionError(type(widget))


def snapshot(work: WorkArea, fields: list[QWidget]) -> Snapshot:
    return Snapshot(
        focus=QApplication.focusWidget(),
        texts={f.objectName(): value_of(f) for f in fields},
        shown=work.ticket.current_ticket_id(),
        selected=work.queue.selected_ticket(),
        open_form=work.ticket.action_bar.open_form(),
        tab=work.tabs.currentWidget(),
    )


# --- the tickets ---------------------------------------------------------------------


def make_tickets(desk: Desk, staff: dict[str, Staff], state: str) -> tuple[str, str]:
    """Ticket A (level 1) brought to *state*, and ticket B (level 2, selected in the
    queue while A is on screen)."""
    b = create_ticket(desk, staff["d1"], {"text": LEVEL2_TEXT,
                                          "customer": {"phone": "13912345678"}}).ticket
    a = create_ticket(desk, staff["d1"], {"text": LEVEL1_TEXT,
                                          "customer": {"phone": "13812345678"}}).ticket
    assert a.level == 1 and b.level != 1
    steps = {
        "accepted": [],
        "rectifying": [("d1", "rectifying")],
        "reviewing": [("d1", "rectifying"), ("d1", "reviewing")],
        "accountability": [("d1", "rectifying"), ("d1", "reviewing"),
                           ("d2", "accountability")],
        "closed": [("d1", "rectifying"), ("d1", "reviewing"), ("d2", "accountability"),
                   ("m1", "closed")],
    }[state]
    for who, to in steps:
        extra = {"accountability": {"outcome": "none", "subject": "", "note": ""}} \
            if to == "closed" else {}
        handling.advance(desk, staff[who], a.id, to, **extra)  # type: ignore[arg-type]
    assert get_ticket(desk, a.id).status == state
    return a.id, b.id


# --- the forms -----------------------------------------------------------------------


@dataclass(frozen=True)
class Form:
    """Who acts, the ticket's state, the action whose form opens, and how it is filled
    (returns the fields filled; the last one keeps the focus)."""

    staff: str
    state: str
    action: str
    fill: Callable[[QtBot, WorkArea], list[QWidget]]


def _type(qtbot: QtBot, widget: QWidget, text: str) -> QWidget:
    widget.setFocus(Qt.FocusReason.TabFocusReason)
    type_text(qtbot, widget, text)
    return widget


def _fill_note(qtbot: QtBot, work: WorkArea) -> list[QWidget]:
    return [_type(qtbot, work.ticket.action_bar.note_text, "顾客说明天再来")]


def _fill_contact(qtbot: QtBot, work: WorkArea) -> list[QWidget]:
    bar = work.ticket.action_bar
    bar.contact_method.setCurrentIndex(1)
    return [bar.contact_method, _type(qtbot, bar.contact_text, "已电话致歉，约好退款")]


def _fill_compensation(qtbot: QtBot, work: WorkArea) -> list[QWidget]:
    form = work.ticket.action_bar.compensation
    form.kind.setCurrentIndex(form.kind.count() - 1)  # not the suggested kind
    return [form.kind, _type(qtbot, form.amount, "80"), _type(qtbot, form.note, "退差价")]


def _fill_manager_approval(qtbot: QtBot, work: WorkArea) -> list[QWidget]:
    form = work.ticket.action_bar.compensation
    amount = _type(qtbot, form.amount, "800")  # above the clerk's limit, within the manager's
    assert form.override.isVisible()
    return [amount, _type(qtbot, form.approver_id, "m1"), _type(qtbot, form.approver_pin, "99")]


def _fill_manager_id(qtbot: QtBot, work: WorkArea) -> list[QWidget]:
    form = work.ticket.action_bar.compensation
    amount = _type(qtbot, form.amount, "800")
    return [amount, _type(qtbot, form.approver_id, "m")]


def _fill_rate(qtbot: QtBot, work: WorkArea) -> list[QWidget]:
    bar = work.ticket.action_bar
    bar.rate_score.setValue(4)
    return [bar.rate_score, _type(qtbot, bar.rate_comment, "处理及时")]


def _fill_advance(qtbot: QtBot, work: WorkArea) -> list[QWidget]:
    return [_type(qtbot, work.ticket.action_bar.advance_note, "已安排整改")]


def _fill_close(qtbot: QtBot, work: WorkArea) -> list[QWidget]:
    bar = work.ticket.action_bar
    bar.close_outcome.setCurrentIndex(bar.close_outcome.findData("penalty"))
    return [bar.close_outcome, _type(qtbot, bar.close_subject, "收银员小王"),
            _type(qtbot, bar.close_note, "扣当月服务分")]


def _fill_reopen(qtbot: QtBot, work: WorkArea) -> list[QWidget]:
    return [_type(qtbot, work.ticket.action_bar.reopen_reason, "顾客仍不满意")]


def _fill_merge(qtbot: QtBot, work: WorkArea) -> list[QWidget]:
    bar = work.ticket.action_bar
    return [_type(qtbot, bar.merge_reason, "同一顾客"), _type(qtbot, bar.merge_into, "XT01-")]


def _fill_correct(qtbot: QtBot, work: WorkArea) -> list[QWidget]:
    bar = work.ticket.action_bar
    bar.correct_level.setCurrentIndex(bar.correct_level.findData(2))
    return [bar.correct_level, _type(qtbot, bar.correct_reason, "其实不严重")]


def _fill_void(qtbot: QtBot, work: WorkArea) -> list[QWidget]:
    return [_type(qtbot, work.ticket.action_bar.void_reason, "录错了")]


FORMS = {
    "note": Form("d1", "accepted", "note", _fill_note),
    "contact": Form("d1", "accepted", "contact", _fill_contact),
    "compensation": Form("d1", "accepted", "compensate", _fill_compensation),
    "manager_approval_pin": Form("d1", "accepted", "compensate", _fill_manager_approval),
    "manager_approval_id": Form("d1", "accepted", "compensate", _fill_manager_id),
    "rate": Form("d1", "closed", "rate", _fill_rate),
    "rectify": Form("d1", "accepted", "advance:rectifying", _fill_advance),
    "send_for_review": Form("d1", "rectifying", "advance:reviewing", _fill_advance),
    "review": Form("d2", "reviewing", "advance:accountability", _fill_advance),
    "return_for_rework": Form("d2", "reviewing", "advance:rectifying", _fill_advance),
    "accountability": Form("m1", "accountability", "advance:closed", _fill_close),
    "reopen": Form("d1", "closed", "reopen", _fill_reopen),
    "merge": Form("d1", "accepted", "merge", _fill_merge),
    "correct": Form("d1", "accepted", "correct", _fill_correct),
    "void": Form("m1", "accepted", "void", _fill_void),
    "manager_note": Form("m1", "accepted", "note", _fill_note),
}


def assert_kept(before: Snapshot, work: WorkArea, fields: list[QWidget], watch: Watch,
                qtbot: QtBot) -> None:
    after = snapshot(work, fields)
    assert watch.focus_out == [], "the focus left the field"
    assert after.focus is before.focus, "the focus moved"
    assert after.texts == before.texts
    assert after.shown == before.shown, "another ticket is on screen"
    assert after.selected == before.selected, "the queue's selection moved"
    assert after.open_form == before.open_form, "the open form was closed"
    assert after.tab is before.tab
    assert not watch.hidden, f"hidden (or hidden and shown again): {sorted(set(watch.hidden))}"
    for field in fields:
        assert field.isVisible(), field.objectName()
    # The next keystrokes still land where the hands are.
    focus = QApplication.focusWidget()
    assert isinstance(focus, QLineEdit)
    typed = focus.text()
    qtbot.keyClicks(focus, "7")
    assert focus.text() == typed + "7"


@pytest.mark.parametrize("name", list(FORMS))
def test_timers_and_a_pull_leave_the_inline_form_alone(
    name: str, ctx: AppContext, qtbot: QtBot, window: MainWindow, desk: Desk,
    staff: dict[str, Staff], clock: FixedClock, other: OtherDesk,
    wait_idle: Callable[[], None],
) -> None:
    form = FORMS[name]
    a, b = make_tickets(desk, staff, form.state)
    other.pull()
    work = log_in(qtbot, window, form.staff)
    wait_idle()
    # Staff looked at B in the queue, then opened A (from the banner, the strip...).
    assert work.queue.select_ticket(b)
    work.open_ticket(a)
    assert work.ticket.current_ticket_id() == a
    bar = work.ticket.action_bar
    assert form.action in bar.allowed(), bar.allowed()
    btn = bar.buttons[form.action]
    qtbot.waitUntil(lambda: btn.height() > 0)  # laid out
    qtbot.mouseClick(btn, Qt.MouseButton.LeftButton)
    assert bar.open_form() == form.action
    fields = form.fill(qtbot, work)
    before = snapshot(work, fields)
    assert before.selected == b and before.shown == a
    watch = Watch(work)
    QApplication.instance().installEventFilter(watch)  # type: ignore[union-attr]
    try:
        interrupt(qtbot, ctx, window, clock, other, a, wait_idle, b)
    finally:
        QApplication.instance().removeEventFilter(watch)  # type: ignore[union-attr]
    assert_kept(before, work, fields, watch, qtbot)
    # The pull and the timers really changed the ticket on screen meanwhile, and the
    # view shows it.
    assert any(OTHER_DESK_NOTE in work.ticket.timeline.item(i).text()
               for i in range(work.ticket.timeline.count()))


def test_a_ticket_opened_from_the_alert_banner_stays_while_a_note_is_typed(
    ctx: AppContext, qtbot: QtBot, window: MainWindow, desk: Desk,
    staff: dict[str, Staff], clock: FixedClock, other: OtherDesk,
    wait_idle: Callable[[], None],
) -> None:
    a, b = make_tickets(desk, staff, "accepted")
    other.pull()
    work = log_in(qtbot, window, "d1")
    wait_idle()
    assert work.queue.select_ticket(b)
    work.queue.table.setFocus()
    assert work.ticket.current_ticket_id() == b  # the queue's selection is previewed
    assert work.alerts.isVisible() and work.alerts.alerts[0].ticket_id == a
    qtbot.mouseClick(work.alerts.view_button, Qt.MouseButton.LeftButton)
    assert work.ticket.current_ticket_id() == a
    note = work.ticket.action_bar.buttons["note"]
    qtbot.waitUntil(lambda: note.height() > 0)  # laid out
    qtbot.mouseClick(note, Qt.MouseButton.LeftButton)
    fields = _fill_note(qtbot, work)
    before = snapshot(work, fields)
    watch = Watch(work)
    QApplication.instance().installEventFilter(watch)  # type: ignore[union-attr]
    try:
        for _ in range(3):  # three minutes at the desk
            interrupt(qtbot, ctx, window, clock, other, a, wait_idle, b)
    finally:
        QApplication.instance().removeEventFilter(watch)  # type: ignore[union-attr]
    assert_kept(before, work, fields, watch, qtbot)
    assert work.queue.selected_ticket() == b


def test_the_intake_form_is_kept_while_timers_fire_and_a_pull_arrives(
    ctx: AppContext, qtbot: QtBot, window: MainWindow, desk: Desk,
    staff: dict[str, Staff], clock: FixedClock, other: OtherDesk,
    wait_idle: Callable[[], None],
) -> None:
    a, b = make_tickets(desk, staff, "accepted")
    other.pull()
    work = log_in(qtbot, window, "m1")  # the manager: the strip and reports are live too
    wait_idle()
    assert work.queue.select_ticket(b)
    window.new_action.trigger()
    type_text(qtbot, work.intake.text, "停车场电梯坏了")
    fields: list[QWidget] = [work.intake.text, _type(qtbot, work.intake.phone, "1381234")]
    before = snapshot(work, fields)
    watch = Watch(work)
    QApplication.instance().installEventFilter(watch)  # type: ignore[union-attr]
    try:
        interrupt(qtbot, ctx, window, clock, other, a, wait_idle, b)
    finally:
        QApplication.instance().removeEventFilter(watch)  # type: ignore[union-attr]
    assert_kept(before, work, fields, watch, qtbot)


def test_a_form_whose_step_another_desk_took_stays_open_with_the_typing(
    ctx: AppContext, qtbot: QtBot, window: MainWindow, desk: Desk,
    staff: dict[str, Staff], clock: FixedClock, other: OtherDesk,
    wait_idle: Callable[[], None],
) -> None:
    a, _b = make_tickets(desk, staff, "accepted")
    other.pull()
    work = log_in(qtbot, window, "d1")
    work.open_ticket(a)
    bar = work.ticket.action_bar
    button = bar.buttons["advance:rectifying"]
    qtbot.waitUntil(lambda: button.height() > 0)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    fields = _fill_advance(qtbot, work)
    # Meanwhile a colleague at the other desk started rectifying the same ticket.
    handling.advance(other.desk, other.staff["d2"], a, "rectifying")
    other.deliver()
    wait_idle()
    assert get_ticket(ctx.desk, a).status == "rectifying"
    assert bar.open_form() == "advance:rectifying"
    assert fields[0].isVisible() and QApplication.focusWidget() is fields[0]
    assert bar.advance_note.text() == "已安排整改"
    assert bar.message.isVisible() and "已不再" in bar.message.text()


def test_a_new_ticket_in_the_queue_keeps_the_selection_the_view_and_the_ticket_shown(
    ctx: AppContext, qtbot: QtBot, window: MainWindow, desk: Desk,
    staff: dict[str, Staff], wait_idle: Callable[[], None],
) -> None:
    ids = [create_ticket(desk, staff["d1"], {"text": f"第{i}次：停车场收费不合理"}).ticket.id
           for i in range(40)]
    work = log_in(qtbot, window, "d1")
    queue = work.queue
    queue.model.refresh()
    picked = queue.model.ticket_id_at(34)  # near the end of the list, whatever its order
    assert picked is not None and queue.select_ticket(picked)
    queue.table.setFocus()
    qtbot.waitUntil(lambda: queue.table.verticalScrollBar().value() > 0)
    top_before = queue.model.ticket_id_at(queue.table.indexAt(queue.table.rect().topLeft()).row())
    work.open_ticket(ids[0])  # something else on screen, e.g. from the banner
    moved: list[str] = []
    queue.current_ticket_changed.connect(moved.append)
    # Another window of this desk saves a complaint: a new row at the top, a full re-read.
    with qtbot.waitSignal(queue.model.modelReset, timeout=10_000):
        ctx.executor.submit(lambda d: create_ticket(d, staff["d2"], {"text": "电梯坏了"}))
    wait_idle()
    assert queue.model.total == 41
    assert queue.selected_ticket() == picked and moved == []
    assert work.ticket.current_ticket_id() == ids[0]
    assert QApplication.focusWidget() is queue.table
    top_after = queue.model.ticket_id_at(queue.table.indexAt(queue.table.rect().topLeft()).row())
    assert top_after == top_before  # the rows staff were reading did not move


def test_the_reports_tab_keeps_the_focus_while_a_pull_recomputes_it(
    ctx: AppContext, qtbot: QtBot, window: MainWindow, desk: Desk,
    staff: dict[str, Staff], clock: FixedClock, other: OtherDesk,
    wait_idle: Callable[[], None],
) -> None:
    a, b = make_tickets(desk, staff, "accepted")
    other.pull()
    work = log_in(qtbot, window, "m1")
    with qtbot.waitSignal(work.reports.report_shown, timeout=10_000):
        work.tabs.setCurrentWidget(work.reports)
    button = work.reports.refresh_button
    button.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is button)
    watch = Watch(work)
    QApplication.instance().installEventFilter(watch)  # type: ignore[union-attr]
    try:
        with qtbot.waitSignal(work.reports.report_shown, timeout=10_000):
            interrupt(qtbot, ctx, window, clock, other, a, wait_idle, b)
    finally:
        QApplication.instance().removeEventFilter(watch)  # type: ignore[union-attr]
    wait_idle()
    assert watch.focus_out == [] and QApplication.focusWidget() is button
    assert work.tabs.currentWidget() is work.reports
