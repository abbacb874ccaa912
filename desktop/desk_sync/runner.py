"""The desk's background sync loop: a thread that runs sync rounds when they are due.

A round runs

* soon after a local change (:meth:`SyncRunner.nudge`, debounced: at most *debounce*
  seconds after the first of a burst of changes, so a busy desk does not sync per key),
* on a timer (*interval*, e.g. every 60 s, to hear other desks and headquarters),
* at once when the network returns: after a network failure the runner waits
  :func:`~desktop.desk_sync.engine.backoff_delay`, then probes the server with one cheap
  request and runs a full round as soon as it answers; until then the backoff keeps
  growing.

The thread owns its own engine and SQLite connection (made by *engine_factory* inside
the thread, closed by it), never blocks the caller, and reports every round and every
failure through *on_event* (called on the runner's thread; the Qt app bridges it to a
signal). Failures that retrying cannot fix (401, 426, a refused batch) are reported and
retried only on the timer, not hammered.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from desktop.desk_sync.engine import SyncEngine, SyncReport, backoff_delay
from local_db.errors import StoreError
from sync.errors import NetworkError, SyncError

_log = logging.getLogger("kesu.sync.runner")

ROUND = "round"  # a round finished; ``report`` set
FAILED = "failed"  # a round failed; ``error`` set, ``retry_in`` when backing off
PROBE_FAILED = "probe_failed"  # the server still does not answer; ``retry_in`` set


@dataclass(frozen=True)
class RunnerEvent:
    """One thing the runner did, for the status line."""

    kind: str
    report: SyncReport | None = None
    error: BaseException | None = None
    retry_in: float | None = None  # seconds until the next attempt (backing off)
    failures: int = 0  # consecutive network failures so far


class SyncRunner:
    """Runs :meth:`SyncEngine.sync_once` in a background thread; see the module doc."""

    def __init__(
        self,
        engine_factory: Callable[[], SyncEngine],
        *,
        on_event: Callable[[RunnerEvent], None] | None = None,
        interval: float = 60.0,
        debounce: float = 1.0,
        backoff: Callable[[int], float] = backoff_delay,
        name: str = "kesu-sync",
    ) -> None:
        self._factory = engine_factory
        self._on_event = on_event
        self.interval = interval
        self.debounce = debounce
        self._backoff = backoff
        self._name = name
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = False
        self._nudge_at: float | None = None
        self._failures = 0  # consecutive transient failures (the thread's own)
        self._thread: threading.Thread | None = None

    # --- caller side (any thread, never blocks) ---------------------------------------

    def start(self) -> None:
        """Start the thread; its first round runs at once."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()

    def nudge(self) -> None:
        """A local change was saved: sync within *debounce* seconds."""
        with self._lock:
            if self._nudge_at is None:
                self._nudge_at = time.monotonic() + self.debounce
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> bool:
        """Ask the thread to stop and wait up to *timeout* s; return whether it ended.

        A round in progress finishes its current request first (every step is resumable,
        so an abandoned daemon thread at exit loses nothing).
        """
        with self._lock:
            self._stopping = True
        self._wake.set()
        thread = self._thread
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    @property
    def running(self) -> bool:
        """Whether the thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    # --- the thread -------------------------------------------------------------------

    def _emit(self, event: RunnerEvent) -> None:
        if self._on_event is None:
            return
        try:
            self._on_event(event)
        except Exception:  # a broken listener must not stop syncing
            _log.exception("sync event listener failed")

    def _sleep_until(self, due: float) -> bool:
        """Wait until *due* (monotonic) or a wake-up; True when it is time to act."""
        self._wake.clear()
        with self._lock:
            if self._stopping:
                return False
            nudge_at = self._nudge_at
        if nudge_at is not None and nudge_at < due and self._failures == 0:
            due = nudge_at
        wait = due - time.monotonic()
        if wait <= 0:
            return True
        self._wake.wait(min(wait, 3600.0))
        return False

    def _run(self) -> None:
        self._failures = 0
        engine: SyncEngine | None = None
        next_timer = time.monotonic()  # first round at once
        retry_at = 0.0
        try:
            while True:
                with self._lock:
                    if self._stopping:
                        return
                due = retry_at if self._failures else next_timer
                if not self._sleep_until(due):
                    continue
                with self._lock:
                    self._nudge_at = None  # a nudge from now on asks for another round
                try:
                    if engine is None:
                        engine = self._factory()
                    if self._failures and not engine.probe():
                        self._failures += 1
                        retry_in = self._backoff(self._failures - 1)
                        retry_at = time.monotonic() + retry_in
                        self._emit(RunnerEvent(PROBE_FAILED, retry_in=retry_in,
                                               failures=self._failures))
                        continue
                    report = engine.sync_once()
                except (NetworkError, StoreError, sqlite3.Error, OSError) as exc:
                    # Transient (network, busy or full disk): back off, then probe.
                    self._failures += 1
                    retry_in = self._backoff(self._failures - 1)
                    retry_at = time.monotonic() + retry_in
                    self._emit(RunnerEvent(FAILED, error=exc, retry_in=retry_in,
                                           failures=self._failures))
                except SyncError as exc:
                    # Needs a person (enrol again, update, refused batch): report and
                    # try again on the timer only.
                    self._failures = 0
                    next_timer = time.monotonic() + self.interval
                    self._emit(RunnerEvent(FAILED, error=exc))
                except Exception as exc:  # never let the thread die silently
                    _log.exception("sync round failed")
                    self._failures += 1
                    retry_in = self._backoff(self._failures - 1)
                    retry_at = time.monotonic() + retry_in
                    self._emit(RunnerEvent(FAILED, error=exc, retry_in=retry_in,
                                           failures=self._failures))
                else:
                    self._failures = 0
                    next_timer = time.monotonic() + self.interval
                    self._emit(RunnerEvent(ROUND, report=report))
        finally:
            if engine is not None:
                engine.close()
                engine.conn.close()

