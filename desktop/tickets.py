"""Recording a complaint: validate, triage, detect duplicates and groups, save durably."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from desktop.desk import Desk
from desktop.duplicates import DuplicateCandidate, find_duplicates
from desktop.numbering import next_number
from desktop.staff import Staff
from domain.actions.creation import (
    complaint,
    level_notification,
    new_verify_code,
    ticket_created,
)
from domain.actions.triaged import SETTLED, group_raises
from domain.clock import format_time
from domain.errors import NotFound
from domain.fold import FINAL_STATES, TicketState
from domain.ids import uuid7
from domain.intake import IntakeForm, parse_intake
from domain.triage import TriageResult
from local_db import projection
from local_db.connection import transaction
from local_db.store import record_event


@dataclass(frozen=True)
class CreatedTicket:
    """The saved ticket, with what the desk should tell the staff about it."""

    ticket: TicketState
    duplicates: tuple[DuplicateCandidate, ...]
    raised: tuple[str, ...]  # numbers of earlier tickets whose level the group rule raised


def recent_subcategory_counts(desk: Desk, minutes: int) -> dict[str, int]:
    """Open tickets of the last *minutes* by subcategory (the group rule's input)."""
    since = format_time(desk.now() - timedelta(minutes=minutes))
    # Without the hint SQLite walks the subcategory index over every ticket to save a
    # sort; the time window is tiny, so the created_at index is always right.
    rows = desk.conn.execute(
        "SELECT subcategory, count(*) FROM tickets INDEXED BY tickets_by_created "
        "WHERE created_at >= ? AND status NOT IN ('voided', 'merged') GROUP BY subcategory",
        (since,),
    )
    return {str(r[0]): int(r[1]) for r in rows}


def recent_count(desk: Desk, subcategory: str, minutes: int) -> int:
    """Open tickets of *subcategory* in the last *minutes*."""
    since = format_time(desk.now() - timedelta(minutes=minutes))
    row = desk.conn.execute(
        "SELECT count(*) FROM tickets WHERE subcategory = ? AND created_at >= ? "
        "AND status NOT IN ('voided', 'merged')",
        (subcategory, since),
    ).fetchone()
    return int(row[0])


def triage_form(desk: Desk, form: IntakeForm) -> TriageResult:
    """Triage *form* against the store's recent tickets, as the save would."""
    counts = recent_subcategory_counts(desk, desk.triage.group_window_minutes())
    return desk.triage.triage(complaint(form), counts)


@dataclass(frozen=True)
class Draft:
    """A validated complaint with its triage and likely duplicates, not saved yet.

    The intake form shows this while staff type; the save then only writes.
    """

    form: IntakeForm
    triage: TriageResult
    duplicates: tuple[DuplicateCandidate, ...]
    group_count: int  # recent tickets of the chosen subcategory when triaged


def prepare_ticket(desk: Desk, data: Mapping[str, Any] | IntakeForm) -> Draft:
    """Validate, triage and look for duplicates. Reads only; raises on bad input."""
    form = data if isinstance(data, IntakeForm) else parse_intake(data, desk.policy)
    counts = recent_subcategory_counts(desk, desk.triage.group_window_minutes())
    result = desk.triage.triage(complaint(form), counts)
    duplicates = find_duplicates(
        desk.conn, desk.policy.duplicates, now=desk.now(), text=form.text,
        subcategory=result.subcategory, phone=form.customer_phone,
    )
    return Draft(form, result, tuple(duplicates), counts.get(result.subcategory, 0))


def create_ticket(desk: Desk, actor: Staff, data: Mapping[str, Any] | IntakeForm) -> CreatedTicket:
    """Validate and save a complaint; return it once committed."""
    return save_ticket(desk, actor, prepare_ticket(desk, data))


def save_ticket(desk: Desk, actor: Staff, draft: Draft) -> CreatedTicket:
    """Save a prepared complaint durably.

    One transaction holds the number, the ``ticket_created`` event, the projection,
    the search entry, the level-1 notification and any group level raise: either all
    of it is saved or none. The group count is taken again inside the transaction, so
    a complaint saved by another desk process meanwhile still counts.
    """
    form = draft.form
    policy = desk.policy
    with transaction(desk.conn):
        now = desk.now()
        sub = draft.triage.subcategory
        count = recent_count(desk, sub, desk.triage.group_window_minutes())
        result = draft.triage
        if count != draft.group_count:  # the group changed since triage: grade again
            result = desk.triage.triage(complaint(form), {sub: count})
        duplicates = list(draft.duplicates)
        number = next_number(desk.conn, desk.store_code, desk.desk_code, desk.store_day(now))
        ticket_id = uuid7()
        payload = ticket_created(
            form, result, number=number, store_code=desk.store_code,
            desk_code=desk.desk_code, created_at=now, verify_code=new_verify_code(),
            duplicates=[d.as_dict() for d in duplicates],
        )
        recorded = record_event(
            desk.conn, ticket_id=ticket_id, type="ticket_created", payload=payload,
            actor=actor.id, occurred_at=now, policy_version=policy.version,
        )
        notify = policy.target(result.level).notify_at_creation
        notification = level_notification(result.level, notify)
        if notification is not None:
            recorded = record_event(
                desk.conn, ticket_id=ticket_id, type="notification_raised",
                payload=notification,
                actor=actor.id, occurred_at=now, policy_version=policy.version,
                current=recorded.ticket,
            )
        raised: tuple[str, ...] = ()
        if "group" in result.flags:
            raised = _raise_group(desk, actor, result, ticket_id)
        ticket = recorded.ticket
    return CreatedTicket(ticket=ticket, duplicates=draft.duplicates, raised=raised)


def _raise_group(desk: Desk, actor: Staff, result: TriageResult, new_id: str) -> tuple[str, ...]:
    """Raise the earlier tickets of a group to the new ticket's level (never lower);
    which ones, and how, is the domain's group rule (:mod:`domain.actions.triaged`)."""
    since = format_time(desk.now() - timedelta(minutes=desk.triage.group_window_minutes()))
    # Narrowed in SQL to what the rule can lift (a busy group's earlier tickets are
    # mostly raised already: reading them all doubled the save); the rule decides.
    settled = ", ".join("?" * len(SETTLED))
    rows = desk.conn.execute(
        "SELECT id FROM tickets WHERE subcategory = ? AND created_at >= ? AND id != ? "
        f"AND level > ? AND status NOT IN ({settled})",
        (result.subcategory, since, new_id, result.level, *sorted(SETTLED)),
    ).fetchall()
    earlier = [projection.read_ticket(desk.conn, row["id"]) for row in rows]
    numbers = []
    for old, payload in group_raises(result, [t for t in earlier if t is not None],
                                     desk.policy):
        record_event(
            desk.conn, ticket_id=old.id, type="triaged", payload=payload,
            actor=actor.id, occurred_at=desk.now(), policy_version=desk.policy.version,
        )
        numbers.append(old.number)
    return tuple(numbers)


def get_ticket(desk: Desk, ref: str) -> TicketState:
    """A ticket by UUID or by its number; :class:`NotFound` otherwise."""
    row = desk.conn.execute(
        "SELECT id FROM tickets WHERE id = ? OR number = ?", (ref, ref)
    ).fetchone()
    ticket = projection.read_ticket(desk.conn, row["id"]) if row else None
    if ticket is None:
        raise NotFound("ticket.not_found", ref=ref)
    return ticket


def verify_code_of(desk: Desk, ticket_id: str) -> str | None:
    """The progress-page code of a ticket (for the receipt); None for older tickets."""
    row = desk.conn.execute(
        "SELECT payload FROM events WHERE ticket_id = ? AND type = 'ticket_created'",
        (ticket_id,),
    ).fetchone()
    code = json.loads(row[0]).get("verify_code") if row else None
    return code if isinstance(code, str) else None


def is_open(ticket: TicketState) -> bool:
    """Not closed, rated, merged or voided."""
    return ticket.status not in FINAL_STATES | {"closed", "rated"}

