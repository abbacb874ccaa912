"""Staff id and PIN: the one login form, on the login and lock screen and in quick entry.

The PIN is checked on the writer thread (a wrong one counts towards the staff lock);
a right one logs the session in and emits ``accepted(staff)``. The windows around it
add what is theirs (the main window's title, language and demo staff; quick entry's
keys), so both say the same words and behave alike.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desktop.staff import Staff, authenticate
from ui import stale_errors
from ui.context import AppContext
from ui.labels import error_message

ERROR_STYLE = "color: #c5221f;"


class LoginForm(QWidget):
    """The staff id and PIN fields, the error line and the log-in button.

    *prefix* names the widgets (``{prefix}_staff_id``, ``{prefix}_pin``,
    ``{prefix}_submit``, ``{prefix}_error``) for each window's tests and style.
    """

    accepted = Signal(object)  # Staff

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, prefix: str,
                 submit_alignment: Qt.AlignmentFlag | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._busy = False
        self.staff_id = QLineEdit(self)
        self.staff_id.setObjectName(f"{prefix}_staff_id")
        self.staff_id.setMaxLength(32)
        self.pin = QLineEdit(self)
        self.pin.setObjectName(f"{prefix}_pin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(12)
        self.error = QLabel(self)
        self.error.setObjectName(f"{prefix}_error")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.submit = QPushButton(self)
        self.submit.setObjectName(f"{prefix}_submit")
        self.submit.setDefault(True)
        self.submit.clicked.connect(self.log_in)
        self.staff_id.returnPressed.connect(self.pin.setFocus)
        self.pin.returnPressed.connect(self.log_in)
        stale_errors.clear_on_edit(self.error.clear, self.staff_id, self.pin)

        self.rows = QFormLayout()
        self._id_label, self._pin_label = QLabel(self), QLabel(self)
        self._id_label.setBuddy(self.staff_id)
        self._pin_label.setBuddy(self.pin)
        self.rows.addRow(self._id_label, self.staff_id)
        self.rows.addRow(self._pin_label, self.pin)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.rows)
        layout.addWidget(self.error)
        if submit_alignment is None:
            layout.addWidget(self.submit)
        else:
            layout.addWidget(self.submit, 0, submit_alignment)
        self.retranslate()

    def retranslate(self) -> None:
        """Set the form's strings in the current language."""
        self._id_label.setText(self.tr("Staff &ID"))
        self._pin_label.setText(self.tr("&PIN"))
        self.submit.setText(self.tr("Log in"))
        self.staff_id.setPlaceholderText(self.tr("e.g. d01"))

    def changeEvent(self, event: QEvent) -> None:
        """Follow a change of language."""
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def busy(self) -> bool:
        """A PIN is being checked."""
        return self._busy

    def focus_start(self) -> None:
        """The PIN when the id is filled in (a lock screen), else the id."""
        (self.pin if self.staff_id.text() else self.staff_id).setFocus()

    def log_in(self) -> None:
        """Check the fields, then the PIN on the writer thread (once at a time)."""
        if self._busy:
            return
        staff_id, pin = self.staff_id.text().strip(), self.pin.text()
        if not staff_id:
            self.error.setText(self.tr("Enter your staff ID."))
            self.staff_id.setFocus()
            return
        if not pin:
            self.error.setText(self.tr("Enter your PIN."))
            self.pin.setFocus()
            return
        self._set_busy(True)
        self.error.clear()
        self._ctx.executor.submit(
            lambda desk: authenticate(desk.conn, desk.policy.staff, desk.clock, staff_id, pin),
            on_done=self._accepted, on_error=self._refused, writes=False)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.submit.setEnabled(not busy)
        for field in (self.staff_id, self.pin):
            field.setReadOnly(busy)

    def _accepted(self, staff: Staff) -> None:
        self._set_busy(False)
        self.pin.clear()
        self.error.clear()
        self._ctx.session.login(staff)
        self.accepted.emit(staff)

    def _refused(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.pin.clear()
        self.pin.setFocus()
        self.error.setText(error_message(exc, self._ctx.language))
