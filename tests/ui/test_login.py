"""Logging in and the lock screen: PINs checked on the writer thread, failures counted."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.staff import Staff
from tests.conftest import PINS
from ui.context import AppContext
from ui.login import LoginWidget


def _type_login(qtbot: QtBot, widget: LoginWidget, staff_id: str, pin: str) -> None:
    widget.staff_id.clear()
    qtbot.keyClicks(widget.staff_id, staff_id)
    qtbot.keyClick(widget.staff_id, Qt.Key.Key_Return)  # Enter moves to the PIN
    qtbot.keyClicks(widget.pin, pin)
    qtbot.keyClick(widget.pin, Qt.Key.Key_Return)


def test_login_with_the_right_pin(ctx: AppContext, qtbot: QtBot,
                                  staff: dict[str, Staff]) -> None:
    widget = LoginWidget(ctx)
    qtbot.addWidget(widget)
    with qtbot.waitSignal(widget.logged_in, timeout=5000) as blocker:
        _type_login(qtbot, widget, "d1", PINS["d1"])
    assert blocker.args == [staff["d1"]]
    assert ctx.session.staff == staff["d1"]
    assert widget.pin.text() == ""  # the PIN never stays in the field


def test_wrong_pin_says_so_and_counts(ctx: AppContext, qtbot: QtBot,
                                      wait_idle: Callable[[], None]) -> None:
    widget = LoginWidget(ctx)
    qtbot.addWidget(widget)
    _type_login(qtbot, widget, "d1", "0000")
    wait_idle()
    assert "PIN" in widget.error.text() or "密码" in widget.error.text()
    assert ctx.session.staff is None
    failed = ctx.desk.conn.execute("SELECT failed_pins FROM staff WHERE id='d1'").fetchone()[0]
    assert failed == 1
    for _ in range(4):
        _type_login(qtbot, widget, "d1", "0000")
        wait_idle()
    _type_login(qtbot, widget, "d1", PINS["d1"])  # locked now, even with the right PIN
    wait_idle()
    assert ctx.session.staff is None
    assert widget.error.text()


def test_empty_fields_are_caught_before_checking(ctx: AppContext, qtbot: QtBot) -> None:
    widget = LoginWidget(ctx)
    qtbot.addWidget(widget)
    qtbot.mouseClick(widget.submit, Qt.MouseButton.LeftButton)
    assert widget.error.text()
    assert not ctx.executor.busy()


def test_lock_screen_names_who_was_there(ctx: AppContext, qtbot: QtBot,
                                         login: Callable[[str], Staff]) -> None:
    widget = LoginWidget(ctx)
    qtbot.addWidget(widget)
    login("d1")
    ctx.session.lock()
    widget.prepare()
    assert widget.staff_id.text() == "d1"
    assert "服务台小李" in widget._hint.text()


def test_demo_staff_are_listed_and_fill_the_form(desk: object, ctx: AppContext,
                                                 qtbot: QtBot) -> None:
    ctx.demo_staff = (("d1", "服务台小李", "desk", PINS["d1"]),)
    widget = LoginWidget(ctx)
    qtbot.addWidget(widget)
    assert widget.demo.rowCount() == 1
    widget._demo_picked(0, 0)
    assert (widget.staff_id.text(), widget.pin.text()) == ("d1", PINS["d1"])
