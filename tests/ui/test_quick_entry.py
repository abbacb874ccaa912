"""The cashier's quick-entry window, driven by keys sent to whatever widget has focus."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from desktop.changes import Changes
from desktop.desk import install_policy_document, open_desk
from desktop.staff import Staff
from tests.ui.conftest import PINS
from tests.ui.keyboard import commit_text
from ui.context import AppContext
from ui.operations import tickets as ticket_operations
from ui.quick_entry import QuickEntryWindow

Key = Qt.Key


class Keyboard:
    """Types into the focused widget only (no clicking, no aiming at widgets) and counts
    keystrokes: the count is the test's proxy for "under 10 seconds".

    A Chinese character counts as one keystroke, as with a phrase-completing IME.
    """

    def __init__(self) -> None:
        self.count = 0

    def focused(self) -> QWidget:
        widget = QApplication.focusWidget()
        assert widget is not None, "nothing has keyboard focus"
        return widget

    def type(self, text: str) -> None:
        for ch in text:
            if ch.isascii():
                QTest.keyClicks(self.focused(), ch)
            else:
                commit_text(self.focused(), ch)  # as a pinyin input method commits it
            self.count += 1

    def press(self, key: Key, mods: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
              ) -> None:
        QTest.keyClick(self.focused(), key, mods)
        self.count += 1


@pytest.fixture
def window(ctx: AppContext, qtbot: QtBot) -> Iterator[QuickEntryWindow]:
    w = QuickEntryWindow(ctx)
    qtbot.addWidget(w)
    w.show_and_focus()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    yield w


@pytest.fixture
def keys() -> Keyboard:
    return Keyboard()


def _tickets(ctx: AppContext) -> list[dict[str, Any]]:
    rows = ctx.desk.conn.execute("SELECT * FROM tickets ORDER BY number").fetchall()
    return [dict(r) for r in rows]


def _events(ctx: AppContext, type_: str) -> list[dict[str, Any]]:
    rows = ctx.desk.conn.execute(
        "SELECT actor, payload FROM events WHERE type = ?", (type_,)).fetchall()
    return [{"actor": r["actor"], **json.loads(r["payload"])} for r in rows]


def _log_in(window: QuickEntryWindow, keys: Keyboard, qtbot: QtBot, ctx: AppContext,
            staff_id: str) -> None:
    assert keys.focused() is window.staff_id
    keys.type(staff_id)
    keys.press(Key.Key_Return)
    assert keys.focused() is window.pin
    keys.type(PINS[staff_id])
    keys.press(Key.Key_Return)
    qtbot.waitUntil(lambda: ctx.session.staff is not None, timeout=10_000)
    assert keys.focused() is window.note


def test_keyboard_only_entry_from_login_to_saved(
    window: QuickEntryWindow, keys: Keyboard, ctx: AppContext, qtbot: QtBot,
    wait_idle: Callable[[], None],
) -> None:
    assert window.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    assert window._stack.currentWidget() is window._login_page
    _log_in(window, keys, qtbot, ctx, "c1")
    login_keys = keys.count
    assert window.limit.text().replace(" ", "").count("200") == 1  # 本人限额 200 元

    keys.type("2")  # empty note: the digit picks 2 服务
    assert window.category() == "service" and window.note.text() == ""
    keys.type("酸奶发霉了")  # triage says 商品 (spoiled): the cashier's 服务 must win
    keys.press(Key.Key_Tab)
    keys.type("13812345678")
    keys.press(Key.Key_Tab)
    keys.type("5")
    with qtbot.waitSignal(window.saved, timeout=10_000) as saved:
        keys.press(Key.Key_Return)
    wait_idle()

    [ticket] = _tickets(ctx)
    assert saved.args == [ticket["id"], ticket["number"]]
    assert (ticket["channel"], ticket["category"], ticket["created_by"]) == (
        "checkout", "service", "c1")
    assert ticket["level"] == 1 and ticket["customer_phone"] == "13812345678"
    [correction] = _events(ctx, "triaged")
    assert correction["actor"] == "c1" and correction["previous"]["category"] == "product"
    [grant] = _events(ctx, "compensation_granted")
    assert grant["amount_fen"] == 500 and grant["actor"] == "c1"
    # Ready for the next customer: cleared, focus at the start, the number shown.
    assert ticket["number"] in window.message.text()
    assert (window.note.text(), window.phone.text(), window.amount.text()) == ("", "", "")
    assert window.category() is None and keys.focused() is window.note
    entry_keys = keys.count - login_keys
    assert entry_keys <= 22, entry_keys
    assert keys.count <= 32, keys.count


def test_second_entry_right_after_the_first(
    window: QuickEntryWindow, keys: Keyboard, ctx: AppContext, qtbot: QtBot,
    login: Callable[[str], Staff], wait_idle: Callable[[], None],
) -> None:
    login("c1")
    for digit, note in (("2", "多收了五块钱"), ("1", "牛奶坏了")):
        keys.type(digit + note)
        with qtbot.waitSignal(window.saved, timeout=10_000):
            keys.press(Key.Key_Enter)  # the keypad's Enter saves too
    wait_idle()
    tickets = _tickets(ctx)
    assert [t["category"] for t in tickets] == ["service", "product"]
    assert [t["number"][-4:] for t in tickets] == ["0001", "0002"]
    assert _events(ctx, "triaged") == []  # triage agreed both times


def test_missing_category_and_empty_note_are_caught_before_saving(
    window: QuickEntryWindow, keys: Keyboard, ctx: AppContext, qtbot: QtBot,
    login: Callable[[str], Staff],
) -> None:
    login("c1")
    keys.press(Key.Key_Return)
    assert "5" in window.message.text()  # "press 1–5"
    assert not ctx.executor.busy()
    keys.type("3")
    assert window.category() == "fulfillment"
    keys.type("   ")
    keys.press(Key.Key_Return)
    assert window.message.text() and window.note.styleSheet()
    assert keys.focused() is window.note
    assert not ctx.executor.busy() and _tickets(ctx) == []


def test_digits_after_the_pick_are_text_and_picks_can_change(
    window: QuickEntryWindow, keys: Keyboard, login: Callable[[str], Staff],
) -> None:
    login("c1")
    keys.type("1")
    keys.press(Key.Key_Backspace)  # empty note: undoes the pick
    assert window.category() is None
    keys.type("13瓶")
    assert window.category() == "product" and window.note.text() == "3瓶"
    keys.press(Key.Key_Tab)
    keys.press(Key.Key_5, Qt.KeyboardModifier.AltModifier)  # from the phone field
    assert window.category() == "environment" and window.phone.text() == ""
    assert window.category_buttons[4].isChecked()
    assert not window.category_buttons[0].isChecked()


def test_double_enter_saves_once(
    window: QuickEntryWindow, keys: Keyboard, ctx: AppContext, qtbot: QtBot,
    login: Callable[[str], Staff], wait_idle: Callable[[], None],
) -> None:
    login("c1")
    keys.type("2多收了钱")
    with qtbot.waitSignal(window.saved, timeout=10_000):
        keys.press(Key.Key_Return)
        keys.press(Key.Key_Return)
    wait_idle()
    assert len(_tickets(ctx)) == 1


def test_wrong_pin_says_so_inline_then_the_right_one_logs_in(
    window: QuickEntryWindow, keys: Keyboard, ctx: AppContext, qtbot: QtBot,
    wait_idle: Callable[[], None],
) -> None:
    keys.type("c1")
    keys.press(Key.Key_Return)
    keys.type("0000")
    keys.press(Key.Key_Return)
    wait_idle()
    assert ctx.session.staff is None
    assert "c1" in window.login_message.text()
    assert window.pin.text() == "" and keys.focused() is window.pin
    assert window._stack.currentWidget() is window._login_page
    keys.type(PINS["c1"])
    keys.press(Key.Key_Return)
    qtbot.waitUntil(lambda: ctx.session.staff is not None, timeout=10_000)
    assert window._stack.currentWidget() is window._entry_page


def test_lock_keeps_the_entry_and_escape_hides_it(
    window: QuickEntryWindow, keys: Keyboard, ctx: AppContext, qtbot: QtBot,
    login: Callable[[str], Staff],
) -> None:
    main = QWidget()  # stands in for the main window, which brings it back with F3
    qtbot.addWidget(main)
    main.show()
    window.show_and_focus()
    login("c1")
    keys.type("2态度差")
    ctx.session.lock()
    assert window._stack.currentWidget() is window._login_page
    assert window.staff_id.text() == "c1" and keys.focused() is window.pin
    keys.type(PINS["c1"])
    keys.press(Key.Key_Return)
    qtbot.waitUntil(lambda: not ctx.session.locked, timeout=10_000)
    assert window.note.text() == "态度差" and window.category() == "service"
    keys.press(Key.Key_Escape)
    assert not window.isVisible()
    window.show_and_focus()
    qtbot.waitExposed(window)
    # The offscreen platform never re-activates a hidden window (its focus window stays
    # stale), so check the window's own focus child: the widget typing goes to once active.
    assert window.isVisible() and window.focusWidget() is window.note
    assert window.note.text() == "态度差" and window.category() == "service"


def test_a_failed_save_keeps_everything_and_says_why(
    window: QuickEntryWindow, keys: Keyboard, ctx: AppContext,
    login: Callable[[str], Staff], wait_idle: Callable[[], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(ticket_operations, "record_quick", broken)
    login("c1")
    keys.type("2多收了钱")
    keys.press(Key.Key_Tab)
    keys.type("13812345678")
    keys.press(Key.Key_Return)
    wait_idle()
    assert "disk on fire" in window.message.text()
    assert (window.note.text(), window.phone.text()) == ("多收了钱", "13812345678")
    assert window.category() == "service" and not window.note.isReadOnly()
    assert _tickets(ctx) == []


def test_escape_minimises_when_it_is_the_only_window(
    window: QuickEntryWindow, keys: Keyboard, login: Callable[[str], Staff],
) -> None:
    # ``kesu quick``: hiding the only window would leave the process running unseen.
    login("c1")
    keys.type("2排队太久")
    keys.press(Key.Key_Escape)
    assert window.isMinimized()
    window.show_and_focus()
    assert not window.isMinimized() and window.note.text() == "排队太久"


def test_a_policy_pulled_by_sync_changes_the_buttons_and_keeps_the_pick(
    window: QuickEntryWindow, ctx: AppContext, keys: Keyboard, qtbot: QtBot,
) -> None:
    _log_in(window, keys, qtbot, ctx, "c1")
    window.pick_category(2)
    picked = window.category()
    assert window.category_buttons[0].text() == "1 商品"
    # Headquarters renames a category and withdraws cash: the sync thread installs it on
    # its own connection, then the app takes it up (ui/app.py's bridge does exactly this).
    document = json.loads(json.dumps(ctx.desk.policy.raw))
    document["policy_version"] = ctx.desk.policy.version + ".hq1"
    document["triage"]["categories"]["product"]["label_zh"] = "商品质量"
    document["compensation"]["kinds"].remove("cash")
    sync_side = open_desk(ctx.db_path)
    try:
        install_policy_document(sync_side, document)
    finally:
        sync_side.close()
    ctx.refresh_policy()
    ctx.executor.changed.emit(Changes(policy=True))
    assert window.category_buttons[0].text() == "1 商品质量"
    assert window.category() == picked
    kinds = [window.kind.itemData(i) for i in range(window.kind.count())]
    assert "cash" not in kinds and kinds == list(ctx.desk.policy.compensation.kinds)
    # The old buttons are gone, not hidden behind the new ones.
    qtbot.waitUntil(lambda: len([
        b for b in window.findChildren(QPushButton)
        if b.objectName().startswith("quick_category_")]) == len(window.category_buttons))
