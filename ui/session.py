"""Who is at the desk: login, switching staff, and the idle lock.

The session never owns forms: locking covers the window and switching staff changes who
acts next, so a half-typed complaint survives both.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal

from desktop.staff import Staff

_ACTIVITY = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
    QEvent.Type.Wheel, QEvent.Type.TouchBegin,
})


class Session(QObject):
    """The logged-in staff member and the lock state."""

    staff_changed = Signal(object)  # Staff | None
    locked_changed = Signal(bool)

    def __init__(self, idle_lock_ms: int, parent: QObject | None = None,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        super().__init__(parent)
        self.staff: Staff | None = None
        self.locked = False
        self.idle_lock_ms = idle_lock_ms
        self._monotonic = monotonic
        self._last_activity = monotonic()
        self._timer = QTimer(self)
        self._timer.setInterval(max(50, min(1000, idle_lock_ms // 4)))
        self._timer.timeout.connect(self._check_idle)

    def login(self, staff: Staff) -> None:
        """*staff* acts from now on (after a PIN check); unlocks."""
        changed = self.staff != staff
        self.staff = staff
        self.touch()
        if changed:
            self.staff_changed.emit(staff)
        if self.locked:
            self.locked = False
            self.locked_changed.emit(False)
        if self.idle_lock_ms > 0:
            self._timer.start()

    def lock(self) -> None:
        """Lock now (on demand or idle); the staff member stays until someone logs in."""
        if self.staff is not None and not self.locked:
            self.locked = True
            self._timer.stop()
            self.locked_changed.emit(True)

    def logout(self) -> None:
        """Nobody is logged in."""
        self._timer.stop()
        self.staff = None
        self.staff_changed.emit(None)

    def lock_timer_off(self) -> None:
        """Stop watching for idleness (the app is closing)."""
        self._timer.stop()

    def touch(self) -> None:
        """Someone used the keyboard or mouse."""
        self._last_activity = self._monotonic()

    def idle_seconds(self) -> float:
        """Seconds since the last activity."""
        return self._monotonic() - self._last_activity

    def _check_idle(self) -> None:
        if self.idle_lock_ms > 0 and self.idle_seconds() * 1000 >= self.idle_lock_ms:
            self.lock()


class ActivityFilter(QObject):
    """Application-wide event filter that tells the session someone is working."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._session = session

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY:
            self._session.touch()
        return False
