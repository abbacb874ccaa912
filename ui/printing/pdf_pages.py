"""A receipt PDF read into pages: the document, and each page as an image on white.

Shared by the Qt printer path (:mod:`ui.printing.render`), the ESC/POS raster
(:mod:`ui.printing.escpos_render`) and the print dialog's preview; on its own so that
neither printing path imports the other for it.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QIODevice, QSize, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtPdf import QPdfDocument

# lupdate finds translate("Context", "literal") calls by this name.
translate = QCoreApplication.translate


class PrintFailed(Exception):
    """The printer could not take the job; the message says why, for the print queue."""


def load_pdf(pdf: bytes) -> tuple[QPdfDocument, QBuffer]:
    """A :class:`QPdfDocument` on *pdf* (keep the buffer alive as long as the document)."""
    buffer = QBuffer()
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    if document.status() != QPdfDocument.Status.Ready or document.pageCount() < 1:
        raise PrintFailed(translate(
            "PrintRender", "The receipt could not be read as a PDF"))
    return document, buffer


def render_page(document: QPdfDocument, page: int, dpi: float) -> QImage:
    """Page *page* as an image at *dpi* (white background)."""
    size = document.pagePointSize(page)
    pixels = QSize(max(1, round(size.width() * dpi / 72)),
                   max(1, round(size.height() * dpi / 72)))
    image = document.render(page, pixels)
    if image.isNull():
        raise PrintFailed(translate(
            "PrintRender", "The receipt page could not be drawn"))
    # The renderer leaves the paper transparent: put it on white, as paper is.
    page_image = QImage(image.size(), QImage.Format.Format_RGB32)
    page_image.fill(Qt.GlobalColor.white)
    painter = QPainter(page_image)
    painter.drawImage(0, 0, image)
    painter.end()
    return page_image
