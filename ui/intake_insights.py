"""What the desk already knows about the complaint being typed, shown beside the intake form:
the suggested triage, the response scripts for its subcategory and level, likely
duplicates, similar resolved tickets and the customer's history.

This widget only displays: the intake form decides when to read (debounced, on the GUI
thread's connection) and hands over the results. Picking any listed ticket sends
``open_ticket``.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.duplicates import DuplicateCandidate
from desktop.history import CustomerHistory, ResolvedTicket
from domain.money import format_yuan
from domain.triage import TriageResult
from ui.context import AppContext
from ui.labels import (
    LEVEL_COLOURS,
    LEVEL_TEXT_COLOURS,
    category_label,
    channel_label,
    compensation_kind_label,
    flag_label,
    level_label,
    local_time,
    outcome_label,
    state_label,
    subcategory_label,
    tier_label,
)
from ui.naming import named as _named
from ui.scripts_view import ScriptsView

# The form's error red (ui.intake_panel.ERROR_COLOUR, not imported: that module imports
# this one): flags are what staff must not miss.
FLAG_COLOUR = "#d93025"


def target_text(minutes: int) -> str:
    """"1小时内响应" for a response target in minutes."""
    if minutes % 60 == 0:
        return QCoreApplication.translate("IntakeInsights", "Respond within {hours} h").format(
            hours=minutes // 60)
    return QCoreApplication.translate("IntakeInsights", "Respond within {minutes} min").format(
        minutes=minutes)


def model_reason_text(rule: str, detail: str, ctx: AppContext) -> str:
    """A reason of the learned model: what it judged, how sure, which n-grams."""
    head, _, grams = detail.partition(": ")
    words = "、".join(g for g in grams.split(", ") if g) if ctx.language != "en" else grams
    if rule == "model:level1":
        flag, _, probability = head.partition(" ")
        return QCoreApplication.translate(
            "IntakeInsights", "Model: level-1 risk ({flag}, {percent}%) from “{words}”").format(
            flag=flag_label(flag), percent=_percent(probability), words=words)
    if rule == "model:subcategory":
        return QCoreApplication.translate(
            "IntakeInsights", "Model: this subcategory ({percent}%) from “{words}”").format(
            percent=_percent(head), words=words)
    if rule == "model:level3":
        return QCoreApplication.translate(
            "IntakeInsights", "Model: an inquiry ({percent}%)").format(percent=_percent(head))
    return f"{rule}: {detail}"


def _percent(probability: str) -> str:
    try:
        return str(round(float(probability) * 100))
    except ValueError:
        return probability


def reason_text(rule: str, detail: str, ctx: AppContext) -> str:
    """One triage reason as a short sentence (the core keeps rule names and raw words)."""
    policy, lang = ctx.desk.policy, ctx.language
    flag = rule.removeprefix("flag:").removesuffix(":recent")
    if rule == "keyword":
        return QCoreApplication.translate("IntakeInsights", "Keyword “{word}”").format(
            word=detail)
    if rule == "level:inquiry":
        return QCoreApplication.translate("IntakeInsights", "Inquiry word “{word}”").format(
            word=detail)
    if rule == "level:loss":
        return QCoreApplication.translate("IntakeInsights", "Loss word “{word}”").format(
            word=detail)
    if rule == "channel":
        return QCoreApplication.translate("IntakeInsights", "Channel {channel}").format(
            channel=channel_label(policy, detail, lang))
    if rule == "default":
        return QCoreApplication.translate("IntakeInsights", "No keyword matched")
    if rule == "model":
        return QCoreApplication.translate("IntakeInsights", "Graded by model {version}").format(
            version=detail)
    if rule.startswith("model:"):
        return model_reason_text(rule, detail, ctx)
    if rule.endswith(":recent"):
        count = detail.split(" ", 1)[0]
        return QCoreApplication.translate(
            "IntakeInsights", "{flag}: {count} such complaints in a short time").format(
            flag=flag_label(flag), count=count)
    if rule.startswith("flag:") or rule in ("vip",):
        if detail.startswith("subcategory "):
            detail = subcategory_label(policy, detail.removeprefix("subcategory "), lang)
        elif detail.endswith(" customers"):
            detail = QCoreApplication.translate("IntakeInsights", "{count} customers").format(
                count=detail.split(" ", 1)[0])
        elif detail in policy.member_tiers:
            detail = tier_label(detail)
        return f"{flag_label(flag)}: {detail}"
    return f"{rule}: {detail}"


class IntakeInsights(QWidget):
    """The side of the intake form: triage suggestion, duplicates, similar tickets, history.

    ``open_ticket(id)`` when staff pick a duplicate, a similar ticket or one from the
    customer's history (a click, or Enter on the keyboard).
    """

    open_ticket = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("intake_side")
        self._build()

    def _build(self) -> None:
        self.level_badge = _named(QLabel(), "triage_level")
        self.level_badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.level_badge.setMinimumWidth(64)
        self.target = _named(QLabel(), "triage_target")
        self.category = _named(QLabel(), "triage_category")
        self.category.setWordWrap(True)
        self.flags = _named(QLabel(), "triage_flags")
        self.flags.setWordWrap(True)
        self.flags.setStyleSheet(f"color: {FLAG_COLOUR}; font-weight: bold;")
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

        # The scripts for the suggested subcategory and level (hidden when none).
        self.scripts = ScriptsView(self.ctx, "intake_scripts")
        self.scripts_box = self._box(self.tr("Response scripts"), "intake_scripts_box",
                                     self.scripts)
        self.scripts.shown.connect(lambda count: self.scripts_box.setVisible(count > 0))

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

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for box in (self.triage_box, self.scripts_box, self.duplicates_box, self.similar_box,
                    self.history_box):
            layout.addWidget(box)
        layout.addStretch(1)
        self.show_triage(None)
        for box in (self.scripts_box, self.duplicates_box, self.similar_box, self.history_box):
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

    @staticmethod
    def _box(title: str, name: str, *widgets: QWidget) -> QGroupBox:
        box = _named(QGroupBox(title), name)
        column = QVBoxLayout(box)
        for widget in widgets:
            column.addWidget(widget)
        return box

    # ------------------------------------------------------------------ public

    def clear(self) -> None:
        """Show nothing but the prompt to type the complaint."""
        self.show_triage(None)
        self.show_duplicates(())
        self.show_similar([])
        self.show_history(None)

    def show_triage(self, result: TriageResult | None) -> None:
        """The suggested level, response target, category, flags and reasons (or a
        prompt to type, for no *result*)."""
        policy, lang = self.ctx.desk.policy, self.ctx.language
        if result is None:
            self.scripts.show_for(None, None)
            self.level_badge.setText("—")
            self.level_badge.setStyleSheet(
                "background: #e8eaed; color: #5f6368; border-radius: 4px; padding: 4px 10px;")
            self.level_badge.setProperty("level", 0)
            self.target.setText(self.tr("Type the complaint to see the suggestion"))
            for label in (self.category, self.flags, self.reasons):
                label.clear()
            self.flags.hide()
            return
        self.scripts.show_for(result.subcategory, result.level)
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

    def show_duplicates(self, found: tuple[DuplicateCandidate, ...]) -> None:
        """The open tickets this complaint may repeat (the box hides when there are none)."""
        self.duplicates.clear()
        for cand in found:
            reason = (self.tr("same customer") if cand.reason == "same_customer"
                      else self.tr("similar text"))
            text = self.tr("{number} · {reason} · {percent}% alike").format(
                number=cand.number, reason=reason, percent=round(cand.similarity * 100))
            self._add_item(self.duplicates, text, cand.ticket_id)
        self._fit(self.duplicates)
        self.duplicates_box.setVisible(bool(found))

    def show_similar(self, found: list[ResolvedTicket]) -> None:
        """Resolved tickets like this one and how they were settled (hidden when none)."""
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

    def show_history(self, history: CustomerHistory | None) -> None:
        """The customer's earlier complaints and grants (hidden for no *history*, i.e. no
        valid phone)."""
        policy, lang = self.ctx.desk.policy, self.ctx.language
        self.history.clear()
        if history is None:
            self.history_summary.clear()
            self.history_box.hide()
            return
        role = self.ctx.session.staff.role if self.ctx.session.staff else None
        phone = policy.privacy.phone_text(history.phone, "customer_history", role)
        if history.count == 0:
            summary = self.tr("No earlier complaints from {phone}").format(
                phone=phone)
        else:
            summary = self.tr(
                "{phone}: {count} earlier, {open} open; ¥{granted} in {days} days ({grants}×)"
            ).format(
                phone=phone, count=history.count,
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

    # ------------------------------------------------------------------ lists

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
