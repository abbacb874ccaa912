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
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.desk import Desk
from desktop.duplicates import DuplicateCandidate
from desktop.errors import InvalidInput
from desktop.history import CustomerHistory, ResolvedTicket, customer_history, similar_resolved
from desktop.intake import mask_phone, normalise_phone
from desktop.money import format_yuan, parse_yuan
from desktop.tickets import CreatedTicket, Draft, prepare_ticket, save_ticket
from desktop.triage import TriageResult
from ui.context import AppContext
from ui.labels import (
    LEVEL_COLOURS,
    LEVEL_TEXT_COLOURS,
    category_label,
    channel_label,
    compensation_kind_label,
    error_message,
    flag_label,
    level_label,
    local_time,
    outcome_label,
    state_label,
    subcategory_label,
    tier_label,
)
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








def target_text(minutes: int) -> str:
    """"1小时内响应" for a response target in minutes."""
    if minutes % 60 == 0:
        return QCoreApplication.translate("IntakePanel", "Respond within {hours} h").format(
            hours=minutes // 60)
    return QCoreApplication.translate("IntakePanel", "Respond within {minutes} min").format(
        minutes=minutes)


def reason_text(rule: str, detail: str, ctx: AppContext) -> str:
    """One triage reason as a short sentence (the core keeps rule names and raw words)."""
    policy, lang = ctx.desk.policy, ctx.language
    flag = rule.removeprefix("flag:").removesuffix(":recent")
    if rule == "keyword":
        return QCoreApplication.translate("IntakePanel", "Keyword “{word}”").format(word=detail)
    if rule == "level:inquiry":
        return QCoreApplication.translate("IntakePanel", "Inquiry word “{word}”").format(
            word=detail)
    if rule == "level:loss":
        return QCoreApplication.translate("IntakePanel", "Loss word “{word}”").format(
            word=detail)
    if rule == "channel":
        return QCoreApplication.translate("IntakePanel", "Channel {channel}").format(
            channel=channel_label(policy, detail, lang))
    if rule == "default":
        return QCoreApplication.translate("IntakePanel", "No keyword matched")
    if rule.endswith(":recent"):
        count = detail.split(" ", 1)[0]
        return QCoreApplication.translate(
            "IntakePanel", "{flag}: {count} such complaints in a short time").format(
            flag=flag_label(flag), count=count)
    if rule.startswith("flag:") or rule in ("vip",):
        if detail.startswith("subcategory "):
            detail = subcategory_label(policy, detail.removeprefix("subcategory "), lang)
        elif detail.endswith(" customers"):
            detail = QCoreApplication.translate("IntakePanel", "{count} customers").format(
                count=detail.split(" ", 1)[0])
        elif detail in policy.member_tiers:
            detail = tier_label(detail)
        return f"{flag_label(flag)}: {detail}"
    return f"{rule}: {detail}"


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
        self.customers.setRange(1, int(policy.raw.get("intake", {}).get("max_customers", 500)))
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
            ("text", self.tr("Complaint &text"), self.text),
            ("channel", self.tr("C&hannel"), self.channel),
            ("phone", self.tr("Customer &phone"), self.phone),
            ("name", self.tr("Customer &name"), self.name),
            ("tier", self.tr("&Member tier"), self.tier),
            ("customers", self.tr("Customers &affected"), self.customers),
            ("product", self.tr("P&roduct"), self.product),
            ("sku", self.tr("S&KU"), self.sku),
            ("amount", self.tr("Amount pai&d (yuan)"), self.amount),
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

        self.level_badge = _named(QLabel(), "triage_level")
        self.level_badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.level_badge.setMinimumWidth(64)
        self.target = _named(QLabel(), "triage_target")
        self.category = _named(QLabel(), "triage_category")
        self.category.setWordWrap(True)
        self.flags = _named(QLabel(), "triage_flags")
        self.flags.setWordWrap(True)
        self.flags.setStyleSheet(f"color: {ERROR_COLOUR}; font-weight: bold;")
        self.reasons = _named(QLabel(), "triage_reasons")
        self.reasons.setWordWrap(True)
        self.reasons.setTextFormat(Qt.TextFormat.PlainText)
        self.reasons.setStyleSheet("color: #5f6368;")
        badge_row = QHBoxLayout()
        badge_row.addWidget(self.level_badge)
        badge_row.addWidget(self.target, 1)
        self.triage_box = _named(QGroupBox(self.tr("Suggested triage")), "triage_box")
        triage_layout = QVBoxLayout(self.triage_box)
        triage_layout.addLayout(badge_row)
        for widget in (self.category, self.flags, self.reasons):
            triage_layout.addWidget(widget)

        self.duplicates = self._list("duplicates_list")
        self.duplicates_box = self._box(self.tr("Possible duplicates"), "duplicates_box",
                                        self.duplicates)
        self.duplicates_box.setStyleSheet(
            "QGroupBox#duplicates_box { border: 2px solid #f9ab00; border-radius: 4px;"
            " margin-top: 1.2em; padding-top: 4px; }"
            "QGroupBox#duplicates_box::title { subcontrol-origin: margin; left: 8px; }")
        self.similar = self._list("similar_list")
        self.similar_box = self._box(self.tr("Similar resolved complaints"), "similar_box",
                                     self.similar)
        self.history_summary = _named(QLabel(), "history_summary")
        self.history_summary.setWordWrap(True)
        self.history = self._list("history_list")
        self.history_box = self._box(self.tr("Customer's earlier complaints"), "history_box",
                                     self.history_summary, self.history)

        side = _named(QWidget(), "intake_side")
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        for box in (self.triage_box, self.duplicates_box, self.similar_box, self.history_box):
            side_layout.addWidget(box)
        side_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(side)
        scroll.setMinimumWidth(340)

        layout = QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addWidget(scroll, 2)
        self._show_triage(None)
        for box in (self.duplicates_box, self.similar_box, self.history_box):
            box.hide()

    def _list(self, name: str) -> QListWidget:
        widget = _named(QListWidget(), name)
        widget.setWordWrap(True)
        widget.setAlternatingRowColors(True)
        widget.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        # Lines wrap instead of scrolling sideways: the side panel is narrow.
        widget.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        widget.setTextElideMode(Qt.TextElideMode.ElideNone)
        widget.itemClicked.connect(self._open_item)
        widget.itemActivated.connect(self._activate_item)
        return widget

    def _box(self, title: str, name: str, *widgets: QWidget) -> QGroupBox:
        box = _named(QGroupBox(title), name)
        column = QVBoxLayout(box)
        for widget in widgets:
            column.addWidget(widget)
        return box

    def _connect(self) -> None:
        self.text.textChanged.connect(self._changed)
        for edit in (self.phone, self.name, self.product, self.sku, self.amount):
            edit.textChanged.connect(self._changed)
        self.channel.currentIndexChanged.connect(self._changed)
        self.tier.currentIndexChanged.connect(self._changed)
        self.customers.valueChanged.connect(self._changed)
        self.save_button.clicked.connect(self.save)
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
        self._show_triage(None)
        self._show_duplicates(())
        self._show_similar([])
        self._history_phone = None
        self._show_history(None)

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
        self._show_triage(draft.triage if draft else None)
        self._show_duplicates(draft.duplicates if draft else ())
        similar: list[ResolvedTicket] = []
        if draft is not None:
            similar = similar_resolved(self.ctx.desk, draft.form.text, draft.triage.subcategory)
        self._show_similar(similar)
        phone = None if "phone" in errors else self._phone()
        if phone != self._history_phone:
            self._history_phone = phone
            self._show_history(customer_history(self.ctx.desk, phone) if phone else None)

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
            "amount": lambda: parse_yuan(self.amount.text(), "amount_paid"),
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
        limit = int(self.ctx.desk.policy.raw.get("intake", {}).get("max_text_chars", 5000))
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

    def _show_triage(self, result: TriageResult | None) -> None:
        policy, lang = self.ctx.desk.policy, self.ctx.language
        if result is None:
            self.level_badge.setText("—")
            self.level_badge.setStyleSheet(
                "background: #e8eaed; color: #5f6368; border-radius: 4px; padding: 4px 10px;")
            self.level_badge.setProperty("level", 0)
            self.target.setText(self.tr("Type the complaint to see the suggestion"))
            for label in (self.category, self.flags, self.reasons):
                label.clear()
            self.flags.hide()
            return
        self.level_badge.setProperty("level", result.level)
        self.level_badge.setText(level_label(result.level))
        self.level_badge.setStyleSheet(
            f"background: {LEVEL_COLOURS.get(result.level, '#e8eaed')};"
            f" color: {LEVEL_TEXT_COLOURS.get(result.level, '#202124')};"
            " border-radius: 4px; padding: 4px 10px; font-weight: bold;")
        self.target.setText(target_text(result.respond_within_minutes))
        self.category.setText(
            f"{category_label(policy, result.category, lang)} · "
            f"{subcategory_label(policy, result.subcategory, lang)}")
        self.flags.setText("、".join(flag_label(f) for f in result.flags))
        self.flags.setVisible(bool(result.flags))
        why = [reason_text(r.rule, r.detail, self.ctx) for r in result.reasons]
        self.reasons.setText("\n".join(f"· {line}" for line in why))

    def _show_duplicates(self, found: tuple[DuplicateCandidate, ...]) -> None:
        self.duplicates.clear()
        for cand in found:
            reason = (self.tr("same customer") if cand.reason == "same_customer"
                      else self.tr("similar text"))
            text = self.tr("{number} · {reason} · {percent}% alike").format(
                number=cand.number, reason=reason, percent=round(cand.similarity * 100))
            self._add_item(self.duplicates, text, cand.ticket_id)
        self._fit(self.duplicates)
        self.duplicates_box.setVisible(bool(found))

    def _show_similar(self, found: list[ResolvedTicket]) -> None:
        policy, lang = self.ctx.desk.policy, self.ctx.language
        self.similar.clear()
        for hit in found:
            lines = [f"{hit.number} · {subcategory_label(policy, hit.subcategory, lang)} · "
                     f"{state_label(hit.status, lang)}"
                     + (f" · ★{hit.rating}" if hit.rating else "")]
            if hit.resolution:
                lines.append(self.tr("Resolved: {note}").format(note=hit.resolution))
            if hit.compensations:
                paid = "、".join(f"{compensation_kind_label(c.kind)} ¥{format_yuan(c.amount_fen)}"
                                for c in hit.compensations)
                lines.append(self.tr("Compensation: {items}").format(items=paid))
            if hit.accountability is not None:
                acc = outcome_label(hit.accountability.outcome)
                if hit.accountability.subject:
                    acc += f"（{hit.accountability.subject}）"
                lines.append(self.tr("Accountability: {outcome}").format(outcome=acc))
            if hit.rating_comment:
                lines.append(self.tr("Customer said: {comment}").format(
                    comment=hit.rating_comment))
            self._add_item(self.similar, "\n".join(lines), hit.ticket_id)
        self._fit(self.similar)
        self.similar_box.setVisible(bool(found))

    def _show_history(self, history: CustomerHistory | None) -> None:
        policy, lang = self.ctx.desk.policy, self.ctx.language
        self.history.clear()
        if history is None:
            self.history_summary.clear()
            self.history_box.hide()
            return
        if history.count == 0:
            summary = self.tr("No earlier complaints from {phone}").format(
                phone=mask_phone(history.phone))
        else:
            summary = self.tr(
                "{phone}: {count} earlier, {open} open; ¥{granted} in {days} days ({grants}×)"
            ).format(
                phone=mask_phone(history.phone), count=history.count,
                open=history.open_count, granted=format_yuan(history.granted_fen_window),
                days=history.window_days, grants=history.grants_in_window)
        self.history_summary.setText(summary)
        for past in history.tickets:
            parts = [subcategory_label(policy, past.subcategory, lang),
                     level_label(past.level), state_label(past.status, lang)]
            if past.rating:
                parts.append(f"★{past.rating}")
            if past.granted_fen:
                parts.append(f"¥{format_yuan(past.granted_fen)}")
            first = f"{local_time(past.created_at, policy)}  {past.number}"
            self._add_item(self.history, first + "\n" + " · ".join(parts), past.ticket_id)
        self._fit(self.history)
        self.history.setVisible(bool(history.tickets))
        self.history_box.show()

    @staticmethod
    def _fit(widget: QListWidget, most: int = 240) -> None:
        # As tall as its rows (a calm panel without empty boxes), scrolling beyond that.
        rows = sum(widget.sizeHintForRow(i) for i in range(widget.count()))
        widget.setFixedHeight(min(most, rows + 2 * widget.frameWidth() + 4))

    @staticmethod
    def _add_item(widget: QListWidget, text: str, ticket_id: str) -> None:
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, ticket_id)
        item.setToolTip(text)
        widget.addItem(item)

    def _open_item(self, item: QListWidgetItem) -> None:
        self.open_ticket.emit(str(item.data(Qt.ItemDataRole.UserRole)))

    def _activate_item(self, item: QListWidgetItem) -> None:
        # A double click also sends itemClicked, which already opened it; activation
        # with no mouse button down is the keyboard's Enter.
        if QApplication.mouseButtons() == Qt.MouseButton.NoButton:
            self._open_item(item)

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


def field_of(exc: InvalidInput) -> str | None:
    """The intake form field an input error is about, if any."""
    if exc.code in _CODE_FIELDS:
        return _CODE_FIELDS[exc.code]
    field = exc.params.get("field")
    if not isinstance(field, str):
        return None
    return _CORE_FIELDS.get(field, field)
