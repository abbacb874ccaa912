"""Whether requests that only headquarters can decide can reach it from this desk.

A compensation waiting for headquarters travels by sync: on a desk that is not enrolled
with the central server (no server stored at enrolment), or whose token the server
refused (enrol again), it cannot leave the desk. Staff are told at once when such a
request is made, and the status line says so while any waits. Local data only (the sync
state in ``meta``): no network and no token store, so the GUI may ask every few seconds.
"""

from __future__ import annotations

import sqlite3

from local_db import sync_state

NOT_ENROLLED = "not_enrolled"
ENROL_AGAIN = "enrol_again"


def hq_unreachable_reason(conn: sqlite3.Connection) -> str | None:
    """Why headquarters cannot receive this desk's requests (:data:`NOT_ENROLLED`,
    :data:`ENROL_AGAIN`), or ``None`` when the next sync takes them there."""
    state = sync_state.read_state(conn)
    if state.server is None:
        return NOT_ENROLLED
    if state.enrol_again:
        return ENROL_AGAIN
    return None


def waiting_for_hq(conn: sqlite3.Connection) -> int:
    """How many compensation requests wait for headquarters' decision."""
    row = conn.execute(
        "SELECT count(*) FROM compensations WHERE status = 'pending_approval' "
        "AND approval_level = 'hq'").fetchone()
    return int(row[0])


def stranded_requests(conn: sqlite3.Connection) -> tuple[int, str | None]:
    """(requests waiting for headquarters, why they cannot reach it or ``None``)."""
    waiting = waiting_for_hq(conn)
    return waiting, (hq_unreachable_reason(conn) if waiting else None)


def notice_code(reason: str) -> str:
    """The message code telling staff a request cannot reach headquarters for *reason*."""
    return "comp.hq_unreachable_enrol_again" if reason == ENROL_AGAIN else "comp.hq_unreachable"
