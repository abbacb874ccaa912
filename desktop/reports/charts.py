"""The report's charts as reportlab drawings: counts by category, compliance per level and
the daily trend.

reportlab's charts draw their labels in one font, and the bundled CJK font has no Latin
letters or digits, so every label here is drawn by :func:`mixed_label` in runs (CJK
font for Chinese, Helvetica for the rest, as on the receipts); the charts' own axis
labels are used only for numbers. The drawings are plain data: the PDF places them like
any other flowable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, Group, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.colors import Color

from desktop.receipts.fonts import Measure, cjk_font, printable, runs

# The level colours of the windows (ui/labels.py LEVEL_COLOURS): the policy names them.
LEVEL_HEX = {"red": "#d93025", "yellow": "#f9ab00", "blue": "#1a73e8"}
BAR = colors.HexColor("#1a73e8")
OTHER_LEVELS = colors.HexColor("#8ab4f8")
INK = colors.HexColor("#202124")
GRID = colors.HexColor("#dadce0")
MUTED = colors.HexColor("#5f6368")
LABEL_SIZE = 8.0
NUMBER_SIZE = 7.0

_measures: dict[float, Measure] = {}


def measure(size: float) -> Measure:
    """A shared :class:`Measure` per type size (its character widths are cached)."""
    found = _measures.get(size)
    if found is None:
        found = _measures[size] = Measure(size)
    return found


def mixed_label(x: float, y: float, text: str, size: float = LABEL_SIZE, *,
                anchor: str = "start", colour: Color = INK) -> Group:
    """*text* at baseline *y* in font runs; *anchor* ``start``, ``middle`` or ``end`` at *x*."""
    cjk_font()
    text = printable(text).replace("\n", " ")
    width = measure(size)(text)
    left = x - (width if anchor == "end" else width / 2 if anchor == "middle" else 0)
    group = Group()
    for font, part in runs(text):
        group.add(String(left, y, part, fontName=font, fontSize=size, fillColor=colour))
        left += measure(size)(part)
    return group


def nice_max(value: float) -> tuple[float, float]:
    """An axis maximum at or above *value* and a round step giving at most 5 intervals."""
    if value <= 0:
        return 1.0, 1.0
    step = 1.0
    while value / step > 5:
        for factor in (2, 2.5, 2):  # 1, 2, 5, 10, 20, 50 ...
            step *= factor
            if value / step <= 5:
                break
    if step < 1:
        step = 1.0
    top = step * -(-value // step)
    return top, step


@dataclass(frozen=True)
class Bar:
    """One labelled bar: what it counts, its value, the text at its end, its colour."""

    label: str
    value: float
    value_text: str
    colour: Color = BAR


def horizontal_bars(bars: Sequence[Bar], width: float, *, value_max: float | None = None,
                    axis_format: str = "%d", row_height: float = 16,
                    label_width: float = 80) -> Drawing:
    """Bars from the left, one per row, labels on the left and the value at the bar's end."""
    n = max(1, len(bars))
    axis_room, top_room, value_room = 14.0, 4.0, 44.0
    height = n * row_height + axis_room + top_room
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = label_width, axis_room
    chart.width, chart.height = width - label_width - value_room, n * row_height
    chart.data = [[b.value for b in bars] or [0]]
    chart.bars.strokeColor = None
    chart.barWidth = 10
    for i, b in enumerate(bars):
        chart.bars[(0, i)].fillColor = b.colour
    chart.categoryAxis.reverseDirection = 1  # the first bar at the top
    chart.categoryAxis.visibleLabels = 0
    chart.categoryAxis.visibleTicks = 0
    chart.categoryAxis.strokeColor = MUTED
    top, step = nice_max(value_max if value_max is not None
                         else max((b.value for b in bars), default=0))
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = 0, top
    chart.valueAxis.valueStep = step
    chart.valueAxis.labelTextFormat = axis_format
    chart.valueAxis.labels.fontName = "Helvetica"
    chart.valueAxis.labels.fontSize = NUMBER_SIZE
    chart.valueAxis.labels.fillColor = MUTED
    chart.valueAxis.strokeColor = MUTED
    chart.valueAxis.visibleGrid = 1
    chart.valueAxis.gridStrokeColor = GRID
    chart.valueAxis.gridStrokeWidth = 0.5
    drawing.add(chart)
    for i, b in enumerate(bars):
        middle = chart.y + chart.height - (i + 0.5) * row_height
        baseline = middle - LABEL_SIZE * 0.35
        drawing.add(mixed_label(label_width - 4, baseline, b.label, anchor="end"))
        end = chart.x + chart.width * min(b.value, top) / top
        drawing.add(mixed_label(end + 3, baseline, b.value_text, NUMBER_SIZE + 0.5))
    return drawing


def level_colour(name: str) -> Color:
    """The colour of a level as the policy names it (red, yellow, blue), else the bar blue."""
    return colors.HexColor(LEVEL_HEX.get(name, name if name.startswith("#") else "#1a73e8"))


@dataclass(frozen=True)
class TrendDay:
    """One day of the trend chart."""

    day: date
    count: int
    level1: int


