"""Logging in to the main window by keyboard, as staff do (shared by the window tests)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.conftest import PINS
from ui.main_window import MainWindow, WorkArea


def log_in(qtbot: QtBot, w: MainWindow, staff_id: str) -> WorkArea:
    """Type *staff_id*, Enter, the PIN, Enter; the work area the login opened."""
    w.login.staff_id.clear()
    qtbot.keyClicks(w.login.staff_id, staff_id)
    qtbot.keyClick(w.login.staff_id, Qt.Key.Key_Return)
    qtbot.keyClicks(w.login.pin, PINS[staff_id])
    with qtbot.waitSignal(w.login.logged_in, timeout=10_000):
        qtbot.keyClick(w.login.pin, Qt.Key.Key_Return)
    assert w.work is not None
    return w.work
