"""Quick entry above the cashier's limit saves and sends the compensation for approval;
Ctrl+L locks the window and Ctrl+Shift+L changes cashier. Driven by the keyboard only."""

from __future__ import annotations

import json
from collections.abc import Callable

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.staff import Staff
from tests.ui.conftest import PINS
from tests.ui.test_quick_entry import Keyboard, keys, window
from ui.context import AppContext
from ui.quick_entry import QuickEntryWindow

__all__ = ["keys", "window"]  # fixtures of the quick-entry tests, used here too

Key = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def _lines(ctx: AppContext) -> list[dict[str, object]]:
    return [dict(r) for r in ctx.desk.conn.execute("SELECT * FROM compensations")]


def _type_entry(keys: Keyboard, note: str, amount: str) -> None:
    keys.type("2" + note)       # 2 = service; then the note
    keys.press(Key.Key_Tab)      # phone
    keys.press(Key.Key_Tab)      # amount
    keys.type(amount)


def test_over_the_limit_saves_and_sends_for_a_managers_approval(
    window: QuickEntryWindow, keys: Keyboard, ctx: AppContext, qtbot: QtBot,
    login: Callable[[str], Staff], wait_idle: Callable[[], None],
) -> None:
    login("c1")
    _type_entry(keys, "多收钱", "250")
    keys.press(Key.Key_Tab)  # leaving the field already says what will happen
    said = window.message.text()
    assert "200" in said and "店长" in said and "审批" in said
    assert window.amount.styleSheet() == ""  # not an error: nothing to fix
    with qtbot.waitSignal(window.saved, timeout=10_000):
        keys.press(Key.Key_Return)
    wait_idle()
    [ticket] = ctx.desk.conn.execute("SELECT number FROM tickets").fetchall()
    [line] = _lines(ctx)
    assert (line["status"], line["approval_level"], line["amount_fen"], line["requested_by"]
            ) == ("pending_approval", "manager", 25_000, "c1")
    message = window.message.text()
    assert ticket["number"] in message
    assert "250" in message and "尚未发放" in message and "店长" in message
    assert "b06000" in window.message.styleSheet()  # amber: not done yet
    assert not window.notice.isVisible()  # a manager is in the store: nothing more to say
    assert (window.note.text(), window.amount.text()) == ("", "")  # ready for the next one
    assert keys.focused() is window.note


def test_above_the_managers_limit_goes_to_hq_and_an_unenrolled_desk_says_so(
    window: QuickEntryWindow, keys: Keyboard, ctx: AppContext, qtbot: QtBot,
    login: Callable[[str], Staff], wait_idle: Callable[[], None],
) -> None:
    login("c1")
    _type_entry(keys, "收银员多收了一千五", "1500")
    keys.press(Key.Key_Tab)  # leaving the field says where it goes
    # ¥1,500 is within the regional limit (¥3,000): the region's manager decides it.
    assert "区域经理" in window.message.text() and "200" in window.message.text()
    window.amount.setFocus()
    with qtbot.waitSignal(window.saved, timeout=10_000):
        keys.press(Key.Key_Return)
    wait_idle()
    [line] = _lines(ctx)
    assert (line["status"], line["approval_level"]) == ("pending_approval", "hq")
    assert "等待区域经理审批" in window.message.text()
    notice = window.notice.text()  # cannot reach headquarters yet: said in full
    assert window.notice.isVisible() and "尚未登记" in notice and "同步" in notice


def test_ctrl_l_locks_and_the_pin_unlocks_with_the_entry_kept(
    window: QuickEntryWindow, keys: Keyboard, ctx: AppContext, qtbot: QtBot,
    login: Callable[[str], Staff],
) -> None:
    login("c1")
    keys.type("2多收钱")
    keys.press(Key.Key_L, CTRL)
    assert ctx.session.locked
    assert window._stack.currentWidget() is window._login_page
    assert window.staff_id.text() == "c1" and keys.focused() is window.pin
    keys.type(PINS["c1"])
    keys.press(Key.Key_Return)
    qtbot.waitUntil(lambda: not ctx.session.locked, timeout=10_000)
    assert window._stack.currentWidget() is window._entry_page
    assert window.note.text() == "多收钱" and window.category() == "service"


def test_ctrl_shift_l_changes_cashier_and_the_next_one_records(
    window: QuickEntryWindow, keys: Keyboard, ctx: AppContext, qtbot: QtBot,
    login: Callable[[str], Staff], wait_idle: Callable[[], None],
) -> None:
    login("c1")
    keys.type("2排队结账太慢")
    keys.press(Key.Key_L, CTRL | SHIFT)
    assert ctx.session.locked
    assert window.staff_id.text() == "" and keys.focused() is window.staff_id
    keys.type("d1")
    keys.press(Key.Key_Return)
    keys.type(PINS["d1"])
    keys.press(Key.Key_Return)
    qtbot.waitUntil(lambda: ctx.session.staff is not None
                    and ctx.session.staff.id == "d1" and not ctx.session.locked,
                    timeout=10_000)
    assert keys.focused() is window.note and window.note.text() == "排队结账太慢"
    with qtbot.waitSignal(window.saved, timeout=10_000):
        keys.press(Key.Key_Return)
    wait_idle()
    [row] = ctx.desk.conn.execute(
        "SELECT actor, payload FROM events WHERE type = 'ticket_created'").fetchall()
    assert row["actor"] == "d1" and json.loads(row["payload"])["text"] == "排队结账太慢"
