"""The history of the console's master data and accounts: who changed what, and when.

A ticket's actions are events in the log, named by their actor; a region, store or
account has no event stream, so each change to one is a row here, written in the same
transaction as the change (an aborted change leaves no row, a made one always has one).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from domain.clock import format_time
from sync.server.tables import console_audit

# The page shows the latest; older rows stay in the table.
RECENT = 50


@dataclass(frozen=True)
class Entry:
    """One change: ``action`` such as ``store.saved`` or ``user.disabled``."""

    at: str
    actor: str
    action: str
    subject: str
    detail: dict[str, Any]


def record(conn: Connection, actor: str, action: str, subject: str,
           **detail: Any) -> None:
    """Note that *actor* did *action* to *subject* (inside the change's transaction)."""
    conn.execute(console_audit.insert().values(
        at=format_time(datetime.now(UTC)), actor=actor, action=action, subject=subject,
        detail=json.dumps(detail, ensure_ascii=False, sort_keys=True)))


def recent(conn: Connection, limit: int = RECENT) -> list[Entry]:
    """The latest changes, newest first."""
    rows = conn.execute(sa.select(console_audit).order_by(console_audit.c.id.desc())
                        .limit(limit))
    return [Entry(str(r.at), str(r.actor), str(r.action), str(r.subject),
                  json.loads(r.detail)) for r in rows]
