"""Another desk of the same store, for the UI tests: it changes tickets and its events
reach the app's database as a sync pull does (``apply_remote`` on a connection of its
own, then the pull signal the app's sync bridge emits)."""

from __future__ import annotations

from pathlib import Path

from desktop.desk import Desk, init_desk, open_desk
from desktop.staff import Staff, add_staff
from domain.clock import FixedClock
from local_db import sync_state
from tests.conftest import NAMES, PINS, ROLES
from ui.app import SyncBridge, pull_bridge
from ui.context import AppContext


class OtherDesk:
    """Desk D1 of store XT01, sharing the test's clock; ``pull`` / ``push`` move events
    between it and the app's database the way the central server would."""

    def __init__(self, path: Path, clock: FixedClock, ctx: AppContext) -> None:
        self.desk: Desk = init_desk(path, store_code="XT01", desk_code="D1",
                                    store_name="湘潭一店", clock=clock)
        self.staff: dict[str, Staff] = {
            sid: add_staff(self.desk.conn, self.desk.policy.staff, clock, staff_id=sid,
                           name=NAMES[sid], role=ROLES[sid], pin=PINS[sid]) for sid in PINS}
        self._ctx = ctx
        self._clock = clock
        self._seq = 0  # the "server_seq" handed out so far
        self._from_app = 0  # app events already copied here
        self._to_app = 0  # own events already delivered to the app
        self.bridge: SyncBridge = pull_bridge(ctx)

    def close(self) -> None:
        """Close its database."""
        self.desk.close()

    def _stamp(self, events: list[dict[str, object]]) -> list[dict[str, object]]:
        stamped = []
        for event in events:
            self._seq += 1
            stamped.append({**event, "server_seq": self._seq})
        return stamped

    def pull(self) -> None:
        """Take the app desk's events (so this desk knows its tickets)."""
        app = open_desk(self._ctx.db_path, self._clock)
        try:
            page = sync_state.outbox(app.conn, self._from_app, 100_000)
        finally:
            app.close()
        self._from_app += len(page)
        sync_state.apply_remote(self.desk.conn, self._stamp(page), cursor=self._seq,
                                epoch="e1", now_ms=self._now_ms())

    def deliver(self) -> int:
        """Apply this desk's new events to the app's database as a pull would, and
        emit the pull signal the app's windows refresh on. Returns how many."""
        page = sync_state.outbox(self.desk.conn, self._to_app, 100_000)
        self._to_app += len(page)
        app = open_desk(self._ctx.db_path, self._clock)
        try:
            sync_state.apply_remote(app.conn, self._stamp(page), cursor=self._seq,
                                    epoch="e1", now_ms=self._now_ms())
        finally:
            app.close()
        self.bridge.pulled.emit()
        return len(page)

    def _now_ms(self) -> int:
        return int(self._clock.now().timestamp() * 1000)
