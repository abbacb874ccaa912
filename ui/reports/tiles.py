"""A figure tile: a headline number, its change against the previous period, clickable.

A tile is a focusable frame: a click, Enter or Space asks for the tickets behind it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from ui.naming import named as _named


class FigureTile(QFrame):
    """One headline figure. ``activated`` fires on click, Enter or Space."""

    activated = Signal()

    def __init__(self, name: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            f"#{name} {{ background: #ffffff; border: 1px solid #dadce0;"
            " border-radius: 6px; }"
            f"#{name}:focus {{ border: 2px solid #1a73e8; }}"
            f"#{name}:hover {{ background: #f1f3f4; }}")
        self.title = _named(QLabel(title), f"{name}Title")
        self.title.setStyleSheet("color: #5f6368;")
        self.value = _named(QLabel("…"), f"{name}Value")
        self.value.setStyleSheet("font-size: 17pt; font-weight: bold; color: #202124;")
        self.detail = _named(QLabel(""), f"{name}Detail")
        self.detail.setStyleSheet("color: #5f6368;")
        self.detail.setWordWrap(True)
        self.change = _named(QLabel(""), f"{name}Change")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(1)
        for label in (self.title, self.value, self.detail, self.change):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            layout.addWidget(label)
        layout.addStretch(1)

    def set_figure(self, value: str, detail: str, change: str, colour: str) -> None:
        """Show a figure, a line under it and its change (in *colour*)."""
        self.value.setText(value)
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))
        self.change.setText(change)
        self.change.setStyleSheet(f"color: {colour};")
        self.setToolTip(f"{self.title.text()}: {value}\n{detail}\n{change}".strip())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
                event.position().toPoint()):
            self.activated.emit()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.activated.emit()
            event.accept()
            return
        super().keyPressEvent(event)