def _day_labels(days: Sequence[date], weekday_names: Sequence[str],
                month_names: Sequence[str]) -> list[tuple[int, str, str]]:
    """(index, first line, second line) of the days that get a label under the axis."""
    n = len(days)
    if n <= 14:  # a week or two: every day with its weekday
        return [(i, d.strftime("%m-%d"), weekday_names[d.weekday()]) for i, d in enumerate(days)]
    if n <= 62:  # a month: every few days
        every = -(-n // 10)
        return [(i, d.strftime("%m-%d"), "") for i, d in enumerate(days) if i % every == 0]
    # A quarter or a year: the first of each month (and the first day shown), the year
    # under the first label and under January.
    return [(i, month_names[d.month - 1], str(d.year) if i == 0 or d.month == 1 else "")
            for i, d in enumerate(days) if i == 0 or d.day == 1]


MONTHS = tuple(f"{m:02d}" for m in range(1, 13))


def trend_chart(points: Sequence[TrendDay], width: float, *, level1_label: str,
                other_label: str, weekday_names: Sequence[str],
                month_names: Sequence[str] = MONTHS, height: float = 150) -> Drawing:
    """Counted tickets per day: stacked bars, level 1 (red) under the other levels, for up
    to two months; two lines (all levels, level 1) for longer periods, where a bar would
    be thinner than a printer dot."""
    points = list(points) or [TrendDay(date.today(), 0, 0)]
    n = len(points)
    drawing = Drawing(width, height)
    labels = _day_labels([p.day for p in points], weekday_names, month_names)
    two_lines = any(second for _, _, second in labels)
    axis_room = 24.0 if two_lines else 14.0
    legend_room = 14.0
    if n > 62:
        return _trend_lines(drawing, points, labels, axis_room, legend_room, level1_label,
                            other_label)
    chart = VerticalBarChart()
    chart.x, chart.y = 24, axis_room
    chart.width, chart.height = width - 30, height - axis_room - legend_room
    chart.data = [[p.level1 for p in points], [p.count - p.level1 for p in points]]
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.visibleLabels = 0
    chart.categoryAxis.visibleTicks = 0
    chart.categoryAxis.strokeColor = MUTED
    chart.bars.strokeColor = None
    chart.bars[0].fillColor = level_colour("red")
    chart.bars[1].fillColor = OTHER_LEVELS
    slot = chart.width / n
    chart.barWidth = slot * 0.7
    chart.groupSpacing = slot * 0.3
    chart.barSpacing = 0
    top = _count_axis(chart.valueAxis, max(p.count for p in points))
    drawing.add(chart)
    for i, first, second in labels:
        x = chart.x + (i + 0.5) * slot
        drawing.add(mixed_label(x, chart.y - 10, first, NUMBER_SIZE, anchor="middle",
                                colour=MUTED))
        if second:
            drawing.add(mixed_label(x, chart.y - 20, second, NUMBER_SIZE, anchor="middle",
                                    colour=MUTED))
    if n <= 31:  # few bars: the number on top of each
        for i, p in enumerate(points):
            if p.count:
                x = chart.x + (i + 0.5) * slot
                y = chart.y + chart.height * p.count / top + 2
                drawing.add(mixed_label(x, y, str(p.count), NUMBER_SIZE, anchor="middle"))
    _legend(drawing, width, height - 9, [(level_colour("red"), level1_label),
                                         (OTHER_LEVELS, other_label)])
    return drawing


def _count_axis(axis: Any, highest: float) -> float:
    """Style a value axis of counts from 0 with a light grid; returns its maximum."""
    top, step = nice_max(highest)
    axis.valueMin, axis.valueMax, axis.valueStep = 0, top, step
    axis.labelTextFormat = "%d"
    axis.labels.fontName = "Helvetica"
    axis.labels.fontSize = NUMBER_SIZE
    axis.labels.fillColor = MUTED
    axis.strokeColor = MUTED
    axis.visibleGrid = 1
    axis.gridStrokeColor = GRID
    axis.gridStrokeWidth = 0.5
    return top


def _trend_lines(drawing: Drawing, points: Sequence[TrendDay],
                 labels: Sequence[tuple[int, str, str]], axis_room: float, legend_room: float,
                 level1_label: str, other_label: str) -> Drawing:
    """The long-period trend: all levels and level 1 as lines, months under the axis."""
    n = len(points)
    plot = LinePlot()
    plot.x, plot.y = 24, axis_room
    plot.width, plot.height = drawing.width - 30, drawing.height - axis_room - legend_room
    plot.data = [[(i, p.count) for i, p in enumerate(points)],
                 [(i, p.level1) for i, p in enumerate(points)]]
    plot.lines[0].strokeColor = BAR
    plot.lines[1].strokeColor = level_colour("red")
    plot.lines.strokeWidth = 0.7
    plot.xValueAxis.valueMin, plot.xValueAxis.valueMax = 0, n - 1
    plot.xValueAxis.visibleLabels = 0
    plot.xValueAxis.visibleTicks = 0
    plot.xValueAxis.strokeColor = MUTED
    _count_axis(plot.yValueAxis, max(p.count for p in points))
    drawing.add(plot)
    for i, first, second in labels:
        x = plot.x + plot.width * i / (n - 1)
        drawing.add(Line(x, plot.y, x, plot.y - 3, strokeColor=MUTED, strokeWidth=0.5))
        drawing.add(mixed_label(x + 1, plot.y - 10, first, NUMBER_SIZE, colour=MUTED))
        if second:
            drawing.add(mixed_label(x + 1, plot.y - 20, second, NUMBER_SIZE, colour=MUTED))
    _legend(drawing, drawing.width, drawing.height - 9,
            [(level_colour("red"), level1_label), (BAR, other_label)])
    return drawing


def _legend(drawing: Drawing, right: float, baseline: float,
            items: Sequence[tuple[Color, str]]) -> None:
    """Colour swatches with their meaning, right-aligned on one line."""
    x = right
    for colour, text in reversed(items):
        x -= measure(LABEL_SIZE)(printable(text))
        drawing.add(mixed_label(x, baseline, text))
        x -= 11
        drawing.add(Rect(x, baseline - 0.5, 8, 8, fillColor=colour, strokeColor=None))
        x -= 10
