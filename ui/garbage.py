"""Python's cycle collector runs on the GUI thread only.

The collector runs in whichever thread happens to allocate when a threshold is crossed:
here that is often the writer or sync thread. A cycle holding Qt objects (a widget and a
lambda connected to one of its signals) would then be destroyed from that thread, which Qt
forbids, and the process crashes at random. So, like Anki, Kesu turns automatic
collection off and collects on a timer in the GUI thread. Reference counting still frees
everything that is not in a cycle at once.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

COLLECT_EVERY_MS = 10_000


class GuiThreadCollector(QObject):
    """Owns the timer; create it once, on the GUI thread, after the QApplication."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(COLLECT_EVERY_MS)
        self._timer.timeout.connect(self.collect)
        self._timer.start()

    @staticmethod
    def collect() -> int:
        """Collect cycles now (on the calling thread, which must be the GUI thread)."""
        return gc.collect()
