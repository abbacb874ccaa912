"""An error message goes as soon as staff fix the field it is about, in every form."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from desktop import ticket_actions as handling
from desktop.compensation import compensate
from desktop.desk import Desk
from desktop.staff import Staff
from desktop.tickets import create_ticket
from tests.conftest import PINS
from tests.ui.keyboard import type_text
from ui.approvals_panel import ApprovalsPanel
from ui.context import AppContext
from ui.intake_panel import IntakePanel
from ui.login import LoginWidget
from ui.quick_entry import QuickEntryWindow
from ui.ticket_panel import TicketPanel


def shown(widget: QWidget, qtbot: QtBot, size: tuple[int, int] = (1000, 750)) -> None:
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)


def said(label: QLabel) -> bool:
    return bool(label.text()) and not label.isHidden()


def test_ticket_action_forms(ctx: AppContext, qtbot: QtBot, desk: Desk,
                             staff: dict[str, Staff], login: Callable[[str], Staff],
                             wait_idle: Callable[[], None]) -> None:
    t = create_ticket(desk, staff["d1"], {"text": "收银员态度很差，找零少给了五块钱"}).ticket
    panel = TicketPanel(ctx)
    shown(panel, qtbot)
    login("m1")
    panel.show_ticket(t.id)
    bar = panel.action_bar
    # The note: saving an empty one is refused; typing takes the message away.
    bar.open_action("note")
    with qtbot.waitSignal(ctx.executor.job_finished, timeout=10_000):
        qtbot.keyClick(bar.note_text, Qt.Key.Key_Return)
    error = panel.findChild(QLabel, "error_note")
    assert error is not None and said(error)
    type_text(qtbot, bar.note_text, "顾")
    assert not said(error)
    # Closing without an outcome, then choosing one with the keyboard.
    for who, to in (("d1", "rectifying"), ("d1", "reviewing"), ("d2", "accountability")):
        handling.advance(desk, staff[who], t.id, to)
    panel.refresh()
    bar.open_action("advance:closed")
    with qtbot.waitSignal(ctx.executor.job_finished, timeout=10_000):
        qtbot.mouseClick(bar.pages["close"].save, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    error = panel.findChild(QLabel, "error_close")
    assert error is not None and said(error)
    bar.close_outcome.setFocus()
    qtbot.keyClick(bar.close_outcome, Qt.Key.Key_Down)
    assert not said(error)
    # The rating: Enter without a score, then the digit.
    handling.advance(desk, staff["m1"], t.id, "closed",
                     accountability={"outcome": "none", "subject": "", "note": ""})
    panel.refresh()
    bar.open_action("rate")
    qtbot.keyClick(bar.rate_score, Qt.Key.Key_Return)
    error = panel.findChild(QLabel, "error_rate")
    assert error is not None and said(error)
    qtbot.keyClicks(bar.rate_score, "4")
    assert not said(error)
    wait_idle()


def test_compensation_form_manager_fields(ctx: AppContext, qtbot: QtBot, desk: Desk,
                                          staff: dict[str, Staff],
                                          login: Callable[[str], Staff],
                                          wait_idle: Callable[[], None]) -> None:
    t = create_ticket(desk, staff["d1"], {"text": "收银员态度很差，找零少给了五块钱"}).ticket
    panel = TicketPanel(ctx)
    shown(panel, qtbot)
    login("d1")
    panel.show_ticket(t.id)
    panel.action_bar.open_action("compensate")
    form = panel.action_bar.compensation
    type_text(qtbot, form.amount, "800")
    # The box appears as the amount passes the limit; the layout gives it room.
    qtbot.waitUntil(lambda: form.approve_now.height() > 0)
    qtbot.mouseClick(form.approve_now, Qt.MouseButton.LeftButton)
    assert said(form.error)  # no manager id
    type_text(qtbot, form.approver_id, "m1")
    assert not said(form.error)
    type_text(qtbot, form.approver_pin, "0000")
    with qtbot.waitSignal(ctx.executor.job_finished, timeout=10_000):
        qtbot.keyClick(form.approver_pin, Qt.Key.Key_Return)
    assert said(form.error)  # wrong PIN
    type_text(qtbot, form.approver_pin, "9")
    assert not said(form.error)
    wait_idle()


def test_intake_form(ctx: AppContext, qtbot: QtBot, login: Callable[[str], Staff]) -> None:
    login("d1")
    intake = IntakePanel(ctx)
    shown(intake, qtbot)
    type_text(qtbot, intake.phone, "12")
    intake.save()  # no text, a phone too short
    text_error = intake.findChild(QLabel, "intake_text_error")
    phone_error = intake.findChild(QLabel, "intake_phone_error")
    assert text_error is not None and phone_error is not None
    assert said(text_error) and said(phone_error) and intake.status.text()
    type_text(qtbot, intake.text, "停车场电梯坏了")
    assert not said(text_error) and said(phone_error)
    assert intake.status.text()  # a field is still marked
    type_text(qtbot, intake.phone, "345678901")
    assert not said(phone_error)
    assert intake.status.text() == ""  # nothing left to correct


def test_quick_entry(ctx: AppContext, qtbot: QtBot, login: Callable[[str], Staff]) -> None:
    window = QuickEntryWindow(ctx)
    shown(window, qtbot, (420, 320))
    # The login page first.
    qtbot.keyClick(window.staff_id, Qt.Key.Key_Return)
    qtbot.keyClick(window.pin, Qt.Key.Key_Return)
    assert window.login_message.text()
    qtbot.keyClicks(window.pin, "1")
    assert window.login_message.text() == ""
    login("c1")
    window.pick_category(2)
    qtbot.keyClick(window.note, Qt.Key.Key_Return)  # no note
    assert window.message.text()
    type_text(qtbot, window.note, "多收了钱")
    assert window.message.text() == ""
    type_text(qtbot, window.phone, "12")
    qtbot.keyClick(window.note, Qt.Key.Key_Return)  # a bad phone
    assert window.message.text()
    type_text(qtbot, window.phone, "3")
    assert window.message.text() == ""


def test_login(ctx: AppContext, qtbot: QtBot) -> None:
    login = LoginWidget(ctx)
    shown(login, qtbot)
    qtbot.keyClicks(login.staff_id, "d1")
    qtbot.keyClick(login.pin, Qt.Key.Key_Return)
    assert login.error.text()
    qtbot.keyClicks(login.pin, PINS["d1"][:1])
    assert login.error.text() == ""


def test_approvals_refusal_note(ctx: AppContext, qtbot: QtBot, desk: Desk,
                               staff: dict[str, Staff], login: Callable[[str], Staff]) -> None:
    t = create_ticket(desk, staff["d1"], {"text": "收银员态度很差，找零少给了五块钱"}).ticket
    outcome = compensate(desk, staff["d1"], t.id, amount="800", kind="cash")
    login("m1")
    panel = ApprovalsPanel(ctx)
    shown(panel, qtbot)
    assert panel.select(outcome.compensation.id)
    qtbot.mouseClick(panel.refuse, Qt.MouseButton.LeftButton)  # no reason given
    assert said(panel.error)
    type_text(qtbot, panel.note, "超出标准")
    assert not said(panel.error)
