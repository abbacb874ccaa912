"""The tickets behind a figure: the list a click on a tile, bar or row fills.

The list is read on the reader thread (``drill.tickets_behind`` may scan a month of
tickets); activating a line (double click or Enter) emits ``open_ticket``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.desk import Desk
from desktop.reports.drill import tickets_behind
from desktop.ticket_queue import QueueRow
from domain.reports.model import Drill
from ui import labels
from ui.context import AppContext
from ui.naming import named as _named

LIMIT = 500


class DrillList(QWidget):
    """Tickets behind one drill. ``open_ticket(ticket_id)`` when a line is activated."""

    open_ticket = Signal(str)
    # Emitted (with the number of tickets) when a drill's list arrived.
    loaded = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportDrill")
        self._ctx = ctx
        self._rows: list[QueueRow] = []
        self._generation = 0
        self.drill: Drill | None = None
        self._title = ""
        self.title = _named(QLabel(self.tr("Click a figure, a bar or a row to list the "
                                           "tickets behind it.")), "reportDrillTitle")
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-weight: bold;")
        self.table = _named(QTableWidget(0, 6), "reportDrillTable")
        self.table.setHorizontalHeaderLabels([
            self.tr("Ticket"), self.tr("Level"), self.tr("Status"), self.tr("Problem"),
            self.tr("Recorded"), self.tr("Complaint"),
        ])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.table, 1)
        self.table.itemActivated.connect(lambda item: self._activate(item.row()))
        self.table.cellDoubleClicked.connect(lambda row, _col: self._activate(row))

    # --- public -----------------------------------------------------------------------

    def show_drill(self, drill: Drill, title: str) -> None:
        """List the tickets behind *drill* (read off the GUI thread); *title* says what."""
        self._generation += 1
        generation = self._generation
        self.drill = drill
        self._title = title
        self.title.setText(self.tr("{what}: computing…").format(what=title))
        # Staff clicked (or pressed Enter on) a figure: when its list arrives the keys go
        # to it, so the next Enter opens the first ticket listed. Not if they went on to
        # something else meanwhile.
        asked_from = QApplication.focusWidget()

        def job(desk: Desk) -> list[QueueRow]:
            return tickets_behind(desk.conn, drill, desk.now(), limit=LIMIT)

        def done(rows: list[QueueRow]) -> None:
            if generation == self._generation:
                self._fill(rows)
                if rows and QApplication.focusWidget() is asked_from and self.isVisible():
                    self.table.setCurrentCell(0, 0)
                    self.table.setFocus(Qt.FocusReason.OtherFocusReason)

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self.title.setText(labels.error_message(exc, self._ctx.language))

        self._ctx.reader.submit(job, done, failed, writes=False)

    def ticket_ids(self) -> list[str]:
        """The ids of the tickets listed, in order."""
        return [row.id for row in self._rows]

    def activate_row(self, row: int) -> None:
        """Open the ticket on line *row* (as Enter does)."""
        self._activate(row)

    # --- inside -----------------------------------------------------------------------

    def _fill(self, rows: list[QueueRow]) -> None:
        self._rows = rows
        policy = self._ctx.desk.policy
        lang = self._ctx.language
        more = self.tr(" (first {limit} shown)").format(limit=LIMIT) if len(rows) >= LIMIT \
            else ""
        self.title.setText(self.tr("{what}: {count} tickets").format(
            what=self._title, count=len(rows)) + more)
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            cells = [r.number, labels.level_label(r.level), labels.state_label(r.status, lang),
                     labels.subcategory_label(policy, r.subcategory, lang),
                     labels.local_time(r.created_at, policy), r.preview]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 1:
                    item.setBackground(QBrush(QColor(labels.LEVEL_COLOURS.get(r.level,
                                                                              "#9aa0a6"))))
                    item.setForeground(QBrush(QColor(labels.LEVEL_TEXT_COLOURS.get(
                        r.level, "#202124"))))
                if column == 5:
                    item.setToolTip(r.text)
                self.table.setItem(i, column, item)
        self.table.resizeRowsToContents()
        if rows:
            self.table.selectRow(0)
        self.loaded.emit(len(rows))

    def _activate(self, row: int) -> None:
        if 0 <= row < len(self._rows):
            self.open_ticket.emit(self._rows[row].id)
