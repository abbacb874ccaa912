"""Changing the language at a later login: the work area is built anew in the language
chosen on the lock screen, and what staff had typed and opened comes along.

Widgets take their words when they are built, so a work area in the new language is a new
work area. Carried over: every named input (``ui.carry_over``: the half-typed complaint,
inline forms, queue filters), the ticket shown with its open form, the queue's selection,
the tab, and the widget that had the keyboard focus.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from ui import carry_over

if TYPE_CHECKING:
    from ui.main_window import WorkArea


@dataclass(frozen=True)
class WorkState:
    """What a work area showed and held, to be put into its successor."""

    inputs: carry_over.Inputs
    tab: int
    selected: str | None
    ticket_id: str | None
    open_form: str | None
    focus: str | None
    focus_index: int


def _named_widgets(root: QWidget, name: str) -> list[QWidget]:
    return [w for w in root.findChildren(QWidget) if w.objectName() == name]


def capture(work: WorkArea, focus: QWidget | None) -> WorkState:
    """The state of *work*; *focus* is the widget that had the focus (or None)."""
    name = focus.objectName() if focus is not None and work.isAncestorOf(focus) else ""
    index = _named_widgets(work, name).index(focus) if name and focus is not None else 0
    return WorkState(
        inputs=carry_over.snapshot(work), tab=work.tabs.currentIndex(),
        selected=work.queue.selected_ticket(), ticket_id=work.ticket.current_ticket_id(),
        open_form=work.ticket.action_bar.open_form(), focus=name or None, focus_index=index)


def replay(work: WorkArea, state: WorkState) -> QWidget | None:
    """Put *state* into the new *work*; return the widget that should get the focus."""
    if state.selected is not None:
        work.queue.select_ticket(state.selected)
    if state.ticket_id is not None:
        work.ticket.show_ticket(state.ticket_id)
        if state.open_form is not None:
            work.ticket.action_bar.open_action(state.open_form)
    # After the form opened: opening one fills some fields from the ticket.
    carry_over.restore(work, state.inputs)
    work.tabs.setCurrentIndex(state.tab)
    if state.focus is None:
        return None
    candidates = _named_widgets(work, state.focus)
    return candidates[state.focus_index] if state.focus_index < len(candidates) else None
