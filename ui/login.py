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
    QFrame,
    QHBoxLayout,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.context import AppContext
from ui.labels import role_label
from ui.login_form import LoginForm
from ui.translations import install_language

LANGUAGE_CHOICES = (("zh_CN", "简体中文"), ("en", "English"))


class LoginWidget(QWidget):
    """The title, the store, the hint and the language around the one :class:`LoginForm`."""

    logged_in = Signal(object)  # Staff
    language_changed = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.setObjectName("login")

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

        self.form = LoginForm(ctx, prefix="login")
        self.form.accepted.connect(self.logged_in.emit)
        # The form's parts, as the window's tests and the language switch know them.
        self.staff_id, self.pin = self.form.staff_id, self.form.pin
        self.error, self.submit = self.form.error, self.form.submit
        self.language = QComboBox()
        self.language.setObjectName("login_language")
        for code, name in LANGUAGE_CHOICES:
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(ctx.language)))
        self.language.currentIndexChanged.connect(self._language_picked)
        self._lang_label = QLabel()
        self.form.rows.addRow(self._lang_label, self.language)

        box = QFrame()
        box.setObjectName("login_box")
        box.setFrameShape(QFrame.Shape.StyledPanel)
        box.setMaximumWidth(460)
        inner = QVBoxLayout(box)
        inner.addWidget(self._title)
        inner.addWidget(self._store)
        inner.addWidget(self._hint)
        inner.addWidget(self.form)

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
        self.form.retranslate()
        self._lang_label.setText(self.tr("&Language"))
        self._lang_label.setBuddy(self.language)
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
        self.form.focus_start()

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
