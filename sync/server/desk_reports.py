"""What the centre knows of each desk: its last sync and what it reports about itself.

Every authenticated status, push, pull and re-offer is a sign of life; the desk's
``Kesu-Desk-Report`` header (:class:`sync.protocol.DeskReport`) adds its app version,
the policy version it runs, the events waiting in its outbox and its open dead letters.
:class:`ReportBook` keeps them in ``desk_reports``, one row per device.

The report rides on the sync path, so it must cost the sync nothing that matters and
never fail it: one small upsert outside the push transaction, skipped when this process
wrote the same report for the device less than :data:`REFRESH_SECONDS` ago (a round's
status, push and pull usually carry the same one), and a failing write is logged, not
raised. A malformed report is ignored (the last good one stays) while the sign of life
still counts.

:func:`desks_overview` is what the console's desks page shows: per store, its desks
(from ``tokens``, live and revoked) with their reports, and the enrolment codes still
waiting to be used.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from domain.clock import format_time
from sync.protocol import DeskReport
from sync.server.enrolment import ID_CHARS, code_expiry
from sync.server.storage import Storage, TokenInfo
from sync.server.tables import desk_reports, dialect_insert, enrol_codes, tokens

_log = logging.getLogger(__name__)

# A sign of life with an unchanged report is written at most this often per device and
# process, so "last sync" is that fresh.
REFRESH_SECONDS = 10.0
_REPORTED = ("app_version", "policy_version", "outbox", "dead_letters")


class ReportBook:
    """Records desks' signs of life and reports in ``desk_reports`` (one per app)."""

    def __init__(self, storage: Storage, *, refresh_seconds: float = REFRESH_SECONDS,
                 clock: Callable[[], float] | None = None) -> None:
        self.storage = storage
        self.refresh_seconds = refresh_seconds
        self._clock = clock or time.monotonic
        self._lock = threading.Lock()
        # device_id -> (monotonic time of the last write, the report it wrote or None)
        self._written: dict[str, tuple[float, DeskReport | None]] = {}

    def _due(self, device_id: str, report: DeskReport | None) -> bool:
        now = self._clock()
        with self._lock:
            last = self._written.get(device_id)
            if last is not None and now - last[0] < self.refresh_seconds and (
                    report is None or report == last[1]):
                return False
            self._written[device_id] = (now, report if report is not None else
                                        (last[1] if last else None))
            return True

    def seen(self, who: TokenInfo, report: DeskReport | None) -> bool:
        """Record that *who*'s desk synced now, with *report* when it sent a valid one;
        whether a row was written. Never raises: sync goes on whatever happens here."""
        if not self._due(who.device_id, report):
            return False
        try:
            self._upsert(who, report)
        except Exception:
            with self._lock:  # try again with the next request
                self._written.pop(who.device_id, None)
            _log.exception("could not record the report of device %s", who.device_id)
            return False
        return True

    def _upsert(self, who: TokenInfo, report: DeskReport | None) -> None:
        values: dict[str, object] = {
            "device_id": who.device_id, "store": who.store, "desk": who.desk,
            "last_seen_at": format_time(datetime.now(UTC))}
        if report is not None:
            values.update({key: report[key] for key in _REPORTED})  # type: ignore[literal-required]
        with self.storage.writing() as conn:
            stmt = dialect_insert(conn, desk_reports).values(**values)
            conn.execute(stmt.on_conflict_do_update(
                index_elements=["device_id"],
                set_={key: stmt.excluded[key] for key in values if key != "device_id"}))


@dataclass(frozen=True)
class DeskRow:
    """One desk (one device) of a store, its token's state and its last report."""

    store: str
    desk: str
    device_id: str
    live: bool  # a live token; False: every token of the device was revoked
    token_id: str  # the newest token's id (as ``kesu-server token list`` names it)
    enrolled_at: str  # its first token
    revoked_at: str | None  # when its last token was revoked (None while live)
    last_seen_at: str | None  # None: it never synced
    app_version: str | None
    policy_version: str | None
    outbox: int | None
    dead_letters: int | None


