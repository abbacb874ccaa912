"""First-contact resolution (FCR): the share of counted tickets closed at first contact.

A figure of its own (``model.FirstContact``), computed by one query per period, not
through the day cache: the closing events are found through the partial index of
migration m009 (only first-contact closes are in it), then their tickets by id.
"""

from __future__ import annotations

import sqlite3

from desktop.reports.day_cache import COUNTED_SQL
from domain.clock import format_time
from domain.reports.model import Period

# A first-contact close; the text of migration m009's partial index, so SQLite uses it.
FIRST_CONTACT_EVENT_SQL = (
    "type = 'status_changed' AND json_extract(payload, '$.first_contact') = 1")
# A ticket closed at first contact at some time (its status change says so).
CLOSED_AT_FIRST_CONTACT_SQL = (
    f"id IN (SELECT ticket_id FROM events INDEXED BY events_first_contact "
    f"WHERE {FIRST_CONTACT_EVENT_SQL})")


def first_contact_counts(conn: sqlite3.Connection, period: Period) -> tuple[int, int]:
    """(resolved, reopened): counted tickets of *period* closed at first contact and not
    reopened since, and those reopened afterwards."""
    row = conn.execute(
        f"SELECT count(*), coalesce(sum(reopen_count > 0), 0) FROM tickets "
        f"WHERE {COUNTED_SQL} AND {CLOSED_AT_FIRST_CONTACT_SQL}",
        (format_time(period.start_utc), format_time(period.end_utc)),
    ).fetchone()
    total, reopened = int(row[0]), int(row[1])
    return total - reopened, reopened
