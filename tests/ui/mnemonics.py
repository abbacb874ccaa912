"""The Alt+letter mnemonics a window offers right now, for the UI tests.

Qt registers a mnemonic for a button's text (``&Save``), a label with a buddy, a tab of
a tab bar and a menu of the menu bar. Only visible, enabled controls answer to it; two of
them with one letter in a window make Alt+letter cycle between them instead of acting.
"""

from __future__ import annotations

from collections import defaultdict

from PySide6.QtWidgets import (
    QAbstractButton,
    QGroupBox,
    QLabel,
    QMenuBar,
    QTabBar,
    QWidget,
)


def mnemonic_of(text: str) -> str | None:
    """``"Co&mpensate"`` → ``"M"``; ``"&&"`` is a literal ampersand, not a mnemonic."""
    i = 0
    while i < len(text) - 1:
        if text[i] == "&":
            if text[i + 1] == "&":
                i += 2
                continue
            return text[i + 1].upper()
        i += 1
    return None


def _live(widget: QWidget) -> bool:
    return widget.isVisible() and widget.isEnabled()


def _where(widget: QWidget, text: str) -> str:
    return f"{type(widget).__name__}:{widget.objectName() or '-'}:{text!r}"


def window_mnemonics(window: QWidget) -> dict[str, list[str]]:
    """Letter → the controls of *window* answering to Alt+letter now."""
    found: dict[str, list[str]] = defaultdict(list)
    widgets = [window, *window.findChildren(QWidget)]
    for widget in widgets:
        if widget.window() is not window or not _live(widget):
            continue
        if isinstance(widget, QAbstractButton):
            letter = mnemonic_of(widget.text())
            if letter:
                found[letter].append(_where(widget, widget.text()))
        elif isinstance(widget, QGroupBox):
            letter = mnemonic_of(widget.title())
            if letter:
                found[letter].append(_where(widget, widget.title()))
        elif isinstance(widget, QLabel):
            buddy = widget.buddy()
            letter = mnemonic_of(widget.text())
            if letter and buddy is not None and _live(buddy):
                found[letter].append(_where(widget, widget.text()))
        elif isinstance(widget, QTabBar):
            for i in range(widget.count()):
                if widget.isTabVisible(i) and widget.isTabEnabled(i):
                    letter = mnemonic_of(widget.tabText(i))
                    if letter:
                        found[letter].append(_where(widget, widget.tabText(i)))
        elif isinstance(widget, QMenuBar):
            for action in widget.actions():
                letter = mnemonic_of(action.text())
                if letter and action.isVisible() and action.isEnabled():
                    found[letter].append(f"menu:{action.text()!r}")
    return dict(found)


def duplicates(window: QWidget) -> dict[str, list[str]]:
    """The letters more than one live control of *window* answers to."""
    return {k: v for k, v in window_mnemonics(window).items() if len(v) > 1}
