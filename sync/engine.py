"""The desk's sync engine: push the outbox, pull the store's events, over HTTP (httpx).

One :meth:`SyncEngine.sync_once` is a round: ask the server's status (epoch and
high-water mark of this device), push every unacknowledged own event in ordered batches,
then pull every page since the cursor and apply each page with its cursor in one local
transaction. The caller's loop decides when to run a round and waits
:func:`backoff_delay` after a :class:`~sync.errors.NetworkError`.

No exception here ever deletes or rewrites a local event: the outbox is derived from the
event log (device_seq above the acknowledged mark), so a failed round just leaves more
to send next time, and a resend is harmless on the server.
"""

from __future__ import annotations

import json
import random
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import httpx

from local_db import sync_state
from local_db.errors import StoreError
from sync.errors import (
    BadResponse,
    NetworkError,
    ServerError,
    ServerRejected,
    SyncError,
    Unauthorized,
    UpdateRequired,
)
from sync.protocol import (
    MAX_PUSH_BATCH,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    ProtocolViolation,
    check_pull,
)


class Clock(Protocol):
    """Anything with ``now()`` returning an aware datetime (desktop's clocks fit)."""

    def now(self) -> datetime:
        """The current moment."""
        ...


class _SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass(frozen=True)
class SyncReport:
    """What one round did."""

    offered: int  # own events sent (including resends)
    pushed: int  # of which the server stored for the first time
    pulled: int  # events received from the server
    applied: int  # of which new to this desk
    acked_through: int
    cursor: int
    epoch: str
    epoch_reset: bool  # the server was new or restored: cursor reset, events re-offered
    seconds: float


class _EpochChanged(Exception):
    """The server's epoch changed during a round; start the round again."""


