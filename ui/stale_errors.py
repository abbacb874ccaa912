"""An error message goes away as soon as staff change the field it is about.

A message such as "Enter an amount" or "Say why" that stays after the field was fixed
reads as if the fix did not count. Every form connects its fields here; only edits by
the person count (``textEdited``, ``activated``...), not the form clearing itself.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QDateEdit,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)


def clear_on_edit(clear: Callable[[], object], *widgets: QWidget) -> None:
    """Call *clear* whenever one of *widgets* is edited by the person at the desk."""
    for widget in widgets:
        if isinstance(widget, QLineEdit):
            widget.textEdited.connect(lambda _text: clear())
        elif isinstance(widget, QPlainTextEdit):
            widget.textChanged.connect(clear)
        elif isinstance(widget, QComboBox):
            widget.activated.connect(lambda _index: clear())
        elif isinstance(widget, QSpinBox):
            widget.valueChanged.connect(lambda _value: clear())
        elif isinstance(widget, QDateEdit):
            widget.dateChanged.connect(lambda _date: clear())
        elif isinstance(widget, QAbstractSpinBox):
            widget.editingFinished.connect(clear)
        elif isinstance(widget, QAbstractButton):
            widget.toggled.connect(lambda _on: clear())
        else:
            raise TypeError(f"no edit signal known for {type(widget).__name__}")
