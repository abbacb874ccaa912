"""The dashboard's tables. Each line carries a drill (the tickets behind it) or a ticket.

A click or Enter on a line emits ``drill_requested(drill, title)``, or ``open_ticket(id)``
for a line that is one ticket (the overdue list). The tables are sized to their lines:
the dashboard scrolls as a whole, a table never scrolls inside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from domain.reports.model import Drill

HIGHLIGHT = "#fef7e0"  # a line that needs the manager's eye (repeat alert, above limit)


@dataclass(frozen=True)
class Line:
    """One table line: its cells, and what stands behind it."""

    cells: tuple[str, ...]
    drill: Drill | None = None
    title: str = ""
    ticket_id: str | None = None
    highlight: str | None = None  # a background colour
    numeric: tuple[int, ...] = ()  # columns aligned right


class DrillTable(QTableWidget):
    """A read-only table of :class:`Line`; activating a line asks for what is behind it."""

    drill_requested = Signal(object, str)
    open_ticket = Signal(str)

    def __init__(self, name: str, headers: Sequence[str], parent: QWidget | None = None,
                 *, stretch: int = 0) -> None:
        super().__init__(0, len(headers), parent)
        self.setObjectName(name)
        self.setHorizontalHeaderLabels(list(headers))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # Sized to its lines and to the dashboard's width: the text column gives way.
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.lines: list[Line] = []
        self.cellClicked.connect(lambda row, _column: self.activate_row(row))
        self.itemActivated.connect(lambda item: self.activate_row(item.row()))

    def set_lines(self, lines: Sequence[Line], empty: str) -> None:
        """Show *lines*; with none, one grey line saying *empty*."""
        self.lines = list(lines)
        self.clearSpans()
        if not lines:
            self.setRowCount(1)
            item = QTableWidgetItem(empty)
            item.setForeground(QBrush(QColor("#5f6368")))
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.setItem(0, 0, item)
            for column in range(1, self.columnCount()):
                self.setItem(0, column, QTableWidgetItem(""))
            if self.columnCount() > 1:
                self.setSpan(0, 0, 1, self.columnCount())
        else:
            self.setRowCount(len(lines))
            for row, line in enumerate(lines):
                for column, text in enumerate(line.cells):
                    item = QTableWidgetItem(text)
                    item.setToolTip(text)
                    if column in line.numeric:
                        item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                              | Qt.AlignmentFlag.AlignVCenter)
                    if line.highlight:
                        item.setBackground(QBrush(QColor(line.highlight)))
                    self.setItem(row, column, item)
        self.resizeRowsToContents()
        self._fit_height()

    def _fit_height(self) -> None:
        height = self.horizontalHeader().height() + 2 * self.frameWidth()
        height += sum(self.rowHeight(row) for row in range(self.rowCount()))
        self.setFixedHeight(height + 2)

    def activate_row(self, row: int) -> None:
        """Ask for what stands behind line *row* (as a click or Enter does)."""
        if not 0 <= row < len(self.lines):
            return
        line = self.lines[row]
        if line.ticket_id is not None:
            self.open_ticket.emit(line.ticket_id)
        elif line.drill is not None:
            self.drill_requested.emit(line.drill, line.title or line.cells[0])
