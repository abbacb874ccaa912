"""The desk's sync engine: push the outbox, pull the store's events, over HTTP (httpx).

One :meth:`SyncEngine.sync_once` is a round: ask the server's status (epoch and
high-water mark of this device), push every unacknowledged own event in ordered batches,
then pull every page since the cursor and apply each page with its cursor in one local
transaction. The caller's loop decides when to run a round and waits
:func:`backoff_delay` after a :class:`~sync.errors.NetworkError`.

No exception here ever deletes or rewrites a local event: the outbox is derived from the
event log (device_seq above the acknowledged mark), so a failed round just leaves more
to send next time, and a resend is harmless on the server. A batch the server refuses
is remembered as a dead letter (``sync_state.record_dead_letter``) for a person to see.

The engine knows nothing of the desk application: the device token comes from an
injected :class:`TokenSource` (the desk passes its OS-keyring credential store) and a
pulled policy document goes to an injected :class:`PolicySink`.

Every authenticated request carries the desk's report (``Kesu-Desk-Report``,
:class:`sync.protocol.DeskReport`): the app version, the policy version stored in the
desk database, the events waiting in the outbox and the open dead letters, read afresh
for each request (a few indexed counts), so headquarters sees each desk as it is.
"""

from __future__ import annotations

import json
import random
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from importlib import metadata
from typing import Any, Protocol

import httpx

from desktop.desk_sync import alerts_pull, scripts_pull
from desktop.desk_sync.errors import LocalFailure, PolicyRefused
from local_db import meta, sync_state
from local_db.errors import StoreError
from sync.errors import (
    BadResponse,
    EnrolRefused,
    NetworkError,
    ServerError,
    ServerRejected,
    SyncError,
    Unauthorized,
    UpdateRequired,
)
from sync.protocol import (
    DESK_REPORT_HEADER,
    MAX_APP_VERSION_CHARS,
    MAX_PUSH_BATCH,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    DeskReport,
    ProtocolViolation,
    check_pull,
    encode_desk_report,
)


class Clock(Protocol):
    """Anything with ``now()`` returning an aware datetime (desktop's clocks fit)."""

    def now(self) -> datetime:
        """The current moment."""
        ...


class _SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class TokenSource(Protocol):
    """Where the device token lives (the desk: the OS keyring, see desktop.credentials)."""

    def get(self) -> str | None:
        """The stored token, or ``None`` before enrolment."""
        ...

    def set(self, token: str) -> None:
        """Keep a new token (after enrolment)."""
        ...


class MetaTokenSource:
    """The token in the desk database's ``meta`` table: the fallback for tests and tools
    that pass no token source. The desk application does not use it."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def get(self) -> str | None:
        """The token under ``sync_token``."""
        return sync_state.read_state(self.conn).token

    def set(self, token: str) -> None:
        """Store the token under ``sync_token``."""
        sync_state.put(self.conn, **{sync_state.TOKEN: token})


class PolicySink(Protocol):
    """Receives policy documents headquarters published (the desk validates and installs)."""

    def current_version(self) -> str | None:
        """The policy version the desk runs now."""
        ...

    def install(self, version: str, document: dict[str, Any]) -> None:
        """Validate and install *document*; raise :class:`PolicyRefused` when it is bad
        (the desk then keeps its old policy)."""
        ...


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
    policy_installed: str | None = None  # a new policy version installed this round
    policy_error: str | None = None  # a pulled policy the desk refused (old one kept)
    update_required: str | None = None  # pulling stopped: events of a newer schema
    set_aside: int = 0  # pulled events this desk could not apply (kept beside the log)
    scripts_installed: int | None = None  # a script library version installed this round
    scripts_error: str | None = None  # the script library's part failed (tickets synced)


# Why an enrolment can be refused (anything else from the server reads as "bad_code").
ENROL_REASONS = frozenset({"code_expired", "wrong_store", "wrong_desk", "device_bound",
                           "desk_taken"})

# The last_error prefix of a round that set pulled events aside.
SET_ASIDE_CODE = "sync.set_aside"

# Marks a status answer without ``policy_version`` (a server older than that field).
_UNKNOWN = object()


class _EpochChanged(Exception):
    """The server's epoch changed during a round; start the round again."""


