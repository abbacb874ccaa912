"""The login screen, which is also the lock screen.

The same widget covers the work area when the desk is locked (idle or on demand): the
work area is only hidden, never rebuilt, so open forms survive a lock and a change of
staff. It offers the language at every login: a change made on the lock screen rebuilds
the work area in that language at the login (``ui.language_switch``), keeping open forms.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSettings, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.staff import Staff, authenticate
from ui import stale_errors
from ui.context import AppContext
from ui.labels import error_message, role_label
from ui.translations import install_language

LANGUAGE_CHOICES = (("zh_CN", "简体中文"), ("en", "English"))


class LoginWidget(QWidget):
    """Staff id and PIN; checks the PIN on the writer thread (failures are counted)."""

    logged_in = Signal(object)  # Staff
    language_changed = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.setObjectName("login")
        self._busy = False

        self._title = QLabel()
        self._title.setObjectName("login_title")
        font = QFont(self._title.font())
        font.setPointSize(font.pointSize() + 8)
        font.setBold(True)
        self._title.setFont(font)
        self._title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._store = QLabel(f"{ctx.desk.store_name}  {ctx.desk.store_code}-{ctx.desk.desk_code}")
        self._store.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._hint = QLabel()
        self._hint.setObjectName("login_hint")
        self._hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._hint.setWordWrap(True)

        self.staff_id = QLineEdit()
        self.staff_id.setObjectName("login_staff_id")
        self.staff_id.setMaxLength(32)
        self.pin = QLineEdit()
        self.pin.setObjectName("login_pin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(12)
        self.language = QComboBox()
        self.language.setObjectName("login_language")
        for code, name in LANGUAGE_CHOICES:
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(ctx.language)))
        self.language.currentIndexChanged.connect(self._language_picked)
        self.error = QLabel()
        self.error.setObjectName("login_error")
        self.error.setStyleSheet("color: #c5221f;")
        self.error.setWordWrap(True)
        self.submit = QPushButton()
        self.submit.setObjectName("login_submit")
        self.submit.setDefault(True)
        self.submit.clicked.connect(self._submit)
        self.staff_id.returnPressed.connect(self.pin.setFocus)
        self.pin.returnPressed.connect(self._submit)
        stale_errors.clear_on_edit(self.error.clear, self.staff_id, self.pin)

        self._form = QFormLayout()
        self._id_label, self._pin_label, self._lang_label = QLabel(), QLabel(), QLabel()
        self._form.addRow(self._id_label, self.staff_id)
        self._form.addRow(self._pin_label, self.pin)
        self._form.addRow(self._lang_label, self.language)

        box = QFrame()
        box.setObjectName("login_box")
        box.setFrameShape(QFrame.Shape.StyledPanel)
        box.setMaximumWidth(460)
        inner = QVBoxLayout(box)
        inner.addWidget(self._title)
        inner.addWidget(self._store)
        inner.addWidget(self._hint)
        inner.addLayout(self._form)
        inner.addWidget(self.error)
        inner.addWidget(self.submit)

        self.demo = QTableWidget(0, 4)
        self.demo.setObjectName("login_demo_staff")
        self.demo.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.demo.verticalHeader().hide()
        self.demo.setMaximumWidth(460)
        self.demo.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.demo.cellDoubleClicked.connect(self._demo_picked)
        self._demo_label = QLabel()
        self.demo.setVisible(bool(ctx.demo_staff))
        self._demo_label.setVisible(bool(ctx.demo_staff))

        row = QHBoxLayout()
        row.addStretch(1)
        column = QVBoxLayout()
        column.addStretch(1)
        column.addWidget(box)
        column.addWidget(self._demo_label)
        column.addWidget(self.demo)
        column.addStretch(2)
        row.addLayout(column)
        row.addStretch(1)
        self.setLayout(row)
        self.retranslate()

    # --- language ----------------------------------------------------------------------

    def retranslate(self) -> None:
        """Set every visible string in the current language."""
        self._title.setText(self.tr("Kesu complaint desk"))
        self._id_label.setText(self.tr("Staff &ID"))
        self._id_label.setBuddy(self.staff_id)
        self._pin_label.setText(self.tr("&PIN"))
        self._pin_label.setBuddy(self.pin)
        self._lang_label.setText(self.tr("&Language"))
        self._lang_label.setBuddy(self.language)
        self.submit.setText(self.tr("Log in"))
        self.staff_id.setPlaceholderText(self.tr("e.g. d01"))
        self._demo_label.setText(self.tr("Demo store: staff and PINs (double-click to fill)"))
        self.demo.setHorizontalHeaderLabels(
            [self.tr("ID"), self.tr("Name"), self.tr("Role"), self.tr("PIN")])
        self.demo.setRowCount(len(self._ctx.demo_staff))
        for i, (sid, name, role, pin) in enumerate(self._ctx.demo_staff):
            for j, text in enumerate((sid, name, role_label(role, self._ctx.language), pin)):
                self.demo.setItem(i, j, QTableWidgetItem(text))
        self.demo.resizeColumnsToContents()
        self.demo.setFixedHeight(self.demo.horizontalHeader().height()
                                 + sum(self.demo.rowHeight(i) for i in range(self.demo.rowCount()))
                                 + 4)
        self._update_hint()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def allow_language_choice(self, allowed: bool) -> None:
        """Offer the language choice or not (the window offers it at every login)."""
        self.language.setEnabled(allowed)

    def _language_picked(self, index: int) -> None:
        code = str(self.language.itemData(index))
        self._ctx.language = install_language(code)
        QSettings().setValue("language", self._ctx.language)
        self.language_changed.emit(self._ctx.language)

    # --- lock state --------------------------------------------------------------------

    def prepare(self) -> None:
        """Show the screen for the session's state: a fresh login or the lock screen."""
        self.pin.clear()
        self.error.clear()
        staff = self._ctx.session.staff
        if staff is not None and not self.staff_id.text():
            self.staff_id.setText(staff.id)
        self._update_hint()
        (self.pin if self.staff_id.text() else self.staff_id).setFocus()

    def _update_hint(self) -> None:
        staff = self._ctx.session.staff
        if staff is not None and self._ctx.session.locked:
            self._hint.setText(self.tr(
                "Locked. {name} can go on with their PIN; another staff member can log in "
                "with their own ID. Open forms are kept.").format(name=staff.name))
        else:
            self._hint.setText(self.tr("Log in with your staff ID and PIN."))

    def _demo_picked(self, row: int, _column: int) -> None:
        staff_item, pin_item = self.demo.item(row, 0), self.demo.item(row, 3)
        if staff_item is None or pin_item is None:
            return
        self.staff_id.setText(staff_item.text())
        self.pin.setText(pin_item.text())
        self.pin.setFocus()

    # --- checking ----------------------------------------------------------------------

    def _submit(self) -> None:
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
        self._busy = True
        self.submit.setEnabled(False)
        self.error.clear()
        self._ctx.executor.submit(
            lambda desk: authenticate(desk.conn, desk.policy.staff, desk.clock, staff_id, pin),
            on_done=self._accepted, on_error=self._refused, writes=False)

    def _accepted(self, staff: Staff) -> None:
        self._busy = False
        self.submit.setEnabled(True)
        self.pin.clear()
        self._ctx.session.login(staff)
        self.logged_in.emit(staff)

    def _refused(self, exc: BaseException) -> None:
        self._busy = False
        self.submit.setEnabled(True)
        self.pin.clear()
        self.pin.setFocus()
        self.error.setText(error_message(exc, self._ctx.language))
