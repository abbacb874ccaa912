"""One ticket on screen: header with the live response countdown, the complaint, the actions,
the timeline of its events, its compensation ledger and the response scripts for it.

Reads go to the GUI thread's connection (one ticket: indexed and fast); writes go through
the actions (:mod:`ui.ticket_actions`), and the panel re-reads after a write that names
its ticket (``executor.changed``) and when someone else logs in (``session.staff_changed``).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop import views
from desktop.approvals import reason_text
from desktop.changes import Changes
from desktop.response_clock import response_status
from desktop.staff import list_staff
from desktop.tickets import get_ticket
from domain.centre_approvals import centre_decider
from domain.errors import KesuError
from domain.fold import TicketState
from domain.money import format_yuan
from ui import labels, steady
from ui.context import AppContext
from ui.fit import FlowLayout, ScrollColumn
from ui.naming import named as _named
from ui.scripts_view import ScriptsView
from ui.ticket_actions import TicketActions
from ui.ticket_customer import CustomerFacts
from ui.timeline_words import alert_label, receipt_summary

# lupdate finds translate("Context", "literal") calls by this name.
translate = QCoreApplication.translate






def duration_text(seconds: int) -> str:
    """``3725`` → ``1:02:05``; days shown as ``2d 3:00:00``."""
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    clock = f"{hours}:{minutes:02d}:{secs:02d}"
    if days:
        return translate("TicketPanel", "{days}d {clock}").format(days=days, clock=clock)
    return clock


class EventSummary:
    """Turns an event of the timeline into one readable line (in the UI's language)."""

    def __init__(self, ctx: AppContext, names: dict[str, str],
                 ledger: dict[str, dict[str, Any]]) -> None:
        self._ctx = ctx
        self._names = names
        self._ledger = ledger

    def name(self, staff_id: str | None) -> str:
        """The staff member's name (the id when unknown)."""
        if not staff_id:
            return ""
        if staff_id == "system":
            return translate("TicketPanel", "System")
        return self._names.get(staff_id, staff_id)

    def _state(self, status: object) -> str:
        return labels.state_label(str(status), self._ctx.language)

    def _money(self, kind: object, amount_fen: object) -> str:
        return translate("TicketPanel", "{kind} {amount} yuan").format(
            kind=labels.compensation_kind_label(str(kind)),
            amount=format_yuan(int(str(amount_fen))))

    def summary(self, event: dict[str, Any]) -> str:
        """What happened, in a line: from→to, the note, the contact, the amount…"""
        t, p, lang = event["type"], event["payload"], self._ctx.language
        policy = self._ctx.desk.policy
        parts: list[str] = []
        if t == "ticket_created":
            parts.append(translate("TicketPanel", "via {channel}").format(
                channel=labels.channel_label(policy, str(p.get("channel")), lang)))
            model = (p.get("triage") or {}).get("model")
            parts.append(translate("TicketPanel", "graded by the rules and model {version}")
                         .format(version=model) if model else
                         translate("TicketPanel", "graded by the rules"))
        elif t == "triaged":
            parts.append(f"{labels.category_label(policy, str(p['category']), lang)} / "
                         f"{labels.subcategory_label(policy, str(p['subcategory']), lang)}, "
                         f"{labels.level_label(int(p['level']))}")
            if p.get("why") == "correction":
                previous = p.get("previous") or {}
                parts.append(translate("TicketPanel", "corrected from {level}").format(
                    level=labels.level_label(int(previous.get("level", p["level"])))))
                reasons = p.get("reasons") or []
                if reasons:
                    parts.append(str(reasons[-1].get("detail", "")))
            elif p.get("why") == "group_raise":
                parts.append(translate("TicketPanel", "raised: several similar complaints"))
        elif t == "assigned":
            parts.append(translate("TicketPanel", "to {name}").format(
                name=self.name(str(p.get("handler")))))
        elif t == "status_changed":
            parts.append(f"{self._state(p.get('from'))} → {self._state(p.get('to'))}")
            if p.get("review") == "passed":
                parts.append(translate("TicketPanel", "review passed"))
            elif p.get("review") == "returned":
                parts.append(translate("TicketPanel", "returned for rework"))
            if p.get("reopen"):
                parts.append(translate("TicketPanel", "reopened"))
            if p.get("first_contact"):
                parts.append(translate("TicketPanel", "settled at first contact"))
            acc = p.get("accountability")
            if acc:
                parts.append(translate("TicketPanel", "accountability: {outcome}").format(
                    outcome=labels.outcome_label(str(acc.get("outcome")))))
                if acc.get("subject"):
                    parts.append(str(acc["subject"]))
            if p.get("note"):
                parts.append(str(p["note"]))
        elif t == "note_added":
            parts.append(str(p.get("text", "")))
        elif t == "customer_contacted":
            parts.append(f"{labels.contact_method_label(str(p.get('method')))}: "
                         f"{p.get('text', '')}")
        elif t in ("compensation_granted", "compensation_requested", "compensation_refused"):
            parts.append(self._money(p.get("kind"), p.get("amount_fen", 0)))
            parts.append(reason_text(p, lang, actor=str(p.get("approved_by") or "")))
            if p.get("note"):
                parts.append(str(p["note"]))
        elif t == "compensation_decided":
            line = self._ledger.get(str(p.get("compensation_id")))
            if line is not None:
                parts.append(self._money(line["kind"], line["amount_fen"]))
            parts.append(reason_text(p, lang, actor=self.name(event["actor"])))
            if p.get("note"):
                parts.append(str(p["note"]))
        elif t == "escalated":
            parts.append(translate(
                "TicketPanel", "step {step}: to {to}, {minutes} min overdue").format(
                step=p.get("step"), to=labels.escalation_label(str(p.get("to"))),
                minutes=p.get("overdue_minutes", 0)))
        elif t == "rated":
            score = int(p.get("score", 0))
            parts.append("★" * score + "☆" * (5 - score) + f" ({score}/5)")
            if p.get("comment"):
                parts.append(str(p["comment"]))
        elif t == "merged":
            parts.append(translate("TicketPanel", "into {number}").format(
                number=p.get("into_number") or p.get("into")))
            if p.get("note"):
                parts.append(str(p["note"]))
        elif t == "voided":
            parts.append(str(p.get("note", "")))
        elif t == "notification_raised":
            parts.append(translate("TicketPanel", "to {to}").format(
                to=", ".join(labels.escalation_label(str(x)) for x in p.get("to", []))))
        elif t == "conflict_resolved":
            parts.append(self._state(p.get("status")))
        elif t == "alert_acknowledged":
            parts.append(alert_label(str(p.get("alert", ""))))
        elif t == "receipt_printed":
            parts.append(receipt_summary(p))
        return " — ".join(x for x in parts if x)


class TicketPanel(QWidget):
    """The ticket view: header, complaint, actions, timeline and compensation ledger."""

    # The id of the shown ticket, when staff ask to print a receipt (button or Ctrl+P).
    print_requested = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticketPanel")
        self._ctx = ctx
        self._ticket: TicketState | None = None
        self._rendered: str | None = None  # the id whose timeline the lists show

        self.number = _named(QLabel(), "ticketNumber")
        self.number.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.level = _named(QLabel(), "levelBadge")
        self.status = _named(QLabel(), "ticketStatus")
        self.status.setStyleSheet("font-size: 13pt; font-weight: bold;")
        self.conflict = _named(QLabel(), "ticketConflict")
        self.conflict.setStyleSheet("color: #c5221f; font-weight: bold;")
        self.countdown = _named(QLabel(), "ticketCountdown")
        self.channel = _named(QLabel(), "ticketChannel")
        self.category = _named(QLabel(), "ticketCategory")
        self.handler = _named(QLabel(), "ticketHandler")
        # Name, phone (in full for handling staff), product, SKU, amount paid.
        self.customer = CustomerFacts()
        self.phone = self.customer.phone
        self.flags = _named(QLabel(), "ticketFlags")
        self.flags.setStyleSheet("color: #c5221f;")
        self.text = _named(QLabel(), "ticketText")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setStyleSheet("font-size: 12pt; padding: 6px; background: #f8f9fa;")
        self.problem = _named(QLabel(), "ticketError")
        self.problem.setStyleSheet("color: #c5221f;")

        self.action_bar = TicketActions(ctx, self)
        self.timeline = _named(QListWidget(), "ticketTimeline")
        self.timeline.setWordWrap(True)
        self.timeline.setAlternatingRowColors(True)
        self.ledger = _named(QListWidget(), "ticketLedger")
        self.ledger.setWordWrap(True)
        self.tabs = _named(QTabWidget(), "ticketTabs")
        self.tabs.addTab(self.timeline, self.tr("Timeline"))
        self.tabs.addTab(self.ledger, self.tr("Compensation ledger"))
        # The response scripts for the ticket's subcategory and level, and a search of
        # the whole library (a tab: the panel must fit a 1280×720 screen).
        self.scripts = ScriptsView(ctx, "ticketScripts", actions=True, searchable=True,
                                   to_note=self.action_bar.put_note)
        self.tabs.addTab(ScrollColumn(self.scripts), self.tr("Scripts"))
        self.scripts.shown.connect(self._scripts_shown)

        top = FlowLayout()  # header and facts wrap on a narrow screen
        for widget in (self.number, self.level, self.status, self.conflict):
            top.addWidget(widget)
        top.addStretch(1)
        top.addWidget(self.countdown)
        # Printing (ui/printing): the window opens the print dialog on print_requested.
        self.print_button = _named(QPushButton(self.tr("Print receipt...")), "print_receipt")
        self.print_button.setToolTip("Ctrl+P")
        self.print_button.clicked.connect(self._request_print)
        print_shortcut = QShortcut(QKeySequence("Ctrl+P"), self, self._request_print)
        print_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        top.addWidget(self.print_button)
        facts = FlowLayout()
        for widget in (self.channel, self.category, self.handler, self.flags):
            facts.addWidget(widget)
        facts.addStretch(1)
        # Header, complaint and actions scroll when taller than 60 % of the panel (a long
        # complaint, a big form open); the timeline below always keeps the rest.
        details = _named(QWidget(), "ticketDetails")
        layout = QVBoxLayout(details)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(facts)
        layout.addWidget(self.customer)
        layout.addWidget(self.text)
        layout.addWidget(self.problem)
        layout.addWidget(self.action_bar)
        self.details_scroll = _named(ScrollColumn(details, share=0.6), "ticketDetailsScroll")
        outer = QVBoxLayout(self)
        outer.addWidget(self.details_scroll)
        outer.addWidget(self.tabs, 1)

        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)
        ctx.executor.changed.connect(self._data_changed)
        # A bound method, not a lambda: the connection must die with the panel (a work
        # area rebuilt in another language drops this one).
        ctx.session.staff_changed.connect(self._staff_changed)
        self._show_nothing()

    def _staff_changed(self, _staff: object) -> None:
        self.refresh()

    def _data_changed(self, changes: Changes) -> None:
        # Only a write on the ticket shown (or its staff, its policy) redraws it: a save
        # elsewhere leaves the focus and the scroll alone.
        if (changes.names_ticket(self.current_ticket_id()) or changes.any_staff
                or changes.any_policy):
            self.refresh()

    def _scripts_shown(self, count: int) -> None:
        self.tabs.setTabText(2, self.tr("Scripts ({count})").format(count=count)
                             if count else self.tr("Scripts"))

    def _request_print(self) -> None:
        if self._ticket is not None:
            self.print_requested.emit(self._ticket.id)

    # --- public -----------------------------------------------------------------------

    def show_ticket(self, ticket_id: str) -> None:
        """Show the ticket with this id (or number)."""
        try:
            ticket = get_ticket(self._ctx.desk, ticket_id)
        except KesuError as exc:
            self._ticket = None
            self._show_nothing()
            self.problem.setText(labels.error_message(exc, self._ctx.language))
            self.problem.show()
            return
        self._ticket = ticket
        self._render()

    def current_ticket_id(self) -> str | None:
        """The id of the ticket shown, or ``None``."""
        return None if self._ticket is None else self._ticket.id

    def ticket(self) -> TicketState | None:
        """The ticket shown (as last read)."""
        return self._ticket

    def refresh(self) -> None:
        """Read the shown ticket again (after a write, or another staff member logs in)."""
        if self._ticket is not None:
            self.show_ticket(self._ticket.id)
        else:
            self.action_bar.refresh()

    # --- drawing ----------------------------------------------------------------------

    def _show_nothing(self) -> None:
        self._timer.stop()
        for label in (self.number, self.status, self.conflict, self.countdown, self.channel,
                      self.category, self.handler, self.flags, self.problem):
            label.clear()
        self.customer.clear()
        self.level.hide()
        self.problem.hide()
        self.conflict.hide()
        self.text.setText(self.tr("No ticket open."))
        self.timeline.clear()
        self.ledger.clear()
        self._rendered = None
        self.action_bar.set_ticket(None)
        self.scripts.show_for(None, None)

    def _render(self) -> None:
        t = self._ticket
        assert t is not None
        ctx, lang, policy = self._ctx, self._ctx.language, self._ctx.desk.policy
        names = {s.id: s.name for s in list_staff(ctx.desk.conn)}
        self.problem.clear()
        self.problem.hide()
        self.number.setText(t.number)
        self.level.setText(labels.level_label(t.level))
        self.level.setStyleSheet(
            f"background: {labels.LEVEL_COLOURS.get(t.level, '#888')}; "
            f"color: {labels.LEVEL_TEXT_COLOURS.get(t.level, '#fff')}; "
            "border-radius: 4px; padding: 2px 8px; font-weight: bold;")
        self.level.show()
        self.status.setText(labels.state_label(t.status, lang))
        self.conflict.setText(self.tr("⚠ Conflicting changes from two desks: settle the "
                                      "status"))
        self.conflict.setVisible(bool(t.conflict))
        self.channel.setText(labels.channel_label(policy, t.channel, lang))
        self.category.setText(f"{labels.category_label(policy, t.category, lang)} / "
                              f"{labels.subcategory_label(policy, t.subcategory, lang)}")
        self.handler.setText(self.tr("Handler: {name}").format(
            name=names.get(t.handler, t.handler) if t.handler else self.tr("unassigned")))
        staff = ctx.session.staff
        self.customer.show_ticket(t, policy, staff.role if staff is not None else None)
        self.flags.setText(" ".join(f"[{labels.flag_label(f)}]" for f in t.flags))
        self.text.setText(t.text)

        ledger = views.compensations_of(ctx.desk.conn, t.id)
        summary = EventSummary(ctx, names, {line["id"]: line for line in ledger})
        # Rebuilt only when its lines changed, keeping the line and scroll staff are at
        # (another ticket starts at its newest line).
        if self._rendered != t.id:
            self.timeline.clear()
            self.ledger.clear()
        self._rendered = t.id
        lines: list[steady.Row] = []
        for event in views.timeline(ctx.desk.conn, t.id):
            head = "  ".join(x for x in (
                labels.local_time(event["occurred_at"], policy),
                summary.name(event["actor"]),
                labels.event_label(event["type"]),
            ) if x)
            what = summary.summary(event)
            lines.append(steady.Row(str(event["event_id"]),
                                    f"{head}  {what}" if what else head, what))
        steady.fill_list(self.timeline, lines, follow_end=True)
        entries: list[steady.Row] = []
        for entry in ledger:
            text = self.tr("{time}  {kind} {amount} yuan  {status}  requested by {who}").format(
                time=labels.local_time(entry["created_at"], policy),
                kind=labels.compensation_kind_label(entry["kind"]), amount=entry["amount"],
                status=labels.compensation_status_label(entry["status"]),
                who=summary.name(entry["requested_by"]))
            if entry["approved_by"]:
                text += self.tr(", approved by {who}").format(
                    who=summary.name(entry["approved_by"]))
            if entry["status"] == "pending_approval" and entry["approval_level"] == "hq":
                # Who at the centre decides it: the one rule the centre applies too.
                if centre_decider(int(entry["amount_fen"]),
                                  policy.compensation.regional_limit_fen) == "regional":
                    text += self.tr(" (waiting for the regional manager)")
                else:
                    text += self.tr(" (waiting for headquarters)")
            entries.append(steady.Row(str(entry["id"]), text))
        steady.fill_list(self.ledger, entries)
        self.tabs.setTabText(1, self.tr("Compensation ledger ({count})").format(
            count=len(ledger)))
        self.action_bar.set_ticket(t)
        self.scripts.show_for(t.subcategory, t.level, t.id)
        self._tick()
        self._timer.start()

    def _tick(self) -> None:
        t = self._ticket
        if t is None:
            self._timer.stop()
            return
        policy = self._ctx.desk.policy
        clock = response_status(t, self._ctx.desk.now(), policy)
        style = ""
        if t.status in ("merged", "voided"):
            text = ""
        elif clock.first_response_at is not None:
            text = self.tr("Responded {time}").format(
                time=labels.local_time(t.first_response_at, policy))
            if clock.followup_due_at is not None:
                text = self.tr("Follow-up call due {time}").format(
                    time=labels.local_time(clock.followup_due_at, policy))
        elif clock.overdue:
            text = self.tr("Overdue by {time}").format(
                time=duration_text(clock.seconds_to_due))
            style = f"background: {labels.OVERDUE_BACKGROUND}; color: #c5221f;"
        else:
            text = self.tr("Respond within {time}").format(
                time=duration_text(clock.seconds_to_due))
        self.countdown.setText(text)
        self.countdown.setStyleSheet(f"font-size: 13pt; font-weight: bold; padding: 2px 6px; "
                                     f"{style}")
