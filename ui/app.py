"""Starting the app: the Qt application, the font, the language, the context, the window.

``kesu app`` opens the full window; ``kesu quick`` only the cashier's quick-entry window;
``kesu demo`` the full window on a fresh demo store, with the demo PINs on the login screen.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QSettings, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from desktop import script_library
from desktop.changes import Changes, changes_since, event_mark
from desktop.desk_sync.runner import RunnerEvent, SyncRunner
from desktop.desk_sync.wiring import engine_factory, local_sync_status
from desktop.i18n import current_language
from desktop.paths import quick_entry_socket
from local_db.errors import StoreError
from ui.context import AppContext, open_context
from ui.fonts import ensure_cjk_font
from ui.garbage import GuiThreadCollector
from ui.labels import error_message
from ui.translations import install_language

# Set by ``bench/ui_startup.py``: print how long the process took to show an interactive
# window, then quit.
READY_ENV = "KESU_EXIT_WHEN_READY"


def make_application(argv: Sequence[str] | None = None) -> QApplication:
    """The QApplication with Kesu's names, the CJK font, and the saved or asked language."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(list(argv or sys.argv[:1]))
    app.setOrganizationName("Kesu")
    app.setApplicationName("Kesu")
    app.setApplicationDisplayName("客诉 Kesu")
    ensure_cjk_font(app)
    if app.findChild(GuiThreadCollector) is None:
        GuiThreadCollector(app)
    return app


def chosen_language() -> str:
    """``KESU_LANG`` or the locale when set, else what was picked at the last login."""
    if os.environ.get("KESU_LANG"):
        return current_language()
    saved = QSettings().value("language")
    return str(saved) if saved else current_language()


class SyncBridge(QObject):
    """Carries the sync thread's news to the GUI thread (a signal emitted from another
    thread is delivered queued, in the receiver's thread).

    ``pulled()`` after a round brought events or a script library; the bridge then takes
    up the policy and says what the pull changed (the tickets whose events arrived since
    the last time, the policy when its version moved, the script library when its
    version did) as ``changed(Changes)``.
    """

    pulled = Signal()
    changed = Signal(object)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx.session)
        self._ctx = ctx
        self._mark = event_mark(ctx.desk.conn)
        self._scripts = script_library.version(ctx.desk.conn)
        self.pulled.connect(self._take_up)

    def _take_up(self) -> None:
        if self._ctx.closed:
            return
        version = self._ctx.desk.policy.version
        self._ctx.refresh_policy()
        changes, self._mark = changes_since(self._ctx.desk.conn, self._mark)
        scripts, self._scripts = self._scripts, script_library.version(self._ctx.desk.conn)
        policy = Changes(policy=self._ctx.desk.policy.version != version, sync_state=True,
                         scripts=scripts != self._scripts)
        self.changed.emit(changes | policy)


def pull_bridge(ctx: AppContext) -> SyncBridge:
    """The path a sync pull takes into the windows: the policy is taken up and the views
    showing what it changed refresh as after a write (``executor.changed``)."""
    bridge = SyncBridge(ctx)
    bridge.changed.connect(ctx.executor.changed.emit)
    return bridge


def start_sync(ctx: AppContext) -> SyncRunner | None:
    """Sync in the background when this desk is enrolled; the status line shows it."""
    if not local_sync_status(ctx.desk)["server"]:
        return None
    bridge = pull_bridge(ctx)

    def on_event(event: RunnerEvent) -> None:  # runs on the sync thread
        if event.report is not None and (event.report.pulled
                                         or event.report.scripts_installed is not None):
            bridge.pulled.emit()

    runner = SyncRunner(engine_factory(ctx.db_path), on_event=on_event)
    # Every write may leave events for the centre: the runner pushes them soon.
    ctx.executor.changed.connect(lambda _changes: runner.nudge())
    runner.start()
    return runner


def report_cannot_open(db_path: str | Path, exc: BaseException, language: str) -> None:
    """Tell the person why the desk database cannot be opened."""
    message = QCoreApplication.translate(
        "app", "Kesu cannot open the desk database {path}:\n{reason}").format(
        path=db_path, reason=error_message(exc, language))
    sys.stderr.write(message + "\n")
    if not os.environ.get(READY_ENV):
        QMessageBox.critical(None, QCoreApplication.translate("app", "Kesu"), message)


def run_app(db_path: str | Path, *, quick: bool = False,
            demo_staff: Sequence[tuple[str, str, str, str]] = ()) -> int:
    """Open the app on *db_path* and run until the window closes; return the exit code."""
    started = time.perf_counter()
    app = make_application()
    language = install_language(chosen_language())
    try:
        ctx = open_context(db_path, language=language, demo_staff=demo_staff)
    except (StoreError, sqlite3.DatabaseError) as exc:
        # No window without a usable database: say why (a newer Kesu wrote it, it was
        # never initialised, the disk is unreadable) and touch nothing.
        report_cannot_open(db_path, exc, language)
        return 1
    runner = start_sync(ctx)
    window: QWidget
    server = None
    if quick:
        from ui.quick_entry import QuickEntryWindow
        from ui.single_instance import ShowServer

        quick_window = QuickEntryWindow(ctx)
        from ui.printing.app_printing import Printing

        # The cashier's saves print their receipts on the desk's printer, no dialog.
        printing = Printing(ctx, quick_window)
        quick_window.saved.connect(printing.print_after_save)
        # Where a PDF receipt went goes under the cashier's "saved" line.
        printing.notice.connect(lambda text: quick_window.message.setText(
            f"{quick_window.message.text()}\n{text}".strip()))
        printing.start()
        # Later ``kesu quick`` runs (the cashier's keyboard shortcut) bring this one up.
        server = ShowServer(quick_entry_socket(ctx.db_path), quick_window.show_and_focus)
        window = quick_window
    else:
        from ui.main_window import MainWindow

        window = MainWindow(ctx)
    window.show()
    if os.environ.get(READY_ENV):
        def ready() -> None:
            print(f'{{"ready_s": {time.perf_counter() - started:.4f}}}', flush=True)
            if os.environ.get(READY_ENV) != "stay":
                window.close()
                app.quit()

        QTimer.singleShot(0, ready)
        if server is not None:  # the hand-over test and bench watch for the show request
            server.shown.connect(lambda: print('{"shown": true}', flush=True))
    try:
        return app.exec()
    finally:
        if server is not None:
            server.close()
        if runner is not None:
            runner.stop()
        ctx.close()
