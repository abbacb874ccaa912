"""The print spooler: takes waiting jobs one at a time and hands them to the printer.

Each job: the writer (``ctx.executor``) draws it and marks it ``printing``; a worker
``QThread`` paints it onto the printer (a hung driver blocks only that thread, never the
window or a ticket save); the writer then records ``printed`` with its event, or
``failed`` with the printer's message. Jobs queued meanwhile wait their turn; the spooler
looks for them whenever the writer changed something.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal

from desktop.printing import print_queue
from desktop.printing.print_queue import PrintJob, RenderedJob
from ui.context import AppContext
from ui.executor import RefreshOn
from ui.labels import error_message
from ui.operations import printing
from ui.printing.pdf_pages import PrintFailed
from ui.printing.render import print_pdf

STOP_WAIT_MS = 5_000


class _PrintThread(QThread):
    """Paints one rendered job onto its printer, off the GUI thread."""

    def __init__(self, job: PrintJob, rendered: RenderedJob, parent: QObject | None) -> None:
        super().__init__(parent)
        self.job = job
        self.rendered = rendered
        self.error: str | None = None
        self.output: Path | None = None

    def run(self) -> None:
        job = self.job
        try:
            self.output = print_pdf(self.rendered.pdf, job.printer, job.paper,
                                    job_name=f"{job.number}-{job.kind}-{job.id}")
        except PrintFailed as exc:
            self.error = str(exc)
        except Exception as exc:  # a driver's surprise must fail the job, not vanish
            self.error = f"{type(exc).__name__}: {exc}"


class PrintSpooler(QObject):
    """Prints the desk's queued receipts, one at a time, in order.

    Signals: ``jobs_changed()`` after any job changed state; ``job_failed(id, message)``;
    ``job_printed(id)``.
    """

    jobs_changed = Signal()
    job_failed = Signal(int, str)
    job_printed = Signal(int)

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("print_spooler")
        self._ctx = ctx
        self._busy = False
        self._running = False
        self._thread: _PrintThread | None = None
        self.last_output: Path | None = None
        RefreshOn(ctx.executor, self, lambda c: c.any_print_job, self.poll)  # a job may wait

    def start(self) -> None:
        """Begin: jobs a crash left ``printing`` become ``failed`` (never reprinted by
        themselves), then waiting jobs print."""
        if self._running:
            return
        self._running = True
        self._busy = True
        language = self._ctx.language
        printing.recover_interrupted(language).run(
            self._ctx, on_done=lambda _ids: self._idle(), on_error=lambda _exc: self._idle())

    def stop(self) -> None:
        """Take no more jobs; wait a little for the one at the printer."""
        self._running = False
        if self._thread is not None and self._thread.isRunning():
            self._thread.wait(STOP_WAIT_MS)

    def busy(self) -> bool:
        """A job is being drawn, printed or recorded."""
        return self._busy

    def poll(self) -> None:
        """Take the next waiting job if idle (cheap indexed read on the GUI connection)."""
        if not self._running or self._busy or self._ctx.closed:
            return
        if print_queue.next_waiting(self._ctx.desk.conn) is None:
            return
        self._busy = True
        language = self._ctx.language
        printing.take_next(language).run(self._ctx, on_done=self._taken,
                                         on_error=self._take_failed)

    def _idle(self) -> None:
        self._busy = False
        self.jobs_changed.emit()
        self.poll()

    def _take_failed(self, exc: BaseException) -> None:
        # Drawing or marking failed on the writer: leave the queue as it is and say so.
        self._busy = False
        self.jobs_changed.emit()
        self.job_failed.emit(0, error_message(exc, self._ctx.language))

    def _taken(self, taken: tuple[PrintJob, RenderedJob] | None) -> None:
        if taken is None:  # nothing waited after all, or the job failed while drawing
            self._idle()
            return
        job, rendered = taken
        self.jobs_changed.emit()
        thread = _PrintThread(job, rendered, self)
        thread.finished.connect(lambda: self._printed(thread))
        self._thread = thread
        thread.start()

    def _printed(self, thread: _PrintThread) -> None:
        job, rendered, error = thread.job, thread.rendered, thread.error
        self._thread = None
        thread.deleteLater()
        if self._ctx.closed:
            return
        if error is None:
            self.last_output = thread.output
            printing.complete(job, rendered).run(
                self._ctx, on_done=lambda _j: self._finished(job.id, None),
                on_error=lambda exc: self._finished(
                    job.id, error_message(exc, self._ctx.language)))
        else:
            printing.fail(job.id, error).run(
                self._ctx, on_done=lambda _j: self._finished(job.id, error),
                on_error=lambda _exc: self._finished(job.id, error))

    def _finished(self, job_id: int, error: str | None) -> None:
        if error is None:
            self.job_printed.emit(job_id)
        else:
            self.job_failed.emit(job_id, error)
        self._idle()
