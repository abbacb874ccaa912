"""The intake form: record a complaint while the triage, likely duplicates, similar
resolved tickets and the customer's history appear beside it as staff type.

Everything shown live is a read on the GUI thread's connection (``prepare_ticket`` and
``desktop.history`` only read, with indexed, bounded queries), run by a debounce timer
so a fast typist triggers one refresh per pause, not one per key. The save is the only
write and goes through the executor; the button stays disabled until it reports back,
so a double press cannot save the complaint twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.desk import Desk
from desktop.history import ResolvedTicket, customer_history, similar_resolved
from desktop.tickets import CreatedTicket, Draft, prepare_ticket, save_ticket
from domain.errors import InvalidInput
from domain.money import parse_yuan
from domain.phones import normalise_phone
from ui import stale_errors
from ui.context import AppContext
from ui.intake_insights import IntakeInsights
from ui.labels import channel_label, error_message, tier_label
from ui.naming import named as _named

DEBOUNCE_MS = 200
# Control characters (Unicode category Cc) other than tab and newline; see clean_text.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
ERROR_COLOUR = "#d93025"
OK_COLOUR = "#188038"
# The core's field names (``InvalidInput.params["field"]``) → this form's fields.
_CORE_FIELDS = {"customer.name": "name", "product.name": "product", "product.sku": "sku",
                "amount_paid": "amount", "member_tier": "tier", "customer.phone": "phone"}
# Codes that name no field but belong to one.
_CODE_FIELDS = {"input.bad_phone": "phone", "input.bad_customers": "customers"}
# Fields left out of the data when they are wrong, so the triage still shows.
_OPTIONAL_FIELDS = ("phone", "name", "product", "sku", "amount", "customers")


class IntakePanel(QWidget):
    """The complaint intake form with live triage and what the desk already knows.

    ``saved(ticket_id, number)`` after a complaint is committed; ``open_ticket(id)``
    when staff pick a duplicate, a similar ticket or one from the customer's history.
    """

    open_ticket = Signal(str)
    saved = Signal(str, str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("intake_panel")
        self._saving = False
        self._status_is_error = False
        self._history_phone: str | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.refresh)
        self._build()
        self._connect()

    # ------------------------------------------------------------------ building

    def _build(self) -> None:
        policy = self.ctx.desk.policy
        lang = self.ctx.language
        self.text = _named(QPlainTextEdit(), "intake_text")
        self.text.setTabChangesFocus(True)
        self.text.setPlaceholderText(self.tr("What happened, in the customer's words"))
        self.text.setMinimumHeight(160)
        font = self.text.font()
        font.setPointSizeF(font.pointSizeF() + 2)
        self.text.setFont(font)
        self.channel = _named(QComboBox(), "intake_channel")
        for code in policy.channels:
            self.channel.addItem(channel_label(policy, code, lang), code)
        self.phone = _named(QLineEdit(), "intake_phone")
        self.phone.setPlaceholderText(self.tr("Mobile or landline"))
        self.name = _named(QLineEdit(), "intake_name")
        self.tier = _named(QComboBox(), "intake_tier")
        for tier in policy.member_tiers:
            self.tier.addItem(tier_label(tier), tier)
        self.customers = _named(QSpinBox(), "intake_customers")
        self.customers.setRange(1, policy.intake.max_customers)
        self.product = _named(QLineEdit(), "intake_product")
        self.sku = _named(QLineEdit(), "intake_sku")
        self.amount = _named(QLineEdit(), "intake_amount")
        self.amount.setPlaceholderText("0.00")
        self.save_button = _named(QPushButton(self.tr("&Save")), "intake_save")
        self.save_button.setToolTip(self.tr("Save the complaint (Ctrl+Enter)"))
        self.save_button.setDefault(True)
        self.status = _named(QLabel(), "intake_status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self._fields: dict[str, tuple[QWidget, QLabel]] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        rows: list[tuple[str, str, QWidget]] = [
            ("text", self.tr("Complaint te&xt"), self.text),
            ("channel", self.tr("C&hannel"), self.channel),
            ("phone", self.tr("Customer phon&e"), self.phone),
            ("name", self.tr("Customer na&me"), self.name),
            ("tier", self.tr("Mem&ber tier"), self.tier),
            ("customers", self.tr("&Customers affected"), self.customers),
            ("product", self.tr("Prod&uct"), self.product),
            ("sku", self.tr("S&KU"), self.sku),
            ("amount", self.tr("Amount pa&id (yuan)"), self.amount),
        ]
        for key, caption, widget in rows:
            error = _named(QLabel(), f"intake_{key}_error")
            error.setWordWrap(True)
            error.setStyleSheet(f"color: {ERROR_COLOUR};")
            error.hide()
            box = QWidget()
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(widget)
            column.addWidget(error)
            label = QLabel(caption)
            label.setBuddy(widget)
            form.addRow(label, box)
            self._fields[key] = (widget, error)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.save_button)
        left = QVBoxLayout()
        left.addLayout(form, 1)
        left.addLayout(buttons)

        # The side scrolls on its own: a long history must not push the form off screen.
        self.insights = IntakeInsights(self.ctx)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.insights)
        scroll.setMinimumWidth(340)

        layout = QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addWidget(scroll, 2)

    def _connect(self) -> None:
        self.text.textChanged.connect(self._changed)
        for edit in (self.phone, self.name, self.product, self.sku, self.amount):
            edit.textChanged.connect(self._changed)
        self.channel.currentIndexChanged.connect(self._changed)
        self.tier.currentIndexChanged.connect(self._changed)
        self.customers.valueChanged.connect(self._changed)
        self.save_button.clicked.connect(self.save)
        for key, (widget, _label) in self._fields.items():
            stale_errors.clear_on_edit(partial(self._field_fixed, key), widget)
        self.insights.open_ticket.connect(self.open_ticket)  # the panel's signal, re-sent
        # Another desk's or window's save may make a duplicate or change the history.
        self.ctx.executor.changed.connect(self._tickets_changed)
        for keys in ("Ctrl+Return", "Ctrl+Enter", QKeySequence.StandardKey.Save):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.save)

    # ------------------------------------------------------------------ public

    def has_unsaved(self) -> bool:
        """Staff typed something that is not saved yet."""
        edits = (self.phone, self.name, self.product, self.sku, self.amount)
        return bool(self.text.toPlainText().strip()) or any(e.text().strip() for e in edits)

    def clear(self) -> None:
        """Empty the form for the next complaint (the status line stays)."""
        self._timer.stop()
        widgets: list[QWidget] = [self.text, self.phone, self.name, self.product, self.sku,
                                  self.amount, self.channel, self.tier, self.customers]
        for widget in widgets:
            widget.blockSignals(True)
        try:
            self.text.clear()
            for edit in (self.phone, self.name, self.product, self.sku, self.amount):
                edit.clear()
            self.channel.setCurrentIndex(max(0, self.channel.findData("desk")))
            self.tier.setCurrentIndex(max(0, self.tier.findData("none")))
            self.customers.setValue(1)
        finally:
            for widget in widgets:
                widget.blockSignals(False)
        self._show_errors({})
        self._history_phone = None
        self.insights.clear()

    def focus_text(self) -> None:
        """Put the cursor in the complaint text."""
        self.text.setFocus(Qt.FocusReason.OtherFocusReason)

    def form_data(self) -> dict[str, Any]:
        """The form as the core's intake data (as ``kesu ticket add`` takes it)."""
        return {
            "text": self.text.toPlainText(),
            "channel": self.channel.currentData(),
            "customer": {"phone": self.phone.text(), "name": self.name.text(),
                         "member_tier": self.tier.currentData()},
            "customers": self.customers.value(),
            "product": {"name": self.product.text(), "sku": self.sku.text()},
            "amount_paid": self.amount.text().strip() or None,
        }

    def hideEvent(self, event: QHideEvent) -> None:
        # Nothing to show while hidden; and a closing window must not refresh against a
        # desk that is being closed.
        self._timer.stop()
        super().hideEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.has_unsaved():  # tickets may have changed while it was hidden
            self._timer.start()

    # ------------------------------------------------------------------ live view

    def _changed(self) -> None:
        self._timer.start()

    def _tickets_changed(self) -> None:
        if self.isVisible() and not self._saving and self.has_unsaved():
            self._history_phone = None  # read the history again too
            self._timer.start()

    def refresh(self) -> None:
        """Validate the fields and show triage, duplicates, similar tickets and history."""
        self._timer.stop()
        draft, errors = self._prepare(live=True)
        self._show_errors(errors)
        self.insights.show_triage(draft.triage if draft else None)
        self.insights.show_duplicates(draft.duplicates if draft else ())
        similar: list[ResolvedTicket] = []
        if draft is not None:
            similar = similar_resolved(self.ctx.desk, draft.form.text, draft.triage.subcategory)
        self.insights.show_similar(similar)
        phone = None if "phone" in errors else self._phone()
        if phone != self._history_phone:
            self._history_phone = phone
            self.insights.show_history(
                customer_history(self.ctx.desk, phone) if phone else None)

    def _phone(self) -> str | None:
        try:
            return normalise_phone(self.phone.text())
        except InvalidInput:
            return None

    def _prepare(self, live: bool) -> tuple[Draft | None, dict[str, str]]:
        """The draft of what is typed, and the message of each wrong field.

        A wrong optional field is reported and left out, so the triage of the text still
        shows; an empty text is only an error when saving (not while the form is empty).
        """
        lang = self.ctx.language
        errors: dict[str, str] = {}
        checks: dict[str, Callable[[], object]] = {
            "phone": lambda: normalise_phone(self.phone.text()),
            "amount": lambda: parse_yuan(
                self.amount.text(), "amount_paid",
                self.ctx.desk.policy.compensation.max_amount_fen),
        }
        for key, check in checks.items():
            edit = self.phone if key == "phone" else self.amount
            if edit.text().strip():
                try:
                    check()
                except InvalidInput as exc:
                    errors[key] = error_message(exc, lang)
        raw = self.text.toPlainText()
        if live and not raw.strip():
            return None, errors
        too_long = self._too_long(raw)
        if too_long is not None:
            errors["text"] = error_message(too_long, lang)
            return None, errors
        data = self._without(self.form_data(), errors)
        for _ in range(len(_OPTIONAL_FIELDS) + 1):
            try:
                return prepare_ticket(self.ctx.desk, data), errors
            except InvalidInput as exc:
                key = field_of(exc) or "text"
                errors[key] = error_message(exc, lang)
                if key not in _OPTIONAL_FIELDS:
                    break
                data = self._without(data, errors)
        return None, errors

    def _too_long(self, raw: str) -> InvalidInput | None:
        """The core's "too long" error for a huge paste, found without the core's
        per-character cleaning (a third of a second for a megabyte, on every pause)."""
        limit = self.ctx.desk.policy.intake.max_text_chars
        if len(raw) <= limit:
            return None
        # What the core's clean_text keeps: no control characters but newline and tab.
        length = len(_CONTROL.sub("", raw).strip())
        if length <= limit:
            return None  # mostly control characters: let the core decide
        return InvalidInput("input.too_long", field="text", length=length, max=limit)

    @staticmethod
    def _without(data: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
        customer = dict(data["customer"])
        product = dict(data["product"])
        if "phone" in errors:
            customer["phone"] = None
        if "name" in errors:
            customer["name"] = None
        if "product" in errors:
            product["name"] = None
        if "sku" in errors:
            product["sku"] = None
        out = {**data, "customer": customer, "product": product}
        if "amount" in errors:
            out["amount_paid"] = None
        if "customers" in errors:
            out["customers"] = 1
        return out

    def _show_errors(self, errors: dict[str, str]) -> None:
        for key, (widget, label) in self._fields.items():
            message = errors.get(key)
            label.setText(message or "")
            label.setVisible(bool(message))
            if bool(widget.property("invalid")) != bool(message):
                widget.setProperty("invalid", bool(message))
                widget.setStyleSheet(f"border: 2px solid {ERROR_COLOUR};" if message else "")

    # ------------------------------------------------------------------ saving

    def save(self) -> None:
        """Validate at the fields, then save through the executor (once)."""
        if self._saving:
            return
        draft, errors = self._prepare(live=False)
        self._show_errors(errors)
        if errors or draft is None:
            first = next((key for key in self._fields if key in errors), "text")
            self._fields[first][0].setFocus(Qt.FocusReason.OtherFocusReason)
            self._set_status(self.tr("Please correct the marked fields."), ERROR_COLOUR)
            return
        if self.ctx.session.staff is None:
            self._set_status(self.tr("Log in to save the complaint."), ERROR_COLOUR)
            return
        staff = self.ctx.staff  # whoever is at the desk now records it
        self._set_saving(True)
        self._set_status(self.tr("Saving…"), "#5f6368")

        def job(desk: Desk) -> CreatedTicket:
            return save_ticket(desk, staff, draft)

        self.ctx.executor.submit(job, on_done=self._saved, on_error=self._save_failed)

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        self.save_button.setEnabled(not saving)
        # Read-only while saving: what is saved is exactly what was on screen.
        self.text.setReadOnly(saving)
        for edit in (self.phone, self.name, self.product, self.sku, self.amount):
            edit.setReadOnly(saving)

    def _saved(self, created: CreatedTicket) -> None:
        self._set_saving(False)
        ticket = created.ticket
        self.clear()
        self._set_status(self.tr("Saved {number}").format(number=ticket.number), OK_COLOUR)
        self.focus_text()
        self.saved.emit(ticket.id, ticket.number)

    def _save_failed(self, exc: BaseException) -> None:
        self._set_saving(False)
        message = error_message(exc, self.ctx.language)
        if isinstance(exc, InvalidInput):
            key = field_of(exc)
            if key in self._fields:
                self._show_errors({key: message})
        self._set_status(self.tr("Not saved: {reason}").format(reason=message), ERROR_COLOUR)

    def _set_status(self, text: str, colour: str) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {colour};")
        self._status_is_error = colour == ERROR_COLOUR

    def _field_fixed(self, key: str) -> None:
        """The field was edited: its message goes now (the live check after the typing
        pause says again if it is still wrong), and so does "correct the marked fields"
        once no field is marked."""
        widget, label = self._fields[key]
        label.clear()
        label.hide()
        if widget.property("invalid"):
            widget.setProperty("invalid", False)
            widget.setStyleSheet("")
        marked = any(not lab.isHidden() for _w, lab in self._fields.values())
        if self._status_is_error and not marked:
            self._set_status("", OK_COLOUR)


def field_of(exc: InvalidInput) -> str | None:
    """The intake form field an input error is about, if any."""
    if exc.code in _CODE_FIELDS:
        return _CODE_FIELDS[exc.code]
    field = exc.params.get("field")
    if not isinstance(field, str):
        return None
    return _CORE_FIELDS.get(field, field)
