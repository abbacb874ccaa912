"""The app's printing in one object: the spooler, the status-line indicator, the queue
window, the print dialog, and printing after a save without a dialog.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QWidget

from desktop.printing import print_settings
from ui.context import AppContext
from ui.labels import error_message
from ui.operations import printing
from ui.printing.print_dialog import PrintDialog
from ui.printing.print_queue_panel import PrintQueueIndicator, PrintQueuePanel
from ui.printing.spooler import PrintSpooler


class Printing(QObject):
    """Owns the spooler and the printing windows of one app.

    ``problem(message)`` when a print could not even be queued (the ticket is saved).
    """

    problem = Signal(str)
    # Something the desk must know that is not a failure: where a PDF receipt went.
    notice = Signal(str)

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.spooler = PrintSpooler(ctx, self)
        self.indicator = PrintQueueIndicator(ctx)
        self.indicator.open_queue.connect(self.show_queue)
        self.spooler.jobs_changed.connect(self.indicator.refresh)
        self.spooler.job_printed.connect(self._printed)
        self.queue_window: PrintQueuePanel | None = None
        self.dialog: PrintDialog | None = None

    def _printed(self, _job_id: int) -> None:
        # A "PDF file" target wrote a file: never silently, the desk is told where.
        output = self.spooler.last_output
        if output is not None and output.suffix.lower() == ".pdf":
            self.notice.emit(self.tr("Receipt saved as a PDF file: {path}").format(
                path=output))

    def start(self) -> None:
        """Start printing queued jobs (after login; idempotent)."""
        self.spooler.start()

    def stop(self) -> None:
        """Stop taking jobs and close the printing windows (the app is closing)."""
        self.spooler.stop()
        for window in (self.queue_window, self.dialog):
            if window is not None:
                window.close()

    def show_queue(self) -> PrintQueuePanel:
        """Open (or raise) the print queue window."""
        if self.queue_window is None:
            self.queue_window = PrintQueuePanel(self._ctx)
            self.queue_window.setWindowFlag(Qt.WindowType.Window, True)
            self.spooler.jobs_changed.connect(self.queue_window.refresh)
        self.queue_window.refresh()
        self.queue_window.show()
        self.queue_window.raise_()
        self.queue_window.activateWindow()
        self.queue_window.table.setFocus()
        return self.queue_window

    def open_dialog(self, ticket_id: str, parent: QWidget | None = None) -> PrintDialog:
        """The preview + print dialog for *ticket_id* (non-modal)."""
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
        self.dialog = PrintDialog(self._ctx, ticket_id, parent)
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.kind.setFocus()
        return self.dialog

    def print_after_save(self, ticket_id: str, _number: str = "") -> bool:
        """Queue the complaint receipt of a just-saved ticket on the desk's printer and
        paper, without a dialog, when the desk has a printer and quick print is on."""
        settings = print_settings.read(self._ctx.desk.conn)
        if not settings.printer or not settings.quick_print or self._ctx.session.staff is None:
            return False
        staff, printer, paper = self._ctx.staff, settings.printer, settings.paper
        printing.enqueue(staff, ticket_id, kind="complaint", paper=paper,
                         printer=printer).run(
            self._ctx,
            on_error=lambda exc: self.problem.emit(error_message(exc, self._ctx.language)))
        return True
