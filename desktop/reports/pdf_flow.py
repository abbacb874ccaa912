"""Building blocks of the report PDF: mixed Chinese/Latin text as a platypus flowable,
the numbered page canvas and the number formats.

platypus' own Paragraph draws one font per fragment and breaks Chinese without the
kinsoku rules; :class:`MixedText` instead reuses the receipts' font runs and line breaker
(``desktop.receipts.fonts`` / ``layout``), so a report reads like a receipt. It is cheap
enough to be every cell of a 200-row table.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from reportlab.lib import colors
from reportlab.lib.colors import Color
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from desktop.receipts.fonts import Measure, printable, runs
from desktop.receipts.layout import break_lines
from desktop.reports.charts import measure

LEADING = 1.3  # line height as a multiple of the type size
GOOD = colors.HexColor("#188038")
BAD = colors.HexColor("#d93025")
NEUTRAL = colors.HexColor("#5f6368")
INK = colors.HexColor("#202124")


def percent(rate: float | None, digits: int = 1) -> str:
    """``0.935`` → ``93.5%``; ``None`` → ``—``."""
    if rate is None:
        return "—"
    return f"{rate * 100:.{digits}f}%"


@lru_cache(maxsize=8192)
def _runs(text: str) -> tuple[tuple[str, str, float], ...]:
    """(font, text, width at size 1) of each run; a report repeats its dates, labels and
    names hundreds of times, and finding each character's font is the costly part."""
    return tuple((font, part, measure(1.0)(part)) for font, part in runs(text))


@lru_cache(maxsize=8192)
def _printable(text: str) -> str:
    return printable(text)


def draw_runs(c: Canvas, x: float, baseline: float, text: str, size: float,
              bold: bool = False) -> float:
    """Draw *text* in font runs from *x*; returns the x after it. *bold* strokes the
    outline too, since the CJK font has no bold face."""
    t = c.beginText(x, baseline)
    if bold:
        t.setTextRenderMode(2)
        c.setLineWidth(size * 0.035)
    for font, part, unit_width in _runs(text):
        t.setFont(font, size)
        t.textOut(part)
        x += unit_width * size
    c.drawText(t)
    return x


class MixedText(Flowable):  # type: ignore[misc]  # reportlab ships no type hints
    """Chinese/Latin text wrapped to the width it is given (a table column, the frame).

    *mark* ``up``/``down`` draws a small triangle before the text (the change arrows:
    the bundled fonts have no arrow glyphs).
    """

    def __init__(self, text: str, size: float = 9, *, colour: Color = INK,
                 align: str = "left", bold: bool = False, mark: str | None = None,
                 leading: float = LEADING) -> None:
        super().__init__()
        self.text = _printable(text)
        self.size = size
        self.colour = colour
        self.align = align
        self.bold = bold
        self.mark = mark
        self.leading = leading
        self._lines: list[str] = []
        self._wrapped_for: float | None = None

    @property
    def _mark_width(self) -> float:
        return self.size * 0.9 if self.mark else 0.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """Break the text for *availWidth*; the height is the lines'."""
        if self._wrapped_for != availWidth:
            m: Measure = measure(self.size)
            room = max(availWidth - self._mark_width, self.size)
            self._lines = [line.rstrip("\n") for line in break_lines(self.text, m, room)]
            self._wrapped_for = availWidth
        self.width = availWidth
        self.height = len(self._lines) * self.size * self.leading
        return self.width, self.height

    def minWidth(self) -> float:
        """The widest unbreakable piece is not known cheaply; a table gives widths."""
        return self.size * 2

    def draw(self) -> None:
        """Draw the lines, each aligned in the width."""
        c: Canvas = self.canv
        m = measure(self.size)
        c.setFillColor(self.colour)
        c.setStrokeColor(self.colour)
        line_height = self.size * self.leading
        for i, line in enumerate(self._lines):
            baseline = self.height - i * line_height - self.size * (self.leading - 0.25)
            text_width = m(line.rstrip()) + self._mark_width
            x = {"right": self.width - text_width,
                 "centre": (self.width - text_width) / 2}.get(self.align, 0.0)
            if self.mark and i == 0:
                self._triangle(c, x, baseline)
            draw_runs(c, x + (self._mark_width if self.mark else 0), baseline, line,
                      self.size, self.bold)

    def _triangle(self, c: Canvas, x: float, baseline: float) -> None:
        side = self.size * 0.62
        bottom, top = baseline + self.size * 0.02, baseline + side
        path = c.beginPath()
        if self.mark == "up":
            path.moveTo(x, bottom)
            path.lineTo(x + side, bottom)
            path.lineTo(x + side / 2, top)
        else:
            path.moveTo(x, top)
            path.lineTo(x + side, top)
            path.lineTo(x + side / 2, bottom)
        path.close()
        c.drawPath(path, stroke=0, fill=1)


PageDecoration = Callable[[Canvas, int, int], None]  # (canvas, page number, page count)


def numbered_canvas(decorate: PageDecoration) -> type[Canvas]:
    """A canvas class that holds its pages until the end, then calls *decorate* on each
    with its number and the total (for "第 1 页 / 共 N 页")."""

    class NumberedCanvas(Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._held)
            for number, state in enumerate(self._held, start=1):
                self.__dict__.update(state)
                decorate(self, number, total)
                super().showPage()
            super().save()

    return NumberedCanvas
