"""The cashier's quick-entry window: a complaint in a few keystrokes, by keyboard only.

Keys (the design choice the brief asked to state):

* Focus starts in the note. While the note is empty and no category is picked, a digit
  key ``1``–``n`` picks the policy's *n*-th category instead of typing; after that,
  digits are text (a note may say "3瓶"). Backspace in the empty note undoes the pick.
* ``Alt+1``–``Alt+n`` picks or changes the category from any field, any time.
* Enter saves from any field; Esc puts the window away (hidden, or minimised when it
  is the app's only window) and keeps the unsaved entry.
* ``Ctrl+L`` locks the window (the PIN unlocks it); ``Ctrl+Shift+L`` changes cashier (the
  window locks with the staff id empty, for the next cashier's id and PIN). Like the main
  window's lock, an unsaved entry survives both, and whoever is logged in at Enter is
  its recorder.
* An amount above the cashier's limit does not stop the save: the complaint is saved and
  the compensation waits for a manager's (or headquarters') approval, and the message
  says so in amber, so the cashier tells the customer it is not given yet.

Saving runs :func:`desktop.quick_entry.record_quick` on the executor. While it runs the
fields are read-only and a second Enter is ignored, so a double Enter never saves twice
and nothing typed meanwhile is mixed into the cleared form.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.hq_reach import notice_code
from desktop.i18n import tr as core_tr
from desktop.quick_entry import (
    QuickEntry,
    QuickResult,
    categories,
    default_kind,
    limit_fen,
    over_limit,
    parse_amount,
)
from desktop.staff import Staff
from domain.centre_approvals import centre_decider
from domain.errors import KesuError
from domain.money import format_yuan
from domain.phones import normalise_phone
from ui import stale_errors
from ui.context import AppContext
from ui.executor import RefreshOn
from ui.fit import FlowLayout
from ui.labels import (
    category_label,
    compensation_kind_label,
    error_message,
    level_label,
    role_label,
)
from ui.login_form import ERROR_STYLE, LoginForm
from ui.operations import tickets

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_ERROR_STYLE = ERROR_STYLE
_OK_STYLE = "color: #137333;"
# Saved, but something still waits (a compensation for approval): must not read as done.
_WAIT_STYLE = "color: #b06000; font-weight: bold;"
_INVALID_FIELD = "border: 1px solid #d93025;"
# The picked category must be obvious at a glance across the counter.
_CATEGORY_STYLE = (
    "QPushButton { padding: 4px 6px; border: 1px solid #9aa0a6; border-radius: 4px; }"
    "QPushButton:checked { background: #1a73e8; color: white; border-color: #1a73e8;"
    " font-weight: bold; }"
)
# Which field an error from the core belongs to, by message code.
_FIELD_OF_CODE = {
    "input.empty": "note", "input.too_long": "note", "input.not_text": "note",
    "input.bad_phone": "phone",
    "input.amount_zero": "amount", "input.amount_negative": "amount",
    "input.amount_not_number": "amount", "input.amount_too_precise": "amount",
    "input.amount_too_large": "amount",
}


def _yuan(fen: int) -> str:
    """200.00 → 200, 12.50 → 12.5: how a cashier says an amount."""
    text = format_yuan(fen)
    return text.rstrip("0").rstrip(".") if "." in text else text


class QuickEntryWindow(QWidget):
    """Small, always-on-top window: log in, pick a category, type a note, Enter.

    ``saved(ticket_id, number)`` fires after each committed entry (printing hooks in).
    """

    saved = Signal(str, str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window | Qt.WindowType.WindowStaysOnTopHint)
        self.ctx = ctx
        self._busy = False
        self._cats: list[str] = []
        self._policy_version = ""
        self._error_field: str | None = None  # the field the message shown is about
        self.setObjectName("quick_entry")
        self.setWindowTitle(self.tr("Quick entry"))
        self.resize(420, 320)

        self._stack = QStackedWidget(self)
        self._stack.setObjectName("quick_pages")
        self._login_page = self._build_login()
        self._entry_page = self._build_entry()
        self._stack.addWidget(self._login_page)
        self._stack.addWidget(self._entry_page)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(10, 8, 10, 8)
        outer.addWidget(self._stack)

        RefreshOn(ctx.executor, self, lambda c: c.any_policy, self._policy_maybe_changed)
        ctx.session.staff_changed.connect(self._on_session)
        ctx.session.locked_changed.connect(self._on_session)
        self._on_session()

    # ------------------------------------------------------------------ building

    def _build_login(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("quick_login_page")
        title = QLabel(self.tr("Log in to record complaints"), page)
        title.setStyleSheet("font-weight: bold;")
        self.login_form = LoginForm(self.ctx, page, prefix="quick",
                                    submit_alignment=Qt.AlignmentFlag.AlignRight)
        # The form's parts under this window's names (its keys and tests use them).
        self.staff_id, self.pin = self.login_form.staff_id, self.login_form.pin
        self.login_button, self.login_message = self.login_form.submit, self.login_form.error
        self.login_button.setObjectName("quick_login")
        self.login_message.setObjectName("quick_login_message")
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(title)
        box.addWidget(self.login_form)
        box.addStretch(1)
        for w in (self.staff_id, self.pin, self.login_button):
            w.installEventFilter(self)
        return page

    def _build_entry(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("quick_entry_page")
        self.who = QLabel(page)
        self.who.setObjectName("quick_who")
        self.who.setStyleSheet("color: #5f6368;")

        row = FlowLayout()  # the categories wrap on a narrow window (English is longer)
        row.setSpacing(4)
        self._category_row, self._category_page = row, page
        self.category_group = QButtonGroup(page)
        self.category_group.setExclusive(False)  # exclusive groups cannot un-pick
        self.category_buttons: list[QPushButton] = []
        self.category_group.idClicked.connect(self._category_clicked)
        self.hint = QLabel(page)
        self.hint.setObjectName("quick_hint")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #5f6368; font-size: 11px;")

        self.note = QLineEdit(page)
        self.note.setObjectName("quick_note")
        self.note.setPlaceholderText(self.tr("What happened, in a few words"))
        self.phone = QLineEdit(page)
        self.phone.setObjectName("quick_phone")
        self.phone.setPlaceholderText(self.tr("Customer phone (optional)"))
        self.amount = QLineEdit(page)
        self.amount.setObjectName("quick_amount")
        self.amount.setPlaceholderText(self.tr("Yuan (optional)"))
        self.kind = QComboBox(page)
        self.kind.setObjectName("quick_kind")
        self._fill_from_policy()
        self.limit = QLabel(page)
        self.limit.setObjectName("quick_limit")
        self.limit.setStyleSheet("color: #5f6368;")
        money = QHBoxLayout()
        money.addWidget(self.amount, 1)
        money.addWidget(self.kind)
        money.addWidget(self.limit)

        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        for text, field in ((self.tr("&Note"), self.note), (self.tr("P&hone"), self.phone)):
            label = QLabel(text, page)
            label.setBuddy(field)
            form.addRow(label, field)
        amount_label = QLabel(self.tr("&Amount"), page)
        amount_label.setBuddy(self.amount)
        form.addRow(amount_label, money)

        self.message = QLabel(page)
        self.message.setObjectName("quick_message")
        self.message.setWordWrap(True)
        self.save_button = QPushButton(self.tr("&Save (Enter)"), page)
        self.save_button.setObjectName("quick_save")
        self.save_button.clicked.connect(self.save)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignTop)

        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(6)
        box.addWidget(self.who)
        box.addLayout(row)
        box.addWidget(self.hint)
        box.addLayout(form)
        box.addLayout(bottom)
        # Why a saved entry's compensation cannot be decided soon (headquarters cannot be
        # reached from this desk): full width, it is the cashier's to tell the customer.
        self.notice = QLabel(page)
        self.notice.setObjectName("quick_notice")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet(_WAIT_STYLE)
        self.notice.hide()
        box.addWidget(self.notice)
        box.addStretch(1)
        self.setTabOrder(self.note, self.phone)
        self.setTabOrder(self.phone, self.amount)
        self.setTabOrder(self.amount, self.kind)
        self.setTabOrder(self.kind, self.save_button)
        for w in (self.note, self.phone, self.amount, self.kind, self.save_button):
            w.installEventFilter(self)
        self.amount.editingFinished.connect(self._check_amount)
        # A message about a field goes as soon as that field is edited.
        fields: tuple[tuple[str, QWidget], ...] = (
            ("note", self.note), ("phone", self.phone), ("amount", self.amount),
            ("amount", self.kind))
        for name, edited in fields:
            stale_errors.clear_on_edit(partial(self._field_edited, name), edited)
        return page

    # ------------------------------------------------------------------ public

    def show_and_focus(self) -> None:
        """Show (or re-show) the window on top, active, with focus where typing starts."""
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()
        self._focus_start()

    def _fill_from_policy(self) -> None:
        """Category buttons and compensation kinds from the policy in force."""
        policy, lang = self.ctx.desk.policy, self.ctx.language
        self._policy_version = policy.version
        self._cats = categories(policy)[:9]
        for button in self.category_buttons:
            self.category_group.removeButton(button)
            button.deleteLater()
        self.category_buttons = []
        page = self._category_page
        for n, cat in enumerate(self._cats, start=1):
            button = QPushButton(f"{n} {category_label(policy, cat, lang)}", page)
            button.setObjectName(f"quick_category_{n}")
            button.setCheckable(True)
            # Keys pick categories (digits, Alt+digit); Tab stays on the text fields.
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setStyleSheet(_CATEGORY_STYLE)
            # Picked, the text turns bold: keep room for that, or it is clipped.
            bold = QFont(button.font())
            bold.setBold(True)
            button.setMinimumWidth(QFontMetrics(bold).horizontalAdvance(button.text()) + 24)
            self.category_group.addButton(button, n - 1)
            self.category_buttons.append(button)
            self._category_row.addWidget(button)
        self.hint.setText(self.tr(
            "Empty note: 1–{count} picks the category · Alt+number changes it · Esc hides"
        ).format(count=len(self._cats)) + " · " + self.tr(
            "Ctrl+L locks · Ctrl+Shift+L changes cashier"))
        kind = self.kind.currentData()
        self.kind.clear()
        for k in policy.compensation.kinds:
            self.kind.addItem(compensation_kind_label(k), k)
        keep = self.kind.findData(kind) if kind is not None else -1
        self.kind.setCurrentIndex(keep if keep >= 0 else
                                  max(0, self.kind.findData(default_kind(policy))))

    def _policy_maybe_changed(self) -> None:
        # Sync may install a new policy (then the executor reports a change): its
        # categories and kinds show at once; a picked category is dropped only if it is
        # gone from the new policy.
        if self.ctx.closed or self.ctx.desk.policy.version == self._policy_version:
            return
        picked = self.category()
        self._fill_from_policy()
        if picked in self._cats:
            self.pick_category(self._cats.index(picked) + 1)

    def dismiss(self) -> None:
        """Esc: out of the way, entry kept. Hidden beside the main window (F3 brings it
        back); minimised when it is the app's only window (``kesu quick``), so the
        taskbar can bring it back and the process is never left running unseen."""
        others = [w for w in QApplication.topLevelWidgets()
                  if w is not self and w.isVisible() and w.isWindow()]
        if others:
            self.hide()
        else:
            self.showMinimized()

    def category(self) -> str | None:
        """The policy key of the picked category, or ``None``."""
        picked = self.category_group.checkedId()
        return self._cats[picked] if picked >= 0 else None

    def pick_category(self, number: int) -> None:
        """Pick the *number*-th category (1-based), as its key or button would."""
        for i, button in enumerate(self.category_buttons):
            button.setChecked(i == number - 1)
        self._clear_error()

    def save(self) -> None:
        """Check the form here, then record it on the executor; ignored while saving."""
        if self._busy:
            return
        staff = self.ctx.session.staff
        if staff is None or self.ctx.session.locked:
            self._on_session()
            return
        entry = self._checked_entry(staff)
        if entry is None:
            return
        self._set_busy(True)
        self.notice.hide()
        self._show(self.tr("Saving…"), _OK_STYLE)
        tickets.save_quick(staff, entry).run(self.ctx, on_done=self._saved,
                                             on_error=self._save_failed)

    def lock(self, *, change_cashier: bool = False) -> None:
        """Lock the window now (Ctrl+L); with *change_cashier* (Ctrl+Shift+L) the staff
        id is emptied for the next cashier. The unsaved entry stays."""
        if self.ctx.session.staff is None:
            return
        self.pin.clear()
        self.login_message.clear()
        self.ctx.session.lock()  # locked_changed switches the page (and fills the id)
        if change_cashier:
            self.staff_id.clear()
        self._focus_start()

    def login(self) -> None:
        """Check the staff id and PIN on the executor, then log the session in (the
        session's signals switch the page)."""
        if not self._busy:
            self.login_form.log_in()

    # ------------------------------------------------------------------ keys

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter saves, Esc hides, digits and Alt+digits pick categories (module doc)."""
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        key, mods = event.key(), event.modifiers()
        plain = (mods & ~Qt.KeyboardModifier.KeypadModifier) == Qt.KeyboardModifier.NoModifier
        if key == Qt.Key.Key_Escape and plain:
            self.dismiss()
            return True
        control = Qt.KeyboardModifier.ControlModifier
        if key == Qt.Key.Key_L and mods in (control, control | Qt.KeyboardModifier.ShiftModifier):
            self.lock(change_cashier=bool(mods & Qt.KeyboardModifier.ShiftModifier))
            return True
        if key in _ENTER and plain:
            if watched is self.staff_id:
                self.pin.setFocus()
            elif watched in (self.pin, self.login_button):
                self.login()
            else:
                self.save()
            return True
        if self._stack.currentWidget() is not self._entry_page:
            return False
        number = self._digit(key)
        if number and mods & Qt.KeyboardModifier.AltModifier:
            self.pick_category(number)
            return True
        if watched is self.note and plain and not self.note.text() and not self._busy:
            if number and self.category() is None:
                self.pick_category(number)
                return True
            if key == Qt.Key.Key_Backspace and self.category() is not None:
                self.category_group.button(self.category_group.checkedId()).setChecked(False)
                return True
        return False

    def _digit(self, key: int) -> int:
        number = key - int(Qt.Key.Key_0)
        return number if 1 <= number <= len(self._cats) else 0

    def _category_clicked(self, picked: int) -> None:
        # Non-exclusive group (so a pick can be undone): keep only the clicked one.
        self.pick_category(picked + 1 if self.category_buttons[picked].isChecked() else 0)
        self.note.setFocus()

    # ------------------------------------------------------------------ saving

    def _checked_entry(self, staff: Staff) -> QuickEntry | None:
        """The entry if every field is right, else ``None`` with the error at its field."""
        self._clear_error()
        category = self.category()
        if category is None:
            self._field_error("category", self.tr("Pick a category first: press 1–{count}")
                              .format(count=len(self._cats)))
            return None
        entry = QuickEntry(category, self.note.text(), self.phone.text() or None,
                           self.amount.text() or None, str(self.kind.currentData()))
        if not entry.note.strip():
            self._field_error("note", self.tr("Say in a few words what happened"))
            return None
        try:
            normalise_phone(entry.phone)
        except KesuError as exc:
            self._field_error("phone", error_message(exc, self.ctx.language))
            return None
        try:
            parse_amount(self.ctx.desk.policy, staff, entry.amount)
        except KesuError as exc:
            self._field_error("amount", error_message(exc, self.ctx.language))
            return None
        return entry

    def _check_amount(self) -> None:
        # A bad amount, or one above the limit (it will wait for approval), is said as
        # the cashier leaves the field, before Enter.
        staff = self.ctx.session.staff
        if staff is None or self._busy:
            return
        try:
            fen = parse_amount(self.ctx.desk.policy, staff, self.amount.text() or None)
        except KesuError as exc:
            self._field_error("amount", error_message(exc, self.ctx.language), focus=False)
        else:
            self.amount.setStyleSheet("")
            policy = self.ctx.desk.policy
            limit = _yuan(limit_fen(policy, staff))
            if (fen is not None and fen > policy.compensation.role_limits_fen["manager"]
                    and centre_decider(fen, policy.compensation.regional_limit_fen)
                    == "regional"):
                self._show(self.tr(
                    "Above your limit of {limit} yuan: the complaint is saved and the "
                    "compensation waits for the regional manager's approval.").format(
                        limit=limit), _WAIT_STYLE)
            elif fen is not None and fen > policy.compensation.role_limits_fen["manager"]:
                self._show(self.tr(
                    "Above your limit of {limit} yuan: the complaint is saved and the "
                    "compensation waits for headquarters' approval.").format(limit=limit),
                    _WAIT_STYLE)
            elif over_limit(policy, staff, fen):
                self._show(self.tr(
                    "Above your limit of {limit} yuan: the complaint is saved and the "
                    "compensation waits for a manager's approval.").format(limit=limit),
                    _WAIT_STYLE)

    def _saved(self, result: QuickResult) -> None:
        self._set_busy(False)
        ticket = result.ticket
        parts = [self.tr("Saved {number} ✓").format(number=ticket.number)]
        policy, lang = self.ctx.desk.policy, self.ctx.language
        if result.corrected:
            parts.append(self.tr("category {chosen} (triage said {triaged})").format(
                chosen=category_label(policy, ticket.category, lang),
                triaged=category_label(policy, result.triaged_category, lang)))
        style, notice = _OK_STYLE, ""
        if result.outcome is not None:
            line = result.outcome.compensation
            what = dict(kind=compensation_kind_label(line.kind), amount=_yuan(line.amount_fen))
            if result.outcome.status == "granted":
                parts.append(self.tr("{kind} {amount} yuan granted").format(**what))
            elif result.outcome.status == "pending_approval":
                style = _WAIT_STYLE
                if line.approval_level == "hq" and centre_decider(
                        line.amount_fen,
                        self.ctx.desk.policy.compensation.regional_limit_fen) == "regional":
                    parts.append(self.tr("{kind} {amount} yuan is NOT given yet: it waits for "
                                         "the regional manager's approval").format(**what))
                elif line.approval_level == "hq":
                    parts.append(self.tr("{kind} {amount} yuan is NOT given yet: it waits for "
                                         "headquarters' approval").format(**what))
                else:
                    parts.append(self.tr("{kind} {amount} yuan is NOT given yet: it waits for "
                                         "a manager's approval").format(**what))
                if result.outcome.hq_unreachable:
                    notice = core_tr(notice_code(result.outcome.hq_unreachable),
                                     self.ctx.language)
            else:
                parts.append(self.tr("compensation refused: {reason}").format(
                    reason=result.outcome.reason))
        if ticket.level == 1:
            parts.append(self.tr("{level} alert raised").format(level=level_label(1)))
        self._clear_form()
        self._show(" · ".join(parts), style)
        self.notice.setText(notice)
        self.notice.setVisible(bool(notice))
        self._focus_start()
        self.saved.emit(ticket.id, ticket.number)

    def _save_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        code = exc.code if isinstance(exc, KesuError) else ""
        field = _FIELD_OF_CODE.get(code, "")
        # Nothing was saved (one transaction): the form stays for another Enter.
        self._field_error(field, error_message(exc, self.ctx.language))

    # ------------------------------------------------------------------ login

    def _on_session(self, *_: Any) -> None:
        staff = self.ctx.session.staff
        if staff is None or self.ctx.session.locked:
            self._stack.setCurrentWidget(self._login_page)
            if staff is not None and not self.staff_id.text():
                self.staff_id.setText(staff.id)  # locked: usually the same person
        else:
            self._stack.setCurrentWidget(self._entry_page)
            self.who.setText(f"{staff.name} · {role_label(staff.role, self.ctx.language)}")
            self.limit.setText(self.tr("Your limit {limit} yuan").format(
                limit=_yuan(limit_fen(self.ctx.desk.policy, staff))))
        self._focus_start()

    # ------------------------------------------------------------------ helpers

    def _focus_start(self) -> None:
        if self._stack.currentWidget() is self._entry_page:
            self.note.setFocus()
        else:
            self.login_form.focus_start()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for field in (self.note, self.phone, self.amount):
            field.setReadOnly(busy)

    def _clear_form(self) -> None:
        for field in (self.note, self.phone, self.amount):
            field.clear()
        for button in self.category_buttons:
            button.setChecked(False)
        self.kind.setCurrentIndex(max(0, self.kind.findData(default_kind(self.ctx.desk.policy))))

    def _show(self, text: str, style: str) -> None:
        self.message.setStyleSheet(style)
        self.message.setText(text)

    def _clear_error(self) -> None:
        self._error_field = None
        for field in (self.note, self.phone, self.amount):
            field.setStyleSheet("")
        if self.message.styleSheet() == _ERROR_STYLE:
            self.message.clear()

    def _field_edited(self, field: str) -> None:
        if field == self._error_field or (self._error_field == "" and field == "note"):
            self._clear_error()

    def _field_error(self, field: str, text: str, focus: bool = True) -> None:
        self._error_field = field
        widget = {"note": self.note, "phone": self.phone, "amount": self.amount}.get(field)
        if widget is not None:
            widget.setStyleSheet(_INVALID_FIELD)
        self._show(text, _ERROR_STYLE)
        if focus:
            (widget or self.note).setFocus()
