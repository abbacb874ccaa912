"""The satisfaction score field: a digit replaces the score, Enter submits.

A plain QSpinBox inserts a typed digit into its text ("Choose 1–5", "4 ★"), so typing 5
gave nothing or 45, and Enter did nothing at all. Staff at the phone type the digit the
customer said and press Enter.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QSpinBox, QWidget


class ScoreBox(QSpinBox):
    """A score from 1 to *top* (0 shows the "choose" text); ``submitted`` on Enter."""

    submitted = Signal()

    def __init__(self, top: int = 5, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(0, top)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Digits in range replace the value; Enter and Return submit."""
        text = event.text()
        if (text.isdigit() and len(text) == 1
                and self.minimum() < int(text) <= self.maximum()
                and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier):
            self.setValue(int(text))
            self.selectAll()
            event.accept()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.interpretText()
            self.submitted.emit()
            event.accept()
            return
        super().keyPressEvent(event)
