"""Typing into widgets as staff do, for the UI tests.

QTest aborts when asked to send a non-ASCII key, so Chinese and emoji arrive the way a
pinyin input method delivers them: as a commit of a few characters at once.
"""

from __future__ import annotations

from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

IME_CHUNK = 3  # characters per input-method commit


def commit_text(widget: QWidget, text: str) -> None:
    """Deliver *text* to *widget* as an input method's commit."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def type_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Type *text*: ASCII key by key, everything else as input-method commits."""
    chunk: list[str] = []

    def flush() -> None:
        if chunk:
            commit_text(widget, "".join(chunk))
            chunk.clear()

    for ch in text:
        if ch.isascii() and ch.isprintable():
            flush()
            qtbot.keyClicks(widget, ch)
        else:
            chunk.append(ch)
            if len(chunk) == IME_CHUNK:
                flush()
    flush()
