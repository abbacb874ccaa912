"""What every window gets in its constructor: the desk, the writer, the session, the language.

Windows never open databases or threads themselves (qutebrowser's style): tests build one
:class:`AppContext` on a fresh file and hand it to the widget under test.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject

from desktop.desk import Desk, open_desk, reload_policy
from desktop.i18n import DEFAULT_LANGUAGE
from desktop.staff import Staff
from domain.clock import Clock
from ui.executor import DeskExecutor
from ui.session import ActivityFilter, Session


@dataclass
class AppContext:
    """The running app's shared parts.

    ``desk`` is the GUI thread's own connection and is used for reads only (WAL lets it
    read while the executor writes); every write goes through ``executor``. Long reads
    (the reports) go through ``reader``, a thread of their own started on first use, so
    a save at the counter never waits behind a manager's year report.
    """

    db_path: Path
    desk: Desk
    executor: DeskExecutor
    session: Session
    reader: DeskExecutor
    language: str = DEFAULT_LANGUAGE
    # (id, name, role, pin) of demo staff, shown on the login screen of ``kesu demo``.
    demo_staff: Sequence[tuple[str, str, str, str]] = field(default_factory=tuple)
    # Set by close(): timers of windows still alive must not touch the closed connection.
    closed: bool = False

    @property
    def staff(self) -> Staff:
        """The staff member acting now (a window is only usable when someone is)."""
        if self.session.staff is None:
            raise RuntimeError("nobody is logged in")
        return self.session.staff

    def refresh_policy(self) -> None:
        """Take up a policy the sync thread installed, on this connection and on the
        writer's (a no-op for each when it is unchanged)."""
        reload_policy(self.desk)
        self.executor.submit(reload_policy, writes=False)
        if self.reader.running():
            self.reader.submit(reload_policy, writes=False)

    def close(self) -> None:
        """Finish queued writes, then close both connections."""
        self.closed = True
        self.session.lock_timer_off()
        self.executor.shutdown()
        self.reader.shutdown()
        self.desk.close()


def open_context(db_path: str | Path, *, clock: Clock | None = None,
                 language: str = DEFAULT_LANGUAGE,
                 demo_staff: Sequence[tuple[str, str, str, str]] = (),
                 idle_lock_ms: int | None = None,
                 parent: QObject | None = None) -> AppContext:
    """Open the desk at *db_path* for the app: a read connection here, a writer thread."""
    path = Path(db_path)
    desk = open_desk(path, clock)
    executor = DeskExecutor(lambda: open_desk(path, desk.clock), parent)
    if idle_lock_ms is None:  # policy value; 0 turns the idle lock off
        minutes = desk.policy.staff.idle_lock_minutes
        idle_lock_ms = minutes * 60_000
    session = Session(idle_lock_ms, parent)
    app = QCoreApplication.instance()
    if app is not None:  # any key or click anywhere in the app counts as activity
        app.installEventFilter(ActivityFilter(session))
    executor.start()
    reader = DeskExecutor(lambda: open_desk(path, desk.clock), parent, name="kesu-db-reader")
    return AppContext(path, desk, executor, session, reader, language, tuple(demo_staff))