def backoff_delay(
    attempt: int,
    *,
    base: float = 2.0,
    cap: float = 300.0,
    rand: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait before retry number *attempt* (0-based) after a network failure.

    Exponential with "equal jitter": uniform in [c/2, c] with c = min(cap, base·2^attempt),
    so 200 desks that lost the server together do not come back in lockstep, yet none
    retries immediately.
    """
    ceiling = min(cap, base * (1 << max(0, min(attempt, 40))))
    return ceiling / 2 + rand() * ceiling / 2


def _format(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class SyncEngine:
    """Sync one desk database with the central server at *base_url*.

    *transport* is passed to httpx (tests inject ``httpx.MockTransport``); *clock*
    stamps the status bookkeeping and drives the hybrid clock on receive.
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        base_url: str,
        transport: httpx.BaseTransport | None = None,
        clock: Clock | None = None,
        *,
        timeout: float = 30.0,
        batch_size: int = MAX_PUSH_BATCH,
        page_size: int = 500,
        protocol_version: int = PROTOCOL_VERSION,
    ) -> None:
        self.conn = conn
        self.clock: Clock = clock or _SystemClock()
        self.batch_size = min(batch_size, MAX_PUSH_BATCH)
        self.page_size = page_size
        self.protocol_version = protocol_version
        self.client = httpx.Client(base_url=base_url, transport=transport, timeout=timeout)

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self.client.close()

    def __enter__(self) -> SyncEngine:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- HTTP -------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: dict[str, Any] | None = None,
        allow: tuple[int, ...] = (),
        auth: bool = True,
    ) -> tuple[int, Any]:
        headers = {PROTOCOL_HEADER: str(self.protocol_version)}
        if auth:
            token = sync_state.read_state(self.conn).token
            if not token:
                raise Unauthorized("this desk is not enrolled")
            headers["Authorization"] = f"Bearer {token}"
        content = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        try:
            response = self.client.request(method, path, content=content, params=params,
                                           headers=headers)
        except httpx.HTTPError as exc:
            raise NetworkError(f"{type(exc).__name__}: {exc}") from exc
        status = response.status_code
        if status >= 500:
            raise ServerError(f"server answered {status}")
        try:
            data = response.json() if response.content else {}
        except ValueError as exc:
            raise BadResponse(f"{status} answer is not JSON") from exc
        if status < 300 or status in allow:
            return status, data
        error = data.get("error", "") if isinstance(data, dict) else ""
        detail = data.get("detail", "") if isinstance(data, dict) else ""
        if status == 401:
            raise Unauthorized(detail or "device token refused")
        if status == 426:
            raise UpdateRequired(detail or "update required")
        raise ServerRejected(error or f"http_{status}", str(detail), status)

    @staticmethod
    def _field(data: Any, name: str, kind: type) -> Any:
        value = data.get(name) if isinstance(data, dict) else None
        if not isinstance(value, kind):
            raise BadResponse(f"answer lacks {name!r}")
        return value

    # --- public -----------------------------------------------------------------------

    def enrol(self, code: str) -> dict[str, str]:
        """Trade a one-time code for a device token and keep it (meta ``sync_token``).

        Refuses a code issued for another store than this desk's.
        """
        state = sync_state.read_state(self.conn)
        _, data = self._call("POST", "/v1/enrol", auth=False, body={
            "protocol": self.protocol_version, "code": code, "device_id": state.device_id})
        token = self._field(data, "token", str)
        store = self._field(data, "store_code", str)
        if store != state.store_code:
            raise ServerRejected("wrong_store", f"code is for store {store}, desk is "
                                                f"{state.store_code}")
        # TODO: keep the token in the OS keyring instead of the database.
        sync_state.put(self.conn, **{sync_state.TOKEN: token})
        return {"store_code": store, "desk_code": str(data.get("desk_code", ""))}

    def sync_once(self, *, push: bool = True, pull: bool = True) -> SyncReport:
        """One full round: status, push everything, pull everything.

        ``pull=False`` pushes only (a desk too old to read the server's events can
        still hand its own over). Records last success / last error in ``meta`` and
        re-raises any :class:`~sync.errors.SyncError`; local events are never touched
        by a failure.
        """
        try:
            for _ in range(3):
                try:
                    report = self._round(push, pull)
                except _EpochChanged:
                    continue
                sync_state.put(self.conn, **{sync_state.LAST_SUCCESS: _format(self.clock.now())})
                sync_state.clear(self.conn, sync_state.LAST_ERROR)
                return report
            raise NetworkError("server epoch kept changing during the round")
        except SyncError as exc:
            self._record_error(f"{exc.code}: {exc}")
            raise
        except StoreError as exc:
            self._record_error(f"{exc.code}: {exc}")
            raise

    def _record_error(self, text: str) -> None:
        stamp = _format(self.clock.now())
        try:
            sync_state.put(self.conn, **{sync_state.LAST_ERROR: f"{stamp} {text}"})
        except (StoreError, sqlite3.Error):
            pass  # the error being reported may be the disk itself

    def _round(self, push: bool, pull: bool) -> SyncReport:
        started = time.perf_counter()
        _, st = self._call("GET", "/v1/status")
        epoch = self._field(st, "epoch", str)
        high_water = self._field(st, "high_water", int)
        head = self._field(st, "head", int)
        state = sync_state.read_state(self.conn)
        if high_water > sync_state.last_own_seq(self.conn):
            # The server holds own events this desk no longer has (desk restored from
            # an old backup): pushing now would fork the device's history.
            raise ServerRejected("desk_behind_server",
                                 f"server holds device_seq {high_water}, desk has less")
        # A new epoch, or a server that knows less than it once told us (restored
        # without a new epoch), means: re-read everything, re-offer what it lacks.
        reset = state.epoch != epoch or state.cursor > head or state.acked > high_water
        if reset:
            sync_state.reset_for_epoch(self.conn, epoch, high_water)
        elif state.acked != high_water:
            # The server committed more than we heard (lost ack): skip the resend.
            sync_state.put(self.conn, **{sync_state.ACKED: high_water})
        acked, offered, pushed = self._push(epoch, high_water) if push else (high_water, 0, 0)
        cursor = 0 if reset else state.cursor
        pulled = applied = 0
        if pull:
            cursor, pulled, applied = self._pull(epoch, cursor)
        return SyncReport(
            offered=offered, pushed=pushed, pulled=pulled, applied=applied,
            acked_through=acked, cursor=cursor, epoch=epoch,
            epoch_reset=reset and state.epoch is not None,
            seconds=time.perf_counter() - started,
        )

    def _push(self, epoch: str, acked: int) -> tuple[int, int, int]:
        offered = pushed = gaps = 0
        while True:
            batch = sync_state.outbox(self.conn, acked, self.batch_size)
            if not batch:
                return acked, offered, pushed
            device_id = batch[0]["device_id"]
            status, data = self._call("POST", "/v1/push", allow=(409,), body={
                "protocol": self.protocol_version, "device_id": device_id,
                "first_seq": batch[0]["device_seq"], "events": batch})
            if status == 409:
                # The server expects an earlier device_seq: resend from there.
                expected = self._field(data, "expected", int)
                gaps += 1
                if gaps > 3 or expected - 1 >= acked:
                    raise ServerRejected("gap", f"server expects device_seq {expected}", 409)
                acked = expected - 1
                sync_state.put(self.conn, **{sync_state.ACKED: acked})
                continue
            if self._field(data, "epoch", str) != epoch:
                raise _EpochChanged
            offered += len(batch)
            pushed += self._field(data, "inserted", int)
            acked = self._field(data, "acked_through", int)
            sync_state.put(self.conn, **{sync_state.ACKED: acked})

    def _pull(self, epoch: str, cursor: int) -> tuple[int, int, int]:
        pulled = applied = 0
        while True:
            _, data = self._call("GET", "/v1/pull",
                                 params={"since": cursor, "limit": self.page_size})
            try:
                page = check_pull(data)
            except ProtocolViolation as exc:
                raise BadResponse(str(exc)) from exc
            if page["epoch"] != epoch:
                raise _EpochChanged
            now_ms = int(self.clock.now().timestamp() * 1000)
            result = sync_state.apply_remote(self.conn, page["events"], cursor=page["cursor"],
                                             epoch=epoch, now_ms=now_ms)
            pulled += result.received
            applied += result.inserted
            cursor = page["cursor"]
            if not page["more"]:
                return cursor, pulled, applied

    def status(self) -> dict[str, Any]:
        """The desk's sync status for the UI, from local data only (no network)."""
        state = sync_state.read_state(self.conn)
        return {
            "enrolled": state.token is not None,
            "device_id": state.device_id,
            "pending": sync_state.pending_count(self.conn),
            "acked": state.acked,
            "cursor": state.cursor,
            "epoch": state.epoch,
            "last_success": state.last_success,
            "last_error": state.last_error,
        }
