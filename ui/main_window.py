"""The service-desk main window: queue on the left, intake / ticket / approvals on the right,
alerts on top, status at the bottom, and the login screen that doubles as the lock screen.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.staff import Staff
from domain.reports.model import Drill
from ui import carry_over, language_switch
from ui.alerts import AlertBanner
from ui.approvals_panel import ApprovalsPanel
from ui.context import AppContext
from ui.fit import ScrollColumn, fit_to_screen
from ui.intake_panel import IntakePanel
from ui.login import LoginWidget
from ui.printing.app_printing import Printing
from ui.product_alerts_strip import ProductAlertStrip
from ui.quick_entry import QuickEntryWindow
from ui.reports import AttentionStrip, ReportDashboard
from ui.status_line import StatusLine
from ui.ticket_panel import TicketPanel
from ui.ticket_queue_panel import TicketQueuePanel


class WorkArea(QWidget):
    """Everything behind the login: built once, after the first login, then kept."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("work_area")
        self.alerts = AlertBanner(ctx)
        self.queue = TicketQueuePanel(ctx)
        self.intake = IntakePanel(ctx)
        self.ticket = TicketPanel(ctx)
        self.approvals = ApprovalsPanel(ctx)
        self.attention = AttentionStrip(ctx)
        self.product_alerts = ProductAlertStrip(ctx)
        self.reports = ReportDashboard(ctx)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("work_tabs")
        self.tabs.addTab(self.intake, self.tr("&New complaint"))
        self.tabs.addTab(self.ticket, self.tr("&Ticket"))
        self.tabs.addTab(self.approvals, self.tr("A&pprovals"))
        self.tabs.addTab(self.reports, self.tr("&Reports"))
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("work_splitter")
        splitter.addWidget(self.queue)
        # The tabs scroll as a whole when a page needs more than the screen has; asking
        # for no more than a 1280×720 screen holds beside the queue.
        self.tabs_scroll = ScrollColumn(self.tabs, max_hint=QSize(760, 460))
        self.tabs_scroll.setObjectName("work_tabs_scroll")
        splitter.addWidget(self.tabs_scroll)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([640, 720])
        self.splitter = splitter
        splitter.setCollapsible(0, True)
        self._queue_width: int | None = None
        self.tabs.currentChanged.connect(lambda _i: self._give_reports_room())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.alerts)
        layout.addWidget(self.attention)
        layout.addWidget(self.product_alerts)
        layout.addWidget(splitter, 1)

        self.queue.ticket_activated.connect(self.open_ticket)
        self.queue.current_ticket_changed.connect(self.ticket.show_ticket)
        self.alerts.open_ticket.connect(self.open_ticket)
        self.approvals.open_ticket.connect(self.open_ticket)
        self.reports.open_ticket.connect(self.open_ticket)
        self.attention.open_ticket.connect(self.open_ticket)
        self.attention.drill_requested.connect(self.show_drill)
        self.attention.show_reports.connect(lambda: self.tabs.setCurrentWidget(self.reports))
        self.attention.show_period.connect(
            lambda p: self.reports.set_period("custom", p.first_day, p.last_day))
        self.intake.open_ticket.connect(self.open_ticket)
        self.intake.saved.connect(lambda tid, _number: self.queue.select_ticket(tid))
        self.alerts.refresh()

    def open_ticket(self, ticket_id: str) -> None:
        """Show a ticket in the ticket tab."""
        self.ticket.show_ticket(ticket_id)
        self.tabs.setCurrentWidget(self.ticket)

    def _give_reports_room(self) -> None:
        """The Reports tab takes the queue's width too (tiles, tables and charts need it
        on a 1280×720 screen); any other tab gets the queue back as it was."""
        sizes = self.splitter.sizes()
        if self.tabs.currentWidget() is self.reports:
            if self._queue_width is None and sizes[0] > 0:
                self._queue_width = sizes[0]
                self.splitter.setSizes([0, sum(sizes)])
        elif self._queue_width is not None:
            width, self._queue_width = self._queue_width, None
            self.splitter.setSizes([width, max(sum(sizes) - width, 0)])

    def show_drill(self, drill: Drill, title: str) -> None:
        """The Reports tab, listing the tickets behind *drill*."""
        self.tabs.setCurrentWidget(self.reports)
        self.reports.show_drill(drill, title)

    def new_complaint(self) -> None:
        """Go to the intake form, text box focused."""
        self.tabs.setCurrentWidget(self.intake)
        self.intake.focus_text()

    def apply_role(self, staff: Staff) -> None:
        """What the window offers depends on the role: approvals are for managers."""
        self.tabs.setTabVisible(self.tabs.indexOf(self.approvals), staff.role == "manager")
        # Reports and the start strip (repeat problems, level-1 overdue) are the manager's.
        self.tabs.setTabVisible(self.tabs.indexOf(self.reports), staff.role == "manager")
        self.attention.set_active(staff.role == "manager")
        # The centre's product alerts are for everyone at the desk (check the shelves).
        self.product_alerts.set_active(True)

    def has_unsaved(self) -> bool:
        """Some form holds typed text that is not saved."""
        return self.intake.has_unsaved()


