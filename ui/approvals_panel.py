"""The manager's list of compensation requests waiting for a decision.

Each request shows what the manager weighs: the ticket, its level and problem, the kind
and amount against the requester's own limit, who asked, and how long it has waited
(oldest first; those waiting longer than the policy's ``approvals.old_after_hours`` are
marked). The selected one is spelled out below the table, with the complaint's text.

Approving asks the manager's PIN again (a manager who walked away from a logged-in desk
does not approve by someone else's click) and then says what was decided: the amount,
the ticket and who asked and who approved. Requests waiting for headquarters can only
be refused here (headquarters' approval arrives by sync), and the panel says so rather
than offering a button that would fail; on a desk that cannot reach headquarters it says
that too.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
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
from desktop.changes import Changes
from desktop.compensation import Outcome
from desktop.hq_reach import hq_unreachable_reason, notice_code
from desktop.i18n import tr as core_tr
from domain.centre_approvals import centre_decider
from domain.errors import AuthenticationFailed
from domain.money import format_yuan
from ui import labels, stale_errors
from ui.context import AppContext
from ui.naming import named as _named
from ui.operations import compensation

translate = QCoreApplication.translate

# The complaint as the details line quotes it (the whole text is in the tooltip).
_QUOTE_CHARS = 160
_OLD_COLOUR = "#c5221f"
# The ages move on by themselves: their cells are rewritten in place this often.
AGE_REFRESH_MS = 60_000
# Left to right by what a narrow screen must still show: the age (and its old mark), the
# money and who decides first; the requester's limit and name (both also in the details
# line) after them; the problem, stretched, last (its full text is in the details).
COLUMNS = ("ticket", "age", "level", "amount", "waiting_for", "kind", "limit", "requester",
           "problem")


def age_text(age: timedelta) -> str:
    """``2 d 3 h`` / ``5 h 10 min`` / ``35 min``: how long a request has waited."""
    minutes = int(age.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return translate("ApprovalsPanel", "{days} d {hours} h").format(days=days, hours=hours)
    if hours:
        return translate("ApprovalsPanel", "{hours} h {minutes} min").format(
            hours=hours, minutes=mins)
    return translate("ApprovalsPanel", "{minutes} min").format(minutes=mins)


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
        self._confirming: str | None = None  # compensation id whose PIN is asked

        self.title = _named(QLabel(), "approvalsTitle")
        self.title.setStyleSheet("font-weight: bold; font-size: 12pt;")
        self.table = _named(QTableWidget(0, len(COLUMNS)), "approvalsTable")
        headers = {
            "ticket": self.tr("Ticket"), "age": self.tr("Waiting"), "level": self.tr("Level"),
            "amount": self.tr("Amount (yuan)"), "limit": self.tr("Requester's limit"),
            "kind": self.tr("Kind"), "requester": self.tr("Requested by"),
            "waiting_for": self.tr("Waiting for"), "problem": self.tr("Problem"),
        }
        self.table.setHorizontalHeaderLabels([headers[key] for key in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COLUMNS.index("problem"), QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(False)  # one line per request; the details say the rest

        self.details = _named(QLabel(), "approvalDetails")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setFrameShape(QFrame.Shape.StyledPanel)
        self.details.setStyleSheet("QLabel { padding: 4px; background: #f8f9fa; }")

        self.note = _named(QLineEdit(), "approvalNote")
        self.note.setPlaceholderText(self.tr("Note for the record (required to refuse)"))
        note_label = QLabel(self.tr("Note"))
        note_label.setBuddy(self.note)
        self.approve = _named(QPushButton(self.tr("Approv&e")), "approveButton")
        self.refuse = _named(QPushButton(self.tr("Ref&use")), "refuseButton")
        self.open = _named(QPushButton(self.tr("Open tic&ket")), "openTicketButton")
        self.hint = _named(QLabel(), "approvalHint")
        self.hint.setWordWrap(True)

        # The PIN asked again before an approval is recorded.
        self.confirm_box = _named(QFrame(), "approvalConfirm")
        self.confirm_box.setFrameShape(QFrame.Shape.StyledPanel)
        self.confirm_text = _named(QLabel(), "approvalConfirmText")
        self.confirm_text.setWordWrap(True)
        self.pin = _named(QLineEdit(), "approvalPin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText(self.tr("Your PIN"))
        self.pin.returnPressed.connect(self._confirm)
        pin_label = QLabel(self.tr("PIN"))
        pin_label.setBuddy(self.pin)
        self.confirm = _named(QPushButton(self.tr("Confirm approval")), "approvalConfirmButton")
        self.cancel = _named(QPushButton(self.tr("Cancel")), "approvalCancelButton")
        self.confirm.clicked.connect(self._confirm)
        self.cancel.clicked.connect(self._cancel_confirm)
        pin_row = QHBoxLayout()
        pin_row.addWidget(pin_label)
        pin_row.addWidget(self.pin, 1)
        pin_row.addWidget(self.confirm)
        pin_row.addWidget(self.cancel)
        confirm_layout = QVBoxLayout(self.confirm_box)
        confirm_layout.addWidget(self.confirm_text)
        confirm_layout.addLayout(pin_row)
        self.confirm_box.hide()

        self.error = _named(QLabel(), "approvalError")
        self.error.setStyleSheet("color: #c5221f;")
        self.error.setWordWrap(True)
        stale_errors.clear_on_edit(self.error.clear, self.note)
        self.outcome = _named(QLabel(), "approvalOutcome")
        self.outcome.setStyleSheet("color: #137333; font-weight: bold;")
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
        layout.addWidget(self.details)
        layout.addWidget(self.hint)
        layout.addLayout(row)
        layout.addWidget(self.confirm_box)
        layout.addWidget(self.error)
        layout.addWidget(self.outcome)

        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.itemActivated.connect(lambda _item: self._open_selected())
        self.approve.clicked.connect(self._ask_pin)
        self.refuse.clicked.connect(lambda: self._decide(approve=False))
        self.open.clicked.connect(self._open_selected)
        ctx.executor.changed.connect(self._data_changed)
        # Bound (no lambda): the connection dies with the panel (ui.language_switch).
        ctx.session.staff_changed.connect(self._staff_changed)
        self._age_timer = QTimer(self)
        self._age_timer.setInterval(AGE_REFRESH_MS)
        self._age_timer.timeout.connect(self.update_ages)
        self._age_timer.start()
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

    def confirming(self) -> str | None:
        """The compensation id whose approval waits for the manager's PIN, if any."""
        return self._confirming

    def refresh(self) -> None:
        """Read the pending requests again, keeping the selection when it is still there
        (an open PIN prompt stays open while its request is still waiting)."""
        if self._ctx.closed:
            return
        selected = self._selected()
        keep = selected.compensation_id if selected else None
        self._rows = pending_requests(self._ctx.desk.conn)
        desk, lang = self._ctx.desk, self._ctx.language
        now = desk.now()
        old = 0
        self.table.blockSignals(True)
        self.table.setRowCount(len(self._rows))
        for i, r in enumerate(self._rows):
            is_old = r.is_old(now, desk.policy.approvals)
            old += is_old
            limit = r.requester_limit_fen(desk.policy.compensation)
            problem = (f"{labels.category_label(desk.policy, r.category, lang)} / "
                       f"{labels.subcategory_label(desk.policy, r.subcategory, lang)}")
            cells = {
                "ticket": r.ticket_number,
                "level": labels.level_label(r.level) if r.level else "",
                "problem": problem,
                "kind": labels.compensation_kind_label(r.kind),
                "amount": format_yuan(r.amount_fen),
                "limit": "" if limit is None else format_yuan(limit),
                "requester": f"{r.requester_name} ({labels.role_label(r.requester_role, lang)})",
                "age": "",
                "waiting_for": self._waiting_for(r.approval_level, r.amount_fen),
            }
            for column, key in enumerate(COLUMNS):
                item = QTableWidgetItem(cells[key])
                item.setToolTip(r.ticket_text if key == "problem" else cells[key])
                if key in ("amount", "limit"):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                if key == "age":
                    self._fill_age(item, r, now)
                self.table.setItem(i, column, item)
        self.table.blockSignals(False)
        self.table.resizeRowsToContents()  # one text line each (no wrap)
        title = self.tr("Compensation requests waiting: {count}").format(count=len(self._rows))
        if old:
            title += " " + self.tr("({count} waiting longer than {hours} h)").format(
                count=old, hours=desk.policy.approvals.old_after_hours)
        self.title.setText(title)
        if keep is None or not self.select(keep):
            if self._rows:
                self.table.selectRow(0)
        self._selection_changed()

    def update_ages(self) -> None:
        """Rewrite the age cells (and the old marks) in place: no row, selection, focus
        or typing moves (the timer's slot)."""
        if self._ctx.closed:
            return
        desk = self._ctx.desk
        now = desk.now()
        column = COLUMNS.index("age")
        for i, r in enumerate(self._rows):
            item = self.table.item(i, column)
            if item is not None:
                self._fill_age(item, r, now)

    def _fill_age(self, item: QTableWidgetItem, r: PendingRequest, now: datetime) -> bool:
        policy = self._ctx.desk.policy.approvals
        is_old = r.is_old(now, policy)
        waited = age_text(r.age(now))
        item.setText(self.tr("⚠ {age} (old)").format(age=waited) if is_old else waited)
        font = QFont(item.font())
        font.setBold(is_old)
        item.setFont(font)
        if is_old:
            item.setForeground(QBrush(QColor(_OLD_COLOUR)))
            item.setToolTip(self.tr("Waiting longer than {hours} h").format(
                hours=policy.old_after_hours))
        else:
            item.setData(Qt.ItemDataRole.ForegroundRole, None)
            item.setToolTip(waited)
        return is_old

    # --- acting -----------------------------------------------------------------------

    def _selected(self) -> PendingRequest | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self._rows):
            return None
        return self._rows[rows[0].row()]

    def _details_text(self, r: PendingRequest) -> str:
        desk, lang = self._ctx.desk, self._ctx.language
        text = " ".join(r.ticket_text.split())
        quote = text if len(text) <= _QUOTE_CHARS else text[:_QUOTE_CHARS] + "…"
        limit = r.requester_limit_fen(desk.policy.compensation)
        money = self.tr("{kind} {amount} yuan requested by {name}").format(
            kind=labels.compensation_kind_label(r.kind), amount=format_yuan(r.amount_fen),
            name=r.requester_name)
        if limit is not None:
            money += self.tr(", whose limit is {limit} yuan ({over} yuan above it)").format(
                limit=format_yuan(limit), over=format_yuan(max(0, r.amount_fen - limit)))
        lines = [
            f"{r.ticket_number} · {labels.level_label(r.level) if r.level else ''} · "
            f"{labels.category_label(desk.policy, r.category, lang)} / "
            f"{labels.subcategory_label(desk.policy, r.subcategory, lang)}",
            f"“{quote}”",
            money,
            self.tr("Waiting {age}. Why: {reason}").format(
                age=age_text(r.age(desk.now())),
                reason=r.reason_text(lang) + (f" — {r.note}" if r.note else "")),
        ]
        return "\n".join(lines)

    def _data_changed(self, changes: Changes) -> None:
        # The list shows waiting requests and, with each, its ticket as it stands.
        if (changes.any_compensation or changes.any_staff
                or any(changes.names_ticket(r.ticket_id) for r in self._rows)):
            self.refresh()

    def _staff_changed(self, _staff: object = None) -> None:
        # Another person at the desk: a PIN prompt opened for the last one is closed.
        self._cancel_confirm()
        self._selection_changed()

    def _centre_decider(self, amount_fen: int) -> str:
        """Who at the centre decides a request sent up (the centre's own rule)."""
        return centre_decider(amount_fen,
                              self._ctx.desk.policy.compensation.regional_limit_fen)

    def _waiting_for(self, approval_level: str | None, amount_fen: int) -> str:
        """Whose decision a request waits for."""
        if approval_level != "hq":
            return self.tr("Store manager")
        if self._centre_decider(amount_fen) == "regional":
            return self.tr("Regional manager")
        return self.tr("Headquarters")

    def _selection_changed(self) -> None:
        request = self._selected()
        if self._confirming is not None and (
                request is None or request.compensation_id != self._confirming):
            self._cancel_confirm()
        staff = self._ctx.session.staff
        manager = staff is not None and staff.role == "manager"
        self.approve.setEnabled(bool(request) and manager and not self._busy
                                and request is not None and request.approval_level != "hq")
        self.refuse.setEnabled(bool(request) and manager and not self._busy)
        self.open.setEnabled(request is not None)
        self.details.setVisible(request is not None)
        if request is not None:
            self.details.setText(self._details_text(request))
            self.details.setToolTip(request.ticket_text)
        if request is None:
            self.hint.setText(self.tr("Nothing waiting.") if not self._rows else "")
        elif not manager:
            self.hint.setText(self.tr("Only a store manager can decide on compensation."))
        elif request.approval_level == "hq":
            if self._centre_decider(request.amount_fen) == "regional":
                text = self.tr("This request waits for the regional manager's approval: it "
                               "can only be refused here. Their decision arrives by sync.")
            else:
                text = self.tr("This request needs headquarters' approval: it can only be "
                               "refused here. Headquarters' decision arrives by sync.")
            unreachable = hq_unreachable_reason(self._ctx.desk.conn)
            if unreachable:
                text += " " + core_tr(notice_code(unreachable), self._ctx.language)
            self.hint.setText(text)
        else:
            self.hint.setText(self.tr("Approve or refuse {kind} {amount} yuan on {number}.")
                              .format(kind=labels.compensation_kind_label(request.kind),
                                      amount=format_yuan(request.amount_fen),
                                      number=request.ticket_number))

    def _open_selected(self) -> None:
        request = self._selected()
        if request is not None:
            self.open_ticket.emit(request.ticket_id)

    def _ask_pin(self) -> None:
        """Approve: first the manager's PIN again, for this request."""
        request = self._selected()
        staff = self._ctx.session.staff
        if request is None or staff is None or self._busy or not self.approve.isEnabled():
            return
        self._confirming = request.compensation_id
        self.error.clear()
        self.outcome.clear()
        self.pin.clear()
        self.confirm_text.setText(self.tr(
            "Approve {kind} {amount} yuan on {number}, requested by {requester}: {name}, "
            "enter your PIN to confirm.").format(
            kind=labels.compensation_kind_label(request.kind),
            amount=format_yuan(request.amount_fen), number=request.ticket_number,
            requester=request.requester_name, name=staff.name))
        self.confirm_box.show()
        self.pin.setFocus(Qt.FocusReason.OtherFocusReason)

    def _cancel_confirm(self) -> None:
        self._confirming = None
        self.pin.clear()
        self.confirm_box.hide()

    def _confirm(self) -> None:
        request = self._selected()
        if (request is None or self._confirming != request.compensation_id
                or self._busy):
            return
        if not self.pin.text():
            self.error.setText(self.tr("Enter your PIN to confirm the approval."))
            self.pin.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self._decide(approve=True, pin=self.pin.text())

    def _decide(self, *, approve: bool, pin: str | None = None) -> None:
        request = self._selected()
        staff = self._ctx.session.staff
        if request is None or staff is None or self._busy:
            return
        note = self.note.text().strip()
        if not approve and not note:
            self.error.setText(self.tr("Say why the request is refused."))
            self.note.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        requester = request.requester_name
        op = compensation.decide(staff, request.compensation_id, approve=approve, note=note,
                                 pin=pin)
        self._busy = True
        self.error.clear()
        self.outcome.clear()
        self._selection_changed()
        op.run(self._ctx, on_done=lambda result: self._done(
            (result[0], requester, result[1].name)), on_error=self._failed)

    def _done(self, result: tuple[Outcome, str, str]) -> None:
        outcome, requester, approver = result
        self._busy = False
        self.note.clear()
        self._cancel_confirm()
        line = outcome.compensation
        what = dict(kind=labels.compensation_kind_label(line.kind),
                    amount=format_yuan(line.amount_fen), number=outcome.ticket.number,
                    requester=requester, approver=approver)
        if line.status == "granted":
            text = self.tr("Approved: {kind} {amount} yuan on {number}, requested by "
                           "{requester}, approved by {approver}.").format(**what)
        else:
            text = self.tr("Refused: {kind} {amount} yuan on {number}, requested by "
                           "{requester}, refused by {approver}.").format(**what)
        self.outcome.setText(text)
        self._selection_changed()

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self.error.setText(labels.error_message(exc, self._ctx.language))
        if isinstance(exc, AuthenticationFailed) and self._confirming is not None:
            self.pin.clear()
            self.pin.setFocus(Qt.FocusReason.OtherFocusReason)
        self._selection_changed()
