"""Printing a receipt PDF through Qt: each page rendered at the printer's resolution.

What prints is exactly the PDF (Chinese does not depend on the printer's fonts): every page
is rasterised with :class:`QPdfDocument` and drawn onto a :class:`QPrinter` whose page is
the PDF's own page (80 mm roll: a custom size as long as the receipt; A4: A4). The
built-in "PDF file" target (``pdf:FOLDER``) prints through ``QPrinter`` in PDF format; an
``escpos:`` target gets the pages as an ESC/POS raster (:mod:`ui.printing.escpos_render`).

Safe to call from a worker thread (QPainter on a QPrinter is thread-safe); it blocks for
as long as the driver does, which is why the spooler runs it off the GUI thread.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QMarginsF,
    QRectF,
    QSizeF,
)
from PySide6.QtGui import QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from desktop.printing.print_settings import pdf_folder
from ui.printing.escpos_render import print_escpos
from ui.printing.pdf_pages import PrintFailed, load_pdf, render_page

# Dots per inch the pages are rasterised at: a thermal head has 203, offices 300-600; more
# only costs memory (an A4 page at 1200 dpi is 140 MB).
MAX_DPI = 600
PDF_TARGET_DPI = 300


# lupdate finds translate("Context", "literal") calls by this name.
translate = QCoreApplication.translate


def page_size_of(document: QPdfDocument, paper: str) -> QPageSize:
    """A4 for ``a4``; otherwise the PDF's own page size (the roll grows with its content)."""
    if paper == "a4":
        return QPageSize(QPageSize.PageSizeId.A4)
    size = document.pagePointSize(0)
    return QPageSize(QSizeF(size.width(), size.height()), QPageSize.Unit.Point,
                     "Kesu 80mm", QPageSize.SizeMatchPolicy.ExactMatch)


def output_path(folder: Path, name: str) -> Path:
    """Where the PDF target writes *name*; the folder is created, and must be writable."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PrintFailed(translate(
            "PrintRender", "Cannot use the folder {folder}: {reason}").format(
            folder=folder, reason=exc.strerror or str(exc))) from None
    if not os.access(folder, os.W_OK):
        raise PrintFailed(translate(
            "PrintRender", "Cannot write to the folder {folder}").format(folder=folder))
    return folder / name


def make_printer(printer_name: str, file_name: str) -> tuple[QPrinter, Path | None]:
    """A QPrinter for a system printer's name or a ``pdf:FOLDER`` target."""
    folder = pdf_folder(printer_name)
    if folder is not None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        path = output_path(folder, file_name)
        printer.setOutputFileName(str(path))
        printer.setResolution(PDF_TARGET_DPI)
        return printer, path
    info = QPrinterInfo.printerInfo(printer_name)
    if info.isNull():
        raise PrintFailed(translate(
            "PrintRender", "Printer {name} is not installed on this computer").format(
            name=printer_name))
    if info.state() == QPrinter.PrinterState.Error:
        raise PrintFailed(translate(
            "PrintRender", "Printer {name} reports an error: offline, out of paper?").format(
            name=printer_name))
    printer = QPrinter(info, QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.NativeFormat)
    return printer, None


def print_pdf(pdf: bytes, printer_name: str, paper: str, *, job_name: str) -> Path | None:
    """Print *pdf* on *printer_name*; return the file written by a PDF target.

    Raises :class:`PrintFailed` with a message for staff when the printer is unknown, in
    error, or refuses to start.
    """
    document, buffer = load_pdf(pdf)
    try:
        if printer_name.startswith("escpos:"):  # a driverless thermal printer: raw raster
            return print_escpos(document, printer_name, paper)
        printer, path = make_printer(printer_name, f"{job_name}.pdf")
        printer.setDocName(job_name)
        printer.setFullPage(True)  # the PDF has its own margins
        printer.setPageLayout(QPageLayout(page_size_of(document, paper),
                                          QPageLayout.Orientation.Portrait,
                                          QMarginsF(0, 0, 0, 0)))
        dpi = min(printer.resolution(), MAX_DPI)
        painter = QPainter()
        if not painter.begin(printer):
            raise PrintFailed(translate(
                "PrintRender", "Printer {name} did not accept the job").format(
                name=printer_name))
        try:
            for page in range(document.pageCount()):
                if page:
                    printer.newPage()
                image = render_page(document, page, dpi)
                target = printer.pageRect(QPrinter.Unit.DevicePixel)
                painter.drawImage(QRectF(0, 0, target.width(), target.height()), image)
        finally:
            if not painter.end():
                raise PrintFailed(translate(
                    "PrintRender", "Printer {name} broke off the job").format(
                    name=printer_name))
        return path
    finally:
        document.close()
        buffer.close()

