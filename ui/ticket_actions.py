"""The actions allowed on a ticket now, as buttons with inline forms underneath.

Which buttons show comes from ``domain.lifecycle.allowed_actions`` for the staff member
acting now. Each button opens a small form below the buttons, one at a time (no modal
dialogs: keyboard users and tests fill them the same way); its Save runs the
core operation on the writer thread. A failure shows the core's message in the form and
keeps what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop import ticket_actions as handling
from desktop.staff import list_staff
from domain.fold import TicketState
from domain.lifecycle import ACCOUNTABILITY_OUTCOMES, HANDLING_ROLES, allowed_actions
from ui import labels, stale_errors, steady
from ui.compensation_form import CompensationForm
from ui.context import AppContext
from ui.naming import named as _named
from ui.operations import tickets
from ui.operations.op import Op
from ui.score_box import ScoreBox

# lupdate finds translate("Context", "literal") calls by this name.
translate = QCoreApplication.translate


# Every action the panel knows, in the order the buttons show.
ACTIONS = (
    "advance:rectifying", "advance:reviewing", "advance:accountability", "advance:closed",
    "first_contact",  # 首问解决: from 受理 straight to 完结 where the policy allows
    "contact", "note", "compensate", "rate", "reopen", "merge", "correct", "void",
    "take", "assign",
)
_COLUMNS = 6
_ERROR_STYLE = "color: #c5221f;"



def object_key(action: str) -> str:
    """``advance:closed`` → ``advance_closed`` (for object names)."""
    return action.replace(":", "_")


def button_text(action: str, status: str) -> str:
    """The button's words (with its mnemonic) for *action* on a ticket in *status*."""
    if action == "advance:rectifying" and status == "reviewing":
        return translate("TicketActions", "Return for re&work")
    return {
        "advance:rectifying": translate("TicketActions", "Start re&ctifying"),
        "advance:reviewing": translate("TicketActions", "Send for revie&w"),
        "advance:accountability": translate("TicketActions", "Review pa&ssed"),
        "advance:closed": translate("TicketActions", "&Close ticket"),
        "first_contact": translate("TicketActions", "Settled on the spot (&J)"),
        "contact": translate("TicketActions", "Contact c&ustomer"),
        "note": translate("TicketActions", "Add not&e"),
        "compensate": translate("TicketActions", "Co&mpensate"),
        "rate": translate("TicketActions", "Record ratin&g"),
        "reopen": translate("TicketActions", "Reopen"),
        "merge": translate("TicketActions", "Merge"),
        "correct": translate("TicketActions", "Correct triage"),
        "void": translate("TicketActions", "Void"),
        "take": translate("TicketActions", "Take it (&Z)"),
        "assign": translate("TicketActions", "Give to a colleague (&X)…"),
    }[action]



