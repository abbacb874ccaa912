"""The alert banner and tray notifications: level-1, overdue and escalated tickets.

An alert stays on the banner until someone acknowledges it (recorded as an event by
:mod:`desktop.alerts`); each new alert also pops a system-tray message where the desktop
has a tray. Escalation steps that fall due are recorded here too, on a timer.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QIcon, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QSystemTrayIcon,
    QWidget,
)

from desktop.alerts import Alert, acknowledge, active_alerts
from desktop.ticket_actions import escalate_due
from ui.context import AppContext
from ui.labels import error_message, level_label, subcategory_label

ESCALATE_EVERY_MS = 60_000
RECHECK_EVERY_MS = 15_000


class AlertBanner(QFrame):
    """A red bar over the work area while any alert is unacknowledged."""

    open_ticket = Signal(str)
    alerts_changed = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.setObjectName("alert_banner")
        self.setStyleSheet(
            "#alert_banner { background: #d93025; border-radius: 4px; }"
            "#alert_banner QLabel { color: white; font-weight: bold; }"
            "#alert_banner QPushButton { background: white; color: #d93025;"
            " border-radius: 3px; padding: 3px 12px; font-weight: bold; }")
        self.alerts: list[Alert] = []
        self._seen: set[tuple[str, str]] = set()
        self.text = QLabel()
        self.text.setObjectName("alert_text")
        self.text.setWordWrap(True)  # a long alert takes two lines, never the window's width
        self.more = QLabel()
        self.more.setObjectName("alert_more")
        self.view_button = QPushButton(self.tr("&Open"))
        self.view_button.setObjectName("alert_open")
        self.view_button.clicked.connect(self._open)
        self.ack_button = QPushButton(self.tr("&Acknowledge"))
        self.ack_button.setObjectName("alert_ack")
        self.ack_button.clicked.connect(self.acknowledge_current)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.more)
        layout.addWidget(self.view_button)
        layout.addWidget(self.ack_button)
        QShortcut(QKeySequence("Ctrl+Shift+A"), self, self.acknowledge_current)
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
            self.tray = QSystemTrayIcon(QIcon(icon), self)
            self.tray.show()
        self.hide()

        ctx.executor.changed.connect(self.refresh)
        self._recheck = QTimer(self)
        self._recheck.setInterval(RECHECK_EVERY_MS)
        self._recheck.timeout.connect(self.refresh)
        self._recheck.start()
        self._escalate = QTimer(self)
        self._escalate.setInterval(ESCALATE_EVERY_MS)
        self._escalate.timeout.connect(self.run_escalation)
        self._escalate.start()

    def run_escalation(self) -> None:
        """Record escalation steps that fell due (on the writer thread)."""
        if self._ctx.closed:
            return
        self._ctx.executor.submit(escalate_due, on_done=lambda _raised: self.refresh(),
                                  on_error=lambda _exc: None)

    def refresh(self) -> None:
        """Re-read the alerts (a few indexed rows) and show the most urgent one."""
        if self._ctx.closed:
            return
        self.alerts = active_alerts(self._ctx.desk)
        fresh = [a for a in self.alerts if (a.ticket_id, a.key) not in self._seen]
        self._seen |= {(a.ticket_id, a.key) for a in self.alerts}
        if fresh and self.tray is not None:
            self.tray.showMessage(self.tr("Kesu alert"), self.describe(fresh[0]),
                                  QSystemTrayIcon.MessageIcon.Warning, 10_000)
        if self.tray is not None:
            self.tray.setToolTip(self.tr("{count} alerts").format(count=len(self.alerts)))
        if not self.alerts:
            self.hide()
        else:
            self.text.setText(self.describe(self.alerts[0]))
            self.more.setText(self.tr("+{count} more").format(count=len(self.alerts) - 1)
                              if len(self.alerts) > 1 else "")
            self.show()
        self.alerts_changed.emit(len(self.alerts))

    def describe(self, alert: Alert) -> str:
        """One line saying what the alert is about."""
        sub = subcategory_label(self._ctx.desk.policy, alert.subcategory, self._ctx.language)
        if alert.kind == "escalated":
            return self.tr("Escalated (step {step}): {number} {sub}").format(
                step=alert.escalation_step, number=alert.number, sub=sub)
        if alert.kind == "overdue":
            return self.tr("Response overdue: {number} {level} {sub}").format(
                number=alert.number, level=level_label(alert.level), sub=sub)
        return self.tr("New level-1 complaint: {number} {sub}").format(
            number=alert.number, sub=sub)

    def _open(self) -> None:
        if self.alerts:
            self.open_ticket.emit(self.alerts[0].ticket_id)

    def acknowledge_current(self) -> None:
        """The person at the desk saw the alert shown: record it, show the next."""
        if not self.alerts or self._ctx.session.staff is None:
            return
        alert = self.alerts[0]
        staff = self._ctx.staff
        self.ack_button.setEnabled(False)

        def done(_result: object) -> None:
            self.ack_button.setEnabled(True)

        def failed(exc: BaseException) -> None:
            self.ack_button.setEnabled(True)
            self.text.setText(error_message(exc, self._ctx.language))

        self._ctx.executor.submit(
            lambda desk: acknowledge(desk, staff, alert.ticket_id, alert.key),
            on_done=done, on_error=failed)
