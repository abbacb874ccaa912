"""The managers' report dashboard (the Reports tab): a period, its figures, the tickets
behind any of them.

Reports are computed on the reader thread (``ctx.reader``): a month of a busy store is
too much for the GUI thread, and a save must never wait behind a report on the writer.
After a write elsewhere the figures are computed again, debounced, and only while the tab
is visible; a hidden tab only notes it is stale.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.changes import Changes
from desktop.desk import Desk
from desktop.reports.figures import build_report
from domain.reports.model import Drill, Period, Report
from domain.reports.period import resolve_period
from ui import labels
from ui.context import AppContext
from ui.naming import named as _named
from ui.reports import formatting as fmt
from ui.reports.drill_list import DrillList
from ui.reports.report_sections import ReportSections

PERIOD_KINDS = ("today", "week", "month", "last_month", "custom")
REFRESH_DELAY_MS = 800  # after a write: one computation for a burst of writes


class ReportDashboard(QWidget):
    """The Reports tab. ``open_ticket(id)`` when a ticket of a drill list is activated."""

    open_ticket = Signal(str)
    # Emitted after a report is shown (tests and screenshots wait on it).
    report_shown = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportDashboard")
        self._ctx = ctx
        self._generation = 0
        self._stale = True
        self.report: Report | None = None
        self.period: Period | None = None

        self.kind_box = _named(QComboBox(), "reportPeriodKind")
        for kind, text in zip(PERIOD_KINDS, (self.tr("Today"), self.tr("This week"),
                                             self.tr("This month"), self.tr("Last month"),
                                             self.tr("Custom")),
                              strict=True):
            self.kind_box.addItem(text, kind)
        kind_label = QLabel(self.tr("Per&iod"))
        kind_label.setBuddy(self.kind_box)
        today = self._store_today()
        self.first_edit = self._date_edit("reportFirstDay", today)
        self.last_edit = self._date_edit("reportLastDay", today)
        first_label = QLabel(self.tr("Fro&m"))
        first_label.setBuddy(self.first_edit)
        last_label = QLabel(self.tr("&Until"))
        last_label.setBuddy(self.last_edit)
        self.refresh_button = _named(QPushButton(self.tr("Refresh")), "reportRefresh")
        self.refresh_button.setToolTip(self.tr("Compute the figures again (F5)"))
        self.status = _named(QLabel(), "reportStatus")
        self.status.setWordWrap(True)
        self.error = _named(QLabel(), "reportError")
        self.error.setStyleSheet("color: #c5221f;")
        self.error.setWordWrap(True)
        self.error.hide()

        bar = QHBoxLayout()
        for widget in (kind_label, self.kind_box, first_label, self.first_edit, last_label,
                       self.last_edit, self.refresh_button):
            bar.addWidget(widget)
        bar.addStretch(1)

        self.sections = ReportSections(ctx)
        self.sections.setEnabled(False)
        self.scroll_area = _named(QScrollArea(), "reportScroll")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(self.sections)
        self.drill = DrillList(ctx)
        splitter = _named(QSplitter(Qt.Orientation.Vertical), "reportSplitter")
        splitter.addWidget(self.scroll_area)
        splitter.addWidget(self.drill)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([560, 200])

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.status)
        layout.addWidget(self.error)
        layout.addWidget(splitter, 1)

        self._computing = False
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(REFRESH_DELAY_MS)
        self._debounce.timeout.connect(self.refresh)
        self.kind_box.currentIndexChanged.connect(lambda _i: self._kind_changed())
        self.first_edit.dateChanged.connect(lambda _d: self._dates_changed())
        self.last_edit.dateChanged.connect(lambda _d: self._dates_changed())
        self.refresh_button.clicked.connect(self.refresh)
        QShortcut(QKeySequence("F5"), self, self.refresh,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.sections.drill_requested.connect(self.show_drill)
        self.sections.open_ticket.connect(self.open_ticket)
        self.drill.open_ticket.connect(self.open_ticket)
        ctx.executor.changed.connect(self._data_changed)
        self._kind_changed(compute=False)
        self.setTabOrder(self.kind_box, self.first_edit)
        self.setTabOrder(self.first_edit, self.last_edit)
        self.setTabOrder(self.last_edit, self.refresh_button)

    def _date_edit(self, name: str, day: date) -> QDateEdit:
        edit = _named(QDateEdit(QDate(day.year, day.month, day.day)), name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        return edit

    def _store_today(self) -> date:
        desk = self._ctx.desk
        return desk.now().astimezone(desk.policy.timezone).date()

    # --- public -----------------------------------------------------------------------

    def set_period(self, kind: str, first: date | None = None,
                   last: date | None = None) -> None:
        """Choose the period (``today``/``week``/``month``, or ``custom`` from *first* to
        *last*, store days) and compute it."""
        if kind == "custom" and first is not None and last is not None:
            for edit, day in ((self.first_edit, first), (self.last_edit, last)):
                edit.blockSignals(True)
                edit.setDate(QDate(day.year, day.month, day.day))
                edit.blockSignals(False)
        self.kind_box.setCurrentIndex(PERIOD_KINDS.index(kind))
        self.refresh()

    def resolve(self) -> Period:
        """The period the controls choose, now."""
        kind = str(self.kind_box.currentData())
        desk = self._ctx.desk
        if kind == "custom":
            return resolve_period(kind, desk.now(), desk.policy.timezone,
                                  first=_day(self.first_edit.date()),
                                  last=_day(self.last_edit.date()))
        return resolve_period(kind, desk.now(), desk.policy.timezone)

    def refresh(self) -> None:
        """Compute the chosen period's report on the reader thread; show it when it arrives."""
        if self._ctx.closed:
            return
        self._debounce.stop()
        self._stale = False
        try:
            period = self.resolve()
        except Exception as exc:  # a custom range the core refuses (end before start…)
            self._show_error(exc)
            return
        self._generation += 1
        generation = self._generation
        self.period = period
        self.status.setText(self.tr("Computing…"))
        self.error.hide()
        # Not by disabling Refresh: a pull or a write refreshes too, and disabling the
        # button that has the focus would move the focus. A click meanwhile just asks
        # again (the newest computation wins).
        self._computing = True

        def job(desk: Desk) -> Report:
            return build_report(desk.conn, desk.policy, period, desk.now(),
                                store_code=desk.store_code)

        def done(report: Report) -> None:
            if generation == self._generation:
                self.show_report(report)

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self._show_error(exc)

        self._ctx.reader.submit(job, done, failed, writes=False)

    def show_report(self, report: Report) -> None:
        """Show *report* (computed elsewhere, or by :meth:`refresh`)."""
        self.report = report
        self._computing = False
        self.sections.setEnabled(True)
        self.sections.show_report(report)
        self.error.hide()
        p, before = report.period, report.previous_period
        computed = labels.local_time(report.generated_at, self._ctx.desk.policy, "%H:%M")
        # Where the period starts and ends, in store time, and what it is set beside.
        text = self.tr("{period} ({days} days), compared with {previous}; computed at "
                       "{time}").format(period=fmt.period_bounds(p.first_day, p.last_day,
                                                                 p.timezone),
                                        days=p.days,
                                        previous=fmt.weekday_span(before.first_day,
                                                                  before.last_day),
                                        time=computed)
        self.status.setText(text)
        self.status.setToolTip("\n".join(report.notes))
        self.report_shown.emit()

    def show_drill(self, drill: Drill, title: str) -> None:
        """List the tickets behind *drill* under the figures."""
        self.drill.show_drill(drill, title)

    # --- inside -----------------------------------------------------------------------

    def _show_error(self, exc: BaseException) -> None:
        self._computing = False
        self.status.setText("")
        self.error.setText(labels.error_message(exc, self._ctx.language))
        self.error.show()

    def _kind_changed(self, *, compute: bool = True) -> None:
        custom = self.kind_box.currentData() == "custom"
        self.first_edit.setEnabled(custom)
        self.last_edit.setEnabled(custom)
        if not custom:
            try:  # show the days the period covers
                period = self.resolve()
            except Exception:  # shown when computing
                period = None
            if period is not None:
                for edit, day in ((self.first_edit, period.first_day),
                                  (self.last_edit, period.last_day)):
                    edit.blockSignals(True)
                    edit.setDate(QDate(day.year, day.month, day.day))
                    edit.blockSignals(False)
        if compute and self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def _dates_changed(self) -> None:
        if self.kind_box.currentData() == "custom" and self.isVisible():
            self._debounce.start()  # typing a date changes it digit by digit

    def _data_changed(self, changes: Changes) -> None:
        if not (changes.any_ticket or changes.any_compensation or changes.any_staff):
            return
        if self.isVisible():
            self._debounce.start()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def computing(self) -> bool:
        """A report is being computed (its result not shown yet)."""
        return self._computing




def _day(qdate: QDate) -> date:
    """A QDate as a date (store day)."""
    return date(qdate.year(), qdate.month(), qdate.day())
