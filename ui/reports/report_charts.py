"""The dashboard's charts (Qt Charts): tickets by category, the daily trend, response
compliance per level. A click on a bar asks for the tickets behind it.

Every chart also has a table or tile carrying the same drill, so the keyboard reaches
the same tickets; charts themselves take no focus.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCharts import (
    QAbstractBarSeries,
    QBarCategoryAxis,
    QBarSet,
    QCategoryAxis,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QPoint, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QWidget

from domain.reports.model import Count, DayPoint, Drill, LevelCompliance
from ui.labels import LEVEL_COLOURS, level_label

BAR_COLOUR = "#8ab4f8"
LABEL_COLOUR = "#202124"
OTHER_COLOUR = "#8ab4f8"


class ReportChart(QChartView):
    """A bar chart whose bars carry drills; ``drill_requested(drill, title)`` on click."""

    drill_requested = Signal(object, str)

    def __init__(self, name: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setMinimumHeight(220)
        self._chart = QChart()
        self._chart.setTitle(title)
        self._chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self._chart.setMargins(QMargins(4, 4, 4, 4))
        self._chart.legend().hide()
        self.setChart(self._chart)
        self._series: QAbstractBarSeries | None = None
        # (drill, title) per bar index, and the bar sets in order.
        self._drills: list[tuple[Drill, str]] = []
        self._sets: list[QBarSet] = []

    def _reset(self) -> None:
        self._chart.removeAllSeries()
        for axis in self._chart.axes():
            self._chart.removeAxis(axis)
        self._series = None
        self._drills = []
        self._sets = []

    def _install(self, series: QAbstractBarSeries, categories: Sequence[str],
                 top: float, *, nice: bool = True) -> None:
        self._series = series
        self._chart.addSeries(series)
        axis_x = QBarCategoryAxis()
        axis_x.append(list(categories))
        axis_y = QValueAxis()
        axis_y.setRange(0, max(top, 1.0))
        axis_y.setLabelFormat("%d")
        if nice:
            axis_y.applyNiceNumbers()
        # Horizontal bars: the names stand on the left, where long ones have room.
        horizontal = isinstance(series, QHorizontalBarSeries)
        self._chart.addAxis(axis_x, Qt.AlignmentFlag.AlignLeft if horizontal
                            else Qt.AlignmentFlag.AlignBottom)
        self._chart.addAxis(axis_y, Qt.AlignmentFlag.AlignBottom if horizontal
                            else Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(axis_x)
        series.attachAxis(axis_y)
        series.clicked.connect(self._clicked)

    def _clicked(self, index: int, _barset: QBarSet) -> None:
        if 0 <= index < len(self._drills):
            drill, title = self._drills[index]
            self.drill_requested.emit(drill, title)

    def bar_count(self) -> int:
        """How many bars (categories) the chart shows."""
        return len(self._drills)

    def bar_drill(self, index: int) -> Drill:
        """The drill behind bar *index*."""
        return self._drills[index][0]

    def bar_values(self, set_index: int = 0) -> list[float]:
        """The values of one bar set, in bar order (for tests and tooltips)."""
        barset = self._sets[set_index]
        return [barset.at(i) for i in range(barset.count())]

    def bar_point(self, index: int, set_index: int = 0) -> QPoint:
        """Where bar *index* of set *set_index* is drawn, in this view's coordinates."""
        assert self._series is not None
        base = sum(self._sets[i].at(index) for i in range(set_index)) \
            if isinstance(self._series, QStackedBarSeries) else 0.0
        value = self._sets[set_index].at(index)
        at = (QPointF(base + value / 2, index) if isinstance(self._series, QHorizontalBarSeries)
              else QPointF(index, base + value / 2))
        inside = self._chart.mapToPosition(at, self._series)
        return self.mapFromScene(self._chart.mapToScene(inside))


