"""The manager's list of compensation requests waiting for a decision.

Requests waiting for a manager are approved or refused here; those waiting for
headquarters can only be refused (headquarters' approval arrives by sync), and the panel
says so rather than offering a button that would fail.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.approvals import PendingRequest, pending_count, pending_requests
from desktop.compensation import Outcome, decide_pending
from desktop.desk import Desk
from desktop.money import format_yuan
from ui import labels, stale_errors
from ui.context import AppContext
from ui.naming import named as _named


class ApprovalsPanel(QWidget):
    """Pending compensation requests, with approve / refuse for the manager acting now."""

    # The ticket id of a request, to open it in the ticket view.
    open_ticket = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("approvalsPanel")
        self._ctx = ctx
        self._rows: list[PendingRequest] = []
        self._busy = False

        self.title = _named(QLabel(), "approvalsTitle")
        self.title.setStyleSheet("font-weight: bold; font-size: 12pt;")
        self.table = _named(QTableWidget(0, 6), "approvalsTable")
        self.table.setHorizontalHeaderLabels([
            self.tr("Ticket"), self.tr("Kind"), self.tr("Amount (yuan)"),
            self.tr("Requested by"), self.tr("Reason"), self.tr("Waiting for"),
        ])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(False)  # one line per request; the reason is in the tooltip

        self.note = _named(QLineEdit(), "approvalNote")
        self.note.setPlaceholderText(self.tr("Note for the record (required to refuse)"))
        note_label = QLabel(self.tr("Note"))
        note_label.setBuddy(self.note)
        self.approve = _named(QPushButton(self.tr("Approv&e")), "approveButton")
        self.refuse = _named(QPushButton(self.tr("Ref&use")), "refuseButton")
        self.open = _named(QPushButton(self.tr("Open tic&ket")), "openTicketButton")
        self.hint = _named(QLabel(), "approvalHint")
        self.hint.setWordWrap(True)
        self.error = _named(QLabel(), "approvalError")
        self.error.setStyleSheet("color: #c5221f;")
        self.error.setWordWrap(True)
        stale_errors.clear_on_edit(self.error.clear, self.note)
        self.outcome = _named(QLabel(), "approvalOutcome")
        self.outcome.setStyleSheet("color: #137333;")
        self.outcome.setWordWrap(True)

        row = QHBoxLayout()
        row.addWidget(note_label)
        row.addWidget(self.note, 1)
        row.addWidget(self.approve)
        row.addWidget(self.refuse)
        row.addWidget(self.open)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.hint)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addWidget(self.outcome)

        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.itemActivated.connect(lambda _item: self._open_selected())
        self.approve.clicked.connect(lambda: self._decide(approve=True))
        self.refuse.clicked.connect(lambda: self._decide(approve=False))
        self.open.clicked.connect(self._open_selected)
        ctx.executor.changed.connect(self.refresh)
        # Bound (no lambda): the connection dies with the panel (ui.language_switch).
        ctx.session.staff_changed.connect(self._selection_changed)
        self.refresh()

    # --- public -----------------------------------------------------------------------

    def pending_count(self) -> int:
        """How many requests wait for a decision (manager or headquarters)."""
        return pending_count(self._ctx.desk.conn)

    def requests(self) -> list[PendingRequest]:
        """The requests listed, in table order."""
        return list(self._rows)

    def select(self, compensation_id: str) -> bool:
        """Select the row of *compensation_id*; False when it is not listed."""
        for i, request in enumerate(self._rows):
            if request.compensation_id == compensation_id:
                self.table.selectRow(i)
                return True
        return False

    def refresh(self) -> None:
        """Read the pending requests again, keeping the selection when it is still there."""
        selected = self._selected()
        keep = selected.compensation_id if selected else None
        self._rows = pending_requests(self._ctx.desk.conn)
        lang = self._ctx.language
        self.table.setRowCount(len(self._rows))
        for i, r in enumerate(self._rows):
            waiting = (self.tr("Headquarters") if r.approval_level == "hq"
                       else self.tr("Store manager"))
            reason = r.reason_text(lang) + (f" — {r.note}" if r.note else "")
            cells = [r.ticket_number, labels.compensation_kind_label(r.kind),
                     format_yuan(r.amount_fen),
                     f"{r.requester_name} ({labels.role_label(r.requester_role, lang)})",
                     reason, waiting]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if column == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(i, column, item)
        self.table.resizeRowsToContents()  # one text line each (no wrap)
        self.title.setText(self.tr("Compensation requests waiting: {count}").format(
            count=len(self._rows)))
        if keep is None or not self.select(keep):
            if self._rows:
                self.table.selectRow(0)
        self._selection_changed()

    # --- acting -----------------------------------------------------------------------

    def _selected(self) -> PendingRequest | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self._rows):
            return None
        return self._rows[rows[0].row()]

    def _selection_changed(self) -> None:
        request = self._selected()
        staff = self._ctx.session.staff
        manager = staff is not None and staff.role == "manager"
        self.approve.setEnabled(bool(request) and manager and not self._busy
                                and request is not None and request.approval_level != "hq")
        self.refuse.setEnabled(bool(request) and manager and not self._busy)
        self.open.setEnabled(request is not None)
        if request is None:
            self.hint.setText(self.tr("Nothing waiting.") if not self._rows else "")
        elif not manager:
            self.hint.setText(self.tr("Only a store manager can decide on compensation."))
        elif request.approval_level == "hq":
            self.hint.setText(self.tr("This request needs headquarters' approval: it can only "
                                      "be refused here. Headquarters' decision arrives by "
                                      "sync."))
        else:
            self.hint.setText(self.tr("Approve or refuse {kind} {amount} yuan on {number}.")
                              .format(kind=labels.compensation_kind_label(request.kind),
                                      amount=format_yuan(request.amount_fen),
                                      number=request.ticket_number))

    def _open_selected(self) -> None:
        request = self._selected()
        if request is not None:
            self.open_ticket.emit(request.ticket_id)

    def _decide(self, *, approve: bool) -> None:
        request = self._selected()
        staff = self._ctx.session.staff
        if request is None or staff is None or self._busy:
            return
        note = self.note.text().strip()
        if not approve and not note:
            self.error.setText(self.tr("Say why the request is refused."))
            self.note.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        cid = request.compensation_id

        def job(desk: Desk) -> Outcome:
            return decide_pending(desk, staff, cid, approve=approve, note=note)

        self._busy = True
        self.error.clear()
        self.outcome.clear()
        self._selection_changed()
        self._ctx.executor.submit(job, on_done=self._done, on_error=self._failed)

    def _done(self, outcome: Outcome) -> None:
        self._busy = False
        self.note.clear()
        self.outcome.setText(self.tr("{number}: {kind} {amount} yuan — {reason}").format(
            number=outcome.ticket.number,
            kind=labels.compensation_kind_label(outcome.compensation.kind),
            amount=format_yuan(outcome.compensation.amount_fen), reason=outcome.reason))
        self._selection_changed()

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self.error.setText(labels.error_message(exc, self._ctx.language))
        self._selection_changed()
