"""In-place refreshing: no hide-then-show, lists that keep the row and scroll staff are at."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QLineEdit, QListWidget, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from ui import steady


class HideCounter(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.hides = 0

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Hide:
            self.hides += 1
        return False


def test_set_shown_never_hides_a_widget_that_stays_shown(qtbot: QtBot) -> None:
    box = QWidget()
    qtbot.addWidget(box)
    edit = QLineEdit(box)
    QVBoxLayout(box).addWidget(edit)
    box.show()
    box.activateWindow()
    qtbot.waitActive(box)
    edit.setFocus()
    counter = HideCounter()
    edit.installEventFilter(counter)
    for _ in range(3):
        steady.set_shown(edit, True)
    assert counter.hides == 0 and box.focusWidget() is edit
    steady.set_shown(edit, False)
    steady.set_shown(edit, False)
    assert counter.hides == 1 and edit.isHidden()


def test_fill_list_keeps_the_current_row_and_the_scroll(qtbot: QtBot) -> None:
    widget = QListWidget()
    qtbot.addWidget(widget)
    widget.resize(200, 120)
    widget.show()
    rows = [steady.Row(f"e{i}", f"line {i}") for i in range(50)]
    assert steady.fill_list(widget, rows, follow_end=True)
    bar = widget.verticalScrollBar()
    assert bar.value() == bar.maximum() > 0  # a fresh list shows its newest line
    widget.setCurrentRow(10)
    widget.scrollToItem(widget.item(10))
    position = bar.value()
    changed: list[int] = []
    widget.currentRowChanged.connect(changed.append)
    assert not steady.fill_list(widget, rows, follow_end=True)  # the same rows: untouched
    # A new line at the end: the row staff read and where they scrolled to stay.
    assert steady.fill_list(widget, [*rows, steady.Row("e50", "line 50")], follow_end=True)
    assert widget.count() == 51 and widget.currentRow() == 10
    assert bar.value() == position and changed == []
    # Scrolled to the end, a new line keeps the end in view.
    widget.scrollToBottom()
    assert steady.fill_list(widget, [*rows, steady.Row("e50", "x"), steady.Row("e51", "y")],
                            follow_end=True)
    assert bar.value() == bar.maximum()