class CategoryChart(ReportChart):
    """Counted tickets by category."""

    def set_counts(self, counts: Sequence[Count], labels: Sequence[str]) -> None:
        """One bar per category; *labels* are what people read for each key."""
        self._reset()
        barset = QBarSet(self.tr("Tickets"))
        barset.setColor(QColor(BAR_COLOUR))
        barset.setLabelColor(QColor(LABEL_COLOUR))
        # Largest at the top: a horizontal chart draws its first bar at the bottom.
        ordered = list(zip(counts, labels, strict=True))[::-1]
        for count, _label in ordered:
            barset.append(count.count)
        self._sets = [barset]
        self._drills = [(c.drill, label) for c, label in ordered]
        series = QHorizontalBarSeries()
        series.append(barset)
        series.setLabelsVisible(True)
        series.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsInsideBase)
        self._install(series, [label for _c, label in ordered],
                      max((c.count for c in counts), default=0) * 1.1)


class TrendChart(ReportChart):
    """Counted tickets per store day, level 1 stacked under the rest."""

    def __init__(self, name: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(name, title, parent)
        self._chart.legend().show()
        self._chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)

    def set_trend(self, points: Sequence[DayPoint], drills: Sequence[Drill]) -> None:
        """One stacked bar per day (*drills* hold each day's tickets)."""
        self._reset()
        level1 = QBarSet(level_label(1))
        level1.setColor(QColor(LEVEL_COLOURS[1]))
        others = QBarSet(self.tr("Other levels"))
        others.setColor(QColor(OTHER_COLOUR))
        for point in points:
            level1.append(point.level1)
            others.append(point.count - point.level1)
        self._sets = [level1, others]
        short = len(points) > 10  # a month: a few day numbers under the bars
        days = [p.day.strftime("%m-%d") for p in points]
        self._drills = [(d, p.day.isoformat()) for p, d in zip(points, drills, strict=True)]
        series = QStackedBarSeries()
        series.append(level1)
        series.append(others)
        self._install(series, days, max((p.count for p in points), default=0) * 1.1)
        if short:
            self._sparse_days(series, points)

    def _sparse_days(self, series: QStackedBarSeries, points: Sequence[DayPoint]) -> None:
        # Thirty names under thirty thin bars are all elided: label the 1st, every 5th day
        # and the first shown, each exactly under its bar (bar i stands at x = i).
        for axis in self._chart.axes(Qt.Orientation.Horizontal):
            series.detachAxis(axis)
            self._chart.removeAxis(axis)
        axis = QCategoryAxis()
        axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
        axis.setRange(-0.5, len(points) - 0.5)
        axis.setGridLineVisible(False)
        for i, point in enumerate(points):
            if i == 0 or point.day.day == 1 or point.day.day % 5 == 0:
                axis.append(point.day.strftime("%m-%d") if i == 0 else str(point.day.day), i)
        self._chart.addAxis(axis, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(axis)


class ComplianceChart(ReportChart):
    """Response-target compliance per level, in percent; a bar opens the missed tickets."""

    def set_compliance(self, levels: Sequence[LevelCompliance]) -> None:
        """One bar per level (a level with nothing decided shows no bar)."""
        self._reset()
        barset = QBarSet(self.tr("Responded in time (%)"))
        barset.setColor(QColor("#81c995"))
        ordered = list(levels)[::-1]  # level 1 at the top
        for level in ordered:
            barset.append(round((level.rate or 0.0) * 100, 1))
        self._sets = [barset]
        names = [level_label(level.level) for level in ordered]
        self._drills = [(level.drill_missed, name) for level, name in zip(ordered, names,
                                                                          strict=True)]
        series = QHorizontalBarSeries()
        series.append(barset)
        series.setLabelsVisible(True)
        series.setLabelsFormat("@value%")
        # At the base, dark: a 5% bar has no room for its label, the label runs past it.
        series.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsInsideBase)
        barset.setLabelColor(QColor(LABEL_COLOUR))
        self._install(series, names, 100.0, nice=False)
        for axis in self._chart.axes(Qt.Orientation.Horizontal):
            if isinstance(axis, QValueAxis):
                axis.setTickCount(6)