def _enrol_params(state: sync_state.SyncState, data: Any) -> dict[str, str]:
    """The fields of an enrolment refusal's message: this desk and the code's desk."""
    answer = data if isinstance(data, dict) else {}
    return {"store": state.store_code, "desk": state.desk_code,
            "code_store": str(answer.get("store_code") or "?"),
            "code_desk": str(answer.get("desk_code") or "?")}


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


@lru_cache(maxsize=1)
def app_version() -> str:
    """This Kesu's version, from the installed package's metadata ("unknown" when run
    from a tree that was never installed)."""
    try:
        return metadata.version("kesu")[:MAX_APP_VERSION_CHARS]
    except metadata.PackageNotFoundError:
        return "unknown"


def desk_report(conn: sqlite3.Connection) -> DeskReport:
    """What this desk tells the centre about itself now."""
    return {"app_version": app_version(), "policy_version": meta.policy_version(conn),
            "outbox": sync_state.pending_count(conn),
            "dead_letters": sync_state.open_dead_letter_count(conn)}


def _format(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class SyncEngine:
    """Sync one desk database with the central server at *base_url*.

    *transport* is passed to httpx (tests inject ``httpx.MockTransport``); *clock*
    stamps the status bookkeeping and drives the hybrid clock on receive; *tokens*
    holds the device token (default: the database's ``meta``, see :class:`MetaTokenSource`);
    *policy_sink*, when given, receives newer policy documents after each pull.
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
        tokens: TokenSource | None = None,
        policy_sink: PolicySink | None = None,
        scripts: scripts_pull.ScriptShelf | None = None,
    ) -> None:
        self.conn = conn
        self.base_url = base_url
        self.tokens: TokenSource = tokens or MetaTokenSource(conn)
        self.policy_sink = policy_sink
        self.scripts = scripts
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
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        headers = {**(headers or {}), PROTOCOL_HEADER: str(self.protocol_version)}
        if auth:
            token = self.tokens.get()
            if not token:
                raise Unauthorized("this desk is not enrolled")
            headers["Authorization"] = f"Bearer {token}"
            headers[DESK_REPORT_HEADER] = encode_desk_report(desk_report(self.conn))
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
        """Trade a one-time code for a device token, keep it in the token source and the
        server's URL in ``meta``.

        The request says this desk's store and desk, so the server refuses a code for
        another one without using it up (:class:`~sync.errors.EnrolRefused`, as for an
        unknown, used or expired code, a device bound elsewhere or a desk enrolled on
        another device). Enrolling again (after a 401) changes only the token: every
        local event stays and is pushed next round.
        """
        state = sync_state.read_state(self.conn)
        status, data = self._call("POST", "/v1/enrol", auth=False, allow=(401, 409), body={
            "protocol": self.protocol_version, "code": code, "device_id": state.device_id,
            "store_code": state.store_code, "desk_code": state.desk_code})
        if status in (401, 409):
            error = data.get("error", "") if isinstance(data, dict) else ""
            detail = str(data.get("detail", "")) if isinstance(data, dict) else ""
            reason = error if error in ENROL_REASONS else "bad_code"
            raise EnrolRefused(reason, detail, status, **_enrol_params(state, data))
        token = self._field(data, "token", str)
        store = self._field(data, "store_code", str)
        desk = str(data.get("desk_code", ""))
        # A server that ignored what the desk said: refuse all the same (its token is
        # left unused on that server).
        if store != state.store_code or (desk and desk != state.desk_code):
            reason = "wrong_store" if store != state.store_code else "wrong_desk"
            raise EnrolRefused(reason, f"code is for {store}/{desk}, this desk is "
                                       f"{state.store_code}/{state.desk_code}", 0,
                               **_enrol_params(state, data))
        self.tokens.set(token)
        sync_state.put(self.conn, **{sync_state.SERVER: self.base_url})
        sync_state.clear(self.conn, sync_state.ENROL_AGAIN)
        return {"store_code": store, "desk_code": desk}

    def probe(self) -> bool:
        """Whether the server answers at all (one cheap status request).

        Any HTTP answer counts, even a refusal: the network is back, so a full round
        (which reports the refusal properly) is worth running.
        """
        try:
            self._call("GET", "/v1/status")
        except NetworkError:
            return False
        except SyncError:
            return True
        return True

    def sync_once(self, *, push: bool = True, pull: bool = True) -> SyncReport:
        """One full round: status, push everything, pull everything, then the policy.

        ``pull=False`` pushes only (a desk too old to read the server's events can
        still hand its own over). Records last success / last error, "update required"
        and "enrol again" in ``meta`` and re-raises any :class:`~sync.errors.SyncError`;
        local events are never touched by a failure. A refused policy document does not
        fail the round: it is recorded as the last error and the old policy stays.
        """
        try:
            for _ in range(3):
                try:
                    report = self._round(push, pull)
                except _EpochChanged:
                    continue
                self._record_success(report)
                return report
            raise NetworkError("server epoch kept changing during the round")
        except Unauthorized as exc:
            self._record_error(f"{exc.code}: {exc}", **{sync_state.ENROL_AGAIN: "1"})
            raise
        except UpdateRequired as exc:
            self._record_error(f"{exc.code}: {exc}",
                               **{sync_state.UPDATE_REQUIRED: f"protocol: {exc}"})
            raise
        except ServerRejected as exc:
            self._record_error(f"{exc.code} {exc.reason}: {exc}")
            raise
        except SyncError as exc:
            self._record_error(f"{exc.code}: {exc}")
            raise
        except StoreError as exc:
            self._record_error(f"{exc.code}: {exc}")
            raise
        except Exception as exc:
            # A bug or a database surprise must never end as a traceback that leaves
            # last_error empty and reads as "server unreachable".
            failure = LocalFailure(f"{type(exc).__name__}: {exc}")
            self._record_error(f"{failure.code}: {failure}")
            raise failure from exc

    def _record_success(self, report: SyncReport) -> None:
        stamp = _format(self.clock.now())
        values: dict[str, str | int] = {sync_state.LAST_SUCCESS: stamp}
        cleared = [sync_state.LAST_ERROR, sync_state.ENROL_AGAIN]
        if report.update_required:
            values[sync_state.UPDATE_REQUIRED] = report.update_required
        else:
            cleared.append(sync_state.UPDATE_REQUIRED)
        sync_state.clear(self.conn, *cleared)
        sync_state.put(self.conn, **values)
        sync_state.resolve_dead_letters(self.conn, report.acked_through, stamp)
        if report.policy_error:
            self._record_error(f"{PolicyRefused.code}: {report.policy_error}")
        if report.scripts_error:
            self._record_error(report.scripts_error)
        if report.set_aside:
            self._record_error(f"{SET_ASIDE_CODE}: {report.set_aside} pulled event(s) set "
                               "aside (kesu sync dead-letters)")

    def _record_error(self, text: str, **extra: str) -> None:
        stamp = _format(self.clock.now())
        try:
            sync_state.put(self.conn, **{sync_state.LAST_ERROR: f"{stamp} {text}"}, **extra)
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
            fork = ServerRejected("desk_behind_server",
                                  f"server holds device_seq {high_water}, desk has less")
            self._dead_letter(sync_state.outbox(self.conn, state.acked, self.batch_size), fork)
            raise fork
        # A new epoch, or a server that knows less than it once told us (restored
        # without a new epoch), means: re-read everything, re-offer what it lacks.
        reset = state.epoch != epoch or state.cursor > head or state.acked > high_water
        if reset:
            sync_state.reset_for_epoch(self.conn, epoch, high_water)
        elif state.acked != high_water:
            # The server committed more than we heard (lost ack): skip the resend.
            sync_state.put(self.conn, **{sync_state.ACKED: high_water})
        acked, offered, pushed = (self._push(epoch, state.device_id, high_water) if push
                                  else (high_water, 0, 0))
        refused: ServerRejected | None = None
        handed_back = 0
        central = st.get("central")
        if push and isinstance(central, dict):
            try:
                handed_back = self._reoffer_central(epoch, central)
            except ServerRejected as exc:
                refused = exc  # pull first, then report it
        cursor = 0 if reset else state.cursor
        pulled = applied = 0
        newer: str | None = None
        installed = policy_refused = None
        # The idle round (nothing sent, nothing new at the server) skips the pull: the
        # status already said the store's head is where this desk's cursor is.
        idle = not reset and offered == 0 and handed_back == 0 and cursor >= head
        set_aside = 0
        if pull and not idle:
            cursor, pulled, applied, newer, set_aside = self._pull(epoch, cursor)
        if pull and newer is None and self.policy_sink is not None:
            published = st.get("policy_version", _UNKNOWN)
            if published is _UNKNOWN or (
                    published is not None and published != self.policy_sink.current_version()):
                installed, policy_refused = self._pull_policy(self.policy_sink)
        if pull:  # the centre's product alerts; a failure there never fails the round
            alerts_pull.pull_safely(self)
        # The script library last: its failure is reported, never raised (the tickets
        # are what must sync).
        scripts = (scripts_pull.exchange(self._call, self.scripts, pull_library=pull,
                                         push_uses=push)
                   if self.scripts is not None and refused is None
                   else scripts_pull.ScriptsResult())
        if refused is not None:
            raise refused
        return SyncReport(
            offered=offered, pushed=pushed, pulled=pulled, applied=applied,
            acked_through=acked, cursor=cursor, epoch=epoch,
            epoch_reset=reset and state.epoch is not None,
            seconds=time.perf_counter() - started,
            policy_installed=installed, policy_error=policy_refused, update_required=newer,
            set_aside=set_aside, scripts_installed=scripts.installed,
            scripts_error=scripts.error,
        )

    def _dead_letter(self, batch: list[dict[str, Any]], exc: ServerRejected) -> None:
        if batch:
            sync_state.record_dead_letter(
                self.conn, batch, reason=exc.reason, detail=str(exc.detail),
                http_status=exc.status, now=_format(self.clock.now()))

    def _push(self, epoch: str, device_id: str, acked: int) -> tuple[int, int, int]:
        """Send this desk's own events above *acked*: (acknowledged through, sent, stored)."""
        return self._offer("/v1/push", epoch, device_id, acked, own=True)

    def _reoffer_central(self, epoch: str, central: dict[str, Any]) -> int:
        """Hand back the centre's events a restored server lost; return how many.

        The server lists its high-water mark of each of the store's central chains;
        whatever this desk pulled beyond it was made after the backup and exists only
        on desks now.
        """
        offered = 0
        for device_id, top in sync_state.central_heads(self.conn).items():
            have = central.get(device_id, 0)
            if not isinstance(have, int):
                raise BadResponse("central high-water marks must be integers")
            offered += self._offer("/v1/reoffer", epoch, device_id, have, until=top)[2]
        return offered

    def _offer(self, path: str, epoch: str, device_id: str, acked: int, *,
               until: int | None = None, own: bool = False) -> tuple[int, int, int]:
        """Send one chain's events above *acked* to *path* in ordered batches; return
        (acknowledged through, events sent, events the server stored for the first time).

        The push of this desk's chain and the re-offer of a central one take the same
        steps: a 409 names the device_seq the server expects and the batch is resent
        from there (at most three times, and only backwards). *own* (the push) also
        keeps each acknowledgement in ``meta`` and a refused batch as a dead letter; a
        re-offer keeps neither (the server's marks come afresh with each status).
        *until* stops at the highest device_seq this desk holds of the chain.
        """
        sent = stored = gaps = 0
        while until is None or acked < until:
            batch = sync_state.chain_events(self.conn, device_id, acked, self.batch_size)
            if not batch:
                break
            try:
                status, data = self._call("POST", path, allow=(409,), body={
                    "protocol": self.protocol_version, "device_id": device_id,
                    "first_seq": batch[0]["device_seq"], "events": batch})
            except ServerRejected as exc:
                if own:
                    self._dead_letter(batch, exc)
                raise
            if status == 409:
                # The server expects an earlier device_seq: resend from there.
                expected = self._field(data, "expected", int)
                gaps += 1
                if gaps > 3 or expected - 1 >= acked:
                    gap = ServerRejected("gap", f"server expects device_seq {expected}" if own
                                         else f"{device_id} expects {expected}", 409)
                    if own:
                        self._dead_letter(batch, gap)
                    raise gap
                acked = expected - 1
            else:
                if self._field(data, "epoch", str) != epoch:
                    raise _EpochChanged
                sent += len(batch)
                stored += self._field(data, "inserted", int)
                acked = self._field(data, "acked_through", int)
            if own:
                sync_state.put(self.conn, **{sync_state.ACKED: acked})
        return acked, sent, stored

    def _pull(self, epoch: str, cursor: int) -> tuple[int, int, int, str | None, int]:
        """Pull and apply pages; stop (cursor kept) at a page with a newer event schema.

        Returns (cursor, pulled, applied, newer schema or None, events set aside).
        """
        pulled = applied = set_aside = 0
        while True:
            _, data = self._call("GET", "/v1/pull",
                                 params={"since": cursor, "limit": self.page_size})
            try:
                page = check_pull(data)
            except ProtocolViolation as exc:
                raise BadResponse(str(exc)) from exc
            if page["epoch"] != epoch:
                raise _EpochChanged
            newer = sync_state.newer_schema(page["events"])
            if newer is not None:
                # Folding events this desk does not understand could corrupt its
                # projections: leave the page (and the cursor) for an updated Kesu.
                return cursor, pulled, applied, (
                    f"event schema {newer} (this desk reads {sync_state.MAX_SCHEMA_VERSION})"
                ), set_aside
            now_ms = int(self.clock.now().timestamp() * 1000)
            result = sync_state.apply_remote(self.conn, page["events"], cursor=page["cursor"],
                                             epoch=epoch, now_ms=now_ms)
            pulled += result.received
            applied += result.inserted
            set_aside += result.set_aside
            cursor = page["cursor"]
            if not page["more"]:
                return cursor, pulled, applied, None, set_aside

    def _pull_policy(self, sink: PolicySink) -> tuple[str | None, str | None]:
        """(version installed, refusal) after fetching the newest published policy."""
        status, data = self._call("GET", "/v1/policy", allow=(404,))
        if status in (204, 404):  # nothing published (404: a server without policies)
            return None, None
        version = self._field(data, "version", str)
        document = self._field(data, "document", dict)
        if version == sink.current_version():
            return None, None
        try:
            sink.install(version, document)
        except PolicyRefused as exc:
            return None, f"{version}: {exc}"
        return version, None

    def status(self) -> dict[str, Any]:
        """The desk's sync status for the UI, from local data only (no network)."""
        state = sync_state.read_state(self.conn)
        pending = sync_state.pending_count(self.conn)
        dead = sync_state.dead_letters(self.conn)
        return {
            "enrolled": self.tokens.get() is not None,
            "server": state.server,
            "device_id": state.device_id,
            "pending": pending,
            "acked": state.acked,
            "cursor": state.cursor,
            "epoch": state.epoch,
            "last_success": state.last_success,
            "last_error": state.last_error,
            "dead_letters": len(dead),
            # Pulled events this desk could not apply (the rest of the store syncs on).
            "set_aside": sync_state.set_aside_count(self.conn),
            # The outbox is gapless: everything after a refused batch waits behind it.
            "blocked_by_dead_letter": bool(dead) and pending > 0,
            "enrol_again": state.enrol_again,
            "update_required": state.update_required is not None,
            "update_reason": state.update_required,
            "policy_version": (self.policy_sink.current_version()
                               if self.policy_sink is not None else None),
        }
