"""Refreshing what is on screen in place, so a refresh never takes work out of staff's hands.

Views re-read after every write, every sync pull and on timers. Hiding a widget that
holds the keyboard focus moves the focus elsewhere (the next keystrokes go nowhere), and
clearing a list loses its selection and scroll position. These helpers change only what
changed: a widget is shown or hidden only when its state differs, a list is rebuilt only
when its rows differ and then keeps the current row and the scroll position.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QListWidget, QListWidgetItem, QWidget


def set_shown(widget: QWidget, shown: bool) -> None:
    """Show or hide *widget* only when that changes anything (no hide-then-show)."""
    if widget.isHidden() == shown:
        widget.setVisible(shown)


def set_text(widget: QLabel | QAbstractButton, text: str) -> None:
    """Set *text* only when it differs (a button's mnemonic is re-registered on every
    ``setText``; a label relayouts)."""
    if widget.text() != text:
        widget.setText(text)


@dataclass(frozen=True)
class Row:
    """One line of a list: its key (kept as the item's user data), text and tooltip."""

    key: str
    text: str
    tooltip: str = ""


def _rows_of(widget: QListWidget) -> list[Row]:
    rows = []
    for i in range(widget.count()):
        item = widget.item(i)
        rows.append(Row(str(item.data(Qt.ItemDataRole.UserRole)), item.text(), item.toolTip()))
    return rows


def fill_list(widget: QListWidget, rows: Sequence[Row], *, follow_end: bool = False) -> bool:
    """Make *widget* list *rows*; returns whether anything changed.

    Unchanged rows leave the list alone. Otherwise the current row (by key) and the
    scroll position are kept; with *follow_end* a list scrolled to its end (or never
    scrolled, like a fresh timeline) stays at the end, so a new last line shows.
    """
    if _rows_of(widget) == list(rows):
        return False
    current = widget.currentItem()
    keep = None if current is None else str(current.data(Qt.ItemDataRole.UserRole))
    bar = widget.verticalScrollBar()
    at_end = widget.count() == 0 or bar.value() >= bar.maximum()
    position = bar.value()
    blocked = widget.blockSignals(True)  # the rebuild is not a change of selection
    try:
        widget.clear()
        for row in rows:
            item = QListWidgetItem(row.text)
            item.setData(Qt.ItemDataRole.UserRole, row.key)
            if row.tooltip:
                item.setToolTip(row.tooltip)
            widget.addItem(item)
            if row.key == keep:
                widget.setCurrentItem(item)
    finally:
        widget.blockSignals(blocked)
    widget.doItemsLayout()  # the scroll range now, not at the next paint
    if follow_end and at_end:
        widget.scrollToBottom()
    else:
        bar.setValue(position)
    return True
