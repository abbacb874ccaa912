"""The desk's ticket actions: status changes, notes, contacts, rating, reopen, merge, void,
triage corrections and escalation. Each checks the lifecycle (:mod:`domain.lifecycle`),
then writes one event whose payload the domain builds (:mod:`domain.actions.handling`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from desktop.desk import Desk
from desktop.i18n import current_language
from desktop.response_clock import OVERDUE_SQL, escalation_target, response_status
from desktop.staff import Staff
from desktop.tickets import get_ticket
from domain import lifecycle
from domain.actions import handling
from domain.actions.triaged import correction
from domain.clock import format_time, parse_time
from domain.errors import InvalidInput, PermissionDenied
from domain.fold import TicketState
from domain.intake import clean_text
from local_db.connection import transaction
from local_db.store import record_event

CONTACT_METHODS = ("phone", "in_person", "sms", "wechat", "other")
SYSTEM_ACTOR = "system"


def _record(desk: Desk, ticket: TicketState, actor: str, type: str,
            payload: Mapping[str, Any]) -> TicketState:
    return record_event(
        desk.conn, ticket_id=ticket.id, type=type, payload=payload, actor=actor,
        occurred_at=desk.now(), policy_version=desk.policy.version,
    ).ticket


def _note_text(desk: Desk, value: object, required: bool = True) -> str | None:
    limit = desk.policy.intake.max_note_chars
    return clean_text(value, "note", limit, required)


def _required_note(desk: Desk, value: object) -> str:
    text = _note_text(desk, value)
    assert text is not None  # required: clean_text refuses an empty one
    return text


def pending_compensations(desk: Desk, ticket_id: str) -> int:
    """How many compensation requests of the ticket still wait for a decision."""
    row = desk.conn.execute(
        "SELECT count(*) FROM compensations WHERE ticket_id = ? AND status = 'pending_approval'",
        (ticket_id,),
    ).fetchone()
    return int(row[0])


def advance(
    desk: Desk, actor: Staff, ref: str, to: str, *, note: str | None = None,
    accountability: Mapping[str, Any] | None = None,
) -> TicketState:
    """Move a ticket one step along the loop (or back from review to 整改)."""
    with transaction(desk.conn):
        ticket = get_ticket(desk, ref)
        lifecycle.check_advance(
            ticket, to, actor,
            pending_compensations=pending_compensations(desk, ticket.id),
            accountability=accountability,
        )
        payload = handling.status_change(
            ticket.status, to, note=_note_text(desk, note, required=False),
            accountability=accountability)
        return _record(desk, ticket, actor.id, "status_changed", payload)


def approvals_needed(desk: Desk, ticket_id: str) -> int:
    """How many compensations of the ticket needed, or wait for, another person's
    approval (a manager on the spot, a manager later, or headquarters)."""
    row = desk.conn.execute(
        "SELECT count(*) FROM compensations WHERE ticket_id = ? AND "
        "(status = 'pending_approval' OR approval_level IS NOT NULL OR approved_by IS NOT NULL)",
        (ticket_id,),
    ).fetchone()
    return int(row[0])


def _subcategory_label(desk: Desk, subcategory: str) -> str:
    return desk.policy.subcategory_label(subcategory, current_language() == "en")


def resolve_first_contact(desk: Desk, actor: Staff, ref: str, note: str) -> TicketState:
    """Close a ticket settled on the spot (首问解决): 受理 → 完结 with a note of what was
    done, skipping 整改 → 复核 → 奖惩, where the policy allows it (never level 1)."""
    with transaction(desk.conn):
        ticket = get_ticket(desk, ref)
        refusal = lifecycle.first_contact_refusal(
            ticket, actor, desk.policy.first_contact,
            approvals_needed=approvals_needed(desk, ticket.id))
        if refusal is not None:
            if "subcategory" in refusal.params:  # the words staff know, not the code
                refusal.params["subcategory"] = _subcategory_label(desk, ticket.subcategory)
            raise refusal
        return _record(desk, ticket, actor.id, "status_changed", handling.status_change(
            ticket.status, "closed", note=_note_text(desk, note), first_contact=True))


def add_note(desk: Desk, actor: Staff, ref: str, text: str) -> TicketState:
    """Append a note (append-only; also a first response)."""
    with transaction(desk.conn):
        ticket = get_ticket(desk, ref)
        lifecycle.check_writable(ticket)
        return _record(desk, ticket, actor.id, "note_added",
                       handling.note_added(_required_note(desk, text)))


def contact_customer(desk: Desk, actor: Staff, ref: str, method: str, text: str) -> TicketState:
    """Record a contact with the customer (the usual first response)."""
    if method not in CONTACT_METHODS:
        raise InvalidInput("input.bad_choice", field="method", value=method,
                           choices=", ".join(CONTACT_METHODS))
    with transaction(desk.conn):
        ticket = get_ticket(desk, ref)
        lifecycle.check_writable(ticket)
        return _record(desk, ticket, actor.id, "customer_contacted",
                       handling.customer_contacted(method, _required_note(desk, text)))


def assign(desk: Desk, actor: Staff, ref: str, handler: Staff) -> TicketState:
    """Give the ticket to a handler (the actor themself: they take it)."""
    with transaction(desk.conn):
        ticket = get_ticket(desk, ref)
        lifecycle.check_assign(ticket, actor, handler)
        return _record(desk, ticket, actor.id, "assigned", handling.assigned(handler.id))


def rate(desk: Desk, actor: Staff, ref: str, score: int, comment: str | None = None) -> TicketState:
    """Record the customer's satisfaction (1–5) from the follow-up call."""
    with transaction(desk.conn):
        ticket = get_ticket(desk, ref)
        lifecycle.check_rate(ticket, score)
        return _record(desk, ticket, actor.id, "rated", handling.rated(
            score, _note_text(desk, comment, required=False)))


