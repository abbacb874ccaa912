"""Printing a receipt PDF on a driverless ESC/POS thermal printer, as a raster image.

Each page is rendered with :class:`QPdfDocument` at the head's resolution (576 dots over
the printable 72 mm), cropped to those 72 mm (the PDF's 4 mm side margins are paper the
head cannot reach), put on white, thresholded to 1 bit and sent with ``GS v 0``: what
prints is exactly the PDF, Chinese included, whatever fonts the printer has.

Called by :func:`ui.printing.render.print_pdf` on the spooler's worker thread.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter, qGray
from PySide6.QtPdf import QPdfDocument

from desktop.i18n import tr as core_tr
from desktop.printing import escpos
from domain.errors import KesuError
from ui.printing.pdf_pages import PrintFailed, render_page

# Anything narrower than this is not the 80 mm roll (A4 is 210 mm).
MAX_ROLL_WIDTH_PT = 90 / 25.4 * 72
# Qt's Format_Mono packs the leftmost pixel in the most significant bit, as GS v 0 wants;
# only which colour 1 means depends on the colour table, and may need flipping.
_INVERT = bytes(255 - b for b in range(256))


def page_rows(image: QImage, width_dots: int = escpos.WIDTH_DOTS) -> list[bytes]:
    """The centre *width_dots* (a multiple of 8) of *image*, as packed 1-bit rows, 1 =
    black (grey below half)."""
    # The centre of the page on a white strip exactly as wide as the head (a narrower
    # page is centred, a wider one cropped).
    cropped = QImage(width_dots, image.height(), QImage.Format.Format_RGB32)
    cropped.fill(Qt.GlobalColor.white)
    painter = QPainter(cropped)
    painter.drawImage((width_dots - image.width()) // 2, 0, image)
    painter.end()
    mono = cropped.convertToFormat(
        QImage.Format.Format_Mono,
        Qt.ImageConversionFlag.MonoOnly | Qt.ImageConversionFlag.ThresholdDither)
    black_is_one = qGray(mono.color(1)) < qGray(mono.color(0))
    width_bytes = width_dots // 8
    stride = mono.bytesPerLine()
    bits = bytes(mono.constBits())
    rows = [bits[y * stride:y * stride + width_bytes] for y in range(mono.height())]
    if not black_is_one:
        rows = [row.translate(_INVERT) for row in rows]
    return rows


def raster_job(document: QPdfDocument, paper: str) -> bytes:
    """The ESC/POS bytes printing every page of *document* (80 mm roll only)."""
    if paper != "80mm" or any(document.pagePointSize(p).width() > MAX_ROLL_WIDTH_PT
                              for p in range(document.pageCount())):
        raise escpos.EscPosError("print.escpos_paper", paper=paper)
    rows: list[bytes] = []
    for page in range(document.pageCount()):
        rows += page_rows(render_page(document, page, escpos.DPI))
    return escpos.raster(rows, escpos.WIDTH_DOTS)


def print_escpos(document: QPdfDocument, printer_name: str, paper: str) -> Path | None:
    """Print *document* on the ``escpos:`` target *printer_name*; the file written when
    the target is a file, else ``None``.

    Raises :class:`ui.printing.pdf_pages.PrintFailed` with the reason in the user's
    language (the core's messages follow the app's language).
    """
    try:
        target = escpos.parse_target(printer_name)
        escpos.send(target, raster_job(document, paper))
    except KesuError as exc:
        raise PrintFailed(core_tr(exc.code, None, **exc.params)) from None
    return target.path
