"""What staff typed into a window, taken from one copy of it and put into another.

Used when the work area is rebuilt in another language (``ui.language_switch``): inputs
are matched by object name (and, for names used more than once, by their order), so a
half-typed complaint, note or filter survives the change.
"""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QTextEdit,
    QWidget,
)

Inputs = dict[str, list[object]]


def _value(widget: QWidget) -> object:
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QTextEdit):
        return None if widget.isReadOnly() else widget.toPlainText()
    if isinstance(widget, QComboBox):
        return ("text", widget.currentText()) if widget.isEditable() else (
            "index", widget.currentIndex(), widget.currentData())
    if isinstance(widget, QSpinBox | QDoubleSpinBox):
        return widget.value()
    if isinstance(widget, QDateEdit):
        return widget.date().toString("yyyy-MM-dd")
    if isinstance(widget, QAbstractButton) and widget.isCheckable():
        return widget.isChecked()
    return None


def _inputs(root: QWidget) -> list[tuple[str, QWidget]]:
    found = []
    for widget in root.findChildren(QWidget):
        name = widget.objectName()
        # Qt's own parts (a spin box's line edit) follow their owner.
        if name and not name.startswith("qt_") and _value(widget) is not None:
            found.append((name, widget))
    return found


def snapshot(root: QWidget) -> Inputs:
    """The value of every named input under *root*."""
    values: Inputs = {}
    for name, widget in _inputs(root):
        values.setdefault(name, []).append(_value(widget))
    return values


def restore(root: QWidget, values: Inputs) -> None:
    """Put *values* (from :func:`snapshot` of a twin of *root*) back, in creation order."""
    seen: dict[str, int] = {}
    for name, widget in _inputs(root):
        index = seen.get(name, 0)
        seen[name] = index + 1
        if index >= len(values.get(name, [])):
            continue
        value = values[name][index]
        if value == _value(widget):
            continue
        _set(widget, value)


def _set(widget: QWidget, value: object) -> None:
    if isinstance(widget, QLineEdit) and isinstance(value, str):
        widget.setText(value)
    elif isinstance(widget, QPlainTextEdit | QTextEdit) and isinstance(value, str):
        widget.setPlainText(value)
    elif isinstance(widget, QComboBox) and isinstance(value, tuple):
        if value[0] == "text":
            widget.setCurrentText(str(value[1]))
        else:
            # By the item's data where it has some (the item texts are in the other language).
            index = widget.findData(value[2]) if value[2] is not None else int(value[1])
            if 0 <= index < widget.count():
                widget.setCurrentIndex(index)
    elif isinstance(widget, QSpinBox) and isinstance(value, int):
        widget.setValue(value)
    elif isinstance(widget, QDoubleSpinBox) and isinstance(value, int | float):
        widget.setValue(float(value))
    elif isinstance(widget, QDateEdit) and isinstance(value, str):
        widget.setDate(QDate.fromString(value, "yyyy-MM-dd"))
    elif isinstance(widget, QAbstractButton) and isinstance(value, bool):
        widget.setChecked(value)
