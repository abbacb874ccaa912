"""Alerts that stay until someone acknowledges them: level-1 tickets, overdue tickets and
escalations. An acknowledgement is an ``alert_acknowledged`` event on the ticket, so who saw
an alert, and when, is in the log and reaches headquarters like any other fact.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.desk import Desk
from desktop.response_clock import NOT_RESPONDED_BY_SQL
from desktop.staff import Staff
from desktop.tickets import get_ticket
from domain.clock import format_time
from local_db.connection import transaction
from local_db.store import record_event

ACK_EVENT = "alert_acknowledged"
# Order of urgency on the banner: an escalation outranks a late ticket, which outranks a
# fresh level-1 one.
_RANK = {"escalated": 0, "overdue": 1, "level_1": 2}


@dataclass(frozen=True)
class Alert:
    """One thing someone at the desk must see."""

    ticket_id: str
    number: str
    kind: str  # level_1 | overdue | escalated
    key: str  # what an acknowledgement names: level_1, overdue, escalated:2
    level: int
    subcategory: str
    due_at: str
    escalation_step: int


def active_alerts(desk: Desk) -> list[Alert]:
    """Every unacknowledged alert on an open ticket, most urgent first."""
    now = format_time(desk.now())
    rows = desk.conn.execute(
        "SELECT id, number, level, subcategory, due_at, escalation_step, first_response_at "
        "FROM tickets WHERE status NOT IN ('closed', 'rated', 'merged', 'voided') "
        f"AND (level = 1 OR escalation_step > 0 OR ({NOT_RESPONDED_BY_SQL}))",
        (now,),
    ).fetchall()
    if not rows:
        return []
    acked = _acknowledged(desk, [r["id"] for r in rows])
    alerts: list[Alert] = []
    for r in rows:
        candidates = []
        if r["escalation_step"] > 0:
            candidates.append(("escalated", f"escalated:{r['escalation_step']}"))
        if r["first_response_at"] is None and r["due_at"] <= now:
            candidates.append(("overdue", "overdue"))
        if r["level"] == 1:
            candidates.append(("level_1", "level_1"))
        for kind, key in candidates:
            if (r["id"], key) not in acked:
                alerts.append(Alert(r["id"], r["number"], kind, key, r["level"],
                                    r["subcategory"], r["due_at"], r["escalation_step"]))
    alerts.sort(key=lambda a: (_RANK[a.kind], a.level, a.due_at))
    return alerts


def _acknowledged(desk: Desk, ticket_ids: list[str]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for start in range(0, len(ticket_ids), 500):  # SQLite's variable limit
        chunk = ticket_ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for row in desk.conn.execute(
            f"SELECT ticket_id, json_extract(payload, '$.alert') FROM events "
            f"WHERE type = '{ACK_EVENT}' AND ticket_id IN ({marks})", chunk,
        ):
            found.add((row[0], row[1]))
    return found


def acknowledge(desk: Desk, actor: Staff, ticket_id: str, key: str) -> None:
    """Record that *actor* saw alert *key* of a ticket (a second acknowledgement is a no-op)."""
    with transaction(desk.conn):
        ticket = get_ticket(desk, ticket_id)
        if (ticket.id, key) in _acknowledged(desk, [ticket.id]):
            return
        record_event(desk.conn, ticket_id=ticket.id, type=ACK_EVENT, payload={"alert": key},
                     actor=actor.id, occurred_at=desk.now(),
                     policy_version=desk.policy.version, current=ticket)