@dataclass(frozen=True)
class PendingCode:
    """An enrolment code not used yet and not expired."""

    store: str
    desk: str
    code_id: str
    created_at: str
    expires_at: str


@dataclass(frozen=True)
class StoreDesks:
    """A store's desks (by desk code, live first) and its pending enrolment codes."""

    store: str
    desks: list[DeskRow]
    codes: list[PendingCode]


def desks_overview(conn: Connection, stores: Sequence[str] | None = None, *,
                   now: datetime | None = None) -> list[StoreDesks]:
    """Every store's desks and pending codes, by store code.

    With *stores*, only those, each listed even when it has no desk yet; without, every
    store that has a token or a code.
    """
    stamp = format_time(now or datetime.now(UTC))
    token_q = (sa.select(tokens.c.token_hash, tokens.c.store, tokens.c.desk,
                         tokens.c.device_id, tokens.c.created_at, tokens.c.revoked_at)
               .order_by(tokens.c.created_at, tokens.c.token_hash))
    report_q = sa.select(desk_reports)
    code_q = (sa.select(enrol_codes).where(enrol_codes.c.used_at.is_(None))
              .order_by(enrol_codes.c.created_at, enrol_codes.c.code_hash))
    if stores is not None:
        wanted = sorted(set(stores))
        token_q = token_q.where(tokens.c.store.in_(wanted))
        report_q = report_q.where(desk_reports.c.store.in_(wanted))
        code_q = code_q.where(enrol_codes.c.store.in_(wanted))
    reports = {str(r["device_id"]): r for r in conn.execute(report_q).mappings()}
    # Tokens oldest first: the last one seen of a device is its newest.
    by_device: dict[str, list[Any]] = {}
    for token in conn.execute(token_q):
        by_device.setdefault(str(token[3]), []).append(token)
    out: dict[str, StoreDesks] = {s: StoreDesks(s, [], []) for s in (stores or ())}
    for device_id, rows in by_device.items():
        newest, live = rows[-1], [r for r in rows if r[5] is None]
        rep = reports.get(device_id)
        desk = DeskRow(
            store=str(newest[1]), desk=str(newest[2]), device_id=device_id,
            live=bool(live), token_id=str((live[-1] if live else newest)[0])[:ID_CHARS],
            enrolled_at=str(rows[0][4]),
            revoked_at=None if live else max(str(r[5]) for r in rows),
            last_seen_at=None if rep is None else str(rep["last_seen_at"]),
            app_version=_text(rep, "app_version"), policy_version=_text(rep, "policy_version"),
            outbox=_number(rep, "outbox"), dead_letters=_number(rep, "dead_letters"))
        out.setdefault(desk.store, StoreDesks(desk.store, [], [])).desks.append(desk)
    for code in conn.execute(code_q).mappings():
        expires = code_expiry(code)
        if expires <= stamp:
            continue
        store = str(code["store"])
        out.setdefault(store, StoreDesks(store, [], [])).codes.append(PendingCode(
            store, str(code["desk"]), str(code["code_hash"])[:ID_CHARS],
            str(code["created_at"]), expires))
    for entry in out.values():
        entry.desks.sort(key=lambda d: (d.desk, not d.live, d.enrolled_at))
    return [out[s] for s in sorted(out)]


def policy_versions(overview: Iterable[StoreDesks]) -> dict[str, dict[str, int]]:
    """Store → policy version → how many of its live desks report running it (a desk
    that reported none yet counts under "")."""
    out: dict[str, dict[str, int]] = {}
    for entry in overview:
        counts = out.setdefault(entry.store, {})
        for desk in entry.desks:
            if desk.live:
                version = desk.policy_version or ""
                counts[version] = counts.get(version, 0) + 1
    return out


def _text(row: RowMapping | None, key: str) -> str | None:
    value = None if row is None else row[key]
    return None if value is None else str(value)


def _number(row: RowMapping | None, key: str) -> int | None:
    value = None if row is None else row[key]
    return None if value is None else int(value)
