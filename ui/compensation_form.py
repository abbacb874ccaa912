"""Compensation on a ticket: the limits first, a live hint while typing, override on the spot.

The figures come from :func:`desktop.approvals.limit_summary` (reads on the GUI thread's
connection: a handful of indexed aggregates) and the hint from the same pure
``desktop.compensation.decide`` the save applies, so staff know before saving whether the
amount is granted, needs a manager or goes to headquarters.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop import approvals
from desktop.changes import Changes
from desktop.compensation import Outcome
from desktop.hq_reach import hq_unreachable_reason, notice_code
from desktop.i18n import tr as core_tr
from domain.actions.compensation import Decision
from domain.centre_approvals import centre_decider
from domain.errors import AuthenticationFailed, InvalidInput
from domain.fold import TicketState
from domain.money import format_yuan, parse_yuan
from ui import labels, stale_errors, steady
from ui.context import AppContext
from ui.naming import named as _named
from ui.operations import compensation

_ERROR_STYLE = "color: #c5221f;"
_HINT_STYLES = {
    "granted": "color: #137333;",
    "manager": "color: #b06000;",
    "hq": "color: #c5221f;",
}


class CompensationForm(QWidget):
    """Kind, amount and note for one ticket, with the acting role's limits shown first."""

    # An Outcome after a compensation was recorded (granted, pending or refused).
    recorded = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compensationForm")
        self._ctx = ctx
        self._ticket: TicketState | None = None
        self._summary: approvals.LimitSummary | None = None
        self._suggested_for: str | None = None  # the ticket whose suggestion was applied
        self._busy = False

        self.limits = _named(QLabel(), "compLimits")
        self.limits.setWordWrap(True)
        self.limits.setTextFormat(Qt.TextFormat.PlainText)
        self.limits.setFrameShape(QFrame.Shape.StyledPanel)
        self.limits.setMargin(6)

        self.kind = _named(QComboBox(), "compKind")
        for kind in ctx.desk.policy.compensation.kinds:
            self.kind.addItem(labels.compensation_kind_label(kind), kind)
        self.amount = _named(QLineEdit(), "compAmount")
        self.amount.setPlaceholderText(self.tr("Amount in yuan, e.g. 50 or 12.50"))
        self.amount_error = _named(QLabel(), "compAmountError")
        self.amount_error.setStyleSheet(_ERROR_STYLE)
        self.amount_error.setWordWrap(True)
        self.note = _named(QLineEdit(), "compNote")
        self.note.setPlaceholderText(self.tr("Why, for the record (optional)"))
        self.hint = _named(QLabel(), "compHint")
        self.hint.setWordWrap(True)

        form = QFormLayout()
        kind_label = QLabel(self.tr("&Kind"))
        kind_label.setBuddy(self.kind)
        amount_label = QLabel(self.tr("Amount (&yuan)"))
        amount_label.setBuddy(self.amount)
        note_label = QLabel(self.tr("Note"))
        note_label.setBuddy(self.note)
        form.addRow(kind_label, self.kind)
        form.addRow(amount_label, self.amount)
        form.addRow("", self.amount_error)
        self.amount_error.hide()
        form.addRow(note_label, self.note)

        self.grant = _named(QPushButton(self.tr("Save")), "compGrant")
        self.send = _named(QPushButton(self.tr("Send for approva&l")), "compSendForApproval")

        # Manager approval on the spot: the manager types their own id and PIN here.
        self.override = _named(QFrame(), "compOverride")
        self.override.setFrameShape(QFrame.Shape.StyledPanel)
        self.approver_id = _named(QLineEdit(), "compApproverId")
        self.approver_id.setPlaceholderText(self.tr("Manager's employee id"))
        self.approver_pin = _named(QLineEdit(), "compApproverPin")
        self.approver_pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.approver_pin.setPlaceholderText(self.tr("Manager's PIN"))
        self.approve_now = _named(QPushButton(self.tr("Manager approves &here")),
                                  "compApproveNow")
        override_form = QFormLayout(self.override)
        override_title = QLabel(self.tr("Manager approval on the spot"))
        override_title.setStyleSheet("font-weight: bold;")
        override_form.addRow(override_title)
        id_label = QLabel(self.tr("Manager &id"))
        id_label.setBuddy(self.approver_id)
        pin_label = QLabel(self.tr("PIN"))
        pin_label.setBuddy(self.approver_pin)
        override_form.addRow(id_label, self.approver_id)
        override_form.addRow(pin_label, self.approver_pin)
        approve_row = QHBoxLayout()
        approve_row.addWidget(self.approve_now)
        approve_row.addStretch(1)
        override_form.addRow("", approve_row)

        self.error = _named(QLabel(), "compError")
        self.error.setStyleSheet(_ERROR_STYLE)
        self.error.setWordWrap(True)
        self.outcome = _named(QLabel(), "compOutcome")
        self.outcome.setWordWrap(True)

        buttons = QHBoxLayout()
        buttons.addWidget(self.grant)
        buttons.addWidget(self.send)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.limits)
        layout.addLayout(form)
        layout.addWidget(self.hint)
        layout.addLayout(buttons)
        layout.addWidget(self.override)
        layout.addWidget(self.error)
        layout.addWidget(self.outcome)
        layout.addStretch(1)

        self.amount.textChanged.connect(self._update_hint)
        self.amount.returnPressed.connect(self._default_action)
        self.note.returnPressed.connect(self._default_action)
        self.approver_pin.returnPressed.connect(self._approve_now)
        self.grant.clicked.connect(lambda: self._submit(with_approver=False))
        self.send.clicked.connect(lambda: self._submit(with_approver=False))
        self.approve_now.clicked.connect(self._approve_now)
        stale_errors.clear_on_edit(self.error.clear, self.kind, self.amount, self.note,
                                   self.approver_id, self.approver_pin)
        focus_amount = QShortcut(QKeySequence(Qt.Key.Key_F9), self)
        focus_amount.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        focus_amount.activated.connect(self._focus_amount)
        ctx.executor.changed.connect(self._data_changed)
        # Bound (no lambda): the connection dies with the form (ui.language_switch).
        ctx.session.staff_changed.connect(self._reload_summary)
        self._update_hint()

    # --- public ---------------------------------------------------------------------

    def set_ticket(self, ticket: TicketState | None) -> None:
        """Compensate on *ticket* from now on; the limits are read again."""
        if ticket is None or self._ticket is None or ticket.id != self._ticket.id:
            self.outcome.clear()
            self.error.clear()
        self._ticket = ticket
        self._reload_summary()

    def ticket(self) -> TicketState | None:
        """The ticket the form compensates on."""
        return self._ticket

    def summary(self) -> approvals.LimitSummary | None:
        """The limit figures shown now."""
        return self._summary

    def focus_amount(self) -> None:
        """Put the cursor in the amount field (after showing the form)."""
        self._focus_amount()

    # --- limits and the live hint -----------------------------------------------------

    def _focus_amount(self) -> None:
        self.amount.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.amount.selectAll()

    def _data_changed(self, changes: Changes) -> None:
        # The limits left depend on what was granted (today, on this ticket) and on policy.
        ticket = self._ticket.id if self._ticket is not None else None
        if (changes.any_compensation or changes.any_policy or changes.any_staff
                or changes.names_ticket(ticket)):
            self._reload_summary()

    def _reload_summary(self) -> None:
        staff = self._ctx.session.staff
        if self._ticket is None or staff is None:
            self._summary = None
        else:
            self._summary = approvals.limit_summary(self._ctx.desk, staff.role, self._ticket)
        self._show_limits()
        self._update_hint()

    def _show_limits(self) -> None:
        s = self._summary
        if s is None:
            self.limits.setText(self.tr("Log in and open a ticket to compensate."))
            return
        lang = self._ctx.language
        lines = [
            self.tr("Your limit ({role}): {limit} yuan per ticket without approval").format(
                role=labels.role_label(s.role, lang), limit=format_yuan(s.own_limit_fen)),
            self.tr("Store today: {used} of {cap} yuan granted ({left} left)").format(
                used=format_yuan(s.granted_today_fen), cap=format_yuan(s.daily_cap_fen),
                left=format_yuan(s.day_left_fen)),
        ]
        if s.has_phone:
            lines.append(self.tr(
                "This customer: {count} of {max} grants in {days} days").format(
                count=s.customer_grants, max=s.customer_max_grants, days=s.window_days))
        else:
            lines.append(self.tr("No phone on the ticket: the customer's grants are not "
                                 "counted"))
        lines.append(self._suggestion_text(s.suggestion))
        self.limits.setText("\n".join(lines))
        suggested = (s.suggestion or {}).get("kind")
        # The suggestion picks the kind once per ticket: a refresh must not undo the
        # kind staff chose.
        ticket_id = None if self._ticket is None else self._ticket.id
        if suggested and ticket_id != self._suggested_for and not self.amount.text().strip():
            index = self.kind.findData(suggested)
            if index >= 0:
                self.kind.setCurrentIndex(index)
        self._suggested_for = ticket_id

    def _suggestion_text(self, suggestion: dict[str, Any] | None) -> str:
        if not suggestion:
            return self.tr("Suggestion: none for this ticket")
        kind = labels.compensation_kind_label(str(suggestion["kind"]))
        if suggestion.get("rule") == "food_safety_statutory":
            return self.tr("Suggestion: {kind} {amount} yuan (food safety: ten times the "
                           "price paid, at least the statutory minimum)").format(
                kind=kind, amount=suggestion["amount"])
        return self.tr("Suggestion: {kind}").format(kind=kind)

    def _amount_fen(self) -> int | None:
        """The typed amount in fen, or ``None`` (empty, or the error is shown)."""
        text = self.amount.text().strip()
        if not text:
            self._amount_problem("")
            return None
        try:
            fen = parse_yuan(text, "amount",
                             self._ctx.desk.policy.compensation.max_amount_fen)
            if fen <= 0:
                raise InvalidInput("input.amount_zero", field="amount")
        except InvalidInput as exc:
            self._amount_problem(labels.error_message(exc, self._ctx.language))
            return None
        self._amount_problem("")
        return fen

    def _amount_problem(self, message: str) -> None:
        self.amount_error.setText(message)
        self.amount_error.setVisible(bool(message))

    def _preview(self, fen: int) -> Decision | None:
        staff = self._ctx.session.staff
        if self._summary is None or staff is None:
            return None
        return approvals.preview(self._ctx.desk, self._summary, fen, requester_id=staff.id)

    def _update_hint(self) -> None:
        # The buttons and the approval box are shown or hidden only when that changes:
        # this runs after every write and pull, and hiding the box that holds the
        # manager's PIN (even for a moment) would throw their keystrokes away.
        shown: set[QWidget] = set()
        try:
            self._hint_for_amount(shown)
        finally:
            for widget in (self.grant, self.send, self.override):
                steady.set_shown(widget, widget in shown)

    def _hint_for_amount(self, shown: set[QWidget]) -> None:
        fen = self._amount_fen()
        decision = None if fen is None else self._preview(fen)
        if decision is None:
            self.hint.clear()
            shown.add(self.grant)
            self.grant.setEnabled(False)
            return
        self.grant.setEnabled(not self._busy)
        self.send.setEnabled(not self._busy)
        self.approve_now.setEnabled(not self._busy)
        if decision.status == "granted":
            self.hint.setText(self.tr("Within your limit: granted when you save."))
            self.hint.setStyleSheet(_HINT_STYLES["granted"])
            shown.add(self.grant)
        elif decision.approval_level == "hq" and centre_decider(
                fen or 0, self._ctx.desk.policy.compensation.regional_limit_fen) == "regional":
            text = self.tr("Above the store's limits: it goes to the regional manager for "
                           "approval.")
            unreachable = hq_unreachable_reason(self._ctx.desk.conn)
            if unreachable:
                text += " " + core_tr(notice_code(unreachable), self._ctx.language)
            self.hint.setText(text)
            self.hint.setStyleSheet(_HINT_STYLES["hq"])
            steady.set_text(self.send, self.tr("Send to the regional manager for approva&l"))
            shown.add(self.send)
        elif decision.approval_level == "hq":
            text = self.tr("Above the store's limits: it goes to headquarters for approval.")
            unreachable = hq_unreachable_reason(self._ctx.desk.conn)
            if unreachable:
                # Said before saving: the request would wait on this desk, unseen.
                text += " " + core_tr(notice_code(unreachable), self._ctx.language)
            self.hint.setText(text)
            self.hint.setStyleSheet(_HINT_STYLES["hq"])
            steady.set_text(self.send, self.tr("Send to headquarters for approva&l"))
            shown.add(self.send)
        elif decision.status == "pending_approval":
            if decision.code == "comp.customer_frequent":
                text = self.tr("This customer had many grants recently: a manager must "
                               "approve.")
            else:
                text = self.tr("Above your limit: a manager approves now with their PIN, or "
                               "send it for approval.")
            self.hint.setText(text)
            self.hint.setStyleSheet(_HINT_STYLES["manager"])
            steady.set_text(self.send, self.tr("Send for approva&l"))
            shown.add(self.send)
            shown.add(self.override)
        else:
            self.hint.setText(core_tr(decision.code, self._ctx.language,
                                             **decision.params))
            self.hint.setStyleSheet(_HINT_STYLES["hq"])

    def _default_action(self) -> None:
        """Enter saves what the hint says: grant within limit, else send for approval."""
        if self.grant.isVisible() and self.grant.isEnabled():
            self._submit(with_approver=False)
        elif self.override.isVisible():
            self.approver_id.setFocus(Qt.FocusReason.OtherFocusReason)
        elif self.send.isVisible() and self.send.isEnabled():
            self._submit(with_approver=False)

    # --- saving -----------------------------------------------------------------------

    def _approve_now(self) -> None:
        if not self.approver_id.text().strip():
            self.error.setText(self.tr("Enter the manager's employee id."))
            self.approver_id.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        if not self.approver_pin.text():
            self.error.setText(self.tr("The manager enters their PIN."))
            self.approver_pin.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self._submit(with_approver=True)

    def _submit(self, *, with_approver: bool) -> None:
        staff = self._ctx.session.staff
        ticket = self._ticket
        fen = self._amount_fen()
        if self._busy or staff is None or ticket is None:
            return
        if fen is None:
            if not self.amount.text().strip():
                self._amount_problem(self.tr("Enter an amount."))
            self.amount.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        kind = str(self.kind.currentData())
        note = self.note.text().strip() or None
        approver_id = self.approver_id.text().strip() if with_approver else None
        approver_pin = self.approver_pin.text() if with_approver else None
        amount = format_yuan(fen)
        ticket_id = ticket.id

        op = compensation.grant(staff, ticket_id, amount=amount, kind=kind,
                                approver_id=approver_id, approver_pin=approver_pin, note=note)
        self._set_busy(True)
        self.error.clear()
        self.outcome.clear()
        op.run(self._ctx, on_done=self._done, on_error=self._failed)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_hint()

    def _done(self, outcome: Outcome) -> None:
        self._busy = False
        status = {
            "granted": self.tr("Granted"),
            "pending_approval": self.tr("Waiting for approval"),
            "refused": self.tr("Refused"),
        }.get(outcome.status, outcome.status)
        if outcome.status == "pending_approval" and outcome.compensation.approval_level == "hq":
            if centre_decider(outcome.compensation.amount_fen,
                              self._ctx.desk.policy.compensation.regional_limit_fen
                              ) == "regional":
                status = self.tr("Waiting for the regional manager")
            else:
                status = self.tr("Waiting for headquarters")
        self.outcome.setText(self.tr("{status}: {kind} {amount} yuan. {reason}").format(
            status=status, kind=labels.compensation_kind_label(outcome.compensation.kind),
            amount=format_yuan(outcome.compensation.amount_fen), reason=outcome.reason) + (
            " " + core_tr(notice_code(outcome.hq_unreachable), self._ctx.language)
            if outcome.hq_unreachable else ""))
        self.outcome.setStyleSheet(_HINT_STYLES["granted"] if outcome.status == "granted"
                                   else _HINT_STYLES["manager"])
        self.amount.clear()
        self.note.clear()
        self.approver_id.clear()
        self.approver_pin.clear()
        self._reload_summary()
        self.recorded.emit(outcome)

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self.error.setText(labels.error_message(exc, self._ctx.language))
        if isinstance(exc, AuthenticationFailed):
            # A wrong PIN is typed again; everything else the clerk typed stays.
            self.approver_pin.clear()
            self.approver_pin.setFocus(Qt.FocusReason.OtherFocusReason)
        self._reload_summary()
