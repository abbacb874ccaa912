"""One background thread owns every database write; results come back by Qt signal.

GUI actions are one-liners in :mod:`ui.operations` (Anki's style)::

    tickets.add_note(staff, tid, text).run(ctx, on_done=self._saved, on_error=self._failed)

A write says what it changed: a job returning :class:`~desktop.changes.Changed` has its
value handed to *on_done* and its :class:`~desktop.changes.Changes` sent with ``changed``;
a write that does not say is taken to have changed everything.

The worker opens its own :class:`~desktop.desk.Desk` on the same file (SQLite
connections belong to one thread), so a slow write never freezes the window; WAL lets the
GUI thread keep reading meanwhile. Callbacks run on the GUI thread.
"""

from __future__ import annotations

import itertools
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from desktop.changes import EVERYTHING, Changed, Changes
from desktop.desk import Desk

Job = Callable[[Desk], Any]


@dataclass
class _Pending:
    on_done: Callable[[Any], None] | None
    on_error: Callable[[BaseException], None] | None
    writes: bool


class DeskExecutor(QObject):
    """A single worker thread running jobs against its own desk connection, in order."""

    # Emitted on the GUI thread after a writing job succeeded, with its Changes: views
    # refresh on it when it names what they show.
    changed = Signal(object)
    # Emitted after every job, successful or not (tests wait on it).
    job_finished = Signal(int)
    _delivered = Signal(int, bool, object)

    def __init__(self, open_desk: Callable[[], Desk], parent: QObject | None = None, *,
                 name: str = "kesu-db-writer") -> None:
        super().__init__(parent)
        self._open_desk = open_desk
        self._jobs: queue.Queue[tuple[int, Job] | None] = queue.Queue()
        self._pending: dict[int, _Pending] = {}
        self._ids = itertools.count(1)
        self._delivered.connect(self._deliver)
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._started = False

    def start(self) -> None:
        """Start the worker (opening its connection in that thread)."""
        if not self._started:
            self._started = True
            self._thread.start()

    def submit(self, job: Job, on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[BaseException], None] | None = None,
               *, writes: bool = True) -> int:
        """Queue *job*; *on_done(result)* or *on_error(exc)* runs later on the GUI thread."""
        self.start()
        job_id = next(self._ids)
        self._pending[job_id] = _Pending(on_done, on_error, writes)
        self._jobs.put((job_id, job))
        return job_id

    def running(self) -> bool:
        """The worker has been started (it starts on the first job)."""
        return self._started

    def busy(self) -> bool:
        """Jobs are queued or running, or results not yet delivered."""
        return bool(self._pending)

    def shutdown(self, timeout: float = 10.0) -> None:
        """Finish queued jobs, then stop the worker and close its connection."""
        if self._started and self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join(timeout)

    def _run(self) -> None:
        desk: Desk | None = None
        open_error: BaseException | None = None
        try:
            desk = self._open_desk()
        except BaseException as exc:  # reported with every job rather than lost
            open_error = exc
        while True:
            item = self._jobs.get()
            if item is None:
                break
            job_id, job = item
            if desk is None:
                assert open_error is not None
                self._delivered.emit(job_id, False, open_error)
                continue
            try:
                result = job(desk)
            except BaseException as exc:
                self._delivered.emit(job_id, False, exc)
            else:
                self._delivered.emit(job_id, True, result)
        if desk is not None:
            desk.close()

    @Slot(int, bool, object)
    def _deliver(self, job_id: int, ok: bool, value: object) -> None:
        pending = self._pending.pop(job_id, None)
        try:
            if pending is None:
                return
            if ok:
                changes = EVERYTHING
                if isinstance(value, Changed):
                    changes, value = value.changes, value.value
                if pending.writes:
                    self.changed.emit(changes)
                if pending.on_done is not None:
                    pending.on_done(value)
            elif pending.on_error is not None:
                assert isinstance(value, BaseException)
                pending.on_error(value)
            else:
                assert isinstance(value, BaseException)
                raise value
        finally:
            self.job_finished.emit(job_id)


class RefreshOn(QObject):
    """Calls *refresh* after a write whose changes *concern* says matter, for as long as
    *parent* lives (a child object: the connection dies with the view)."""

    def __init__(self, executor: DeskExecutor, parent: QObject,
                 concern: Callable[[Changes], bool], refresh: Callable[[], object]) -> None:
        super().__init__(parent)
        self._concern, self._refresh = concern, refresh
        executor.changed.connect(self._changed)

    @Slot(object)
    def _changed(self, changes: Changes) -> None:
        if self._concern(changes):
            self._refresh()
