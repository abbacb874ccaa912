"""The visible print queue: every job with its state and error, Retry and Cancel; and the
status line's indicator ("打印队列：1 失败"), which opens it.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.printing import print_queue
from desktop.printing.escpos import is_escpos
from desktop.printing.print_queue import PrintJob
from desktop.printing.print_settings import pdf_folder
from ui.context import AppContext
from ui.executor import RefreshOn
from ui.labels import error_message, local_time
from ui.operations import printing
from ui.operations.op import Op

translate = QCoreApplication.translate
FAILED_COLOUR = "#c5221f"
WAITING_COLOUR = "#b06000"


def kind_label(kind: str) -> str:
    """The receipt kind in the UI's language."""
    return {
        "complaint": translate("PrintQueue", "Complaint receipt"),
        "compensation": translate("PrintQueue", "Compensation voucher"),
        "closing": translate("PrintQueue", "Closing slip"),
    }.get(kind, kind)


def status_label(status: str) -> str:
    """A print job's state in the UI's language."""
    return {
        "waiting": translate("PrintQueue", "Waiting"),
        "printing": translate("PrintQueue", "Printing"),
        "printed": translate("PrintQueue", "Printed"),
        "failed": translate("PrintQueue", "Failed"),
        "cancelled": translate("PrintQueue", "Cancelled"),
    }.get(status, status)


def printer_label(printer: str) -> str:
    """A system printer's name, "PDF file (folder)" for the built-in target, or
    "ESC/POS thermal printer (address)"."""
    folder = pdf_folder(printer)
    if folder is None and is_escpos(printer):  # a driverless thermal printer
        return translate("PrintQueue", "ESC/POS thermal printer ({target})").format(
            target=printer[len("escpos:"):])
    if folder is None:
        return printer
    return translate("PrintQueue", "PDF file ({folder})").format(folder=folder)


class PrintQueuePanel(QWidget):
    """The desk's print jobs, newest first, with Retry and Cancel.

    Shown as its own window from the status line; refreshes after every write.
    """

    COLUMNS = 8

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.setObjectName("print_queue_panel")
        self.setWindowTitle(self.tr("Print queue"))
        self.table = QTableWidget(0, self.COLUMNS)
        self.table.setObjectName("print_queue_table")
        self.table.setHorizontalHeaderLabels([
            self.tr("Job"), self.tr("Ticket"), self.tr("Receipt"), self.tr("Printer"),
            self.tr("Status"), self.tr("Attempts"), self.tr("Requested"), self.tr("Error")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        # A PDF folder's path is long: the printer column is cut, its tooltip is whole.
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(3, 200)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.retry_button = QPushButton(self.tr("&Retry"))
        self.retry_button.setObjectName("print_retry")
        self.retry_button.clicked.connect(self.retry_selected)
        self.cancel_button = QPushButton(self.tr("&Cancel job"))
        self.cancel_button.setObjectName("print_cancel")
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.close_button = QPushButton(self.tr("C&lose"))
        self.close_button.setObjectName("print_queue_close")
        self.close_button.clicked.connect(self.close)
        self.problem = QLabel()
        self.problem.setObjectName("print_queue_problem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(f"color: {FAILED_COLOUR};")
        buttons = QHBoxLayout()
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.problem)
        layout.addLayout(buttons)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)
        self.resize(980, 360)
        self._jobs: list[PrintJob] = []
        RefreshOn(ctx.executor, self, lambda c: c.any_print_job, self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Re-read the newest jobs (one indexed page) and keep the selection."""
        if self._ctx.closed:
            return
        selected = self.selected_job()
        self._jobs = print_queue.jobs(self._ctx.desk.conn, limit=200)
        policy = self._ctx.desk.policy
        self.table.setRowCount(len(self._jobs))
        for row, job in enumerate(self._jobs):
            paper = "A4" if job.paper == "a4" else "80 mm"
            values = [str(job.id), job.number, f"{kind_label(job.kind)} · {paper}",
                      printer_label(job.printer), status_label(job.status), str(job.attempts),
                      local_time(job.requested_at, policy), job.last_error or ""]
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                if job.status == "failed":
                    item.setForeground(QColor(FAILED_COLOUR))
                elif job.status in ("waiting", "printing"):
                    item.setForeground(QColor(WAITING_COLOUR))
                self.table.setItem(row, column, item)
        if selected is not None:
            self.select_job(selected.id)
        elif self._jobs:
            self.table.selectRow(0)
        self._update_buttons()

    def select_job(self, job_id: int) -> None:
        """Select the row of job *job_id* (if it is on the page)."""
        for row, job in enumerate(self._jobs):
            if job.id == job_id:
                self.table.selectRow(row)
                return

    def selected_job(self) -> PrintJob | None:
        """The job of the selected row."""
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self._jobs):
            return None
        return self._jobs[rows[0].row()]

    def _update_buttons(self) -> None:
        job = self.selected_job()
        self.retry_button.setEnabled(job is not None and job.status == "failed")
        self.cancel_button.setEnabled(job is not None and job.status in ("waiting", "failed"))

    def retry_selected(self) -> None:
        """Retry the selected failed job (after fixing the paper or the printer)."""
        job = self.selected_job()
        if job is not None:
            self._submit(printing.retry(job.id))

    def cancel_selected(self) -> None:
        """Give up the selected waiting or failed job; nothing is recorded."""
        job = self.selected_job()
        if job is not None and self._ctx.session.staff is not None:
            staff = self._ctx.staff
            self._submit(printing.cancel(job.id, staff))

    def _submit(self, op: Op[PrintJob]) -> None:
        self.problem.clear()
        op.run(self._ctx, on_error=lambda exc: self.problem.setText(
            error_message(exc, self._ctx.language)))


class PrintQueueIndicator(QPushButton):
    """Status-line button: shows what is not printed yet; hidden when all is printed.

    ``open_queue()`` when clicked.
    """

    open_queue = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.setObjectName("status_print_queue")
        self.setFlat(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.clicked.connect(self.open_queue.emit)
        RefreshOn(ctx.executor, self, lambda c: c.any_print_job, self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Re-count the active jobs (indexed) and say what needs attention."""
        if self._ctx.closed:
            return
        counts = print_queue.counts(self._ctx.desk.conn)
        waiting = counts["waiting"] + counts["printing"]
        failed = counts["failed"]
        if failed and waiting:
            text = self.tr("Print queue: {failed} failed, {waiting} waiting").format(
                failed=failed, waiting=waiting)
        elif failed:
            text = self.tr("Print queue: {failed} failed").format(failed=failed)
        elif waiting:
            text = self.tr("Print queue: {waiting} waiting").format(waiting=waiting)
        else:
            text = ""
        self.setText(text)
        colour = FAILED_COLOUR if failed else WAITING_COLOUR
        self.setStyleSheet(f"color: {colour}; font-weight: bold; border: none;")
        self.setVisible(bool(text))
