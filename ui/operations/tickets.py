"""Ticket writes: recording a complaint, and each step staff take on a ticket."""

from __future__ import annotations

from typing import Any

from desktop import ticket_actions
from desktop.quick_entry import QuickEntry, QuickResult, record_quick
from desktop.staff import Staff
from desktop.tickets import CreatedTicket, Draft, save_ticket
from domain.fold import TicketState
from ui.operations.op import Op


def save(staff: Staff, draft: Draft) -> Op[CreatedTicket]:
    """Save a prepared complaint (the intake form)."""
    return Op(lambda d: save_ticket(d, staff, draft))


def save_quick(staff: Staff, entry: QuickEntry) -> Op[QuickResult]:
    """Save a checkout complaint with its category and compensation (quick entry)."""
    return Op(lambda d: record_quick(d, staff, entry))


def advance(staff: Staff, tid: str, to: str, *, note: str | None = None,
            accountability: dict[str, Any] | None = None) -> Op[TicketState]:
    """Move the ticket on to status *to* (closing takes the accountability record)."""
    return Op(lambda d: ticket_actions.advance(d, staff, tid, to, note=note,
                                               accountability=accountability))


def resolve_first_contact(staff: Staff, tid: str, note: str) -> Op[TicketState]:
    """Settled at the first contact."""
    return Op(lambda d: ticket_actions.resolve_first_contact(d, staff, tid, note))


def contact_customer(staff: Staff, tid: str, method: str, text: str) -> Op[TicketState]:
    """The customer was contacted."""
    return Op(lambda d: ticket_actions.contact_customer(d, staff, tid, method, text))


def add_note(staff: Staff, tid: str, text: str) -> Op[TicketState]:
    """A note on the ticket."""
    return Op(lambda d: ticket_actions.add_note(d, staff, tid, text))


def rate(staff: Staff, tid: str, score: int, comment: str | None) -> Op[TicketState]:
    """The customer's rating."""
    return Op(lambda d: ticket_actions.rate(d, staff, tid, score, comment))


def reopen(staff: Staff, tid: str, reason: str) -> Op[TicketState]:
    """Open a closed ticket again."""
    return Op(lambda d: ticket_actions.reopen(d, staff, tid, reason))


def merge(staff: Staff, tid: str, into: str, reason: str | None) -> Op[TicketState]:
    """Merge the ticket into another (both change)."""
    return Op(lambda d: ticket_actions.merge(d, staff, tid, into, reason))


def correct_triage(staff: Staff, tid: str, *, category: str, subcategory: str, level: int,
                   reason: str) -> Op[TicketState]:
    """Correct the category and level triage chose."""
    return Op(lambda d: ticket_actions.correct_triage(d, staff, tid, category=category,
                                                subcategory=subcategory, level=level,
                                                reason=reason))


def void(staff: Staff, tid: str, reason: str) -> Op[TicketState]:
    """Void a ticket recorded by mistake."""
    return Op(lambda d: ticket_actions.void(d, staff, tid, reason))


def assign(staff: Staff, tid: str, handler: Staff) -> Op[TicketState]:
    """Give the ticket to *handler* (to *staff* themself: "take")."""
    return Op(lambda d: ticket_actions.assign(d, staff, tid, handler))