class _FormStack(QWidget):
    """Inline forms of which one (or none) shows at a time, under the buttons.

    Not a QStackedWidget: that one is as tall as its tallest page (word-wrapped labels
    count even on hidden pages), which would push the timeline down for a one-line form.
    Here the other pages are hidden, so the box layout sizes to the open form only.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pages: list[QWidget] = []
        self._current: QWidget | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    def addWidget(self, page: QWidget) -> None:
        """Add a page (hidden until made current)."""
        self._pages.append(page)
        self._layout.addWidget(page)
        page.setVisible(self._current is None)
        if self._current is None:
            self._current = page

    def setCurrentWidget(self, page: QWidget) -> None:
        """Show *page*, hide the others."""
        self._current = page
        for other in self._pages:
            other.setVisible(other is page)

    def setCurrentIndex(self, index: int) -> None:
        """Show the page at *index*."""
        self.setCurrentWidget(self._pages[index])

    def currentWidget(self) -> QWidget | None:
        """The page showing."""
        return self._current

    def count(self) -> int:
        """How many pages."""
        return len(self._pages)


class _Page(QWidget):
    """One inline form: rows, a Save button and the place for its error."""

    def __init__(self, key: str, on_save: Callable[[], None], parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName(f"page_{key}")
        self.title = _named(QLabel(), f"title_{key}")
        self.title.setStyleSheet("font-weight: bold;")
        self.title.setWordWrap(True)
        self.form = QFormLayout()
        self.save = _named(QPushButton(translate("TicketActions", "Save")), f"submit_{key}")
        self.cancel = _named(QPushButton(translate("TicketActions", "Cancel")), f"cancel_{key}")
        self.error = _named(QLabel(), f"error_{key}")
        self.error.setStyleSheet(_ERROR_STYLE)
        self.error.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save)
        buttons.addWidget(self.cancel)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.title)
        layout.addLayout(self.form)
        layout.addLayout(buttons)
        layout.addWidget(self.error)
        layout.addStretch(1)
        self.save.clicked.connect(on_save)

    def line(self, name: str, label: str, on_enter: Callable[[], None]) -> QLineEdit:
        """Add a one-line text field; Enter saves."""
        edit = _named(QLineEdit(), name)
        edit.returnPressed.connect(on_enter)
        self.add(label, edit)
        return edit

    def add(self, label: str, widget: QWidget) -> None:
        """Add a labelled row (the label's mnemonic focuses *widget*)."""
        text = QLabel(label)
        text.setBuddy(widget)
        self.form.addRow(text, widget)
        stale_errors.clear_on_edit(self.error.clear, widget)


class TicketActions(QWidget):
    """Buttons for what the acting staff member may do to one ticket, and their forms."""

    # The action key (e.g. "note", "advance:closed") after its write succeeded.
    submitted = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticketActions")
        self._ctx = ctx
        self._ticket: TicketState | None = None
        self._open: str | None = None
        self._busy = False
        self._advance_to = ""
        self._laid_out: list[str] = []  # the actions whose buttons are in the grid
        self._opened_by: str | None = None  # who opened the form showing

        self.grid = QGridLayout()
        self.buttons: dict[str, QPushButton] = {}
        for action in ACTIONS:
            button = _named(QPushButton(), f"action_{object_key(action)}")
            button.clicked.connect(lambda _=False, a=action: self.open_action(a))
            self.buttons[action] = button
        self.message = _named(QLabel(), "actionMessage")
        self.message.setStyleSheet("color: #137333;")
        self.stack = _named(_FormStack(), "actionStack")
        self.stack.addWidget(QWidget())  # nothing open
        self.pages: dict[str, QWidget] = {}
        self._build_pages()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.grid)
        layout.addWidget(self.message)
        layout.addWidget(self.stack)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.close_form)
        self.set_ticket(None)

    # --- building the forms -----------------------------------------------------------

    def _page(self, key: str, on_save: Callable[[], None]) -> _Page:
        page = _Page(key, on_save, self.stack)
        page.cancel.clicked.connect(self.close_form)
        self.stack.addWidget(page)
        return page

    def _build_pages(self) -> None:
        adv = self._page("advance", self._save_advance)
        self.advance_note = adv.line("advanceNote", self.tr("Note (optional)"), self._save_advance)

        close = self._page("close", self._save_close)
        self.close_outcome = _named(QComboBox(), "closeOutcome")
        self.close_outcome.addItem(self.tr("Choose…"), "")
        for outcome in ACCOUNTABILITY_OUTCOMES:
            self.close_outcome.addItem(labels.outcome_label(outcome), outcome)
        close.add(self.tr("Accountabilit&y"), self.close_outcome)
        self.close_subject = close.line("closeSubject", self.tr("Su&bject (staff or supplier)"),
                                        self._save_close)
        self.close_note = close.line("closeNote", self.tr("Note"), self._save_close)

        first = self._page("first_contact", self._save_first_contact)
        self.first_contact_note = first.line(
            "firstContactNote", self.tr("What settled it (&W)"), self._save_first_contact)

        contact = self._page("contact", self._save_contact)
        self.contact_method = _named(QComboBox(), "contactMethod")
        for method in handling.CONTACT_METHODS:
            self.contact_method.addItem(labels.contact_method_label(method), method)
        contact.add(self.tr("&How"), self.contact_method)
        self.contact_text = contact.line("contactText", self.tr("What was sa&id"),
                                         self._save_contact)

        note = self._page("note", self._save_note)
        self.note_text = note.line("noteText", self.tr("Note"), self._save_note)

        self.compensation = CompensationForm(self._ctx, self.stack)
        self.compensation.recorded.connect(lambda _o: self.submitted.emit("compensate"))
        self.stack.addWidget(self.compensation)

        rate = self._page("rate", self._save_rate)
        self.rate_score = _named(ScoreBox(5), "rateScore")
        self.rate_score.submitted.connect(self._save_rate)
        self.rate_score.setSpecialValueText(self.tr("Choose 1–5"))
        self.rate_score.setSuffix(" ★")
        rate.add(self.tr("&Satisfaction (1–5)"), self.rate_score)
        self.rate_comment = rate.line("rateComment", self.tr("&Comment"), self._save_rate)

        reopen = self._page("reopen", self._save_reopen)
        self.reopen_reason = reopen.line("reopenReason", self.tr("W&hy"), self._save_reopen)

        merge = self._page("merge", self._save_merge)
        self.merge_into = merge.line("mergeInto", self.tr("&Into ticket number"), self._save_merge)
        self.merge_reason = merge.line("mergeReason", self.tr("W&hy (optional)"), self._save_merge)

        correct = self._page("correct", self._save_correct)
        policy = self._ctx.desk.policy
        self.correct_category = _named(QComboBox(), "correctCategory")
        for cat in policy.categories:
            self.correct_category.addItem(
                labels.category_label(policy, cat, self._ctx.language), cat)
        self.correct_subcategory = _named(QComboBox(), "correctSubcategory")
        self.correct_level = _named(QComboBox(), "correctLevel")
        for level in sorted(policy.levels):
            self.correct_level.addItem(labels.level_label(level), level)
        self.correct_category.currentIndexChanged.connect(self._fill_subcategories)
        correct.add(self.tr("Categor&y"), self.correct_category)
        correct.add(self.tr("Su&bcategory"), self.correct_subcategory)
        correct.add(self.tr("&Level"), self.correct_level)
        self.correct_reason = correct.line("correctReason", self.tr("W&hy"), self._save_correct)

        void = self._page("void", self._save_void)
        self.void_reason = void.line("voidReason", self.tr("W&hy (entered in error…)"),
                                     self._save_void)

        assign = self._page("assign", self._save_assign)
        self.assign_to = _named(QComboBox(), "assignTo")
        assign.add(self.tr("Colleague"), self.assign_to)
        # Tab goes from the colleague to Save (the page's buttons were made before it).
        QWidget.setTabOrder(self.assign_to, assign.save)
        QWidget.setTabOrder(assign.save, assign.cancel)

        self.pages = {
            "assign": assign,
            "advance": adv, "close": close, "contact": contact, "note": note,
            "first_contact": first,
            "compensate": self.compensation, "rate": rate, "reopen": reopen, "merge": merge,
            "correct": correct, "void": void,
        }

    def _fill_subcategories(self) -> None:
        policy = self._ctx.desk.policy
        cat = self.correct_category.currentData()
        node = policy.categories.get(cat)
        self.correct_subcategory.clear()
        for sub in node.subcategories if node else ():
            self.correct_subcategory.addItem(
                labels.subcategory_label(policy, sub, self._ctx.language), sub)

    # --- public -----------------------------------------------------------------------

    def set_ticket(self, ticket: TicketState | None) -> None:
        """Show the actions for *ticket* (``None``: nothing to act on)."""
        changed = ticket is None or self._ticket is None or ticket.id != self._ticket.id
        self._ticket = ticket
        if changed:
            self._say("")
            self.close_form()
        self.compensation.set_ticket(ticket)
        self.refresh()

    def allowed(self) -> list[str]:
        """The action keys shown now."""
        staff = self._ctx.session.staff
        if self._ticket is None or staff is None:
            return []
        allowed = allowed_actions(
            self._ticket, staff, first_contact=self._ctx.desk.policy.first_contact,
            approvals_needed=handling.approvals_needed(self._ctx.desk, self._ticket.id))
        if "note" in allowed and staff.role in HANDLING_ROLES:
            allowed.append("correct")
        return [a for a in ACTIONS if a in allowed]

    def refresh(self) -> None:
        """Lay out the buttons allowed now (after a change or another staff logged in)."""
        allowed = self.allowed()
        status = self._ticket.status if self._ticket else ""
        # In place: a refresh after a pull or a timer's write must not hide a button that
        # has the focus, so only the buttons whose place or presence changed move.
        if allowed != self._laid_out:
            for button in self.buttons.values():
                self.grid.removeWidget(button)
            for i, action in enumerate(allowed):
                self.grid.addWidget(self.buttons[action], i // _COLUMNS, i % _COLUMNS)
            self._laid_out = allowed
        for action, button in self.buttons.items():
            if action in allowed:
                steady.set_text(button, button_text(action, status))
                button.setEnabled(not self._busy)
            steady.set_shown(button, action in allowed)
        if self._open is not None and self._open not in allowed:
            staff = self._ctx.session.staff
            if staff is None or staff.id != self._opened_by:
                self.close_form()  # someone else took over the desk
            else:
                # The ticket moved on meanwhile (another desk, a pull): the form and what
                # was typed stay; saving says why the step is refused.
                self._say(self.tr("The ticket changed meanwhile: this step is no longer "
                                  "offered. What you typed is kept."))

    def open_action(self, action: str) -> None:
        """Open the form of *action* (as its button does)."""
        if action not in self.allowed():
            return
        ticket = self._ticket
        assert ticket is not None
        self._open = action
        staff = self._ctx.session.staff
        self._opened_by = staff.id if staff is not None else None
        self._say("")
        if action.startswith("advance:") and action != "advance:closed":
            self._advance_to = action.split(":", 1)[1]
            page = self.pages["advance"]
            assert isinstance(page, _Page)
            page.title.setText(self.tr("{number}: {frm} → {to}").format(
                number=ticket.number, frm=labels.state_label(ticket.status, self._ctx.language),
                to=labels.state_label(self._advance_to, self._ctx.language)))
            self._show(page, self.advance_note)
        elif action == "advance:closed":
            self._show(self.pages["close"], self.close_outcome,
                       self.tr("Close: record the accountability outcome"))
        elif action == "take":
            self._save_take()
        elif action == "assign":
            self._fill_colleagues(ticket)
            self._show(self.pages["assign"], self.assign_to,
                       self.tr("{number}: give it to a colleague").format(number=ticket.number))
        elif action == "first_contact":
            self._show(self.pages["first_contact"], self.first_contact_note, self.tr(
                "Close at first contact: settled on the spot, without rectifying, review "
                "and accountability. Say what was done."))
        elif action == "compensate":
            self.stack.setCurrentWidget(self.compensation)
            self.stack.show()
            self.compensation.focus_amount()
        elif action == "correct":
            self.correct_category.setCurrentIndex(self.correct_category.findData(ticket.category))
            self._fill_subcategories()
            self.correct_subcategory.setCurrentIndex(
                self.correct_subcategory.findData(ticket.subcategory))
            self.correct_level.setCurrentIndex(self.correct_level.findData(ticket.level))
            self._show(self.pages["correct"], self.correct_category,
                       self.tr("Correct the category, subcategory or level"))
        else:
            titles = {
                "contact": self.tr("Contact with the customer"),
                "note": self.tr("Note on the ticket"),
                "rate": self.tr("Follow-up: the customer's satisfaction"),
                "reopen": self.tr("Reopen: back to rectifying"),
                "merge": self.tr("Merge this ticket into another (duplicate)"),
                "void": self.tr("Void: the ticket was entered in error"),
            }
            first: dict[str, QWidget] = {
                "contact": self.contact_method, "note": self.note_text,
                "rate": self.rate_score, "reopen": self.reopen_reason,
                "merge": self.merge_into, "void": self.void_reason,
            }
            self._show(self.pages[action], first[action], titles[action])

    def put_note(self, text: str) -> bool:
        """Open the note form with *text* added after what is typed there (a response
        script copied in); False when the ticket takes no note now. Nothing is saved:
        staff check the text and press Save."""
        if "note" not in self.allowed():
            return False
        if self._open != "note":
            self.open_action("note")
        typed = self.note_text.text().strip()
        self.note_text.setText(f"{typed} {text}" if typed else text)
        self.note_text.setFocus(Qt.FocusReason.OtherFocusReason)
        self.note_text.end(False)
        return True

    def close_form(self) -> None:
        """Hide the open form (its typed text stays for next time)."""
        self._open = None
        self.stack.setCurrentIndex(0)
        # Hidden when closed, so the timeline below gets the room.
        self.stack.hide()

    def open_form(self) -> str | None:
        """The action whose form is open."""
        return self._open

    # --- saving -----------------------------------------------------------------------

    def _say(self, text: str) -> None:
        self.message.setStyleSheet("color: #137333;")  # a failed "take" turned it red
        self.message.setText(text)
        steady.set_shown(self.message, bool(text))

    def _show(self, page: QWidget, focus: QWidget, title: str | None = None) -> None:
        if title is not None and isinstance(page, _Page):
            page.title.setText(title)
        if isinstance(page, _Page):
            page.error.clear()
        self.stack.setCurrentWidget(page)
        self.stack.show()
        focus.setFocus(Qt.FocusReason.OtherFocusReason)

    def _run(self, key: str, page_key: str, op: Op[Any],
             clear: tuple[QLineEdit, ...]) -> None:
        """Run *op* on the writer; on success clear the form, on failure say why."""
        page = self.pages[page_key]
        assert isinstance(page, _Page)
        if self._busy:
            return
        self._busy = True
        page.save.setEnabled(False)
        page.error.clear()

        def done(_result: object) -> None:
            self._busy = False
            page.save.setEnabled(True)
            for edit in clear:
                edit.clear()
            self.close_form()
            self._say(self.tr("Saved."))
            self.refresh()
            self.submitted.emit(key)

        def failed(exc: BaseException) -> None:
            self._busy = False
            page.save.setEnabled(True)
            page.error.setText(labels.error_message(exc, self._ctx.language))

        op.run(self._ctx, on_done=done, on_error=failed)

    def _target(self) -> tuple[Any, str] | None:
        staff = self._ctx.session.staff
        if staff is None or self._ticket is None:
            return None
        return staff, self._ticket.id

    def _save_advance(self) -> None:
        target = self._target()
        if target is None:
            return
        staff, tid = target
        to, note = self._advance_to, self.advance_note.text()
        self._run(f"advance:{to}", "advance",
                  tickets.advance(staff, tid, to, note=note or None),
                  (self.advance_note,))

    def _save_close(self) -> None:
        target = self._target()
        if target is None:
            return
        staff, tid = target
        accountability = {"outcome": self.close_outcome.currentData() or "",
                          "subject": self.close_subject.text().strip(),
                          "note": self.close_note.text().strip()}
        self._run("advance:closed", "close",
                  tickets.advance(staff, tid, "closed", accountability=accountability,
                                  note=accountability["note"] or None),
                  (self.close_subject, self.close_note))

    def _save_first_contact(self) -> None:
        target = self._target()
        if target is None:
            return
        staff, tid = target
        note = self.first_contact_note.text()
        self._run("first_contact", "first_contact",
                  tickets.resolve_first_contact(staff, tid, note),
                  (self.first_contact_note,))

    def _save_contact(self) -> None:
        target = self._target()
        if target is None:
            return
        staff, tid = target
        method, text = str(self.contact_method.currentData()), self.contact_text.text()
        self._run("contact", "contact",
                  tickets.contact_customer(staff, tid, method, text),
                  (self.contact_text,))

    def _save_note(self) -> None:
        target = self._target()
        if target is None:
            return
        staff, tid = target
        text = self.note_text.text()
        self._run("note", "note", tickets.add_note(staff, tid, text),
                  (self.note_text,))

    def _save_rate(self) -> None:
        target = self._target()
        if target is None:
            return
        staff, tid = target
        score, comment = self.rate_score.value(), self.rate_comment.text()
        if score == 0:
            page = self.pages["rate"]
            assert isinstance(page, _Page)
            page.error.setText(self.tr("Choose the customer's satisfaction, 1 to 5."))
            self.rate_score.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self._run("rate", "rate", tickets.rate(staff, tid, score, comment or None),
                  (self.rate_comment,))

    def _save_reopen(self) -> None:
        target = self._target()
        if target is None:
            return
        staff, tid = target
        reason = self.reopen_reason.text()
        self._run("reopen", "reopen", tickets.reopen(staff, tid, reason),
                  (self.reopen_reason,))

    def _save_merge(self) -> None:
        target = self._target()
        if target is None:
            return
        staff, tid = target
        into, reason = self.merge_into.text().strip(), self.merge_reason.text()
        self._run("merge", "merge",
                  tickets.merge(staff, tid, into, reason or None),
                  (self.merge_into, self.merge_reason))

    def _save_correct(self) -> None:
        target = self._target()
        if target is None:
            return
        staff, tid = target
        category = str(self.correct_category.currentData())
        sub = str(self.correct_subcategory.currentData())
        level = int(self.correct_level.currentData())
        reason = self.correct_reason.text()
        self._run("correct", "correct",
                  tickets.correct_triage(staff, tid, category=category, subcategory=sub,
                                         level=level, reason=reason),
                  (self.correct_reason,))

    def _save_void(self) -> None:
        target = self._target()
        if target is None:
            return
        staff, tid = target
        reason = self.void_reason.text()
        self._run("void", "void", tickets.void(staff, tid, reason),
                  (self.void_reason,))

    # --- assignment ---------------------------------------------------------------------

    def _fill_colleagues(self, ticket: TicketState) -> None:
        """The colleagues who can handle tickets: not the handler now, not the person acting
        (that is "take"). Read when the form opens: accounts change."""
        keep = self.assign_to.currentData()
        self.assign_to.clear()
        for person in list_staff(self._ctx.desk.conn):
            me = self._ctx.session.staff
            if (person.active and person.role in HANDLING_ROLES and person.id != ticket.handler
                    and (me is None or person.id != me.id)):
                role = labels.role_label(person.role, self._ctx.language)
                self.assign_to.addItem(f"{person.name} ({role})", person.id)
        self.assign_to.setCurrentIndex(max(0, self.assign_to.findData(keep)))

    def _save_take(self) -> None:
        target = self._target()
        if target is None or self._busy:
            return
        staff, tid = target
        self._busy = True
        self.refresh()

        def done(_result: object) -> None:
            self._busy = False
            self._say(self.tr("You handle this ticket now."))
            self.refresh()
            self.submitted.emit("take")

        def failed(exc: BaseException) -> None:
            self._busy = False
            self._say(labels.error_message(exc, self._ctx.language))
            self.message.setStyleSheet(_ERROR_STYLE)
            self.refresh()

        tickets.assign(staff, tid, staff).run(self._ctx, on_done=done, on_error=failed)

    def _save_assign(self) -> None:
        target = self._target()
        handler_id = self.assign_to.currentData()
        if target is None or not handler_id:
            return
        staff, tid = target
        handler = next((p for p in list_staff(self._ctx.desk.conn) if p.id == handler_id), None)
        if handler is None:
            return
        self._run("assign", "assign", tickets.assign(staff, tid, handler), ())
