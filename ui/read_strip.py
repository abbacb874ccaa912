"""A strip over the work area that shows something read from the desk's database: the
shape the manager's attention strip and the centre's product alerts share.

The strip is read on the reader thread (``ctx.reader``) when it becomes active, each
:data:`RECHECK_MS` (what it shows may change with the clock or an idle sync round) and
when a subclass asks (``refresh``); only the latest read is shown (a slow older one is
dropped), a failed read says why in the title, and ``refreshed`` is emitted after each.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFrame, QLabel, QWidget

from desktop.desk import Desk
from ui import labels
from ui.context import AppContext

RECHECK_MS = 60_000


class ReadStrip(QFrame):
    """A strip read on the reader thread; subclasses say what to read and show it."""

    # Emitted after the strip was read again (tests wait on it).
    refreshed = Signal()

    def __init__(self, ctx: AppContext, title: QLabel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._active = False
        self._generation = 0
        self.title = title
        self._recheck = QTimer(self)
        self._recheck.setInterval(RECHECK_MS)
        self._recheck.timeout.connect(self.refresh)
        self.hide()

    def set_active(self, active: bool) -> None:
        """Shown to whoever may see it (read now); hidden and stopped otherwise."""
        self._active = active
        if active:
            self._recheck.start()
            self.refresh()
        else:
            self._recheck.stop()
            self._stopped()
            self.hide()

    def refresh(self) -> None:
        """Read again (on the reader thread)."""
        if not self._active or self._ctx.closed:
            return
        self._generation += 1
        generation = self._generation

        def done(result: Any) -> None:
            if generation == self._generation:
                self._show(result)
                self.refreshed.emit()

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self.title.setText(labels.error_message(exc, self._ctx.language))
                self.refreshed.emit()

        self._ctx.reader.submit(self._read, done, failed, writes=False)

    # --- for subclasses ---------------------------------------------------------------

    def _read(self, desk: Desk) -> Any:
        """What the strip shows, read from *desk* (on the reader thread)."""
        raise NotImplementedError

    def _show(self, result: Any) -> None:
        """Show what :meth:`_read` returned (on the GUI thread)."""
        raise NotImplementedError

    def _stopped(self) -> None:
        """The strip went inactive (a subclass stops its own timers)."""
