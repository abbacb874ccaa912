"""The queue of tickets: a filter bar over a sortable, lazily loaded table.

Enter or a double-click opens the ticket (``ticket_activated``); moving the selection
tells the window which ticket is current (``current_ticket_changed``). The table
re-reads after every write (``executor.changed``) and keeps the selected ticket.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QKeyEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.queue import QueueFilter
from domain.lifecycle import STATES
from ui.context import AppContext
from ui.fit import FlowLayout
from ui.labels import channel_label, level_label, state_label
from ui.naming import named as _named
from ui.queue_model import COLUMNS, TicketQueueModel

# Typing in the search box re-filters after this pause, not on every key.
SEARCH_DELAY_MS = 250



_WIDTHS = {"level": 56, "number": 170, "status": 64, "category": 130, "channel": 80,
           "summary": 260, "customer": 110, "handler": 90, "created": 96, "countdown": 120}


class QueuePanel(QWidget):
    """Filter bar, ticket table and count label."""

    ticket_activated = Signal(str)
    current_ticket_changed = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.setObjectName("queuePanel")
        self.model = TicketQueueModel(ctx, self)

        self.status_box = _named(QComboBox(), "queueStatus")
        self.status_box.addItem(self.tr("Open"), "open")
        self.status_box.addItem(self.tr("All"), "all")
        for state in STATES:
            self.status_box.addItem(state_label(state, ctx.language), state)
        self.level_box = _named(QComboBox(), "queueLevel")
        self.level_box.addItem(self.tr("Any level"), None)
        for level in (1, 2, 3):
            self.level_box.addItem(level_label(level), level)
        self.channel_box = _named(QComboBox(), "queueChannel")
        self.channel_box.addItem(self.tr("Any channel"), None)
        for channel in ctx.desk.policy.channels:
            self.channel_box.addItem(channel_label(ctx.desk.policy, channel, ctx.language),
                                     channel)
        self.overdue_box = _named(QCheckBox(self.tr("O&verdue")), "queueOverdue")
        self.followup_box = _named(QCheckBox(self.tr("&Follow-up due")), "queueFollowup")
        self.mine_box = _named(QCheckBox(self.tr("Mine")), "queueMine")
        self.search = _named(QLineEdit(), "queueSearch")
        self.search.setPlaceholderText(self.tr("Search text, number or phone (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        self.count_label = _named(QLabel(), "queueCount")

        self.table = _named(QTableView(), "queueTable")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        # Opens in urgency order (the countdown column, ascending: ui.queue_model).
        self.table.horizontalHeader().setSortIndicator(
            COLUMNS.index("countdown"), Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        for i, key in enumerate(COLUMNS):
            self.table.setColumnWidth(i, _WIDTHS[key])
        header.setSectionResizeMode(COLUMNS.index("summary"), QHeaderView.ResizeMode.Stretch)
        self.table.installEventFilter(self)

        bar = FlowLayout()  # wraps on a narrow queue instead of widening the window
        for label_text, box in ((self.tr("Status"), self.status_box),
                                (self.tr("Level"), self.level_box),
                                (self.tr("Channel"), self.channel_box)):
            label = QLabel(label_text)
            label.setBuddy(box)
            bar.addWidget(label)
            bar.addWidget(box)
        bar.addWidget(self.overdue_box)
        bar.addWidget(self.followup_box)
        bar.addWidget(self.mine_box)
        bar.addStretch(1)
        # The search box gets a row of its own: squeezed beside the filters it was unusable.
        find_row = QHBoxLayout()
        find_row.addWidget(self.search, 1)
        find_row.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addLayout(find_row)
        layout.addWidget(self.table, 1)
        for a, b in ((self.status_box, self.level_box), (self.level_box, self.channel_box),
                     (self.channel_box, self.overdue_box),
                     (self.overdue_box, self.followup_box), (self.followup_box, self.mine_box),
                     (self.mine_box, self.search), (self.search, self.table)):
            QWidget.setTabOrder(a, b)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filter)
        for combo in (self.status_box, self.level_box, self.channel_box):
            combo.currentIndexChanged.connect(self.apply_filter)
        for check in (self.overdue_box, self.followup_box, self.mine_box):
            check.toggled.connect(self.apply_filter)
        self.search.textChanged.connect(self._search_timer.start)
        self.search.returnPressed.connect(self._search_entered)
        self.search.installEventFilter(self)
        find = _named(QShortcut(QKeySequence("Ctrl+F"), self), "queueFindShortcut")
        find.activated.connect(self._focus_search)
        self.table.doubleClicked.connect(self._activate)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.model.reloaded.connect(self._show_count)
        self.model.modelAboutToBeReset.connect(self._remember_selection)
        self.model.modelReset.connect(self._restore_selection)
        ctx.executor.changed.connect(self.model.refresh)
        ctx.session.staff_changed.connect(self._staff_changed)
        self._keep: str | None = None
        self._keep_scroll = 0
        self._keep_top: str | None = None
        self._restoring = False
        self._show_count(self.model.total)

    # --- public --------------------------------------------------------------------

    def current_filter(self) -> QueueFilter:
        """The filter the bar describes."""
        status = self.status_box.currentData()
        staff = self._ctx.session.staff
        return QueueFilter(
            statuses=frozenset({status}) if status not in ("open", "all") else frozenset(),
            all_statuses=status == "all",
            level=self.level_box.currentData(),
            channel=self.channel_box.currentData(),
            overdue=self.overdue_box.isChecked(),
            followup_overdue=self.followup_box.isChecked(),
            mine=staff.id if self.mine_box.isChecked() and staff is not None else None,
            text=self.search.text().strip() or None,
        )

    def apply_filter(self) -> None:
        """Show what the filter bar asks for now."""
        self._search_timer.stop()
        new = self.current_filter()
        if new != self.model.filter:
            self.model.set_filter(new)

    def selected_ticket(self) -> str | None:
        """The id of the selected ticket, if any."""
        index = self.table.currentIndex()
        return self.model.ticket_id_at(index.row()) if index.isValid() else None

    def select_ticket(self, ticket_id: str) -> bool:
        """Select *ticket_id* if it is loaded (fetching further pages as needed)."""
        row = self.model.row_of(ticket_id)
        while row is None and self.model.canFetchMore():
            self.model.fetchMore()
            row = self.model.row_of(ticket_id)
        if row is None:
            return False
        self.table.setCurrentIndex(self.model.index(row, 0))
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def showEvent(self, event: QShowEvent) -> None:
        """The countdown runs while the queue is visible."""
        self.model.set_live(True)
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        """A hidden queue does not tick."""
        self.model.set_live(False)
        super().hideEvent(event)

    # --- internals -----------------------------------------------------------------

    def _focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _show_count(self, total: int) -> None:
        self.count_label.setText(self.tr("{count} tickets").format(count=total))

    def _staff_changed(self, _staff: object) -> None:
        if self.mine_box.isChecked():
            self.apply_filter()

    def _remember_selection(self) -> None:
        self._keep = self.selected_ticket()
        self._keep_scroll = self.table.verticalScrollBar().value()
        top = self.table.indexAt(QPoint(0, 0))
        self._keep_top = self.model.ticket_id_at(top.row()) if top.isValid() else None

    def _restore_selection(self) -> None:
        # The re-read (after a write, a pull, a timer) puts the selection and the scroll
        # back where they were, and is not a move of the selection: the window must not
        # switch the ticket on screen for it.
        keep, self._keep = self._keep, None
        self._restoring = True
        try:
            if keep is not None:
                row = self.model.row_of(keep)
                if row is not None:
                    self.table.setCurrentIndex(self.model.index(row, 0))
            # The row that was at the top stays there (a new ticket above it does not
            # push the list staff are reading down), else the same scroll position.
            top = None if self._keep_top is None else self.model.row_of(self._keep_top)
            if top is not None and self._keep_scroll > 0:
                self.table.scrollTo(self.model.index(top, 0),
                                    QAbstractItemView.ScrollHint.PositionAtTop)
            else:
                self.table.verticalScrollBar().setValue(self._keep_scroll)
        finally:
            self._restoring = False

    def _activate(self, index: QModelIndex) -> None:
        ticket_id = self.model.ticket_id_at(index.row())
        if ticket_id is not None:
            self.ticket_activated.emit(ticket_id)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._restoring:
            return
        ticket_id = self.model.ticket_id_at(current.row()) if current.isValid() else None
        if ticket_id is not None:
            self.current_ticket_changed.emit(ticket_id)

    def _search_entered(self) -> None:
        """Enter in the search box: search now, and go to the results."""
        self.apply_filter()
        self.focus_results()

    def focus_results(self) -> None:
        """Put the keyboard in the table, on the selected row (else the first)."""
        if not self.table.currentIndex().isValid() and self.model.rowCount() > 0:
            self.table.setCurrentIndex(self.model.index(0, 0))
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter or Return on the table opens the current ticket; Down in the search box
        goes to the results."""
        if (watched is self.search and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Down):
            self.apply_filter()
            self.focus_results()
            return True
        if (watched is self.table and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)):
            index = self.table.currentIndex()
            if index.isValid():
                self._activate(index)
                return True
        return super().eventFilter(watched, event)
