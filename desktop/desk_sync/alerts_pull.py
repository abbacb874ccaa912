"""The desk's pull of the centre's product alerts (``GET /v1/alerts?since=<seq>``).

Called once per sync round by :meth:`SyncEngine._round`; a failure here (an older server
without the route, a network error, a bad answer) is logged and left for the next round,
and never fails the round's push and pull of tickets. Each answer's rows replace the
desk's copy of those alerts (``product_alerts``, migration m010) and move the cursor,
in one transaction; a new server epoch (the server was restored) reads again from 0.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import TYPE_CHECKING, Any

from local_db.connection import transaction
from local_db.errors import StoreError
from sync.errors import SyncError

if TYPE_CHECKING:
    from desktop.desk_sync.engine import SyncEngine

_log = logging.getLogger(__name__)
_PAGES = 20  # at most this many pages per round (200 changes each)
_FIELDS = ("id", "label", "days", "store_count", "tickets", "first_at", "last_at",
           "raised_at", "status", "closed_at", "seq")


def _state(conn: sqlite3.Connection) -> tuple[str | None, int]:
    row = conn.execute("SELECT epoch, cursor FROM alerts_pull_state WHERE one = 1").fetchone()
    return (None, 0) if row is None else (row[0], int(row[1]))


def _valid(alert: Any) -> bool:
    return (isinstance(alert, dict)
            and all(isinstance(alert.get(k), int) and not isinstance(alert.get(k), bool)
                    for k in ("id", "days", "store_count", "tickets", "seq"))
            and all(isinstance(alert.get(k), str)
                    for k in ("label", "first_at", "last_at", "raised_at"))
            and alert.get("status") in ("open", "closed")
            and (alert.get("closed_at") is None or isinstance(alert.get("closed_at"), str)))


def pull_alerts(engine: SyncEngine) -> int:
    """Pull the alert changes since the desk's cursor; how many rows were stored.

    Raises the engine's errors (:class:`sync.errors.SyncError`); see :func:`pull_safely`.
    """
    conn = engine.conn
    stored = 0
    for _ in range(_PAGES):
        epoch, cursor = _state(conn)
        status, data = engine._call("GET", "/v1/alerts", params={"since": cursor},
                                    allow=(404,))
        if status == 404 or not isinstance(data, dict):
            return stored  # a server from before alerts
        alerts, new_epoch = data.get("alerts"), data.get("epoch")
        if not isinstance(alerts, list) or not isinstance(new_epoch, str):
            raise ValueError("alerts answer lacks alerts or epoch")
        if epoch is not None and new_epoch != epoch and cursor:
            with transaction(conn):  # restored server: its seqs may start again lower
                conn.execute("DELETE FROM product_alerts")
                conn.execute("UPDATE alerts_pull_state SET epoch = ?, cursor = 0",
                             (new_epoch,))
            continue
        rows = [tuple(a[k] for k in _FIELDS) for a in alerts if _valid(a)]
        top = max([cursor, *(int(a["seq"]) for a in alerts if _valid(a))])
        with transaction(conn):
            conn.executemany(
                f"INSERT INTO product_alerts ({', '.join(_FIELDS)}) VALUES "
                f"({', '.join('?' for _ in _FIELDS)}) ON CONFLICT(id) DO UPDATE SET "
                + ", ".join(f"{k} = excluded.{k}" for k in _FIELDS if k != "id")
                + " WHERE excluded.seq > product_alerts.seq", rows)
            conn.execute("INSERT INTO alerts_pull_state (one, epoch, cursor) VALUES (1, ?, ?) "
                         "ON CONFLICT(one) DO UPDATE SET epoch = excluded.epoch, "
                         "cursor = excluded.cursor", (new_epoch, top))
        stored += len(rows)
        if not data.get("more"):
            break
    return stored


def pull_safely(engine: SyncEngine) -> int | None:
    """:func:`pull_alerts`, with any failure logged instead of raised (None)."""
    try:
        return pull_alerts(engine)
    except (SyncError, StoreError, ValueError, TypeError, KeyError, sqlite3.Error) as exc:
        _log.warning("product alerts not pulled this round: %s", exc)
        return None
