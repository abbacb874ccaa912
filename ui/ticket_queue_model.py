"""The ticket queue as a lazily fetched, server-side sorted Qt table model.

Rows come from :mod:`desktop.ticket_queue` a page at a time on the GUI thread's read connection
(indexed: a page costs milliseconds). The countdown column is recomputed from the clock
every second for the loaded rows only, without querying again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from desktop.ticket_queue import (
    URGENCY,
    QueueFilter,
    QueueRow,
    QueueSort,
    count_queue,
    fetch_queue,
    staff_names,
)
from ui.context import AppContext
from ui.labels import (
    LEVEL_COLOURS,
    LEVEL_TEXT_COLOURS,
    OVERDUE_BACKGROUND,
    category_label,
    channel_label,
    level_label,
    local_time,
    state_label,
    subcategory_label,
)

PAGE_SIZE = 200

# Column keys in display order; the sort key each header sorts by (None: not sortable).
# The countdown sits next to the number: at a busy desk it is what decides the order of work.
COLUMNS = ("level", "number", "countdown", "status", "category", "summary", "customer",
           "channel", "handler", "created")
SORT_KEYS: dict[str, str | None] = {
    "level": "level", "number": "number", "status": "status", "category": "category",
    "channel": "channel", "summary": None, "customer": None, "handler": "handler",
    "created": "created_at", "countdown": URGENCY,
}
# The queue opens in urgency order, shown as the countdown column sorted ascending.
URGENCY_SORT = QueueSort(URGENCY, True)
COUNTDOWN = COLUMNS.index("countdown")

_Index = QModelIndex | QPersistentModelIndex


def _span(seconds: int) -> tuple[int, int, int]:
    """Whole days, hours and minutes in *seconds* (not negative)."""
    minutes = seconds // 60
    return minutes // 1440, (minutes % 1440) // 60, minutes % 60


class TicketQueueModel(QAbstractTableModel):
    """Tickets selected by a :class:`QueueFilter`, fetched in pages of :data:`PAGE_SIZE`."""

    # Emitted after the rows were re-read (filter, sort or refresh); carries the total.
    reloaded = Signal(int)

    def __init__(self, ctx: AppContext, parent: QObject | None = None,
                 *, page_size: int = PAGE_SIZE) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._filter = QueueFilter()
        self._sort = URGENCY_SORT
        self._rows: list[QueueRow] = []
        self._total = 0
        self._page = page_size
        self._names: dict[str, str] = {}
        self._overdue: set[int] = set()
        self._headers = {
            "level": self.tr("Level"), "number": self.tr("Number"),
            "status": self.tr("Status"), "category": self.tr("Category"),
            "channel": self.tr("Channel"), "summary": self.tr("Complaint"),
            "customer": self.tr("Customer"), "handler": self.tr("Handler"),
            "created": self.tr("Recorded"), "countdown": self.tr("Response"),
        }
        self._timer = QTimer(self)
        self._timer.setObjectName("queueCountdownTimer")
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.tick)
        self.reload()

    # --- what is shown -------------------------------------------------------------

    @property
    def filter(self) -> QueueFilter:
        """The filter in force."""
        return self._filter

    @property
    def total(self) -> int:
        """How many tickets the filter selects (loaded or not)."""
        return self._total

    def set_filter(self, f: QueueFilter) -> None:
        """Show the tickets *f* selects, from the first page."""
        self._filter = f
        self.reload()

    def reload(self) -> None:
        """Re-read the count and the first page (after a filter, sort or write)."""
        desk = self._ctx.desk
        now = desk.now()
        hours = desk.policy.followup_within_hours
        self.beginResetModel()
        self._names = staff_names(desk.conn)
        self._total = count_queue(desk.conn, self._filter, now, followup_hours=hours)
        self._rows = fetch_queue(desk.conn, self._filter, self._sort, now, 0, self._page,
                                 followup_hours=hours)
        self._overdue = {r.rid for r in self._rows if r.overdue(now)}
        self.endResetModel()
        self.reloaded.emit(self._total)

    def refresh(self) -> None:
        """Re-read after a write, keeping as many rows loaded as before."""
        desk = self._ctx.desk
        now = desk.now()
        hours = desk.policy.followup_within_hours
        loaded = max(self._page, len(self._rows))
        names = staff_names(desk.conn)
        total = count_queue(desk.conn, self._filter, now, followup_hours=hours)
        rows = fetch_queue(desk.conn, self._filter, self._sort, now, 0, loaded,
                           followup_hours=hours)
        if rows and [r.id for r in rows] == [r.id for r in self._rows]:
            # The same tickets in the same order: refreshed in place, so the view keeps
            # its selection, scroll and focus without a reset.
            self._names, self._total, self._rows = names, total, rows
            self._overdue = {r.rid for r in rows if r.overdue(now)}
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(rows) - 1, len(COLUMNS) - 1))
            self.reloaded.emit(total)
            return
        self.beginResetModel()
        self._names, self._total, self._rows = names, total, rows
        self._overdue = {r.rid for r in self._rows if r.overdue(now)}
        self.endResetModel()
        self.reloaded.emit(self._total)

    def ticket_id_at(self, row: int) -> str | None:
        """The ticket id of loaded *row*, or None."""
        return self._rows[row].id if 0 <= row < len(self._rows) else None

    def row_of(self, ticket_id: str) -> int | None:
        """The loaded row showing *ticket_id*, or None."""
        for i, r in enumerate(self._rows):
            if r.id == ticket_id:
                return i
        return None

    def queue_row(self, row: int) -> QueueRow:
        """The data behind loaded *row*."""
        return self._rows[row]

    # --- Qt model ------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        """Loaded rows (more arrive through ``fetchMore``)."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        """The columns of :data:`COLUMNS`."""
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008
        """More tickets match than are loaded."""
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        """Load the next page."""
        if parent.isValid():
            return
        desk = self._ctx.desk
        more = fetch_queue(desk.conn, self._filter, self._sort, desk.now(), len(self._rows),
                           self._page, followup_hours=desk.policy.followup_within_hours)
        if not more:
            self._total = len(self._rows)  # the table shrank meanwhile
            return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(more) - 1)
        self._rows.extend(more)
        self.endInsertRows()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort in SQL by *column* (columns without a sort key keep the order)."""
        if not 0 <= column < len(COLUMNS):
            return
        key = SORT_KEYS[COLUMNS[column]]
        if key is None:
            return
        self._sort = QueueSort(key, order == Qt.SortOrder.AscendingOrder)
        self.reload()

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Column titles."""
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(COLUMNS)):
            return self._headers[COLUMNS[section]]
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole
                and 0 <= section < len(COLUMNS) and COLUMNS[section] == "countdown"):
            return self.tr("Sorts by urgency: overdue first (the most overdue first), then "
                           "level, then time left")
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cell text, colours and tooltips."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        key = COLUMNS[index.column()]
        now = self._ctx.desk.now()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, key, now)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, key, now)
        if role == Qt.ItemDataRole.BackgroundRole:
            if key == "level":
                return QBrush(QColor(LEVEL_COLOURS.get(row.level, "#9aa0a6")))
            if row.overdue(now):
                return QBrush(QColor(OVERDUE_BACKGROUND))
            return None
        if role == Qt.ItemDataRole.ForegroundRole and key == "level":
            return QBrush(QColor(LEVEL_TEXT_COLOURS.get(row.level, "#ffffff")))
        if role == Qt.ItemDataRole.TextAlignmentRole and key == "level":
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def _text(self, row: QueueRow, key: str, now: datetime) -> str:
        policy = self._ctx.desk.policy
        language = self._ctx.language
        if key == "level":
            return level_label(row.level)
        if key == "number":
            return row.number + (" ⚠" if row.conflict else "")
        if key == "status":
            return state_label(row.status, language)
        if key == "category":
            return (f"{category_label(policy, row.category, language)}/"
                    f"{subcategory_label(policy, row.subcategory, language)}")
        if key == "channel":
            return channel_label(policy, row.channel, language)
        if key == "summary":
            return row.preview
        if key == "customer":
            staff = self._ctx.session.staff
            return policy.privacy.phone_text(row.phone, "queue",
                                             staff.role if staff else None) or ""
        if key == "handler":
            return self._names.get(row.handler, row.handler) if row.handler else ""
        if key == "created":
            return local_time(row.created_at, policy)
        return self.countdown_text(row, now)

    def countdown_text(self, row: QueueRow, now: datetime) -> str:
        """剩 35 分 / 超时 1小时20分 / 已响应 / the closing state."""
        if not row.waiting():
            if row.first_response_at is not None and row.status in (
                    "accepted", "rectifying", "reviewing", "accountability"):
                return self.tr("Responded")
            return state_label(row.status, self._ctx.language)
        seconds = row.seconds_to_due(now)
        if seconds > 0:
            # Round up: with 20 s left the desk still has "1 minute", not "0".
            days, hours, minutes = _span(seconds + 59)
            if days:
                return self.tr("{days} d {hours} h left").format(days=days, hours=hours)
            if hours:
                return self.tr("{hours} h {minutes} min left").format(hours=hours,
                                                                      minutes=minutes)
            return self.tr("{minutes} min left").format(minutes=minutes)
        days, hours, minutes = _span(-seconds)
        if days:
            return self.tr("Overdue {days} d {hours} h").format(days=days, hours=hours)
        if hours:
            return self.tr("Overdue {hours} h {minutes} min").format(hours=hours,
                                                                     minutes=minutes)
        return self.tr("Overdue {minutes} min").format(minutes=minutes)

    def _tooltip(self, row: QueueRow, key: str, now: datetime) -> str:
        policy = self._ctx.desk.policy
        if key == "countdown":
            return self.tr("Respond by {due}").format(due=local_time(row.due_at, policy))
        if key == "created":
            return local_time(row.created_at, policy, "%Y-%m-%d %H:%M:%S")
        if key == "number" and row.conflict:
            return self.tr("Two desks changed this ticket at once: settle the conflict")
        return row.text

    def set_live(self, live: bool) -> None:
        """Start or stop the 1 s countdown timer (the view shows it or not)."""
        if live:
            self._timer.start()
        else:
            self._timer.stop()

    def tick(self) -> None:
        """Repaint the countdown column of the loaded rows (the clock moved).

        Rows that have just become overdue are repainted whole (their background).
        """
        if not self._rows:
            return
        now = self._ctx.desk.now()
        last = len(self._rows) - 1
        self.dataChanged.emit(self.index(0, COUNTDOWN), self.index(last, COUNTDOWN),
                              [Qt.ItemDataRole.DisplayRole])
        overdue = {r.rid for r in self._rows if r.overdue(now)}
        if overdue != self._overdue:
            for i, r in enumerate(self._rows):
                if (r.rid in overdue) != (r.rid in self._overdue):
                    self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1),
                                          [Qt.ItemDataRole.BackgroundRole])
            self._overdue = overdue