def reopen(desk: Desk, actor: Staff, ref: str, reason: str) -> TicketState:
    """Back to 整改 because the customer is not satisfied."""
    with transaction(desk.conn):
        ticket = get_ticket(desk, ref)
        lifecycle.check_reopen(ticket, actor)
        # From closed or rated back to 整改: the payload marks it a reopen.
        return _record(desk, ticket, actor.id, "status_changed", handling.status_change(
            ticket.status, "rectifying", note=_note_text(desk, reason)))


def merge(
    desk: Desk, actor: Staff, ref: str, into_ref: str, reason: str | None = None
) -> TicketState:
    """Merge a duplicate into another ticket; the duplicate keeps its history."""
    with transaction(desk.conn):
        ticket = get_ticket(desk, ref)
        into = get_ticket(desk, into_ref)
        lifecycle.check_merge(ticket, into, actor)
        return _record(desk, ticket, actor.id, "merged", handling.merged(
            ticket, into, _note_text(desk, reason, required=False)))


def void(desk: Desk, actor: Staff, ref: str, reason: str) -> TicketState:
    """Void a ticket entered in error (manager only). Nothing is deleted."""
    with transaction(desk.conn):
        ticket = get_ticket(desk, ref)
        lifecycle.check_void(ticket, actor)
        return _record(desk, ticket, actor.id, "voided",
                       handling.voided(ticket, _required_note(desk, reason)))


def correct_triage(
    desk: Desk, actor: Staff, ref: str, *, category: str | None = None,
    subcategory: str | None = None, level: int | None = None, reason: str,
) -> TicketState:
    """Staff correct the automatic triage; lowering the level needs a manager."""
    index = desk.policy.subcategories()
    with transaction(desk.conn):
        ticket = get_ticket(desk, ref)
        lifecycle.check_writable(ticket)
        new_sub = subcategory or ticket.subcategory
        if new_sub not in index or index[new_sub][0] != (category or index[new_sub][0]):
            raise InvalidInput("triage.bad_pair", category=category or "", subcategory=new_sub)
        new_cat, departments = index[new_sub]
        new_level = ticket.level if level is None else level
        if new_level not in desk.policy.levels:
            raise InvalidInput("input.bad_choice", field="level", value=str(level),
                               choices="1, 2, 3")
        if new_level > ticket.level and actor.role != "manager":
            raise PermissionDenied("permission.lower_level", role=actor.role)
        return _record(desk, ticket, actor.id, "triaged", correction(
            ticket, category=new_cat, subcategory=new_sub, level=new_level,
            departments=departments, policy=desk.policy, actor=actor.id,
            reason=_required_note(desk, reason)))


def escalate_due(desk: Desk) -> list[dict[str, Any]]:
    """Record every escalation step that has fallen due; return what was raised.

    Safe to run as often as wanted (the app runs it on a timer): a step already
    recorded is never recorded twice.
    """
    now = desk.now()
    raised: list[dict[str, Any]] = []
    with transaction(desk.conn):
        rows = desk.conn.execute(
            f"SELECT id FROM tickets WHERE {OVERDUE_SQL}",
            (format_time(now),),
        ).fetchall()
        for row in rows:
            ticket = get_ticket(desk, row["id"])
            due_steps = response_status(ticket, now, desk.policy).escalation_steps_due
            for step in range(ticket.escalation_step + 1, due_steps + 1):
                target = escalation_target(step, desk.policy)
                overdue_min = int((now - parse_time(ticket.due_at)).total_seconds() // 60)
                ticket = _record(desk, ticket, SYSTEM_ACTOR, "escalated",
                                 handling.escalated(step, target, overdue_min))
                raised.append({"number": ticket.number, "step": step, "to": target})
    return raised
