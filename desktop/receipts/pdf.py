"""Drawing a :class:`~desktop.receipts.content.Receipt` as a PDF with reportlab.

Two papers: the 80 mm thermal roll (printable 72 mm; the page is exactly as long as the
receipt: one column, centred) and A4, laid out as an A4 document rather than the roll's
column on a sheet: a header across the page (store left, title right, a rule under
them), the fields as a ruled two-column table (labels in a shaded column, values wrapped
in theirs), signature lines side by side, the QR code at the left and the Code128 at the
right; pages break between rows. Layout is done first as a list of blocks with known
heights, so the roll's page height is known before drawing.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby

import segno
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from desktop.receipts.content import Receipt
from desktop.receipts.fonts import Measure, cjk_font, printable, runs
from desktop.receipts.layout import break_lines
from desktop.receipts.settings import PAPER_NAMES


@dataclass(frozen=True)
class Paper:
    """A paper format and the type sizes that read well on it."""

    name: str
    width: float
    height: float | None  # None: a roll, the page grows with the content
    margin: float
    title_size: float
    body_size: float
    small_size: float
    qr_size: float
    barcode_height: float

    @property
    def content_width(self) -> float:
        """The printable width between the margins."""
        return self.width - 2 * self.margin


PAPERS = {
    # 80 mm paper, 72 mm printable on the usual 576-dot thermal head.
    "80mm": Paper("80mm", 80 * mm, None, 4 * mm, 14, 9, 7.5, 36 * mm, 10 * mm),
    "a4": Paper("a4", A4[0], A4[1], 20 * mm, 20, 12, 9, 45 * mm, 14 * mm),
}
assert tuple(PAPERS) == PAPER_NAMES
LEADING = 1.4  # line height as a multiple of the type size
QR_QUIET_MODULES = 4  # the white margin ISO/IEC 18004 asks for around a QR code


@lru_cache(maxsize=64)
def qr_path(text: str) -> tuple[int, str]:
    """The QR code of *text* (error correction M): its size in modules, and PDF path
    operators filling its dark modules in module units (row 0 at the top, y downwards).

    Built as one literal path, one rectangle per run of dark modules: reportlab's QR
    widget makes a shape object per run and encodes twice, and the canvas formats every
    coordinate in Python; together they were two thirds of a receipt's time. Encoded by
    segno, which picks the mask pattern in half the time of reportlab's encoder (the
    mask choice was half of what remained). Cached because a reprint or a preview
    draws the same address again.
    """
    code = segno.make_qr(text, error="m", boost_error=False)
    ops = []
    for r, row in enumerate(code.matrix):
        col = 0
        for dark, run in groupby(bool(m) for m in row):
            n = len(list(run))
            if dark:
                ops.append(f"{col} {r} {n} 1 re")
            col += n
    return len(code.matrix), "\n".join(ops) + "\nf"


Draw = Callable[[Canvas, float, float], None]  # (canvas, left x, top y of the block)


@dataclass(frozen=True)
class Block:
    """A piece of the receipt that never splits across pages."""

    height: float
    draw: Draw


def _draw_runs(c: Canvas, x: float, baseline: float, text: str, size: float,
               measure: Measure) -> None:
    for font, part in runs(text):
        c.setFont(font, size)
        c.drawString(x, baseline, part)
        x += measure(part)


class _Flow:
    """Collects the blocks of one receipt on one paper."""

    def __init__(self, paper: Paper) -> None:
        self.paper = paper
        self.blocks: list[Block] = []
        self._measures: dict[float, Measure] = {}

    def measure(self, size: float) -> Measure:
        if size not in self._measures:
            self._measures[size] = Measure(size)
        return self._measures[size]

    def text(self, text: str, size: float, *, centre: bool = False, indent: float = 0) -> None:
        """Wrapped text, one block per line (a page may break between lines)."""
        measure = self.measure(size)
        width = self.paper.content_width - indent
        for line in break_lines(printable(text), measure, width):
            line = line.rstrip("\n")
            dx = indent + ((width - measure(line.rstrip())) / 2 if centre else 0)
            self.blocks.append(Block(size * LEADING, self._line(line, size, dx, measure)))

    @staticmethod
    def _line(line: str, size: float, dx: float, measure: Measure) -> Draw:
        def draw(c: Canvas, x: float, top: float) -> None:
            # The baseline sits a descent above the bottom of the line box.
            _draw_runs(c, x + dx, top - size * (LEADING - 0.25), line, size, measure)
        return draw

    def gap(self, height: float) -> None:
        self.blocks.append(Block(height, lambda c, x, top: None))

    def rule(self) -> None:
        width = self.paper.content_width

        def draw(c: Canvas, x: float, top: float) -> None:
            c.setDash(2, 2)
            c.setLineWidth(0.5)
            c.line(x, top - 3, x + width, top - 3)
            c.setDash()
        self.blocks.append(Block(6, draw))

    def signature(self, label: str) -> None:
        size = self.paper.body_size
        measure = self.measure(size)
        text = printable(label + "：")
        width = self.paper.content_width

        def draw(c: Canvas, x: float, top: float) -> None:
            baseline = top - size * 2.2
            _draw_runs(c, x, baseline, text, size, measure)
            c.setLineWidth(0.6)
            c.line(x + measure(text), baseline - 1, x + width, baseline - 1)
        self.blocks.append(Block(size * 2.6, draw))

    def qr(self, url: str) -> None:
        side = self.paper.qr_size
        offset = (self.paper.content_width - side) / 2
        count, path = qr_path(url)
        box = side / (count + 2 * QR_QUIET_MODULES)

        def draw(c: Canvas, x: float, top: float) -> None:
            c.saveState()
            c.setFillColorRGB(0, 0, 0)
            quiet = QR_QUIET_MODULES * box
            # Module units, y downwards, so the cached path needs no arithmetic here.
            c.transform(box, 0, 0, -box, x + offset + quiet, top - quiet)
            c.addLiteral(path)
            c.restoreState()
        self.blocks.append(Block(side, draw))

    def barcode(self, value: str) -> None:
        height = self.paper.barcode_height
        width = self.paper.content_width
        bar = Code128(value, barHeight=height, barWidth=1.0, humanReadable=False)
        if bar.width > width:  # a long number: thinner bars, still at least a printer dot
            bar = Code128(value, barHeight=height, barWidth=max(0.36, width / bar.width),
                          humanReadable=False)
        offset = max(0.0, (width - bar.width) / 2)

        def draw(c: Canvas, x: float, top: float) -> None:
            bar.drawOn(c, x + offset, top - height)
        self.blocks.append(Block(height + 2, draw))


# A4: the width of the label column and the padding inside each table cell.
A4_LABEL_WIDTH = 34 * mm
A4_CELL_PAD = 2.2 * mm
A4_GAP = 8 * mm  # between side-by-side parts (signatures, codes)


class _SheetFlow(_Flow):
    """The blocks of an A4 receipt: a page-wide header, a table of fields, codes."""

    def header(self, receipt: Receipt) -> None:
        """Store name at the left, title at the right, the number and any reprint mark
        under them, and a rule across the page."""
        paper, width = self.paper, self.paper.content_width
        big, small = paper.title_size, paper.body_size
        m_big, m_small = self.measure(big), self.measure(small)
        title = printable(receipt.title)
        room = width - m_big(title) - A4_GAP  # a long store name wraps in its own space
        store = [line.rstrip("\n") for line in break_lines(printable(receipt.store), m_big,
                                                             room)]
        number = printable(receipt.number)
        reprint = printable(receipt.reprint_label or "")
        height = big * LEADING * len(store) + small * LEADING + 3 * mm

        def draw(c: Canvas, x: float, top: float) -> None:
            baseline = top - big * (LEADING - 0.25)
            _draw_runs(c, x + width - m_big(title), baseline, title, big, m_big)
            for i, line in enumerate(store):
                _draw_runs(c, x, baseline - i * big * LEADING, line, big, m_big)
            low = top - big * LEADING * len(store) - small * (LEADING - 0.25)
            _draw_runs(c, x, low, number, small, m_small)
            if reprint:
                _draw_runs(c, x + width - m_small(reprint), low, reprint, small, m_small)
            c.setLineWidth(1.2)
            c.line(x, top - height + 1.5 * mm, x + width, top - height + 1.5 * mm)
        self.blocks.append(Block(height, draw))

    def row(self, label: str, value: str) -> None:
        """One ruled row of the fields table; it never splits across pages."""
        size, width = self.paper.body_size, self.paper.content_width
        measure = self.measure(size)
        label_lines = break_lines(printable(label), measure, A4_LABEL_WIDTH - 2 * A4_CELL_PAD)
        value_lines = break_lines(printable(value), measure,
                                  width - A4_LABEL_WIDTH - 2 * A4_CELL_PAD)
        lines = max(len(label_lines), len(value_lines))
        height = lines * size * LEADING + 2 * A4_CELL_PAD

        def cell(c: Canvas, x: float, top: float, text: list[str]) -> None:
            for i, line in enumerate(text):
                baseline = top - A4_CELL_PAD - size * (LEADING - 0.25) - i * size * LEADING
                _draw_runs(c, x + A4_CELL_PAD, baseline, line.rstrip("\n"), size, measure)

        def draw(c: Canvas, x: float, top: float) -> None:
            c.setFillColorRGB(0.92, 0.92, 0.92)
            c.rect(x, top - height, A4_LABEL_WIDTH, height, stroke=0, fill=1)
            c.setFillColorRGB(0, 0, 0)
            c.setLineWidth(0.6)
            c.rect(x, top - height, width, height, stroke=1, fill=0)
            c.line(x + A4_LABEL_WIDTH, top, x + A4_LABEL_WIDTH, top - height)
            cell(c, x, top, label_lines)
            cell(c, x + A4_LABEL_WIDTH, top, value_lines)
        self.blocks.append(Block(height, draw))

    def signatures(self, labels: tuple[str, ...]) -> None:
        """The signature lines side by side across the page."""
        if not labels:
            return
        size, width = self.paper.body_size, self.paper.content_width
        measure = self.measure(size)
        each = (width - A4_GAP * (len(labels) - 1)) / len(labels)
        texts = [printable(label + "：") for label in labels]

        def draw(c: Canvas, x: float, top: float) -> None:
            baseline = top - size * 3.2
            c.setLineWidth(0.6)
            for i, text in enumerate(texts):
                left = x + i * (each + A4_GAP)
                _draw_runs(c, left, baseline, text, size, measure)
                c.line(left + measure(text), baseline - 1, left + each, baseline - 1)
        self.blocks.append(Block(size * 4, draw))

    def codes(self, receipt: Receipt) -> None:
        """The QR code (and its caption) at the left, the Code128 and the number at the
        right, in one block."""
        paper, width = self.paper, self.paper.content_width
        small = paper.small_size
        measure = self.measure(small)
        side = paper.qr_size if receipt.qr_url else 0.0
        caption = ([line.rstrip("\n") for line in break_lines(
            printable(receipt.qr_caption), measure, side)]
            if receipt.qr_url and receipt.qr_caption else [])
        room = width - side - A4_GAP if side else width
        bar = Code128(receipt.number, barHeight=paper.barcode_height, barWidth=1.0,
                      humanReadable=False)
        if bar.width > room:
            bar = Code128(receipt.number, barHeight=paper.barcode_height,
                          barWidth=max(0.36, room / bar.width), humanReadable=False)
        number = printable(receipt.number)
        left_height = side + len(caption) * small * LEADING
        right_height = paper.barcode_height + small * LEADING + 2
        height = max(left_height, right_height) + 3 * mm
        qr = receipt.qr_url

        def draw(c: Canvas, x: float, top: float) -> None:
            top -= 3 * mm
            if qr:
                count, path = qr_path(qr)
                box = side / (count + 2 * QR_QUIET_MODULES)
                c.saveState()
                c.setFillColorRGB(0, 0, 0)
                quiet = QR_QUIET_MODULES * box
                c.transform(box, 0, 0, -box, x + quiet, top - quiet)
                c.addLiteral(path)
                c.restoreState()
                for i, line in enumerate(caption):
                    baseline = top - side - small * (LEADING - 0.25) - i * small * LEADING
                    _draw_runs(c, x + (side - measure(line)) / 2, baseline, line, small,
                               measure)
            right = x + width
            bar.drawOn(c, right - bar.width, top - paper.barcode_height)
            baseline = top - paper.barcode_height - 2 - small * (LEADING - 0.25)
            _draw_runs(c, right - (bar.width + measure(number)) / 2, baseline, number,
                       small, measure)
        self.blocks.append(Block(height, draw))


def sheet_layout(receipt: Receipt, paper: Paper) -> list[Block]:
    """An A4 receipt as blocks from top to bottom."""
    flow = _SheetFlow(paper)
    flow.header(receipt)
    flow.gap(3 * mm)
    for field in receipt.fields:
        flow.row(field.label, field.value)
    flow.signatures(receipt.signatures)
    flow.gap(2 * mm)
    flow.codes(receipt)
    flow.gap(3 * mm)
    for line in receipt.footer:
        flow.text(line, paper.body_size, centre=True)
    return flow.blocks


def layout(receipt: Receipt, paper: Paper) -> list[Block]:
    """The receipt as blocks from top to bottom."""
    if paper.height is not None:
        return sheet_layout(receipt, paper)
    flow = _Flow(paper)
    flow.text(receipt.store, paper.title_size, centre=True)
    flow.text(receipt.title, paper.title_size, centre=True)
    if receipt.reprint_label:
        flow.text(receipt.reprint_label, paper.body_size, centre=True)
    flow.rule()
    for field in receipt.fields:
        flow.text(f"{field.label}：{field.value}", paper.body_size)
    for label in receipt.signatures:
        flow.signature(label)
    flow.rule()
    if receipt.qr_url:
        flow.qr(receipt.qr_url)
        if receipt.qr_caption:
            flow.text(receipt.qr_caption, paper.small_size, centre=True)
        flow.gap(paper.small_size * 0.5)
    flow.barcode(receipt.number)
    flow.text(receipt.number, paper.small_size, centre=True)
    for line in receipt.footer:
        flow.text(line, paper.small_size, centre=True)
    return flow.blocks


def _pages(blocks: list[Block], room: float) -> list[list[Block]]:
    pages: list[list[Block]] = [[]]
    used = 0.0
    for block in blocks:
        if pages[-1] and used + block.height > room:
            pages.append([])
            used = 0.0
        pages[-1].append(block)
        used += block.height
    return pages


def render_pdf(receipt: Receipt, paper_name: str) -> tuple[bytes, int]:
    """The receipt as PDF bytes on *paper_name* (``80mm`` or ``a4``), and its page count."""
    paper = PAPERS[paper_name]
    cjk_font()
    blocks = layout(receipt, paper)
    if paper.height is None:
        page_height = sum(b.height for b in blocks) + 2 * paper.margin
        pages = [blocks]
    else:
        page_height = paper.height
        pages = _pages(blocks, paper.height - 2 * paper.margin)
    out = io.BytesIO()
    # invariant: no creation date or random id, so the same receipt gives the same bytes.
    c = Canvas(out, pagesize=(paper.width, page_height), invariant=True, pageCompression=1)
    c.setTitle(f"{receipt.title} {receipt.number}")
    c.setAuthor(receipt.store)
    for page in pages:
        top = page_height - paper.margin
        for block in page:
            block.draw(c, paper.margin, top)
            top -= block.height
        c.showPage()
    c.save()
    return out.getvalue(), len(pages)
