"""What the dashboard shows of one report: tiles, charts and tables.

Every figure carries the drill of the tickets behind it; this widget only forwards
``drill_requested(drill, title)`` and ``open_ticket(id)`` — the dashboard lists them.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from desktop.reports.durations import duration_text
from domain.money import format_yuan
from domain.reports.model import HIGHER_IS_BETTER as BETTER
from domain.reports.model import Count, Drill, Report
from ui import labels
from ui.context import AppContext
from ui.naming import named as _named
from ui.reports import formatting as fmt
from ui.reports.report_charts import CategoryChart, ComplianceChart, TrendChart
from ui.reports.report_tables import HIGHLIGHT, DrillTable, Line
from ui.reports.tiles import FigureTile

ALERT_BACKGROUND = labels.OVERDUE_BACKGROUND
BREAKDOWNS = ("category", "subcategory", "channel", "level")


def _heading(text: str, name: str) -> QLabel:
    label = _named(QLabel(text), name)
    label.setStyleSheet("font-weight: bold; font-size: 11pt; margin-top: 8px;")
    return label


class ReportSections(QWidget):
    """The figures of a report, each clickable through to its tickets."""

    drill_requested = Signal(object, str)
    open_ticket = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportSections")
        self._ctx = ctx
        self.report: Report | None = None
        self._tile_drills: dict[str, Drill] = {}
        self.tiles: dict[str, FigureTile] = {}
        tile_titles = {
            "tickets": self.tr("Tickets"),
            "compliance": self.tr("Responded in time"),
            "response": self.tr("First response (mean)"),
            "resolution": self.tr("Resolved"),
            "reopen": self.tr("Reopened"),
            "first_contact": self.tr("First-contact resolution"),
            "satisfaction": self.tr("Satisfaction"),
            "compensation": self.tr("Compensation granted"),
            "overdue": self.tr("Overdue now"),
        }
        grid = QGridLayout()
        grid.setSpacing(6)
        for i, (key, title) in enumerate(tile_titles.items()):
            tile = FigureTile(f"tile_{key}", title)
            tile.activated.connect(lambda key=key: self._tile_activated(key))
            self.tiles[key] = tile
            grid.addWidget(tile, i // 4, i % 4)

        self.category_chart = CategoryChart("chartCategory", self.tr("Tickets by category"))
        self.compliance_chart = ComplianceChart("chartCompliance",
                                                self.tr("Responded in time, by level"))
        self.trend_chart = TrendChart("chartTrend", self.tr("Tickets per day"))
        for chart in (self.category_chart, self.compliance_chart, self.trend_chart):
            chart.drill_requested.connect(self.drill_requested)
        charts = QHBoxLayout()
        charts.addWidget(self.category_chart, 3)
        charts.addWidget(self.compliance_chart, 2)

        self.problems = DrillTable("tableProblems", [
            self.tr("Problem"), self.tr("Category"), self.tr("Tickets"), self.tr("Level 1"),
            self.tr("Most named product")])
        self.repeats = DrillTable("tableRepeats", [
            self.tr("Repeated problem"), self.tr("Days in a row"), self.tr("Days"),
            self.tr("Tickets")])
        self.breakdown_box = _named(QComboBox(), "breakdownBox")
        for key, text in zip(BREAKDOWNS, (self.tr("Category"), self.tr("Subcategory"),
                                          self.tr("Channel"), self.tr("Level")), strict=True):
            self.breakdown_box.addItem(text, key)
        breakdown_label = QLabel(self.tr("&Breakdown by"))
        breakdown_label.setBuddy(self.breakdown_box)
        self.breakdown = DrillTable("tableBreakdown", [
            self.tr("Item"), self.tr("Tickets"), self.tr("Share")])
        self.by_kind = DrillTable("tableCompKind", [
            self.tr("Kind"), self.tr("Grants"), self.tr("Total (yuan)")])
        self.comp_note = _named(QLabel(), "compNote")
        self.comp_note.setWordWrap(True)
        self.by_staff = DrillTable("tableCompStaff", [
            self.tr("Granted by"), self.tr("Role"), self.tr("Grants"), self.tr("Total (yuan)"),
            self.tr("Largest"), self.tr("Role limit"), self.tr("Above limit")])
        self.overdue = DrillTable("tableOverdue", [
            self.tr("Ticket"), self.tr("Level"), self.tr("Problem"), self.tr("Due"),
            self.tr("Overdue by"), self.tr("Handler")], stretch=2)
        for table in (self.problems, self.repeats, self.breakdown, self.by_kind,
                      self.by_staff, self.overdue):
            table.drill_requested.connect(self.drill_requested)
            table.open_ticket.connect(self.open_ticket)
        self.breakdown_box.currentIndexChanged.connect(lambda _i: self._fill_breakdown())

        pick = QHBoxLayout()
        pick.addWidget(breakdown_label)
        pick.addWidget(self.breakdown_box)
        pick.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(grid)
        self.repeats_heading = _heading(self.tr("Repeat-problem alerts"), "headRepeats")
        layout.addWidget(self.repeats_heading)
        layout.addWidget(self.repeats)
        layout.addWidget(_heading(self.tr("Top 3 problems"), "headProblems"))
        layout.addWidget(self.problems)
        layout.addLayout(charts)
        layout.addWidget(self.trend_chart)
        layout.addWidget(_heading(self.tr("Tickets by…"), "headBreakdown"))
        layout.addLayout(pick)
        layout.addWidget(self.breakdown)
        layout.addWidget(_heading(self.tr("Compensation"), "headCompensation"))
        layout.addWidget(self.by_kind)
        layout.addWidget(self.comp_note)
        layout.addWidget(self.by_staff)
        layout.addWidget(_heading(self.tr("Overdue now"), "headOverdue"))
        layout.addWidget(self.overdue)
        layout.addStretch(1)

    # --- naming -----------------------------------------------------------------------

    def _name(self, dimension: str, key: str) -> str:
        policy, lang = self._ctx.desk.policy, self._ctx.language
        if dimension == "category":
            return labels.category_label(policy, key, lang)
        if dimension == "subcategory":
            return labels.subcategory_label(policy, key, lang)
        if dimension == "channel":
            return labels.channel_label(policy, key, lang)
        if dimension == "level":
            return labels.level_label(int(key))
        return key

    # --- filling ----------------------------------------------------------------------

    def show_report(self, report: Report) -> None:
        """Show every figure of *report*."""
        self.report = report
        self._fill_tiles(report)
        self.category_chart.set_counts(
            report.by_category, [self._name("category", c.key) for c in report.by_category])
        self.compliance_chart.set_compliance(report.compliance)
        self.trend_chart.set_trend(report.trend, [
            Drill(report.period, (("day", p.day.isoformat()),)) for p in report.trend])
        self._fill_problems(report)
        self._fill_breakdown()
        self._fill_compensation(report)
        self._fill_overdue(report)

    def _tile_activated(self, key: str) -> None:
        drill = self._tile_drills.get(key)
        if drill is not None:
            self.drill_requested.emit(drill, self.tiles[key].title.text())

    def _fill_tiles(self, r: Report) -> None:
        now, before, period = r.headline, r.previous, r.period
        decided = sum(c.decided for c in r.compliance)
        in_time = sum(c.in_time for c in r.compliance)
        comp = r.compensation
        busiest = comp.busiest_day
        cap_text = (self.tr("Busiest day {day}: {amount} / cap {cap}").format(
            day=busiest.day.strftime("%m-%d"), amount=fmt.yuan(busiest.granted_fen),
            cap=fmt.yuan(comp.cap_fen)) if busiest is not None and busiest.granted_fen
            else self.tr("Daily cap {cap}").format(cap=fmt.yuan(comp.cap_fen)))
        level1_overdue = sum(1 for t in r.overdue if t.level == 1)
        figures: dict[str, tuple[str, str, tuple[str, str]]] = {
            "tickets": (str(r.tickets),
                        self.tr("voided {voided}, merged {merged}").format(
                            voided=r.voided, merged=r.merged),
                        fmt.change(now.tickets, before.tickets, kind="count",
                                   higher_is_better=BETTER["tickets"])),
            "compliance": (fmt.percent(r.headline.compliance_rate),
                           self.tr("{in_time} of {decided} in time").format(
                               in_time=in_time, decided=decided),
                           fmt.change(now.compliance_rate, before.compliance_rate,
                                      kind="rate", higher_is_better=BETTER["compliance_rate"])),
            "response": (duration_text(r.response.mean_minutes, self._ctx.language),
                         self.tr("90% within {p90}; {count} responded").format(
                             p90=duration_text(r.response.p90_minutes, self._ctx.language),
                             count=r.response.responded),
                         fmt.change(now.mean_response_minutes, before.mean_response_minutes,
                                    kind="minutes",
                                    higher_is_better=BETTER["mean_response_minutes"])),
            "resolution": (fmt.percent(r.resolution_rate),
                           self.tr("{resolved} of {tickets} closed").format(
                               resolved=r.resolved, tickets=r.tickets),
                           fmt.change(now.resolution_rate, before.resolution_rate,
                                      kind="rate", higher_is_better=BETTER["resolution_rate"])),
            "reopen": (fmt.percent(r.reopen_rate),
                       self.tr("{reopened} of {closed} ever closed").format(
                           reopened=r.reopened, closed=r.ever_closed),
                       fmt.change(now.reopen_rate, before.reopen_rate, kind="rate",
                                  higher_is_better=BETTER["reopen_rate"])),
            "satisfaction": (fmt.rating(r.satisfaction) + (" / 5" if r.satisfaction else ""),
                             self.tr("{rated} rated").format(rated=r.rated),
                             fmt.change(now.satisfaction, before.satisfaction, kind="rating",
                                        higher_is_better=BETTER["satisfaction"])),
            "compensation": (fmt.yuan(comp.granted_fen), cap_text,
                             fmt.change(now.compensation_fen, before.compensation_fen,
                                        kind="fen",
                                        higher_is_better=BETTER["compensation_fen"])),
            "overdue": (str(len(r.overdue)),
                        self.tr("level 1: {count}").format(count=level1_overdue),
                        (self.tr("whatever the period"), fmt.SAME_COLOUR)),
        }
        fcr = r.first_contact
        if fcr is not None:
            figures["first_contact"] = (
                fmt.percent(fcr.rate),
                self.tr("{resolved} of {tickets} closed at first contact").format(
                    resolved=fcr.resolved, tickets=fcr.tickets),
                fmt.change(fcr.rate, fcr.previous_rate, kind="rate", higher_is_better=True))
        for key, (value, detail, (change, colour)) in figures.items():
            self.tiles[key].set_figure(value, detail, change, colour)
        self._tile_drills = {
            "tickets": Drill(period),
            "compliance": Drill(period, (("responded_in_time", False),)),
            "response": Drill(period, (("responded_in_time", False),)),
            "resolution": Drill(period, (("resolved", True),)),
            "reopen": Drill(period, (("reopened", True),)),
            "satisfaction": Drill(period, (("rated", True),)),
            "compensation": Drill(period, (("compensation_status", "granted"),)),
            "overdue": Drill(period, (("overdue_now", True),)),
        }
        if fcr is not None:
            self._tile_drills["first_contact"] = fcr.drill

    def _fill_problems(self, r: Report) -> None:
        self.problems.set_lines([
            Line((self._name("subcategory", p.subcategory), self._name("category", p.category),
                  str(p.count), str(p.level1), p.top_product or fmt.DASH),
                 drill=p.drill, numeric=(2, 3))
            for p in r.top_problems], self.tr("No complaints in this period."))
        self.repeats.set_lines([
            Line((self._name("subcategory", a.key) if a.by == "subcategory"
                  else self.tr("Product: {name}").format(name=a.label),
                  # a run traced back to the look-back limit may be longer: "≥ 31"
                  f"≥ {a.days}" if a.began_earlier else str(a.days),
                  fmt.day_span(a.first_day, a.last_day, began_earlier=a.began_earlier),
                  str(a.tickets)),
                 drill=a.drill, highlight=ALERT_BACKGROUND, numeric=(1, 3))
            for a in r.repeat_alerts], self.tr("No problem repeated on consecutive days."))
        # The same definition as the manager's strip; say which days it is applied to.
        self.repeats_heading.setText(self.tr(
            "Repeat-problem alerts: {days}+ days in a row, reaching into {span}").format(
                days=self._ctx.desk.policy.reports.repeat_consecutive_days,
                span=fmt.day_span(r.period.first_day, r.period.last_day)))

    def _fill_breakdown(self) -> None:
        if self.report is None:
            return
        dimension = str(self.breakdown_box.currentData())
        counts: tuple[Count, ...] = getattr(self.report, f"by_{dimension}")
        total = sum(c.count for c in counts)
        self.breakdown.set_lines([
            Line((self._name(dimension, c.key), str(c.count),
                  fmt.percent(c.count / total if total else None)),
                 drill=c.drill, numeric=(1, 2))
            for c in counts], self.tr("No complaints in this period."))

    def _fill_compensation(self, r: Report) -> None:
        comp, period = r.compensation, r.period
        self.by_kind.set_lines([
            Line((labels.compensation_kind_label(kind), str(grants), format_yuan(fen)),
                 drill=Drill(period, (("compensation_kind", kind),
                                      ("compensation_status", "granted"))),
                 numeric=(1, 2))
            for kind, fen, grants in comp.by_kind], self.tr("No compensation granted."))
        self.comp_note.setText(self.tr(
            "Waiting for approval: {pending} ({pending_amount}); refused: {refused}.").format(
                pending=comp.pending, pending_amount=fmt.yuan(comp.pending_fen),
                refused=comp.refused))
        lang = self._ctx.language
        self.by_staff.set_lines([
            Line((s.name, labels.role_label(s.role, lang), str(s.grants),
                  format_yuan(s.granted_fen), format_yuan(s.largest_fen),
                  format_yuan(s.limit_fen) if s.limit_fen is not None else fmt.DASH,
                  str(s.above_limit)),
                 drill=s.drill, title=s.name, numeric=(2, 3, 4, 5, 6),
                 highlight=HIGHLIGHT if s.above_limit else None)
            for s in comp.by_staff], self.tr("No compensation granted."))

    def _fill_overdue(self, r: Report) -> None:
        policy, lang = self._ctx.desk.policy, self._ctx.language
        self.overdue.set_lines([
            Line((t.number, labels.level_label(t.level), self._name("subcategory",
                                                                     t.subcategory),
                  labels.local_time(t.due_at, policy), duration_text(t.minutes_overdue, lang),
                  t.handler or fmt.DASH),
                 ticket_id=t.ticket_id, numeric=(4,),
                 highlight=ALERT_BACKGROUND if t.level == 1 else None)
            for t in r.overdue], self.tr("Nothing overdue."))