class MainWindow(QMainWindow):
    """The full app for service-desk staff and managers."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.setObjectName("main_window")
        fit_to_screen(self, QSize(1360, 820))  # never larger than the screen's free area
        self.stack = QStackedWidget()
        self.login = LoginWidget(ctx)
        self.stack.addWidget(self.login)
        self.setCentralWidget(self.stack)
        self.work: WorkArea | None = None
        self._work_language = ""  # the language the work area was built in
        self._quick_inputs: carry_over.Inputs = {}
        self._retired: list[QWidget] = []  # dropped work areas waiting for their jobs
        self._focus_before_lock: QWidget | None = None
        self.quick: QuickEntryWindow | None = None
        self.status = StatusLine(ctx)
        self.setStatusBar(self.status)
        # Receipts print through the desk's queue; its state sits in the status line.
        self.printing = Printing(ctx, self)
        self.status.addPermanentWidget(self.printing.indicator)
        self.printing.problem.connect(lambda text: self.status.showMessage(text, 10_000))
        self.printing.notice.connect(lambda text: self.status.showMessage(text, 30_000))
        self._actions()
        self.login.logged_in.connect(self._logged_in)
        self.login.language_changed.connect(lambda _lang: self._retranslate())
        ctx.session.locked_changed.connect(self._lock_changed)
        ctx.session.staff_changed.connect(self._staff_changed)
        self._retitle()
        self.login.prepare()

    def _retitle(self) -> None:
        desk = self._ctx.desk
        self.setWindowTitle(self.tr("Kesu complaint desk - {store} {desk}").format(
            store=desk.store_name or desk.store_code, desk=desk.desk_code))

    def _actions(self) -> None:
        def action(name: str, text: str, keys: str, slot: object) -> QAction:
            act = QAction(text, self)
            act.setObjectName(name)
            act.setShortcut(QKeySequence(keys))
            act.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
            act.triggered.connect(slot)
            self.addAction(act)
            return act

        self.lock_action = action("action_lock", self.tr("Lock"), "Ctrl+L", self.lock)
        self.new_action = action("action_new", self.tr("New complaint"), "F2",
                                 self.new_complaint)
        self.quick_action = action("action_quick", self.tr("Quick entry"), "F3",
                                   self.show_quick_entry)
        self.print_queue_action = action("action_print_queue", self.tr("Print queue"),
                                         "Ctrl+Shift+P", self.show_print_queue)
        self.desk_menu = menu = self.menuBar().addMenu(self.tr("&Desk"))
        for act in (self.new_action, self.quick_action, self.print_queue_action,
                    self.lock_action):
            menu.addAction(act)
        menu.addSeparator()
        self.quit_action = quit_action = menu.addAction(self.tr("&Quit"))
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.triggered.connect(self.close)

    def _retranslate(self) -> None:
        """The window's own words (menu, title, status line) in the language just chosen;
        the work area follows at the next login (``ui.language_switch``)."""
        for act, text in ((self.lock_action, self.tr("Lock")),
                          (self.new_action, self.tr("New complaint")),
                          (self.quick_action, self.tr("Quick entry")),
                          (self.print_queue_action, self.tr("Print queue")),
                          (self.quit_action, self.tr("&Quit"))):
            act.setText(text)
        self.desk_menu.setTitle(self.tr("&Desk"))
        self._retitle()
        self.status.refresh()
        self.printing.indicator.refresh()

    def _drop_work(self) -> language_switch.WorkState | None:
        """Take the work area (and the quick-entry window) down when it was built in
        another language than the one chosen now; return what it held."""
        if self.work is None or self._work_language == self._ctx.language:
            return None
        state = language_switch.capture(self.work, self._focus_before_lock)
        self._focus_before_lock = None
        old, self.work = self.work, None
        self.stack.removeWidget(old)
        self._retire(old)
        if self.quick is not None:
            self._quick_inputs = carry_over.snapshot(self.quick)
            self._retire(self.quick)
            self.quick = None
        return state

    def _retire(self, widget: QWidget) -> None:
        """Hide *widget*, stop its timers, and delete it once no job it may have started
        is still to report back to it (a result delivered to a deleted widget fails)."""
        widget.hide()
        for timer in widget.findChildren(QTimer):
            timer.stop()
        self._retired.append(widget)
        QTimer.singleShot(0, self._bury)

    def _bury(self) -> None:
        if not self._retired:
            return
        if self._ctx.executor.busy() or self._ctx.reader.busy():
            QTimer.singleShot(20, self._bury)
            return
        for widget in self._retired:
            widget.deleteLater()
        self._retired.clear()

    # --- session -----------------------------------------------------------------------

    def _logged_in(self, staff: Staff) -> None:
        carried = self._drop_work()
        if self.work is None:
            self.work = WorkArea(self._ctx)
            self._work_language = self._ctx.language
            self.stack.addWidget(self.work)
            # A saved complaint prints its receipt on the desk's printer, no dialog.
            self.work.intake.saved.connect(self.printing.print_after_save)
            self.work.ticket.print_requested.connect(
                lambda tid: self.printing.open_dialog(tid, self))
        self.printing.start()
        self.work.apply_role(staff)
        self.stack.setCurrentWidget(self.work)
        if carried is not None:
            self._focus_before_lock = language_switch.replay(self.work, carried)
        # Back to where the hands were before the lock: a half-typed complaint goes on.
        before, self._focus_before_lock = self._focus_before_lock, None
        if before is not None and self.work.isAncestorOf(before) and before.isVisible():
            before.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.work.queue.setFocus()

    def _staff_changed(self, staff: Staff | None) -> None:
        if staff is not None and self.work is not None:
            self.work.apply_role(staff)

    def _lock_changed(self, locked: bool) -> None:
        if locked:
            self._focus_before_lock = QApplication.focusWidget()
            self.stack.setCurrentWidget(self.login)
            self.login.prepare()
            if self.quick is not None:
                self.quick.hide()

    def lock(self) -> None:
        """Lock the desk now (Ctrl+L); open forms are kept behind the lock screen."""
        self._ctx.session.lock()

    def new_complaint(self) -> None:
        """F2: the intake form."""
        if self.work is not None and not self._ctx.session.locked:
            self.work.new_complaint()

    def show_quick_entry(self) -> None:
        """F3: the cashier's quick-entry window, on top."""
        if self._ctx.session.locked or self._ctx.session.staff is None:
            return
        if self.quick is None:
            self.quick = QuickEntryWindow(self._ctx)
            self.quick.saved.connect(self.printing.print_after_save)
            # What the cashier had typed before the language changed (ui.language_switch).
            carry_over.restore(self.quick, self._quick_inputs)
            self._quick_inputs = {}
        self.quick.show_and_focus()

    def show_print_queue(self) -> None:
        """Ctrl+Shift+P: the print queue window."""
        if not self._ctx.session.locked and self._ctx.session.staff is not None:
            self.printing.show_queue()

    # --- closing -----------------------------------------------------------------------

    def confirm_discard(self) -> bool:
        """Ask before throwing away a form that was typed but not saved."""
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Unsaved complaint"),
                          self.tr("A complaint was typed but not saved. Close anyway and "
                                  "lose it?"),
                          QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                          self)
        box.setObjectName("confirm_discard")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        return box.exec() == QMessageBox.StandardButton.Discard

    def closeEvent(self, event: QCloseEvent) -> None:
        unsaved = self.work is not None and self.work.has_unsaved()
        if unsaved and not self.confirm_discard():
            event.ignore()
            return
        if self.quick is not None:
            self.quick.close()
        self.printing.stop()
        event.accept()

