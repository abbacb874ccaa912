"""The manager's start screen: a strip over the work area with what needs a manager now.

It lists the repeat-problem alerts and the level-1 tickets overdue now
(``desktop.reports.attention.start_screen``). A repeat alert opens the tickets behind it
in the Reports tab; an overdue ticket opens the ticket. Managers only; it is read on the
reader thread (``ctx.reader``) on login, after writes (debounced) and each minute, since
"overdue" changes with the clock alone.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.desk import Desk
from desktop.reports.attention import Attention, start_screen
from desktop.reports.durations import duration_text
from desktop.reports.model import OverdueTicket, RepeatAlert
from ui import labels
from ui.context import AppContext
from ui.fit import ElidedButton, FlowLayout
from ui.naming import named as _named
from ui.reports import formatting as fmt

SHOWN = 3  # buttons per row; the rest are in the Reports tab
BUTTON_WIDTH = 560  # longer texts are elided (the whole text is the tooltip)
RECHECK_MS = 60_000
DEBOUNCE_MS = 1_000


class AttentionStrip(QFrame):
    """Repeat-problem alerts and overdue level-1 tickets, each a button."""

    open_ticket = Signal(str)
    # (drill, title): the tickets behind a repeat alert.
    drill_requested = Signal(object, str)
    # "+N more": the full lists are in the Reports tab.
    show_reports = Signal()
    # Emitted after the strip was read again (tests wait on it).
    refreshed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attentionStrip")
        self.setStyleSheet(
            "#attentionStrip { background: #fef7e0; border: 1px solid #f9ab00;"
            " border-radius: 4px; }"
            "#attentionStrip QPushButton { text-align: left; padding: 2px 8px; }")
        self._ctx = ctx
        self._active = False
        self._dismissed = False
        self._generation = 0
        self.repeat_alerts: tuple[RepeatAlert, ...] = ()
        self.overdue: tuple[OverdueTicket, ...] = ()
        self.title = _named(QLabel(self.tr("Needs the manager")), "attentionTitle")
        self.title.setStyleSheet("font-weight: bold;")
        self.hide_button = _named(QPushButton(self.tr("Hide")), "attentionHide")
        self.hide_button.setToolTip(self.tr("Hide until the next login"))
        self.hide_button.clicked.connect(self.dismiss)
        # The rows wrap on a narrow window; long texts elide (ui/fit.py).
        self.repeat_row = FlowLayout()
        self.overdue_row = FlowLayout()
        self.repeat_label = _named(QLabel(self.tr("Repeated problems:")), "attentionRepeatLabel")
        self.overdue_label = _named(QLabel(self.tr("Level 1 overdue:")), "attentionOverdueLabel")
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addStretch(1)
        head.addWidget(self.hide_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setSpacing(2)
        layout.addLayout(head)
        layout.addLayout(self.repeat_row)
        layout.addLayout(self.overdue_row)
        self.repeat_buttons: list[QPushButton] = []
        self.overdue_buttons: list[QPushButton] = []
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.refresh)
        self._recheck = QTimer(self)
        self._recheck.setInterval(RECHECK_MS)
        self._recheck.timeout.connect(self.refresh)
        ctx.executor.changed.connect(self._changed)
        self.hide()

    # --- public -----------------------------------------------------------------------

    def set_active(self, active: bool) -> None:
        """Managers see the strip (read now); others never do."""
        self._active = active
        self._dismissed = False
        if active:
            self._recheck.start()
            self.refresh()
        else:
            self._recheck.stop()
            self._debounce.stop()
            self.hide()

    def dismiss(self) -> None:
        """Hide the strip until the next login."""
        self._dismissed = True
        self.hide()

    def refresh(self) -> None:
        """Read the alerts again (on the reader thread)."""
        if not self._active or self._ctx.closed:
            return
        self._generation += 1
        generation = self._generation

        def job(desk: Desk) -> Attention:
            return start_screen(desk.conn, desk.policy, desk.now())

        def done(attention: Attention) -> None:
            if generation == self._generation:
                self._fill(tuple(attention.repeat_alerts), tuple(attention.overdue_level1))

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self.title.setText(labels.error_message(exc, self._ctx.language))
                self.refreshed.emit()

        self._ctx.reader.submit(job, done, failed, writes=False)

    # --- inside -----------------------------------------------------------------------

    def _changed(self) -> None:
        if self._active:
            self._debounce.start()

    def _clear(self, row: FlowLayout, buttons: list[QPushButton]) -> None:
        while row.count():
            item = row.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.setParent(None)
                widget.deleteLater()
        buttons.clear()

    def _more(self, row: FlowLayout, hidden: int, name: str) -> None:
        if hidden > 0:
            more = _named(QPushButton(self.tr("+{count} more").format(count=hidden)), name)
            more.setFlat(True)
            more.clicked.connect(self.show_reports)
            row.addWidget(more)
        row.addStretch(1)

    def _button(self, text: str, name: str) -> QPushButton:
        # The strip spans the window: long texts must not widen it. They are elided to
        # the room the button gets, in its own (bold) font, never clipped.
        return _named(ElidedButton(text, max_width=BUTTON_WIDTH), name)

    def _fill(self, alerts: tuple[RepeatAlert, ...],
              overdue: tuple[OverdueTicket, ...]) -> None:
        self.repeat_alerts, self.overdue = alerts, overdue
        policy, lang = self._ctx.desk.policy, self._ctx.language
        self.title.setText(self.tr("Needs the manager"))
        self.repeat_label.setParent(None)
        self.overdue_label.setParent(None)
        self._clear(self.repeat_row, self.repeat_buttons)
        self._clear(self.overdue_row, self.overdue_buttons)
        if alerts:
            self.repeat_row.addWidget(self.repeat_label)
            for i, alert in enumerate(alerts[:SHOWN]):
                what = (labels.subcategory_label(policy, alert.key, lang)
                        if alert.by == "subcategory" else alert.label)
                text = (self.tr("{what}: {days}+ days in a row, {tickets} tickets")
                        if alert.began_earlier else
                        self.tr("{what}: {days} days in a row, {tickets} tickets")).format(
                    what=what, days=alert.days, tickets=alert.tickets)
                button = self._button(text, f"attentionRepeat{i}")
                button.setToolTip(f"{text}\n" + fmt.day_span(
                    alert.first_day, alert.last_day, began_earlier=alert.began_earlier))
                button.clicked.connect(
                    lambda _c=False, a=alert, t=text: self.drill_requested.emit(a.drill, t))
                self.repeat_row.addWidget(button)
                self.repeat_buttons.append(button)
            self._more(self.repeat_row, len(alerts) - SHOWN, "attentionRepeatMore")
        if overdue:
            self.overdue_row.addWidget(self.overdue_label)
            for i, ticket in enumerate(overdue[:SHOWN]):
                text = self.tr("{number} {problem}, {late} late").format(
                    number=ticket.number,
                    problem=labels.subcategory_label(policy, ticket.subcategory, lang),
                    late=duration_text(ticket.minutes_overdue, lang))
                button = self._button(text, f"attentionOverdue{i}")
                button.setStyleSheet(f"color: {labels.LEVEL_COLOURS[1]}; font-weight: bold;")
                button.clicked.connect(
                    lambda _c=False, tid=ticket.ticket_id: self.open_ticket.emit(tid))
                self.overdue_row.addWidget(button)
                self.overdue_buttons.append(button)
            self._more(self.overdue_row, len(overdue) - SHOWN, "attentionOverdueMore")
        self.setVisible(self._active and not self._dismissed and bool(alerts or overdue))
        self.refreshed.emit()
