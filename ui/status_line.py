"""The status bar: who is logged in, the policy version, and the sync state."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from desktop.changes import Changes
from desktop.desk_sync.wiring import local_sync_status
from desktop.hq_reach import notice_code, stranded_requests
from desktop.i18n import tr as core_tr
from ui.context import AppContext
from ui.labels import local_time, role_label

REFRESH_MS = 5_000


class StatusLine(QStatusBar):
    """Always visible at the bottom of the main window."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.setObjectName("status_line")
        self.staff_label = QLabel()
        self.staff_label.setObjectName("status_staff")
        self.policy_label = QLabel()
        self.policy_label.setObjectName("status_policy")
        self.sync_label = QLabel()
        self.sync_label.setObjectName("status_sync")
        self.addWidget(self.staff_label)
        self.addPermanentWidget(self.sync_label)
        self.addPermanentWidget(self.policy_label)
        ctx.session.staff_changed.connect(lambda _s: self.refresh())
        ctx.executor.changed.connect(self._data_changed)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.refresh()

    def _data_changed(self, changes: Changes) -> None:
        # Events waiting for the centre, the policy, and requests stranded for HQ.
        if changes.any_sync_state or changes.any_policy or changes.any_compensation:
            self.refresh()

    def refresh(self) -> None:
        """Re-read who, which policy, and sync (local data only: never the network)."""
        ctx = self._ctx
        if ctx.closed:
            return
        staff = ctx.session.staff
        self.staff_label.setText(
            self.tr("Logged in: {name} ({role})").format(
                name=staff.name, role=role_label(staff.role, ctx.language))
            if staff else self.tr("Nobody logged in"))
        self.policy_label.setText(self.tr("Policy {version}").format(
            version=ctx.desk.policy.version))
        status = local_sync_status(ctx.desk)
        if not status["server"]:
            text, colour = self.tr("Offline desk (not enrolled for sync)"), "#5f6368"
        elif status["update_required"]:
            text, colour = self.tr("Sync: update Kesu to keep receiving changes"), "#c5221f"
        else:
            last = (local_time(status["last_success"], ctx.desk.policy)
                    if status["last_success"] else self.tr("never"))
            text = self.tr("Sync: {pending} waiting, last success {last}").format(
                pending=status["pending"], last=last)
            colour = "#188038"
            if status["last_error"]:
                text += " · " + self.tr("last error: {error}").format(
                    error=str(status["last_error"])[:60])
                colour = "#b06000"
        waiting, unreachable = stranded_requests(ctx.desk.conn)
        if unreachable:
            # Said as long as any such request waits: nobody at the centre (the regional
            # manager or headquarters, whoever decides it) sees it. It takes the place of
            # the sync text (which says no more than "not enrolled" or "token refused"
            # then), so the line stays short enough for the staff name.
            text = self.tr("{count} waiting for the centre cannot reach it: enrol and sync"
                           ).format(count=waiting)
            self.sync_label.setToolTip(core_tr(notice_code(unreachable), ctx.language))
            colour = "#c5221f"
        else:
            self.sync_label.setToolTip("")
        self.sync_label.setText(text)
        self.sync_label.setStyleSheet(f"color: {colour};")
