"""The manager's start screen: a strip over the work area with what needs a manager now.

It lists the repeat-problem alerts and the level-1 tickets overdue now
(``desktop.reports.attention.start_screen``). A repeat alert opens the tickets behind it
in the Reports tab; an overdue ticket opens the ticket. Managers only; it is read on the
reader thread on login, after writes (debounced) and each minute, since "overdue"
changes with the clock alone (``ui.read_strip``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.changes import Changes
from desktop.desk import Desk
from desktop.reports.attention import Attention, start_screen
from desktop.reports.durations import duration_text
from domain.reports.model import OverdueTicket, Period, RepeatAlert
from ui import labels, steady
from ui.context import AppContext
from ui.fit import ElidedButton, FlowLayout
from ui.naming import named as _named
from ui.read_strip import ReadStrip
from ui.reports import formatting as fmt

SHOWN = 3  # buttons per row; the rest are in the Reports tab
BUTTON_WIDTH = 560  # longer texts are elided (the whole text is the tooltip)
DEBOUNCE_MS = 1_000


class AttentionStrip(ReadStrip):
    """Repeat-problem alerts and overdue level-1 tickets, each a button."""

    open_ticket = Signal(str)
    # (drill, title): the tickets behind a repeat alert.
    drill_requested = Signal(object, str)
    # "+N more": the full lists are in the Reports tab.
    show_reports = Signal()
    # The strip's period (a Period), when it sends the manager to the Reports tab: the
    # dashboard then shows the same days, so it lists the same repeat problems.
    show_period = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, _named(QLabel(), "attentionTitle"), parent)
        self.setObjectName("attentionStrip")
        self.setStyleSheet(
            "#attentionStrip { background: #fef7e0; border: 1px solid #f9ab00;"
            " border-radius: 4px; }"
            "#attentionStrip QPushButton { text-align: left; padding: 2px 8px; }")
        self._dismissed = False
        self.repeat_alerts: tuple[RepeatAlert, ...] = ()
        self.overdue: tuple[OverdueTicket, ...] = ()
        self.period: Period | None = None  # the days the repeat problems are of
        self.title.setText(self.tr("Needs the manager"))
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
        self._more_buttons: dict[str, QPushButton] = {}
        self._targets: dict[QPushButton, Callable[[], None]] = {}  # what a button opens
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.refresh)
        ctx.executor.changed.connect(self._changed)

    # --- public -----------------------------------------------------------------------

    def set_active(self, active: bool) -> None:
        """Managers see the strip (read now); others never do."""
        self._dismissed = False
        super().set_active(active)

    def dismiss(self) -> None:
        """Hide the strip until the next login."""
        self._dismissed = True
        self.hide()

    # --- inside -----------------------------------------------------------------------

    def _stopped(self) -> None:
        self._debounce.stop()

    def _read(self, desk: Desk) -> Attention:
        return start_screen(desk.conn, desk.policy, desk.now())

    def _show(self, result: Attention) -> None:
        self.period = result.period
        self._fill(tuple(result.repeat_alerts), tuple(result.overdue_level1))

    def _to_reports(self) -> None:
        if self.period is not None:
            self.show_period.emit(self.period)
        self.show_reports.emit()

    def _drill(self, alert: RepeatAlert, title: str) -> None:
        if self.period is not None:
            self.show_period.emit(self.period)
        self.drill_requested.emit(alert.drill, title)

    def _changed(self, changes: Changes) -> None:
        if self._active and (changes.any_ticket or changes.any_compensation
                             or changes.any_staff):
            self._debounce.start()

    def _fill_row(self, row: FlowLayout, label: QLabel, buttons: list[QPushButton],
                  items: list[tuple[str, str, Callable[[], None]]], name: str) -> None:
        """One row: its label, a button per item (up to SHOWN) and "+N more".

        In place: the row's widgets are made once and then only get new texts, or are
        shown or hidden, so a refresh each minute never takes the focus off a button.
        """
        if row.count() == 0:
            more = _named(QPushButton(), f"{name}More")
            more.setFlat(True)
            more.clicked.connect(self._to_reports)
            row.addWidget(label)
            row.addWidget(more)
            row.addStretch(1)
            self._more_buttons[name] = more
        more = self._more_buttons[name]
        shown = items[:SHOWN]
        while len(buttons) < len(shown):
            button = self._button("", f"{name}{len(buttons)}")
            button.clicked.connect(lambda _c=False, b=button: self._targets[b]())
            row.insertWidget(1 + len(buttons), button)
            buttons.append(button)
        for button, (text, tooltip, action) in zip(buttons, shown, strict=False):
            self._set_button_text(button, text)
            button.setToolTip(tooltip)
            self._targets[button] = action
        for i, button in enumerate(buttons):
            steady.set_shown(button, i < len(shown))
        hidden = len(items) - len(shown)
        steady.set_text(more, self.tr("+{count} more").format(count=hidden))
        steady.set_shown(more, hidden > 0)
        steady.set_shown(label, bool(items))

    def _button(self, text: str, name: str) -> QPushButton:
        # The strip spans the window: long texts must not widen it. They are elided to
        # the room the button gets, in its own (bold) font, never clipped.
        return _named(ElidedButton(text, max_width=BUTTON_WIDTH), name)

    def _set_button_text(self, button: QPushButton, text: str) -> None:
        # In place: only a changed text is set (the button elides it to its room).
        if isinstance(button, ElidedButton):
            if button.full_text() != text:
                button.set_full_text(text)
        else:
            steady.set_text(button, text)

    def _fill(self, alerts: tuple[RepeatAlert, ...],
              overdue: tuple[OverdueTicket, ...]) -> None:
        self.repeat_alerts, self.overdue = alerts, overdue
        policy, lang = self._ctx.desk.policy, self._ctx.language
        steady.set_text(self.title, self.tr("Needs the manager"))
        if self.period is not None:  # which days: the dashboard's figures for the
            # same days list the same repeats
            steady.set_text(self.repeat_label, self.tr(
                "Repeated problems, last {days} days ({span}):").format(
                    days=self.period.days,
                    span=fmt.day_span(self.period.first_day, self.period.last_day)))
        repeats: list[tuple[str, str, Callable[[], None]]] = []
        for alert in alerts:
            what = (labels.subcategory_label(policy, alert.key, lang)
                    if alert.by == "subcategory" else alert.label)
            text = (self.tr("{what}: {days}+ days in a row ({span}), {tickets} tickets")
                    if alert.began_earlier else
                    self.tr("{what}: {days} days in a row ({span}), {tickets} tickets")
                    ).format(what=what, days=alert.days, tickets=alert.tickets,
                             span=fmt.day_span(alert.first_day, alert.last_day, with_year=False))
            tooltip = f"{text}\n" + fmt.day_span(
                alert.first_day, alert.last_day, began_earlier=alert.began_earlier)
            repeats.append((text, tooltip, partial(self._drill, alert, text)))
        self._fill_row(self.repeat_row, self.repeat_label, self.repeat_buttons, repeats,
                       "attentionRepeat")
        late: list[tuple[str, str, Callable[[], None]]] = []
        for ticket in overdue:
            text = self.tr("{number} {problem}, {late} late").format(
                number=ticket.number,
                problem=labels.subcategory_label(policy, ticket.subcategory, lang),
                late=duration_text(ticket.minutes_overdue, lang))
            late.append((text, text, partial(self.open_ticket.emit, ticket.ticket_id)))
        self._fill_row(self.overdue_row, self.overdue_label, self.overdue_buttons, late,
                       "attentionOverdue")
        style = f"color: {labels.LEVEL_COLOURS[1]}; font-weight: bold;"
        for button in self.overdue_buttons:
            if button.styleSheet() != style:
                button.setStyleSheet(style)
        steady.set_shown(self, self._active and not self._dismissed and bool(alerts or overdue))

