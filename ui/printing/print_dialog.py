"""Preview and print a receipt from the ticket view.

Staff choose the kind (complaint receipt, compensation voucher for one granted line,
closing slip), the paper (80 mm / A4) and the printer; the preview shows the exact PDF
that will print, pages rendered to images. "Print" queues a job (the spooler prints it)
and remembers printer and paper for this desk. Non-modal: the window stays usable.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QPixmap, QShortcut
from PySide6.QtPrintSupport import QPrinterInfo
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop import views
from desktop.printing import print_queue, print_settings
from desktop.printing.print_settings import default_pdf_folder, pdf_folder, pdf_target
from desktop.receipts.issue import draw_receipt
from desktop.tickets import get_ticket
from domain.money import format_yuan
from ui.context import AppContext
from ui.labels import compensation_kind_label, error_message
from ui.operations import printing
from ui.printing.pdf_pages import load_pdf, render_page
from ui.printing.print_queue_panel import kind_label, printer_label

PREVIEW_WIDTH = {"80mm": 320, "a4": 460}  # on-screen width of a page, pixels


def printer_choices(remembered: str | None) -> list[str]:
    """The system's printers, then the "PDF file" target (the remembered folder, or the
    default one)."""
    names = list(QPrinterInfo.availablePrinterNames())
    folder = pdf_folder(remembered) if remembered else None
    choices = [*names, pdf_target(folder or default_pdf_folder())]
    if remembered and remembered not in choices:  # remembered but not installed now
        choices.insert(0, remembered)
    return choices


class PrintDialog(QDialog):
    """Preview + print for one ticket. ``queued(job_id)`` after the job was queued."""

    queued = Signal(int)

    def __init__(self, ctx: AppContext, ticket_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._ticket_id = ticket_id
        self.setObjectName("print_dialog")
        ticket = get_ticket(ctx.desk, ticket_id)
        self.setWindowTitle(self.tr("Print receipt - {number}").format(number=ticket.number))
        settings = print_settings.read(ctx.desk.conn)

        self.kind = QComboBox()
        self.kind.setObjectName("print_kind")
        for kind in ("complaint", "compensation", "closing"):
            self.kind.addItem(kind_label(kind), kind)
        self.compensation = QComboBox()
        self.compensation.setObjectName("print_compensation")
        for line in views.compensations_of(ctx.desk.conn, ticket.id):
            if line["status"] == "granted":
                self.compensation.addItem(
                    f"{compensation_kind_label(str(line['kind']))} "
                    f"{format_yuan(int(line['amount_fen']))}", line["id"])
        self.compensation.setCurrentIndex(self.compensation.count() - 1)  # the latest
        self.paper = QComboBox()
        self.paper.setObjectName("print_paper")
        self.paper.addItem(self.tr("80 mm roll"), "80mm")
        self.paper.addItem(self.tr("A4"), "a4")
        self.paper.setCurrentIndex(max(0, self.paper.findData(settings.paper)))
        self.printer = QComboBox()
        self.printer.setObjectName("print_printer")
        for name in printer_choices(settings.printer):
            self.printer.addItem(printer_label(name), name)
        if settings.printer:
            self.printer.setCurrentIndex(max(0, self.printer.findData(settings.printer)))
        self.quick = QCheckBox(self.tr("Print the complaint receipt after each &quick entry"))
        self.quick.setObjectName("print_quick")
        self.quick.setChecked(settings.quick_print or settings.printer is None)

        form = QFormLayout()
        self._kind_label = QLabel(self.tr("&Receipt:"))
        self._kind_label.setBuddy(self.kind)
        form.addRow(self._kind_label, self.kind)
        self._line_label = QLabel(self.tr("Compensation &line:"))
        self._line_label.setBuddy(self.compensation)
        form.addRow(self._line_label, self.compensation)
        paper_label = QLabel(self.tr("&Format:"))
        paper_label.setBuddy(self.paper)
        form.addRow(paper_label, self.paper)
        printer_label_ = QLabel(self.tr("Pr&inter:"))
        printer_label_.setBuddy(self.printer)
        form.addRow(printer_label_, self.printer)
        form.addRow(self.quick)

        self.pages = QWidget()
        self.pages.setObjectName("print_pages")
        self.pages.setStyleSheet("background: #e8eaed;")
        self._pages_layout = QVBoxLayout(self.pages)
        self._pages_layout.setAlignment(Qt.AlignmentFlag.AlignHCenter
                                        | Qt.AlignmentFlag.AlignTop)
        self.preview = QScrollArea()
        self.preview.setObjectName("print_preview")
        self.preview.setWidget(self.pages)
        self.preview.setWidgetResizable(True)
        self.preview.setMinimumWidth(PREVIEW_WIDTH["a4"] + 40)
        # Without a printer the receipt becomes a file: say so, and where, before Print.
        self._printer_was_set = settings.printer is not None
        self.pdf_notice = QLabel()
        self.pdf_notice.setObjectName("print_pdf_notice")
        self.pdf_notice.setWordWrap(True)
        self.pdf_notice.setStyleSheet("color: #b06000;")
        self.problem = QLabel()
        self.problem.setObjectName("print_problem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #c5221f;")

        self.print_button = QPushButton(self.tr("&Print"))
        self.print_button.setObjectName("print_button")
        self.print_button.setDefault(True)
        self.print_button.clicked.connect(self.print_now)
        self.close_button = QPushButton(self.tr("Cl&ose"))
        self.close_button.setObjectName("print_close")
        self.close_button.clicked.connect(self.close)
        shortcut = QShortcut(QKeySequence("Ctrl+P"), self, self.print_now)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.close_button)

        side = QVBoxLayout()
        side.addLayout(form)
        side.addWidget(self.pdf_notice)
        side.addWidget(self.problem)
        side.addStretch(1)
        side.addLayout(buttons)
        layout = QHBoxLayout(self)
        layout.addLayout(side)
        layout.addWidget(self.preview, 1)
        self.resize(980, 640)

        for combo in (self.kind, self.compensation, self.paper):
            combo.currentIndexChanged.connect(self.update_preview)
        self.printer.currentIndexChanged.connect(lambda _i: self._say_where())
        # Enter in a dropdown picks or moves on; it never prints (Ctrl+P or the button do).
        for combo in (self.kind, self.compensation, self.paper, self.printer):
            combo.installEventFilter(self)
        self._say_where()
        self.update_preview()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter or Return on a closed dropdown goes to the next field instead of the
        dialog's default button."""
        if (isinstance(watched, QComboBox) and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)):
            self.focusNextChild()
            return True
        return super().eventFilter(watched, event)

    def _say_where(self) -> None:
        folder = pdf_folder(self.current_printer())
        if folder is None:
            self.pdf_notice.clear()
            self.pdf_notice.hide()
            return
        if self._printer_was_set:
            text = self.tr("The receipt is saved as a PDF file in {folder}.")
        else:
            text = self.tr("No printer is set up for this desk: the receipt is saved as a "
                           "PDF file in {folder}. Choose the printer above if the desk has "
                           "one.")
        self.pdf_notice.setText(text.format(folder=folder))
        self.pdf_notice.show()

    def current_kind(self) -> str:
        """complaint, compensation or closing."""
        return str(self.kind.currentData())

    def current_paper(self) -> str:
        """80mm or a4."""
        return str(self.paper.currentData())

    def current_printer(self) -> str:
        """A system printer's name or ``pdf:FOLDER``."""
        return str(self.printer.currentData() or "")

    def _compensation_id(self) -> str | None:
        if self.current_kind() != "compensation":
            return None
        data = self.compensation.currentData()
        return None if data is None else str(data)

    def update_preview(self) -> None:
        """Draw the receipt as it would print now (reads only) and show its pages."""
        is_voucher = self.current_kind() == "compensation"
        self._line_label.setVisible(is_voucher)
        self.compensation.setVisible(is_voucher)
        while self._pages_layout.count():
            item = self._pages_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.problem.clear()
        try:
            ticket = get_ticket(self._ctx.desk, self._ticket_id)
            drawn = draw_receipt(self._ctx.desk, ticket, kind=self.current_kind(),
                                 paper=self.current_paper(),
                                 compensation_id=self._compensation_id())
        except Exception as exc:  # e.g. the closing slip of an open ticket: say why
            self.problem.setText(error_message(exc, self._ctx.language))
            self.print_button.setEnabled(False)
            return
        self.print_button.setEnabled(True)
        document, buffer = load_pdf(drawn.pdf)
        try:
            width = PREVIEW_WIDTH[self.current_paper()]
            for page in range(document.pageCount()):
                dpi = width * 72 / document.pagePointSize(page).width() * self.devicePixelRatioF()
                image = render_page(document, page, dpi)
                pixmap = QPixmap.fromImage(image)
                pixmap.setDevicePixelRatio(self.devicePixelRatioF())
                label = QLabel()
                label.setObjectName(f"print_page_{page}")
                label.setPixmap(pixmap)
                label.setStyleSheet("background: white; border: 1px solid #bdc1c6;")
                self._pages_layout.addWidget(label)
        finally:
            document.close()
            buffer.close()

    def page_count(self) -> int:
        """How many pages the preview shows."""
        return sum(1 for i in range(self._pages_layout.count())
                   if (item := self._pages_layout.itemAt(i)) is not None and item.widget())

    def print_now(self) -> None:
        """Queue the receipt for the chosen printer and remember the choice for this desk."""
        if not self.print_button.isEnabled() or self._ctx.session.staff is None:
            return
        staff = self._ctx.staff
        ticket_id, kind, paper = self._ticket_id, self.current_kind(), self.current_paper()
        printer, line, quick = self.current_printer(), self._compensation_id(), \
            self.quick.isChecked()
        op = printing.enqueue_remembered(staff, ticket_id, kind=kind, paper=paper,
                                         printer=printer, compensation_id=line, quick=quick)
        self.print_button.setEnabled(False)
        op.run(self._ctx, on_done=self._queued, on_error=self._failed)

    def _queued(self, job: print_queue.PrintJob) -> None:
        self.print_button.setEnabled(True)
        self.queued.emit(job.id)
        self.close()

    def _failed(self, exc: BaseException) -> None:
        self.print_button.setEnabled(True)
        self.problem.setText(error_message(exc, self._ctx.language))
