"""The handling steps of a ticket: status changes, notes, contacts, hand-overs, ratings,
merges, voids and escalations, as event payloads.

The lifecycle checks (:mod:`domain.lifecycle`) come first and are the caller's: a desk
applies them, headquarters may override them. What a payload holds is decided here only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from domain import event_schema
from domain.fold import TicketState
from domain.lifecycle import REOPENABLE


def status_change(frm: str, to: str, *, note: str | None = None,
                  accountability: Mapping[str, Any] | None = None,
                  first_contact: bool = False) -> event_schema.StatusChanged:
    """A step of the closed loop from *frm* to *to* (or headquarters' override of it).

    Leaving review says whether it passed; going back to 整改 from a closed or rated
    ticket is a reopen; *accountability* (the outcome of 奖惩) goes with a close; a
    close at first contact (首问解决) says so. An empty *note* is left out.
    """
    payload = cast(event_schema.StatusChanged, {"from": frm, "to": to})
    if first_contact:
        payload["first_contact"] = True
    if note:
        payload["note"] = note
    if to == "closed" and accountability is not None:
        payload["accountability"] = {
            "outcome": accountability["outcome"],
            "subject": str(accountability.get("subject") or ""),
            "note": str(accountability.get("note") or ""),
        }
    if frm == "reviewing":
        payload["review"] = "passed" if to == "accountability" else "returned"
    if frm in REOPENABLE and to == "rectifying":
        payload["reopen"] = True
    return payload


def note_added(text: str) -> event_schema.NoteAdded:
    """An append-only note."""
    return {"text": text}


def customer_contacted(method: str, text: str) -> event_schema.CustomerContacted:
    """A contact with the customer by *method* (phone, in person...)."""
    return {"method": method, "text": text}


def assigned(handler: str) -> event_schema.Assigned:
    """The ticket goes to the staff member *handler* (an id)."""
    return {"handler": handler}


def rated(score: int, comment: str | None = None) -> event_schema.Rated:
    """The customer's satisfaction; an empty *comment* is left out."""
    payload: event_schema.Rated = {"score": score}
    if comment:
        payload["comment"] = comment
    return payload


def merged(ticket: TicketState, into: TicketState,
           note: str | None = None) -> event_schema.Merged:
    """*ticket* merged into *into* as a duplicate; an empty *note* is left out."""
    payload = cast(event_schema.Merged, {"into": into.id, "into_number": into.number,
                                         "from": ticket.status})
    if note:
        payload["note"] = note
    return payload


def voided(ticket: TicketState, note: str) -> event_schema.Voided:
    """*ticket* entered in error; nothing is deleted."""
    return cast(event_schema.Voided, {"from": ticket.status, "note": note})


def escalated(step: int, to: str, overdue_minutes: int) -> event_schema.Escalated:
    """One step up the escalation ladder, to *to*, *overdue_minutes* after the due time."""
    return {"step": step, "to": to, "overdue_minutes": overdue_minutes}
