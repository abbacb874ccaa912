"""One quick-entry window per desk database: a second ``kesu quick`` only brings it up.

A cashier binds ``kesu quick`` to a key in the desktop's keyboard settings. The first
press starts the window; later presses reach the running one through a local socket and
it shows at once (the window is kept built and hidden, not closed, between entries). The
client side is :mod:`ui.quick_handover`, plain Python, so the second process needs no
Qt import and is quick.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from ui.quick_handover import SHOW


class ShowServer(QObject):
    """Listens on the socket and calls *on_show* when another ``kesu quick`` asks."""

    shown = Signal()  # after each request was served

    def __init__(self, path: Path, on_show: Callable[[], None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._on_show = on_show
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        QLocalServer.removeServer(str(path))  # a stale file from a crash blocks listen()
        self.listening = self._server.listen(str(path))
        self._server.newConnection.connect(self._accept)

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            conn = self._server.nextPendingConnection()
            if conn is None:
                return
            conn.readyRead.connect(lambda c=conn: self._read(c))
            conn.disconnected.connect(conn.deleteLater)
            if conn.bytesAvailable():
                self._read(conn)

    def _read(self, conn: QLocalSocket) -> None:
        if SHOW.strip() in bytes(conn.readAll().data()):
            self._on_show()
            self.shown.emit()

    def close(self) -> None:
        """Stop listening (removes the socket file)."""
        self._server.close()
